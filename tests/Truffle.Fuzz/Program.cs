using System.Runtime.InteropServices;
using SharpFuzz;
using Truffle.Fuzz;

// The fuzz driver (docs/security.md, "Fuzzing"). Commands:
//   list                        the target names, one a line
//   fuzz <target>               run under afl-fuzz (scripts/fuzz.sh); reads one input from stdin when not under afl
//   replay <target> <path>...   run files or folders of inputs without afl; exit 1 if any crashed
//   seed <corpus-dir>           write every target's seeds to <corpus-dir>/<target>/
// Instrumented code writes to SharpFuzz's coverage map, which exists only once Fuzzer.Run has attached afl's shared
// memory. Until then (and outside afl, in replay) it writes to a scratch map, so touching Truffle early is harmless.
const int CoverageMapBytes = 1 << 16;
unsafe
{
    if (SharpFuzz.Common.Trace.SharedMem == null)
    {
        SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(CoverageMapBytes);
    }
}

const string Usage = "usage: Truffle.Fuzz list | fuzz <target> | replay <target> <path>... | seed <corpus-dir>";

if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

switch (args[0])
{
    case "list":
        foreach (FuzzTarget t in FuzzTargets.All)
        {
            Console.WriteLine(t.Name);
        }

        return 0;

    case "fuzz" when args.Length == 2 && FuzzTargets.Find(args[1]) is { } target:
        // Out of process: a stack overflow or a hang kills only the child, and afl-fuzz still records the input.
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            target.Run(copy.GetBuffer().AsMemory(0, (int)copy.Length));
        });
        return 0;

    case "replay" when args.Length >= 3 && FuzzTargets.Find(args[1]) is { } target:
    {
        IReadOnlyList<string> files = Replay.Inputs(args.Skip(2));
        IReadOnlyList<(string File, Exception Crash)> crashes = Replay.Run(target, files);
        foreach ((string file, Exception crash) in crashes)
        {
            Console.Error.WriteLine($"CRASH {target.Name} {file}: {crash}");
        }

        Console.WriteLine($"{target.Name}: {files.Count} input(s), {crashes.Count} crash(es)");
        return crashes.Count == 0 ? 0 : 1;
    }

    case "seed" when args.Length == 2:
        foreach (FuzzTarget t in FuzzTargets.All)
        {
            string folder = Path.Combine(args[1], t.Name);
            Directory.CreateDirectory(folder);
            foreach ((string name, byte[] bytes) in t.Seeds())
            {
                File.WriteAllBytes(Path.Combine(folder, name + ".bin"), bytes);
            }
        }

        return 0;

    default:
        Console.Error.WriteLine(Usage);
        Console.Error.WriteLine("targets: " + string.Join(", ", FuzzTargets.All.Select(t => t.Name)));
        return 2;
}
