using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MmapTools.HelpGen;
using Xunit;

namespace MmapTools.Module.Tests;

/// <summary>
/// The module's contract with PowerShell users, checked on the compiled MmapTools.dll through
/// MetadataLoadContext (no pwsh needed): names, verbs, ShouldProcess, OutputType, the manifest's export list,
/// help sources, Pester coverage, README, error categories. Every theory runs once per cmdlet the assembly
/// has, so a cmdlet added later is covered without touching this file.
/// </summary>
public sealed class ContractTests
{
    /// <summary>
    /// Verbs whose cmdlets change a file, a process, the system or the session's resources, and so must support
    /// -WhatIf/-Confirm. Not in the list, on purpose: Get/Find/Search/Read/Test/Measure/Watch/Show/Select/Resolve/
    /// Compare/Convert*/Format/Out/Wait/Receive (they only look); Invoke and Use (too general to judge by name);
    /// Sync (msync makes changed pages durable but changes no byte anyone can read); Import/Export/Enter/Exit/
    /// Push/Pop (session state of the shell, as PowerShell's own cmdlets treat them).
    /// </summary>
    public static readonly IReadOnlySet<string> StateChangingVerbs = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        // VerbsCommon
        "Add", "Clear", "Copy", "Lock", "Move", "New", "Remove", "Rename", "Reset", "Set", "Unlock",
        // VerbsCommunications
        "Write", "Send", "Disconnect",
        // VerbsData
        "Backup", "Compress", "Dismount", "Edit", "Expand", "Initialize", "Limit", "Merge", "Mount", "Publish",
        "Restore", "Save", "Unpublish", "Update",
        // VerbsLifecycle
        "Approve", "Deny", "Disable", "Enable", "Install", "Register", "Restart", "Resume", "Start", "Stop",
        "Suspend", "Uninstall", "Unregister",
        // VerbsSecurity
        "Block", "Grant", "Protect", "Revoke", "Unblock", "Unprotect",
        // VerbsDiagnostic
        "Repair",
    };

    public static TheoryData<string> Cmdlets() => ModuleFacts.CmdletNames();

    [Fact]
    public void TheAssemblyHasTheCoreCmdlets()
    {
        string[] core = { "New-MemoryMap", "Get-MemoryMap", "Read-MappedBytes", "Write-MappedBytes", "Sync-MemoryMap", "Remove-MemoryMap", "Get-SharedMemory", "Remove-SharedMemory" };
        Assert.Subset(ModuleFacts.Cmdlets.Select(c => c.Name).ToHashSet(), core.ToHashSet());
    }

    [Fact]
    public void ApprovedVerbs_AreReadFromTheReferenceAssembly()
    {
        IReadOnlySet<string> verbs = ModuleFacts.Catalog.ApprovedVerbs();
        Assert.True(verbs.Count >= 90, $"only {verbs.Count} approved verbs were read");
        Assert.Contains("Get", verbs);
        Assert.Contains("Restore", verbs);
        Assert.DoesNotContain("Delete", verbs);
        Assert.DoesNotContain("Create", verbs);
        Assert.All(StateChangingVerbs, v => Assert.Contains(v, verbs));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Verb_IsApproved(string name)
    {
        CmdletSpec c = ModuleFacts.Cmdlet(name);
        Assert.True(ModuleFacts.Catalog.ApprovedVerbs().Contains(c.Verb), $"{name}: '{c.Verb}' is not an approved verb (Get-Verb lists them).");
        Assert.True(ModuleFacts.Catalog.ApprovedVerbs().Any(v => v == c.Verb), $"{name}: write the verb as Get-Verb does.");
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Class_IsNamedVerbNounCommand_AndNounIsSingularPascalCase(string name)
    {
        CmdletSpec c = ModuleFacts.Cmdlet(name);
        Assert.Equal("MmapTools.Commands." + c.Verb + c.Noun + "Command", c.TypeFullName);
        Assert.Matches("^[A-Z][A-Za-z0-9]+$", c.Noun);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void HasOutputType_ThatExists(string name)
    {
        CmdletSpec c = ModuleFacts.Cmdlet(name);
        Assert.NotEmpty(c.OutputTypes);
        Assert.All(c.OutputTypes, t => Assert.NotNull(ModuleFacts.Catalog.FindType(t.TrimEnd('[', ']')) ?? ModuleFacts.Catalog.FindType(t)));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void StateChangingVerb_SupportsShouldProcess(string name)
    {
        CmdletSpec c = ModuleFacts.Cmdlet(name);
        if (StateChangingVerbs.Contains(c.Verb))
        {
            Assert.True(c.SupportsShouldProcess, $"{name} changes state ({c.Verb}) and must declare SupportsShouldProcess = true and call ShouldProcess.");
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Parameters_ArePascalCase_AndPathHasLiteralPath(string name)
    {
        CmdletSpec c = ModuleFacts.Cmdlet(name);
        Assert.All(c.Parameters, p => Assert.Matches("^[A-Z][A-Za-z0-9]*$", p.Name));
        // A wildcard -Path that takes files from the pipeline (Get-ChildItem) needs -LiteralPath for names with [ ].
        // (Get-MemoryMap -Path only filters the open maps by pattern.)
        if (c.Parameters.Any(p => p.Name == "Path" && p.SupportsWildcards && p.ByPropertyName))
        {
            CmdletParameter? literal = c.Parameters.FirstOrDefault(p => p.Name == "LiteralPath");
            Assert.True(literal is not null, $"{name} has a wildcard -Path, so it needs -LiteralPath too.");
            Assert.Contains("PSPath", literal!.Aliases);
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void ArgumentCompleters_ImplementIArgumentCompleter(string name)
    {
        foreach (CmdletParameter p in ModuleFacts.Cmdlet(name).Parameters.Where(p => p.CompleterType is not null))
        {
            Type? t = ModuleFacts.Catalog.FindType(p.CompleterType!);
            Assert.NotNull(t);
            Assert.Contains(t!.GetInterfaces(), i => i.FullName == "System.Management.Automation.IArgumentCompleter");
            Assert.NotNull(t.GetConstructor(Type.EmptyTypes));
        }
    }

    [Fact]
    public void MapIdParameters_HaveTheMapIdCompleter()
    {
        // Process cmdlets (Get-ProcessVma, Get-ProcessMemory) take process ids, with the process-id completer.
        static bool IsProcessCmdlet(string noun) => noun.StartsWith("Process", StringComparison.Ordinal);
        var ids = ModuleFacts.Cmdlets.Where(c => !IsProcessCmdlet(c.Noun) && (c.Noun.Contains("Memory", StringComparison.Ordinal) || c.Noun.Contains("Mapped", StringComparison.Ordinal)))
            .SelectMany(c => c.Parameters.Where(p => p.Name == "Id").Select(p => (c.Name, p))).ToList();
        Assert.NotEmpty(ids);
        Assert.All(ids, x => Assert.True(x.p.CompleterType == "MmapTools.Commands.MapIdCompleter", $"{x.Name} -Id has no MapIdCompleter"));
        Assert.All(ModuleFacts.Cmdlets.Where(c => IsProcessCmdlet(c.Noun)).SelectMany(c => c.Parameters.Where(p => p.Name == "Id").Select(p => (c.Name, p))),
            x => Assert.True(x.p.CompleterType == "MmapTools.Commands.ProcessIdCompleter", $"{x.Name} -Id has no ProcessIdCompleter"));
        Assert.All(ModuleFacts.Cmdlets.SelectMany(c => c.Parameters.Where(p => p.Name == "Encoding").Select(p => (c.Name, p))),
            x => Assert.True(x.p.CompleterType == "MmapTools.Commands.EncodingCompleter", $"{x.Name} -Encoding has no EncodingCompleter"));
    }

    [Fact]
    public void Manifest_CmdletsToExport_IsTheCmdletSet()
    {
        var exported = ModuleFacts.ManifestValues("CmdletsToExport").OrderBy(n => n, StringComparer.Ordinal).ToList();
        var cmdlets = ModuleFacts.Cmdlets.Select(c => c.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.Equal(cmdlets, exported);
    }

    [Fact]
    public void Manifest_HasWhatGalleriesAndTestModuleManifestNeed()
    {
        Assert.Equal("bin/MmapTools.dll", ModuleFacts.ManifestValues("RootModule").Single());
        Assert.Matches(@"^\d+\.\d+\.\d+$", ModuleFacts.ManifestValues("ModuleVersion").Single());
        Assert.Matches("^[0-9a-f-]{36}$", ModuleFacts.ManifestValues("GUID").Single());
        Assert.NotEmpty(ModuleFacts.ManifestValues("Description").Single());
        Assert.NotEmpty(ModuleFacts.ManifestValues("Author").Single());
        var tags = ModuleFacts.ManifestValues("Tags");
        Assert.Contains("Linux", tags);
        Assert.All(tags, t => Assert.DoesNotMatch(@"\s", t));
        Assert.StartsWith("https://", ModuleFacts.ManifestValues("LicenseUri").Single(), StringComparison.Ordinal);
        Assert.Empty(ModuleFacts.ManifestValues("FunctionsToExport"));
        Assert.Empty(ModuleFacts.ManifestValues("AliasesToExport"));
        Assert.Empty(ModuleFacts.ManifestValues("VariablesToExport"));
    }

    [Fact]
    public void Manifest_VersionIsTheAssemblyVersion()
    {
        Version manifest = Version.Parse(ModuleFacts.ManifestValues("ModuleVersion").Single());
        Version assembly = ModuleFacts.Catalog.Assembly.GetName().Version!;
        Assert.Equal((manifest.Major, manifest.Minor, manifest.Build), (assembly.Major, assembly.Minor, assembly.Build));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void HelpSource_DescribesEveryParameter_AndHasTwoExamples(string name)
    {
        string path = ModuleFacts.HelpSourcePath(name);
        Assert.True(File.Exists(path), $"{name} has no help source {path} (see docs/help/README.md).");
        HelpSource help = HelpSource.Load(path);
        CmdletSpec c = ModuleFacts.Cmdlet(name);

        Assert.Equal(name, help.Name);
        Assert.Empty(help.Problems);
        Assert.False(string.IsNullOrWhiteSpace(help.Synopsis), $"{name}: ## SYNOPSIS is empty");
        Assert.False(string.IsNullOrWhiteSpace(help.Description), $"{name}: ## DESCRIPTION is empty");
        foreach (CmdletParameter p in c.Parameters)
        {
            Assert.False(string.IsNullOrWhiteSpace(help.ParameterDescription(p.Name)), $"{name}: -{p.Name} has no '### -{p.Name}' description");
        }

        var known = c.Parameters.Select(p => p.Name).Concat(new[] { "WhatIf", "Confirm" }).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.All(help.Parameters, p => Assert.True(known.Contains(p.Key), $"{name}: '### -{p.Key}' describes a parameter the cmdlet does not have"));

        Assert.True(help.Examples.Count >= 2, $"{name}: {help.Examples.Count} example(s); at least 2 are needed");
        Assert.All(help.Examples, e => Assert.False(string.IsNullOrWhiteSpace(e.Code), $"{name}: example '{e.Title}' has no code"));
        Assert.All(help.Examples, e => Assert.Contains(name, e.Code, StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void HelpSource_Outputs_NameEveryOutputType(string name)
    {
        HelpSource help = HelpSource.Load(ModuleFacts.HelpSourcePath(name));
        foreach (string type in ModuleFacts.Cmdlet(name).OutputTypes)
        {
            string expected = type == "System.Void" ? "None" : type;
            Assert.True(help.Outputs.Any(o => o.Name == expected || o.Name == type.Split('.').Last()),
                $"{name}: ## OUTPUTS has no '### {expected}' although the cmdlet declares [OutputType({type})]");
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void GeneratedHelp_HasTheCmdlet_WithEveryParameter(string name)
    {
        string maml = Path.Combine(ModuleFacts.ModuleOutput, "en-US", "MmapTools.dll-Help.xml");
        Assert.True(File.Exists(maml), "The build did not generate " + maml);
        XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        XNamespace mamlNs = "http://schemas.microsoft.com/maml/2004/10";
        XElement entry = XDocument.Load(maml).Root!.Elements(command + "command")
            .Single(e => e.Element(command + "details")!.Element(command + "name")!.Value == name);
        var documented = entry.Element(command + "parameters")!.Elements(command + "parameter").Select(p => p.Element(mamlNs + "name")!.Value).ToHashSet();
        Assert.All(ModuleFacts.Cmdlet(name).Parameters, p => Assert.Contains(p.Name, documented));
        Assert.Equal(ModuleFacts.Cmdlet(name).ParameterSets.Count, entry.Element(command + "syntax")!.Elements().Count());
        Assert.True(entry.Element(command + "examples")!.Elements().Count() >= 2);
    }

    [Fact]
    public void GeneratedHelp_HasTheAboutTopic_WithTheErrorTable()
    {
        string about = File.ReadAllText(Path.Combine(ModuleFacts.ModuleOutput, "en-US", "about_MmapTools.help.txt"));
        Assert.StartsWith("TOPIC", about, StringComparison.Ordinal);
        foreach (Match m in Regex.Matches(File.ReadAllText(Path.Combine(ModuleFacts.RepoRoot, "docs", "errors.md")), @"^\| `(\w+)` \|", RegexOptions.Multiline))
        {
            Assert.Contains("\n    " + m.Groups[1].Value + "\n", about, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void HasAPesterTest(string name)
    {
        var files = Directory.EnumerateFiles(Path.Combine(ModuleFacts.RepoRoot, "tests"), "*.Tests.ps1").ToList();
        Assert.True(files.Any(f => Regex.IsMatch(File.ReadAllText(f), @"(?<![\w-])" + Regex.Escape(name) + @"(?![\w-])", RegexOptions.IgnoreCase)),
            $"No tests/*.Tests.ps1 uses {name}.");
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void IsInTheReadme(string name)
    {
        Assert.Contains("`" + name + "`", File.ReadAllText(Path.Combine(ModuleFacts.RepoRoot, "README.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void EngineErrorCategories_AreErrorCategoryByNameAndValue()
    {
        Type sma = ModuleFacts.Catalog.Automation.GetType("System.Management.Automation.ErrorCategory", throwOnError: true)!;
        var psValues = sma.GetFields(BindingFlags.Public | BindingFlags.Static).ToDictionary(f => f.Name, f => Convert.ToInt32(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture));
        foreach (MapErrorCategory category in Enum.GetValues<MapErrorCategory>())
        {
            Assert.True(psValues.TryGetValue(category.ToString(), out int value), $"ErrorCategory has no {category}");
            Assert.Equal((int)category, value);
        }
    }

    public static TheoryData<string> FormatFiles()
    {
        var data = new TheoryData<string>();
        foreach (string f in ModuleFacts.ManifestValues("FormatsToProcess"))
        {
            data.Add(f);
        }

        return data;
    }

    public static TheoryData<string> TypeFiles()
    {
        var data = new TheoryData<string>();
        foreach (string f in ModuleFacts.ManifestValues("TypesToProcess"))
        {
            data.Add(f);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FormatFiles))]
    public void FormatFile_IsBuilt_AndSelectsRealTypes_AndTheirDeserializedTwins(string file)
    {
        string path = ModuleFacts.InModuleOutput(file);
        Assert.True(File.Exists(path), $"{file} is in FormatsToProcess but not in the build output ({path})");
        XDocument doc = XDocument.Load(path);
        Assert.Equal("Configuration", doc.Root!.Name.LocalName);
        var views = doc.Descendants("View").ToList();
        Assert.NotEmpty(views);
        foreach (XElement view in views)
        {
            var names = view.Element("ViewSelectedBy")!.Elements("TypeName").Select(t => t.Value.Trim()).ToList();
            foreach (string name in names.Where(n => !n.StartsWith("Deserialized.", StringComparison.Ordinal)))
            {
                // "Type#Variant" (a name a cmdlet puts first in PSObject.TypeNames to pick a view) must still name a real type.
                string typeName = name.Split('#')[0];
                Type? t = ModuleFacts.Catalog.FindType(typeName);
                Assert.True(t is not null && t.IsPublic, $"{file}: view '{view.Element("Name")?.Value}' selects {name}, which is not a public type of the module");
                Assert.Contains("Deserialized." + name, names);
            }
        }

        AssertScriptTypesExist(file, doc);
    }

    [Theory]
    [MemberData(nameof(TypeFiles))]
    public void TypeFile_IsBuilt_AndExtendsRealTypes(string file)
    {
        string path = ModuleFacts.InModuleOutput(file);
        Assert.True(File.Exists(path), $"{file} is in TypesToProcess but not in the build output ({path})");
        XDocument doc = XDocument.Load(path);
        Assert.Equal("Types", doc.Root!.Name.LocalName);
        foreach (string name in doc.Root.Elements("Type").Select(t => t.Element("Name")!.Value.Trim()))
        {
            string real = name.StartsWith("Deserialized.", StringComparison.Ordinal) ? name["Deserialized.".Length..] : name;
            Type? t = ModuleFacts.Catalog.FindType(real);
            Assert.True(t is not null && t.IsPublic, $"{file} extends {name}, which is not a public type of the module");
            foreach (string member in doc.Root.Elements("Type").Where(x => x.Element("Name")!.Value.Trim() == name).Descendants("Name").Skip(1).Select(n => n.Value))
            {
                Assert.True(t!.GetProperty(member) is null, $"{file}: {name}.{member} hides a real property");
            }
        }

        AssertScriptTypesExist(file, doc);
    }

    [Fact]
    public void EveryOutputType_HasTableViews()
    {
        var selected = ModuleFacts.ManifestValues("FormatsToProcess").Select(ModuleFacts.InModuleOutput).Where(File.Exists)
            .SelectMany(f => XDocument.Load(f).Descendants("View"))
            .Where(v => v.Element("TableControl") is not null)
            .SelectMany(v => v.Element("ViewSelectedBy")!.Elements("TypeName").Select(t => t.Value.Trim())).ToHashSet();
        foreach (string type in ModuleFacts.Cmdlets.SelectMany(c => c.OutputTypes).Distinct().Where(t => t.StartsWith("MmapTools.", StringComparison.Ordinal)))
        {
            Assert.True(selected.Contains(type), $"{type} is output by a cmdlet but no table view selects it");
        }
    }

    /// <summary>Every [MmapTools.X] a script block names is a public type with that member.</summary>
    private static void AssertScriptTypesExist(string file, XDocument doc)
    {
        foreach (Match m in Regex.Matches(doc.ToString(), @"\[(MmapTools\.[\w.]+)\]::(\w+)"))
        {
            Type? t = ModuleFacts.Catalog.FindType(m.Groups[1].Value);
            Assert.True(t is not null && t.IsPublic, $"{file} calls [{m.Groups[1].Value}], which is not a public type");
            Assert.True(t!.GetMember(m.Groups[2].Value).Length > 0, $"{file} calls [{m.Groups[1].Value}]::{m.Groups[2].Value}, which does not exist");
        }
    }
}
