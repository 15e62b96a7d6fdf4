using System.Runtime.InteropServices;
using Truffle.Sidecar;
using Xunit;

namespace Truffle.Tests.Sidecar;

/// <summary>The order in which the sidecar is looked for, on folders laid out as builds and publishes lay them out.</summary>
public sealed class SidecarLocatorTests : IDisposable
{
    private const string Rid = "linux-x64";

    private readonly string _app = Directory.CreateTempSubdirectory("truffle-locator-").FullName;

    public void Dispose() => Directory.Delete(_app, recursive: true);

    [Fact]
    public void Explicit_path_wins_over_the_variable_and_the_app_directory()
    {
        string chosen = Binary("chosen", SidecarLocator.BinaryName);
        string variable = Binary("variable", SidecarLocator.BinaryName);
        Binary(SidecarLocator.BinaryName);

        Assert.Equal(chosen, SidecarLocator.FindIn(chosen, variable, _app, Rid));
    }

    [Fact]
    public void Variable_wins_over_the_app_directory()
    {
        string variable = Binary("variable", SidecarLocator.BinaryName);
        Binary(SidecarLocator.BinaryName);
        Binary("runtimes", Rid, "native", SidecarLocator.BinaryName);

        Assert.Equal(variable, SidecarLocator.FindIn(null, variable, _app, Rid));
    }

    [Fact]
    public void Missing_explicit_path_is_an_error_naming_it_and_never_falls_back()
    {
        Binary(SidecarLocator.BinaryName);
        string missing = Path.Combine(_app, "no-such-sidecar");

        var fromOptions = Assert.Throws<SidecarException>(() => SidecarLocator.FindIn(missing, null, _app, Rid));
        var fromVariable = Assert.Throws<SidecarException>(() => SidecarLocator.FindIn(null, missing, _app, Rid));

        Assert.Equal(SidecarException.NotFoundCode, fromOptions.Code);
        Assert.Contains(missing, fromOptions.Message, StringComparison.Ordinal);
        Assert.Contains("SidecarPath", fromOptions.Message, StringComparison.Ordinal);
        Assert.Contains(missing, fromVariable.Message, StringComparison.Ordinal);
        Assert.Contains(SidecarLocator.EnvironmentVariable, fromVariable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_beside_the_app_wins_over_the_package_folder()
    {
        string beside = Binary(SidecarLocator.BinaryName);
        Binary("runtimes", Rid, "native", SidecarLocator.BinaryName);

        Assert.Equal(beside, SidecarLocator.FindIn(null, null, _app, Rid));
    }

    [Fact]
    public void Package_binary_for_this_platform_is_found_after_a_build_without_a_runtime_identifier()
    {
        Binary("runtimes", "osx-arm64", "native", SidecarLocator.BinaryName);
        string packaged = Binary("runtimes", Rid, "native", SidecarLocator.BinaryName);
        Binary("runtimes", "win-x64", "native", "truffle-sidecar.exe");

        Assert.Equal(packaged, SidecarLocator.FindIn(null, "  ", _app, Rid));
    }

    [Fact]
    public void Package_binary_of_another_platform_is_never_used()
    {
        Binary("runtimes", "linux-arm64", "native", SidecarLocator.BinaryName);

        var error = Assert.Throws<SidecarException>(() => SidecarLocator.FindIn(null, null, _app, Rid));

        Assert.Equal(SidecarException.NotFoundCode, error.Code);
    }

    [Fact]
    public void Nothing_found_names_both_places_the_platform_and_the_variable_for_a_package_user()
    {
        var error = Assert.Throws<SidecarException>(() => SidecarLocator.FindIn(null, null, _app, "linux-riscv64"));

        Assert.Equal(SidecarException.NotFoundCode, error.Code);
        Assert.Contains(Path.Combine(_app, SidecarLocator.BinaryName), error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_app, "runtimes", "linux-riscv64", "native", SidecarLocator.BinaryName), error.Message, StringComparison.Ordinal);
        Assert.Contains("Truffle.Sidecar", error.Message, StringComparison.Ordinal);
        Assert.Contains(SidecarLocator.EnvironmentVariable, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("go build", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("clone", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Runtime_identifier_names_this_platform_as_the_package_folders_do()
    {
        string os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : "win";
        string architecture = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "arm64" : "x64";

        Assert.Equal($"{os}-{architecture}", SidecarLocator.RuntimeIdentifier);
    }

    private string Binary(params string[] relative)
    {
        string path = Path.Combine([_app, .. relative]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "#!/bin/sh\n");
        return path;
    }
}
