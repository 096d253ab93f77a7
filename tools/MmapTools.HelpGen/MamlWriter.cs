using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace MmapTools.HelpGen;

/// <summary>
/// Writes MAML (the XML Get-Help reads for compiled cmdlets) from a cmdlet's metadata and its help source.
/// Types, parameter sets, positions, pipeline input and wildcard support come from the assembly; words from the markdown.
/// </summary>
public static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Cmd = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private static readonly XNamespace MsHelp = "http://msdn.microsoft.com/mshelp";

    private const string WhatIfText = "Shows what would happen if the cmdlet runs. The cmdlet is not run.";
    private const string ConfirmText = "Prompts you for confirmation before running the cmdlet.";

    public static XDocument Write(IEnumerable<(CmdletSpec Cmdlet, HelpSource Help)> commands)
    {
        var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"));
        foreach ((CmdletSpec cmdlet, HelpSource help) in commands)
        {
            root.Add(CommandElement(cmdlet, help));
        }

        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    private static IEnumerable<XElement> Paras(string text)
    {
        IReadOnlyList<string> paras = HelpSource.Paragraphs(text);
        return paras.Count == 0 ? new[] { new XElement(Maml + "para") } : paras.Select(p => new XElement(Maml + "para", p));
    }

    private static XElement Description(string text) => new(Maml + "description", Paras(text));

    /// <summary>The parameters Get-Help shows: the cmdlet's own, then -WhatIf/-Confirm when it supports ShouldProcess.</summary>
    private static List<CmdletParameter> AllParameters(CmdletSpec cmdlet)
    {
        var list = cmdlet.Parameters.ToList();
        if (cmdlet.SupportsShouldProcess)
        {
            foreach ((string name, string alias) in new[] { ("WhatIf", "wi"), ("Confirm", "cf") })
            {
                if (list.All(p => p.Name != name))
                {
                    list.Add(new CmdletParameter
                    {
                        Name = name, TypeName = "SwitchParameter", FullTypeName = "System.Management.Automation.SwitchParameter",
                        IsSwitch = true, SupportsWildcards = false, Aliases = new[] { alias }, Values = Array.Empty<string>(),
                        Sets = new[] { new ParameterSetEntry(CmdletCatalog.AllSets, false, null, false, false) },
                    });
                }
            }
        }

        return list;
    }

    private static string DescriptionOf(CmdletParameter p, HelpSource help) =>
        help.ParameterDescription(p.Name) ?? p.Name switch
        {
            "WhatIf" => WhatIfText,
            "Confirm" => ConfirmText,
            _ => string.Empty,
        };

    private static XElement CommandElement(CmdletSpec cmdlet, HelpSource help)
    {
        List<CmdletParameter> parameters = AllParameters(cmdlet);
        var command = new XElement(Cmd + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Cmd),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MsHelp),
            new XElement(Cmd + "details",
                new XElement(Cmd + "name", cmdlet.Name),
                new XElement(Cmd + "verb", cmdlet.Verb),
                new XElement(Cmd + "noun", cmdlet.Noun),
                Description(help.Synopsis)),
            Description(help.Description),
            new XElement(Cmd + "syntax", cmdlet.ParameterSets.Select(set => SyntaxItem(cmdlet, set, parameters, help))),
            new XElement(Cmd + "parameters", parameters.Select(p => Parameter(p, DescriptionOf(p, help), null, forSyntax: false))),
            new XElement(Cmd + "inputTypes", Inputs(cmdlet, help)),
            new XElement(Cmd + "returnValues", Outputs(cmdlet, help)));

        if (help.Notes.Length > 0)
        {
            command.Add(new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(help.Notes))));
        }

        int n = 0;
        command.Add(new XElement(Cmd + "examples", help.Examples.Select(e =>
        {
            n++;
            string title = e.Title.StartsWith("Example", StringComparison.OrdinalIgnoreCase) ? e.Title : $"Example {n}: {e.Title}";
            return new XElement(Cmd + "example",
                new XElement(Maml + "title", $"-------------------------- {title} --------------------------"),
                new XElement(Dev + "code", e.Code),
                new XElement(Dev + "remarks", Paras(e.Remarks)));
        })));

        command.Add(new XElement(Cmd + "relatedLinks", help.Links.Select(l =>
            new XElement(Maml + "navigationLink",
                new XElement(Maml + "linkText", l.Key),
                new XElement(Maml + "uri", l.Value ?? string.Empty)))));
        return command;
    }

    private static XElement SyntaxItem(CmdletSpec cmdlet, string set, List<CmdletParameter> parameters, HelpSource help)
    {
        // As PowerShell orders them: positional by position, then mandatory named, then the rest in declaration order.
        var inSet = parameters.Where(p => p.InSet(set)).ToList();
        var ordered = inSet.Where(p => p.EntryFor(set).Position is not null).OrderBy(p => p.EntryFor(set).Position)
            .Concat(inSet.Where(p => p.EntryFor(set).Position is null && p.EntryFor(set).Mandatory))
            .Concat(inSet.Where(p => p.EntryFor(set).Position is null && !p.EntryFor(set).Mandatory));
        return new XElement(Cmd + "syntaxItem",
            new XElement(Maml + "name", cmdlet.Name),
            ordered.Select(p => Parameter(p, DescriptionOf(p, help), p.EntryFor(set), forSyntax: true)));
    }

    private static XElement Parameter(CmdletParameter p, string description, ParameterSetEntry? entry, bool forSyntax)
    {
        bool required = entry?.Mandatory ?? p.Sets.All(s => s.Mandatory);
        int? position = entry is not null ? entry.Position : p.Sets.Select(s => s.Position).Distinct().Count() == 1 ? p.Sets[0].Position : null;
        var element = new XElement(Cmd + "parameter",
            new XAttribute("required", required ? "true" : "false"),
            new XAttribute("variableLength", p.TypeName.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
            new XAttribute("globbing", p.SupportsWildcards ? "true" : "false"),
            new XAttribute("pipelineInput", entry is null ? p.PipelineInput : Pipeline(entry)),
            new XAttribute("position", position?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "named"),
            new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
            new XElement(Maml + "name", p.Name),
            Description(description));

        if (p.Values.Count > 0 && !p.IsSwitch)
        {
            element.Add(new XElement(Cmd + "parameterValueGroup", p.Values.Select(v =>
                new XElement(Cmd + "parameterValue", new XAttribute("required", "false"), new XAttribute(Cmd + "variableLength", "false"), v))));
        }

        if (!p.IsSwitch || !forSyntax)
        {
            element.Add(new XElement(Cmd + "parameterValue",
                new XAttribute("required", p.IsSwitch ? "false" : "true"),
                new XAttribute("variableLength", "false"),
                p.TypeName));
        }

        element.Add(
            new XElement(Dev + "type", new XElement(Maml + "name", p.FullTypeName), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", p.IsSwitch ? "False" : "None"));
        return element;
    }

    private static string Pipeline(ParameterSetEntry e) => (e.ByValue, e.ByPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    private static IEnumerable<XElement> Inputs(CmdletSpec cmdlet, HelpSource help)
    {
        IEnumerable<HelpType> inputs = help.Inputs.Count > 0
            ? help.Inputs
            : cmdlet.Parameters.Where(p => p.ByValue || p.ByPropertyName).Select(p => p.FullTypeName).Distinct()
                .Select(t => new HelpType(t, string.Empty)).DefaultIfEmpty(new HelpType("None", "You cannot pipe objects to this cmdlet."));
        return inputs.Select(t => new XElement(Cmd + "inputType",
            new XElement(Dev + "type", new XElement(Maml + "name", t.Name)),
            Description(t.Description)));
    }

    private static IEnumerable<XElement> Outputs(CmdletSpec cmdlet, HelpSource help)
    {
        IEnumerable<HelpType> outputs = help.Outputs.Count > 0
            ? help.Outputs
            : cmdlet.OutputTypes.Select(t => new HelpType(t == "System.Void" ? "None" : t, string.Empty));
        return outputs.Select(t => new XElement(Cmd + "returnValue",
            new XElement(Dev + "type", new XElement(Maml + "name", t.Name)),
            Description(t.Description)));
    }
}
