using BenchmarkDotNet.Running;

namespace Truffle.Benchmarks;

/// <summary>
/// Runs the benchmarks chosen on the command line, for example
/// <c>dotnet run -c Release --project tests/Truffle.Benchmarks -- --filter '*Formatter*'</c>.
/// See docs/benchmarks.md for the commands and the latest results.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
