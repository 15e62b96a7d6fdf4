using System.Runtime.InteropServices;

namespace Truffle.Packaging.Tests;

/// <summary>The platform the package tests run binaries on.</summary>
internal static class Platform
{
    /// <summary>
    /// Fails with a clear message off linux-x64: the tests that call this run the linux-x64 sidecar or publish for
    /// linux-x64, the platform of this repository's CI (a silent pass elsewhere would hide that nothing ran).
    /// </summary>
    public static void RequireLinuxX64()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            throw new PlatformNotSupportedException("This package test runs linux-x64 binaries, the platform of this repository's CI.");
        }
    }
}
