using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using MmapTools.HelpGen;
using Xunit;

namespace MmapTools.Module.Tests;

/// <summary>Where things are, and the cmdlets of the built module as MetadataLoadContext reads them.</summary>
internal static class ModuleFacts
{
    private static readonly Lazy<CmdletCatalog> s_catalog = new(() => new CmdletCatalog(ModuleAssembly, new[] { AutomationReference, RuntimeDirectory }));
    private static readonly Lazy<IReadOnlyList<CmdletSpec>> s_cmdlets = new(() => s_catalog.Value.Cmdlets());

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The MmapTools.dll the build just made (src/MmapTools/bin/CONFIG/net8.0), with its help, formats and types beside it.</summary>
    public static string ModuleAssembly => Metadata("ModuleAssembly");

    public static string ModuleOutput => Path.GetDirectoryName(ModuleAssembly)!;

    /// <summary>System.Management.Automation from PowerShellStandard.Library: a reference assembly, read, never run.</summary>
    public static string AutomationReference => Metadata("AutomationReference");

    public static string RuntimeDirectory => Path.GetDirectoryName(typeof(object).Assembly.Location)!;

    public static CmdletCatalog Catalog => s_catalog.Value;

    public static IReadOnlyList<CmdletSpec> Cmdlets => s_cmdlets.Value;

    public static CmdletSpec Cmdlet(string name) => Cmdlets.Single(c => c.Name == name);

    public static TheoryData<string> CmdletNames()
    {
        var data = new TheoryData<string>();
        foreach (CmdletSpec c in Cmdlets)
        {
            data.Add(c.Name);
        }

        return data;
    }

    public static string ManifestPath => Path.Combine(RepoRoot, "MmapTools.psd1");

    public static string ManifestText => File.ReadAllText(ManifestPath);

    /// <summary>
    /// The strings of one manifest key: <c>Key = 'v'</c> gives one, <c>Key = @('a', 'b')</c> or a multi-line @( ) list gives all.
    /// Comments are ignored. Enough of the psd1 language for the keys the module uses.
    /// </summary>
    public static IReadOnlyList<string> ManifestValues(string key) => ManifestValues(ManifestText, key);

    public static IReadOnlyList<string> ManifestValues(string text, string key)
    {
        string noComments = StripComments(text);
        Match m = Regex.Match(noComments, @"(?m)^\s*" + Regex.Escape(key) + @"\s*=\s*");
        if (!m.Success)
        {
            return Array.Empty<string>();
        }

        string rest = noComments[(m.Index + m.Length)..];
        string body;
        if (rest.StartsWith("@(", StringComparison.Ordinal))
        {
            body = rest[2..rest.IndexOf(')', StringComparison.Ordinal)];
        }
        else
        {
            Match single = Regex.Match(rest, @"^'((?:[^']|'')*)'");
            return single.Success ? new[] { single.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal) } : Array.Empty<string>();
        }

        return Regex.Matches(body, @"'((?:[^']|'')*)'").Select(x => x.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal)).ToList();
    }

    /// <summary>Drops # comments (to the end of the line) and &lt;# #&gt; blocks outside '...' strings.</summary>
    private static string StripComments(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length);
        bool inString = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\'')
                {
                    if (i + 1 < text.Length && text[i + 1] == '\'')
                    {
                        sb.Append(text[++i]);
                    }
                    else
                    {
                        inString = false;
                    }
                }
            }
            else if (c == '\'')
            {
                inString = true;
                sb.Append(c);
            }
            else if (c == '<' && i + 1 < text.Length && text[i + 1] == '#')
            {
                int end = text.IndexOf("#>", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 1;
            }
            else if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                sb.Append('\n');
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>A file the manifest names (bin/X.ps1xml) as the build output holds it.</summary>
    public static string InModuleOutput(string manifestRelative)
    {
        string rel = manifestRelative.Replace('\\', '/');
        if (rel.StartsWith("bin/", StringComparison.Ordinal))
        {
            rel = rel[4..];
        }

        return Path.Combine(ModuleOutput, rel);
    }

    public static string HelpSourcePath(string cmdlet) => Path.Combine(RepoRoot, "docs", "help", cmdlet + ".md");

    private static string Metadata(string key) =>
        typeof(ModuleFacts).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"The build did not record {key}.");

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "MmapTools.psd1")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (MmapTools.psd1) was not found above " + AppContext.BaseDirectory);
    }
}
