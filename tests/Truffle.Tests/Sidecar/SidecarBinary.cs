using Truffle.Sidecar;
using Xunit;

namespace Truffle.Tests.Sidecar;

/// <summary>
/// The real Go sidecar, as the build puts it next to every app that references Truffle (src/Truffle/Truffle.csproj
/// builds it when Go is installed). Finding it here is also the test that the build integration works.
/// </summary>
public sealed class SidecarBinary
{
    public SidecarBinary()
    {
        Path = System.IO.Path.Combine(AppContext.BaseDirectory, SidecarLocator.BinaryName);
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException(
                $"No sidecar at {Path}: the build skips it when Go is not installed (apt-get install golang-go, then rebuild).");
        }
    }

    public string Path { get; }
}

[CollectionDefinition(Name)]
public sealed class RealSidecar : ICollectionFixture<SidecarBinary>
{
    public const string Name = "Real sidecar";
}
