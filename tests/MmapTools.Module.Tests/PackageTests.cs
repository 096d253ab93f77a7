using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace MmapTools.Module.Tests;

/// <summary>
/// The package that `./build.ps1 -Task Package` (dotnet pack packaging/MmapTools.Package.csproj) makes: a module
/// folder out/MmapTools/VERSION/ and a .nupkg laid out as Publish-Module makes one, so Install-PSResource and
/// Install-Module take it: manifest and nuspec at the root, the dlls, formats, types and help beside it.
/// .ci/run packs before testing; run alone, the test packs first if the package is missing or older than the build.
/// </summary>
public sealed class PackageTests
{
    private static readonly Lazy<string> s_package = new(EnsurePackage);

    private static string Version => ModuleFacts.ManifestValues("ModuleVersion").Single();

    private static string EnsurePackage()
    {
        string nupkg = Path.Combine(ModuleFacts.RepoRoot, "out", $"MmapTools.{Version}.nupkg");
        if (!File.Exists(nupkg) || File.GetLastWriteTimeUtc(nupkg) < File.GetLastWriteTimeUtc(ModuleFacts.ModuleAssembly))
        {
            var psi = new ProcessStartInfo("dotnet", $"pack \"{Path.Combine(ModuleFacts.RepoRoot, "packaging", "MmapTools.Package.csproj")}\" -c Release -nologo -v quiet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, "dotnet pack failed:\n" + output);
        }

        return nupkg;
    }

    private static string Entry(ZipArchive zip, string name)
    {
        ZipArchiveEntry? e = zip.GetEntry(name);
        Assert.True(e is not null, $"the package has no {name}; it has: {string.Join(", ", zip.Entries.Select(x => x.FullName))}");
        using var reader = new StreamReader(e!.Open());
        return reader.ReadToEnd();
    }

    [Fact]
    public void Nupkg_HasTheManifestAtItsRoot_AndTheModuleBesideIt()
    {
        using ZipArchive zip = ZipFile.OpenRead(s_package.Value);
        Entry(zip, "MmapTools.psd1");
        Entry(zip, "MmapTools.nuspec");
        foreach (string f in new[] { "bin/MmapTools.dll", "bin/MmapTools.Engine.dll", "en-US/MmapTools.dll-Help.xml", "en-US/about_MmapTools.help.txt",
                     "bin/en-US/MmapTools.dll-Help.xml", "LICENSE", "README.md", "CHANGELOG.md" })
        {
            Entry(zip, f);
        }

        foreach (string f in ModuleFacts.ManifestValues("FormatsToProcess").Concat(ModuleFacts.ManifestValues("TypesToProcess")).Append(ModuleFacts.ManifestValues("RootModule").Single()))
        {
            Entry(zip, f.Replace('\\', '/'));
        }

        Assert.DoesNotContain(zip.Entries, e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) || e.FullName.EndsWith(".Tests.ps1", StringComparison.Ordinal));
    }

    [Fact]
    public void Nuspec_IsWhatPublishModuleWrites()
    {
        using ZipArchive zip = ZipFile.OpenRead(s_package.Value);
        XElement metadata = XDocument.Parse(Entry(zip, "MmapTools.nuspec")).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Get(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
        Assert.Equal("MmapTools", Get("id"));
        Assert.Equal(Version, Get("version"));
        Assert.False(string.IsNullOrWhiteSpace(Get("description")));
        var tags = Get("tags").Split(' ');
        Assert.Contains("PSModule", tags);
        Assert.Contains("PSIncludes_Cmdlet", tags);
        Assert.All(ModuleFacts.Cmdlets, c => Assert.Contains("PSCmdlet_" + c.Name, tags));
        Assert.All(ModuleFacts.ManifestValues("Tags"), t => Assert.Contains(t, tags));
    }

    [Fact]
    public void PackagedManifest_CarriesTheReleaseNotesFromTheChangelog_AndIsOtherwiseTheSame()
    {
        using ZipArchive zip = ZipFile.OpenRead(s_package.Value);
        string packaged = Entry(zip, "MmapTools.psd1").TrimStart('\uFEFF');
        string notes = ModuleFacts.ManifestValues(packaged, "ReleaseNotes").Single();
        string changelog = File.ReadAllText(Path.Combine(ModuleFacts.RepoRoot, "CHANGELOG.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        Match section = Regex.Match(changelog, @"(?ms)^## \[(?:" + Regex.Escape(Version) + @"|Unreleased)\][^\n]*\n(.*?)(?=^## |\z)");
        Assert.True(section.Success);
        Assert.Equal(section.Groups[1].Value.Trim(), notes);

        string Without(string psd1) => Regex.Replace(psd1, @"(?ms)^\s*ReleaseNotes\s*=\s*'(?:[^']|'')*'", string.Empty).Trim();
        Assert.Equal(Without(ModuleFacts.ManifestText.Replace("\r\n", "\n", StringComparison.Ordinal)), Without(packaged));
    }

    [Fact]
    public void ModuleFolder_IsStagedUnderTheVersion()
    {
        _ = s_package.Value;
        string stage = Path.Combine(ModuleFacts.RepoRoot, "out", "MmapTools", Version);
        Assert.True(File.Exists(Path.Combine(stage, "MmapTools.psd1")));
        Assert.True(File.Exists(Path.Combine(stage, "bin", "MmapTools.dll")));
        Assert.True(File.Exists(Path.Combine(stage, "en-US", "about_MmapTools.help.txt")));
    }
}
