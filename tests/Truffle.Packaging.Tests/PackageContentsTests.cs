using System.Buffers.Binary;
using System.IO.Compression;
using System.Xml.Linq;
using Xunit;

namespace Truffle.Packaging.Tests;

/// <summary>What each package holds, read from the packed files themselves.</summary>
[Collection(PackageTests.Name)]
public sealed class PackageContentsTests(PackageFeed feed)
{
    /// <summary>Every runtime of Truffle.Sidecar, with the executable format and machine its binary must have.</summary>
    public static TheoryData<string, string, string> Runtimes => new()
    {
        { "linux-x64", "truffle-sidecar", "ELF x86-64" },
        { "linux-arm64", "truffle-sidecar", "ELF arm64" },
        { "osx-x64", "truffle-sidecar", "Mach-O x86-64" },
        { "osx-arm64", "truffle-sidecar", "Mach-O arm64" },
        { "win-x64", "truffle-sidecar.exe", "PE x86-64" },
        { "win-arm64", "truffle-sidecar.exe", "PE arm64" },
    };

    [Fact]
    public void Truffle_holds_the_runtime_its_docs_the_readme_the_schema_lock_targets_and_only_the_generator_under_analyzers()
    {
        using ZipArchive package = ZipFile.OpenRead(feed.Package("Truffle"));
        string[] entries = [.. package.Entries.Select(e => e.FullName)];

        Assert.Contains("lib/net10.0/Truffle.dll", entries);
        Assert.Contains("lib/net10.0/Truffle.xml", entries);
        Assert.Contains("README.md", entries);
        Assert.Equal(["analyzers/dotnet/cs/Truffle.Generators.dll"], entries.Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal)));
        Assert.Equal(["buildTransitive/Truffle.targets"], entries.Where(e => e.StartsWith("build", StringComparison.Ordinal)));
        Assert.DoesNotContain(entries, e => e.Contains("truffle-sidecar", StringComparison.Ordinal));
    }

    [Fact]
    public void Truffle_depends_on_Truffle_Sidecar_of_its_own_version_and_has_a_symbols_package()
    {
        XElement[] dependencies = [.. Nuspec(feed.Package("Truffle")).Descendants().Where(e => e.Name.LocalName == "dependency")];
        XElement sidecar = Assert.Single(dependencies, d => (string?)d.Attribute("id") == "Truffle.Sidecar");
        Assert.Equal(feed.Version, (string?)sidecar.Attribute("version"));

        using ZipArchive symbols = ZipFile.OpenRead(feed.Package("Truffle", ".snupkg"));
        Assert.Contains(symbols.Entries, e => e.FullName == "lib/net10.0/Truffle.pdb");
    }

    [Theory]
    [MemberData(nameof(Runtimes))]
    public void Sidecar_has_a_binary_for_the_runtime_built_for_it_and_executable(string rid, string fileName, string format)
    {
        using ZipArchive package = ZipFile.OpenRead(feed.Package("Truffle.Sidecar"));
        ZipArchiveEntry entry = Assert.Single(package.Entries, e => e.FullName == $"runtimes/{rid}/native/{fileName}");
        using var header = new MemoryStream();
        using (Stream stream = entry.Open())
        {
            stream.CopyTo(header);
        }

        Assert.Equal(format, ExecutableFormat(header.ToArray()));
        int mode = (entry.ExternalAttributes >> 16) & 0x1FF;
        if (!rid.StartsWith("win-", StringComparison.Ordinal))
        {
            Assert.True(mode == 0x1ED, $"{entry.FullName} has mode {Convert.ToString(mode, 8)}, want 755");
        }
    }

    [Fact]
    public void Sidecar_carries_only_binaries_its_build_logic_and_its_readme()
    {
        using ZipArchive package = ZipFile.OpenRead(feed.Package("Truffle.Sidecar"));
        string[] files = [.. package.Entries.Select(e => e.FullName)
            .Where(e => !e.StartsWith("_rels/", StringComparison.Ordinal) && !e.StartsWith("package/", StringComparison.Ordinal)
                        && e != "[Content_Types].xml" && !e.EndsWith(".nuspec", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

        Assert.Equal(
            ["README.md", "buildTransitive/Truffle.Sidecar.targets", .. Runtimes.Select(r => $"runtimes/{r[0]}/native/{r[1]}").Order(StringComparer.Ordinal)],
            files);
    }

    [Fact]
    public async Task Linux_x64_sidecar_reports_the_packed_version_and_answers_a_control_line()
    {
        Platform.RequireLinuxX64();
        string directory = Directory.CreateDirectory(Path.Combine(feed.Root, "sidecar-linux-x64")).FullName;
        using (ZipArchive package = ZipFile.OpenRead(feed.Package("Truffle.Sidecar")))
        {
            // Extraction keeps the entry's Unix mode, so the binary runs as unzipped.
            package.GetEntry("runtimes/linux-x64/native/truffle-sidecar")!.ExtractToFile(Path.Combine(directory, "truffle-sidecar"), overwrite: true);
        }

        string binary = Path.Combine(directory, "truffle-sidecar");
        CommandOutput version = (await Commands.RunAsync(binary, ["--version"], directory, TimeSpan.FromSeconds(30))).Succeeded();
        Assert.Equal($"truffle-sidecar {feed.Version} (protocol 5; backends: loopback)", version.StandardOutput.Trim());

        // One command before any start, then end of input: the sidecar answers, stops and exits 0.
        CommandOutput session = (await Commands.RunAsync(binary, [], directory, TimeSpan.FromSeconds(30), standardInput: "{\"command\":\"tsnet:getPeers\"}\n")).Succeeded();
        Assert.Equal(
            [
                """{"event":"tsnet:error","data":{"code":"NOT_RUNNING","message":"node not running"}}""",
                """{"event":"tsnet:stopped"}""",
            ],
            session.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Hosting_holds_its_assembly_docs_and_readme_and_depends_on_Truffle_of_its_own_version()
    {
        using ZipArchive package = ZipFile.OpenRead(feed.Package("Truffle.Hosting"));
        string[] entries = [.. package.Entries.Select(e => e.FullName)];
        XElement[] dependencies = [.. Nuspec(feed.Package("Truffle.Hosting")).Descendants().Where(e => e.Name.LocalName == "dependency")];

        Assert.Contains("lib/net10.0/Truffle.Hosting.dll", entries);
        Assert.Contains("lib/net10.0/Truffle.Hosting.xml", entries);
        Assert.Contains("README.md", entries);
        Assert.Equal(feed.Version, (string?)Assert.Single(dependencies, d => (string?)d.Attribute("id") == "Truffle").Attribute("version"));
    }

    [Fact]
    public void Templates_hold_truffle_app_referencing_this_version_of_Truffle_and_a_readme_outside_the_template()
    {
        using ZipArchive package = ZipFile.OpenRead(feed.Package("Truffle.Templates"));
        Assert.Contains(package.Entries, e => e.FullName == "content/truffle-app/.template.config/template.json");
        // The readme is the package's (NuGet shows it; without one, pack warns), never a file the template creates.
        Assert.Contains(package.Entries, e => e.FullName == "README.md");
        Assert.DoesNotContain(package.Entries, e => e.FullName.StartsWith("content/", StringComparison.Ordinal) && e.Name == "README.md");
        Assert.Equal("README.md", Nuspec(feed.Package("Truffle.Templates")).Descendants().Single(e => e.Name.LocalName == "readme").Value);
        using var reader = new StreamReader(package.GetEntry("content/truffle-app/TruffleApp.csproj")!.Open());
        XElement reference = Assert.Single(XDocument.Parse(reader.ReadToEnd()).Descendants("PackageReference"));

        Assert.Equal("Truffle", (string?)reference.Attribute("Include"));
        Assert.Equal(feed.Version, (string?)reference.Attribute("Version"));
        Assert.Equal("Template", Nuspec(feed.Package("Truffle.Templates")).Descendants().Single(e => e.Name.LocalName == "packageType").Attribute("name")!.Value);
    }

    private static XDocument Nuspec(string package)
    {
        using ZipArchive zip = ZipFile.OpenRead(package);
        using Stream stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XDocument.Load(stream);
    }

    /// <summary>The executable format and machine named by a binary's headers.</summary>
    private static string ExecutableFormat(byte[] file)
    {
        ReadOnlySpan<byte> bytes = file;
        if (bytes[..4].SequenceEqual("\u007fELF"u8))
        {
            return BinaryPrimitives.ReadUInt16LittleEndian(bytes[18..]) switch { 0x3E => "ELF x86-64", 0xB7 => "ELF arm64", var m => $"ELF machine {m:x}" };
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) == 0xFEEDFACF)
        {
            return BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]) switch { 0x01000007 => "Mach-O x86-64", 0x0100000C => "Mach-O arm64", var c => $"Mach-O cpu {c:x}" };
        }

        if (bytes[..2].SequenceEqual("MZ"u8))
        {
            int pe = BinaryPrimitives.ReadInt32LittleEndian(bytes[0x3C..]);
            return BinaryPrimitives.ReadUInt16LittleEndian(bytes[(pe + 4)..]) switch { 0x8664 => "PE x86-64", 0xAA64 => "PE arm64", var m => $"PE machine {m:x}" };
        }

        return "unknown";
    }
}
