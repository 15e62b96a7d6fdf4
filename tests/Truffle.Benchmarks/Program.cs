using BenchmarkDotNet.Running;

namespace Truffle.Benchmarks;

/// <summary>
/// Runs the benchmarks chosen on the command line, for example
/// <c>dotnet run -c Release --project tests/Truffle.Benchmarks -- --filter '*Formatter*'</c>, or the end-to-end mesh
/// harness with <c>-- mesh</c>, or the failover after a killed primary with <c>-- failover</c>, or a mesh of real processes with
/// <c>-- processes [count]</c>.
/// See docs/benchmarks.md for the commands and the latest results.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["mesh", .. var rest])
        {
            return await Mesh.MeshHarness.RunAsync(rest);
        }

        if (args is ["throughput", .. var messages])
        {
            return await Mesh.MeshHarness.ThroughputOnlyAsync(messages);
        }

        if (args is ["processes", .. var processArgs])
        {
            return await Mesh.ProcessMesh.RunAsync(processArgs);
        }

        if (args is ["failover", .. var rounds])
        {
            return await Mesh.CrashFailover.RunAsync(rounds);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
