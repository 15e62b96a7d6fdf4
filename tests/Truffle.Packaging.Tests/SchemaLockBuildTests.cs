using Xunit;

namespace Truffle.Packaging.Tests;

/// <summary>
/// The schema lock through the Truffle package's build logic (<c>Apps/SchemaLock</c>): <c>-p:TruffleUpdateSchema=true</c>
/// writes <c>truffle.schema.json</c>, and then a breaking change fails the build at the member that makes it.
/// </summary>
[Collection(PackageTests.Name)]
public sealed class SchemaLockBuildTests(PackageFeed feed)
{
    [Fact]
    public async Task Update_writes_the_lock_and_a_member_added_without_a_default_then_fails_the_build()
    {
        ScratchApp app = feed.App("SchemaLock");
        (await app.DotnetAsync("build", "-p:TruffleUpdateSchema=true")).Succeeded();
        string written = File.ReadAllText(app.PathOf("truffle.schema.json"));

        File.WriteAllText(app.PathOf("Wire.cs"), File.ReadAllText(app.PathOf("Wire.cs")).Replace("int Stars", "int Stars, string Author", StringComparison.Ordinal));
        CommandOutput broken = await app.DotnetAsync("build");

        Assert.Contains("\"wire\": \"message notes/memo\"", written, StringComparison.Ordinal);
        Assert.Contains("{ \"key\": \"stars\", \"name\": \"Stars\", \"type\": \"int32\", \"nullable\": false, \"required\": false }", written, StringComparison.Ordinal);
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains(broken.Lines, line => line.Contains("Wire.cs(6,57): error TRF010: 'Author' of 'Memo'", StringComparison.Ordinal));
    }
}
