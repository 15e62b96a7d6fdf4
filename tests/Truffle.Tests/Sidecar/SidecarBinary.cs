using System.Diagnostics;
using Xunit;

namespace Truffle.Tests.Sidecar;

/// <summary>Builds the real Go sidecar once per test run (<c>go build ./cmd/truffle-sidecar</c> in <c>sidecar/</c>).</summary>
public sealed class SidecarBinary : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("truffle-sidecar-bin-").FullName;

    public SidecarBinary()
    {
        string sidecar = System.IO.Path.Combine(RepositoryRoot(), "sidecar");
        Path = System.IO.Path.Combine(_directory, "truffle-sidecar");
        var start = new ProcessStartInfo("go", ["build", "-o", Path, "./cmd/truffle-sidecar"])
        {
            WorkingDirectory = sidecar,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("go did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                "The sidecar integration tests need Go on PATH to build sidecar/ (apt-get install golang-go).", e);
        }

        using (process)
        {
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"go build of the sidecar failed ({process.ExitCode}):\n{errors}");
            }
        }
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Truffle.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Truffle.sln above {AppContext.BaseDirectory}.");
    }
}

[CollectionDefinition(Name)]
public sealed class RealSidecar : ICollectionFixture<SidecarBinary>
{
    public const string Name = "Real sidecar";
}
