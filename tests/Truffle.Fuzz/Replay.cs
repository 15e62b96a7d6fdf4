namespace Truffle.Fuzz;

/// <summary>Runs saved inputs through a target without afl: the corpus and crash files as a deterministic check.</summary>
public static class Replay
{
    /// <summary>The files under <paramref name="paths"/> (files, or folders searched recursively), in ordinal order.</summary>
    public static IReadOnlyList<string> Inputs(IEnumerable<string> paths) =>
    [
        .. paths.SelectMany(p => Directory.Exists(p)
                ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Where(f => !IsAflMetadata(f))
                : File.Exists(p) ? [p] : throw new FileNotFoundException("No such input file or folder.", p))
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>Each input that crashed <paramref name="target"/>, with the exception; empty when none did.</summary>
    public static IReadOnlyList<(string File, Exception Crash)> Run(FuzzTarget target, IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(target);
        var crashes = new List<(string, Exception)>();
        foreach (string file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
#pragma warning disable CA1031 // Every escaping exception is the finding being reported.
            catch (Exception e)
#pragma warning restore CA1031
            {
                crashes.Add((file, e));
            }
        }

        return crashes;
    }

    // afl-fuzz writes a README.txt beside its crash files.
    private static bool IsAflMetadata(string file) => Path.GetFileName(file) == "README.txt";
}
