using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using MmapTools.HelpGen;
using Xunit;

namespace MmapTools.Module.Tests;

/// <summary>The help generator's pieces: the markdown reader, the MAML writer, the about-topic renderer.</summary>
public sealed class HelpGenTests
{
    private const string Source = """
        # Test-Thing

        ## SYNOPSIS
        Tests a `thing`.

        ## DESCRIPTION
        First paragraph
        continues here with **bold** and a [link](https://example.org/x).

        - one item
        - another

        ## PARAMETERS

        ### -Path
        The path.

        ### -Mode
        The mode.

        ## EXAMPLES

        ### Example 1: With comments in the code
        ```powershell
        # not a heading
        ## still code
        Test-Thing -Path x
        ```
        Shows it.

        ### Second
        ```powershell
        Test-Thing -Mode B
        ```

        ## OUTPUTS

        ### System.String
        Text.

        ## RELATED LINKS
        - Get-Thing
        - [Online](https://example.org/thing)
        """;

    private static CmdletSpec Spec() => new()
    {
        Name = "Test-Thing", Verb = "Test", Noun = "Thing", TypeFullName = "X.TestThingCommand", SupportsShouldProcess = true,
        DefaultParameterSet = "A", OutputTypes = new[] { "System.String" },
        Parameters = new[]
        {
            new CmdletParameter
            {
                Name = "Path", TypeName = "String[]", FullTypeName = "System.String[]", IsSwitch = false, SupportsWildcards = true,
                Aliases = new[] { "PSPath" }, Values = Array.Empty<string>(),
                Sets = new[] { new ParameterSetEntry("A", true, 0, true, true) },
            },
            new CmdletParameter
            {
                Name = "Mode", TypeName = "ThingMode", FullTypeName = "X.ThingMode", IsSwitch = false, SupportsWildcards = false,
                Aliases = Array.Empty<string>(), Values = new[] { "A", "B" },
                Sets = new[] { new ParameterSetEntry("A", false, null, false, false), new ParameterSetEntry("B", true, null, false, false) },
            },
        },
    };

    [Fact]
    public void Reader_KeepsCodeBlocksWhole_AndReadsEverySection()
    {
        HelpSource help = HelpSource.Parse(Source, "fallback");
        Assert.Equal("Test-Thing", help.Name);
        Assert.Empty(help.Problems);
        Assert.Equal("Tests a `thing`.", help.Synopsis);
        Assert.Equal(new[] { "Path", "Mode" }, help.Parameters.Select(p => p.Key));
        Assert.Equal(2, help.Examples.Count);
        Assert.Equal("# not a heading\n## still code\nTest-Thing -Path x", help.Examples[0].Code);
        Assert.Equal("Shows it.", help.Examples[0].Remarks);
        Assert.Equal("System.String", help.Outputs.Single().Name);
        Assert.Equal(new[] { "Get-Thing", "Online" }, help.Links.Select(l => l.Key));
        Assert.Equal("https://example.org/thing", help.Links[1].Value);
    }

    [Fact]
    public void Reader_ReportsAnUnclosedFence_AndAnExampleWithoutCode()
    {
        HelpSource help = HelpSource.Parse("# X\n## EXAMPLES\n### Example 1: none\nno code\n### Example 2\n```powershell\nX\n", "X");
        Assert.Equal(2, help.Problems.Count);
    }

    [Fact]
    public void Paragraphs_AreJoined_InlineMarkdownIsStripped_ListItemsStayApart()
    {
        var paras = HelpSource.Paragraphs(HelpSource.Parse(Source, "x").Description);
        Assert.Equal("First paragraph continues here with bold and a link (https://example.org/x).", paras[0]);
        Assert.Equal(new[] { "- one item", "- another" }, paras.Skip(1));
    }

    [Fact]
    public void Maml_HasSyntaxPerSet_TypedParameters_WhatIfConfirm_Examples_Links()
    {
        XDocument doc = MamlWriter.Write(new[] { (Spec(), HelpSource.Parse(Source, "x")) });
        XNamespace cmd = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        XNamespace maml = "http://schemas.microsoft.com/maml/2004/10";
        XNamespace dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        XElement c = doc.Root!.Element(cmd + "command")!;
        Assert.Equal("Tests a thing.", c.Element(cmd + "details")!.Element(maml + "description")!.Value);

        var sets = c.Element(cmd + "syntax")!.Elements(cmd + "syntaxItem").ToList();
        Assert.Equal(2, sets.Count);
        Assert.Equal(new[] { "Path", "Mode", "WhatIf", "Confirm" }, sets[0].Elements(cmd + "parameter").Select(p => p.Element(maml + "name")!.Value));
        Assert.Equal(new[] { "Mode", "WhatIf", "Confirm" }, sets[1].Elements(cmd + "parameter").Select(p => p.Element(maml + "name")!.Value));
        Assert.Equal("true", sets[1].Elements(cmd + "parameter").First().Attribute("required")!.Value);
        Assert.Null(sets[0].Elements(cmd + "parameter").Single(p => p.Element(maml + "name")!.Value == "WhatIf").Element(cmd + "parameterValue"));

        var parameters = c.Element(cmd + "parameters")!.Elements(cmd + "parameter").ToDictionary(p => p.Element(maml + "name")!.Value);
        XElement path = parameters["Path"];
        Assert.Equal(("true", "true", "True (ByPropertyName, ByValue)", "0", "PSPath"),
            (path.Attribute("required")!.Value, path.Attribute("globbing")!.Value, path.Attribute("pipelineInput")!.Value, path.Attribute("position")!.Value, path.Attribute("aliases")!.Value));
        Assert.Equal("System.String[]", path.Element(dev + "type")!.Element(maml + "name")!.Value);
        Assert.Equal("false", parameters["Mode"].Attribute("required")!.Value);
        Assert.Equal(new[] { "A", "B" }, parameters["Mode"].Element(cmd + "parameterValueGroup")!.Elements().Select(v => v.Value));
        Assert.Contains("Shows what would happen", parameters["WhatIf"].Value, StringComparison.Ordinal);
        Assert.Equal("cf", parameters["Confirm"].Attribute("aliases")!.Value);

        var examples = c.Element(cmd + "examples")!.Elements(cmd + "example").ToList();
        Assert.Equal("-------------------------- Example 2: Second --------------------------", examples[1].Element(maml + "title")!.Value);
        Assert.Equal("Test-Thing -Mode B", examples[1].Element(dev + "code")!.Value);
        Assert.Equal(2, c.Element(cmd + "relatedLinks")!.Elements().Count());
        Assert.Equal("System.String", c.Element(cmd + "returnValues")!.Descendants(maml + "name").Single().Value);
    }

    [Fact]
    public void About_IsRenderedAsGetHelpShowsIt_WithIncludedTables()
    {
        string dir = Directory.CreateTempSubdirectory("helpgen").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "inc.md"), "# Inc\n\n## Table\n\n| Id | Category | Cause |\n|---|---|---|\n| `A1` | X | Some \\| cause. |\n");
            File.WriteAllText(Path.Combine(dir, "about_T.md"), "# about_T\n\n## SHORT DESCRIPTION\nShort.\n\n## LONG DESCRIPTION\n### Part\nText `code`.\n\n```powershell\nGet-Thing\n```\n\n<!-- include: inc.md -->\n");
            string text = AboutWriter.Render(Path.Combine(dir, "about_T.md"));
            Assert.StartsWith("TOPIC\n    about_T\n\nSHORT DESCRIPTION\n    Short.\n", text, StringComparison.Ordinal);
            Assert.Contains("  Part\n    Text code.\n", text, StringComparison.Ordinal);
            Assert.Contains("        Get-Thing\n", text, StringComparison.Ordinal);
            Assert.Contains("  Table\n    A1\n        Category: X\n        Cause: Some | cause.\n", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Inc", text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
