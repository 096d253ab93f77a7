using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace MmapTools.HelpGen;

/// <summary>One example: its title, its code (run as written by Help.Tests.ps1) and what it shows.</summary>
public sealed record HelpExample(string Title, string Code, string Remarks);

/// <summary>A type in INPUTS or OUTPUTS with what it means.</summary>
public sealed record HelpType(string Name, string Description);

/// <summary>
/// The help source of one cmdlet, docs/help/Verb-Noun.md, in the shape docs/help/README.md describes:
/// # Name, ## SYNOPSIS, ## DESCRIPTION, ## PARAMETERS (### -Name), ## EXAMPLES (### Example N: title, a
/// ```powershell block, then remarks), ## INPUTS / ## OUTPUTS (### Type), ## NOTES, ## RELATED LINKS.
/// Unknown sections are kept in <see cref="Sections"/> and otherwise ignored, so the format can grow.
/// </summary>
public sealed class HelpSource
{
    public string Name { get; private set; } = string.Empty;
    public string Synopsis => Section("SYNOPSIS");
    public string Description => Section("DESCRIPTION");
    public string Notes => Section("NOTES");
    public Dictionary<string, string> Sections { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Parameter descriptions by name (without the dash), in the order written.</summary>
    public List<KeyValuePair<string, string>> Parameters { get; } = new();
    public List<HelpExample> Examples { get; } = new();
    public List<HelpType> Inputs { get; } = new();
    public List<HelpType> Outputs { get; } = new();
    /// <summary>Related links: (text, uri or null).</summary>
    public List<KeyValuePair<string, string?>> Links { get; } = new();
    /// <summary>Problems found while reading (a code block never closed, an example with no code).</summary>
    public List<string> Problems { get; } = new();

    public string Section(string name) => Sections.TryGetValue(name, out string? s) ? s : string.Empty;

    public string? ParameterDescription(string name) =>
        Parameters.Where(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value).FirstOrDefault();

    public static HelpSource Load(string path) => Parse(File.ReadAllText(path), Path.GetFileNameWithoutExtension(path));

    public static HelpSource Parse(string markdown, string fallbackName)
    {
        var help = new HelpSource { Name = fallbackName };
        string? section = null;
        string? sub = null;
        var body = new StringBuilder();
        bool inFence = false;
        string[] lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

        void Flush()
        {
            string text = body.ToString().Trim('\n', ' ');
            body.Clear();
            if (section is null)
            {
                return;
            }

            string upper = section.ToUpperInvariant();
            if (sub is null)
            {
                if (upper == "RELATED LINKS")
                {
                    help.ReadLinks(text);
                }

                help.Sections[section] = text;
                return;
            }

            switch (upper)
            {
                case "PARAMETERS":
                    help.Parameters.Add(new(sub.TrimStart('-').Trim(), text));
                    break;
                case "EXAMPLES":
                    help.Examples.Add(ReadExample(sub, text, help.Problems));
                    break;
                case "INPUTS":
                    help.Inputs.Add(new HelpType(sub.Trim(), text));
                    break;
                case "OUTPUTS":
                    help.Outputs.Add(new HelpType(sub.Trim(), text));
                    break;
                default:
                    help.Sections[section + "/" + sub] = text;
                    break;
            }
        }

        foreach (string line in lines)
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                body.Append(line).Append('\n');
                continue;
            }

            if (!inFence && line.StartsWith("# ", StringComparison.Ordinal) && section is null)
            {
                help.Name = line[2..].Trim();
                continue;
            }

            if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                section = line[3..].Trim();
                sub = null;
                continue;
            }

            if (!inFence && line.StartsWith("### ", StringComparison.Ordinal) && section is not null)
            {
                Flush();
                sub = line[4..].Trim();
                continue;
            }

            body.Append(line).Append('\n');
        }

        if (inFence)
        {
            help.Problems.Add("a ``` code block is never closed");
        }

        Flush();
        return help;
    }

    private static HelpExample ReadExample(string title, string text, List<string> problems)
    {
        var code = new StringBuilder();
        var remarks = new StringBuilder();
        bool inFence = false;
        foreach (string line in text.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            (inFence ? code : remarks).Append(line).Append('\n');
        }

        if (code.Length == 0)
        {
            problems.Add($"example '{title}' has no ```powershell code block");
        }

        return new HelpExample(title, code.ToString().TrimEnd('\n', ' '), remarks.ToString().Trim('\n', ' '));
    }

    private static readonly Regex LinkPattern = new(@"^\s*[-*]\s*(?:\[(?<text>[^\]]+)\]\((?<uri>[^)]+)\)|(?<plain>.+))\s*$", RegexOptions.Compiled);

    private void ReadLinks(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            Match m = LinkPattern.Match(line);
            if (!m.Success)
            {
                continue;
            }

            if (m.Groups["text"].Success)
            {
                string uri = m.Groups["uri"].Value.Trim();
                Links.Add(new(m.Groups["text"].Value.Trim(), uri.Contains("://", StringComparison.Ordinal) ? uri : null));
            }
            else
            {
                Links.Add(new(StripInline(m.Groups["plain"].Value.Trim()), null));
            }
        }
    }

    private static readonly Regex MdLink = new(@"\[(?<text>[^\]]+)\]\((?<uri>[^)]+)\)", RegexOptions.Compiled);

    /// <summary>Markdown inline syntax to plain text: `code` → code, **b** → b, [t](u) → t (u).</summary>
    public static string StripInline(string text)
    {
        string s = MdLink.Replace(text, m =>
        {
            string uri = m.Groups["uri"].Value;
            return uri.Contains("://", StringComparison.Ordinal) ? $"{m.Groups["text"].Value} ({uri})" : m.Groups["text"].Value;
        });
        s = s.Replace("**", string.Empty, StringComparison.Ordinal).Replace("`", string.Empty, StringComparison.Ordinal);
        return s.Replace("\\|", "|", StringComparison.Ordinal);
    }

    /// <summary>
    /// Markdown block text to paragraphs of plain text: blank lines separate paragraphs; list items, table rows
    /// and code lines keep their own lines.
    /// </summary>
    public static IReadOnlyList<string> Paragraphs(string text)
    {
        var result = new List<string>();
        var current = new StringBuilder();
        bool inFence = false;

        void End()
        {
            if (current.Length > 0)
            {
                result.Add(current.ToString());
                current.Clear();
            }
        }

        foreach (string raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            string line = raw.TrimEnd();
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                End();
                inFence = !inFence;
                continue;
            }

            if (inFence)
            {
                result.Add("    " + line);
                continue;
            }

            if (line.Length == 0)
            {
                End();
                continue;
            }

            string trimmed = line.TrimStart();
            bool ownLine = trimmed.StartsWith("- ", StringComparison.Ordinal) || trimmed.StartsWith("* ", StringComparison.Ordinal)
                || trimmed.StartsWith('|') || Regex.IsMatch(trimmed, @"^\d+\. ");
            if (ownLine)
            {
                End();
                if (Regex.IsMatch(trimmed, @"^\|[\s:|-]+\|$"))
                {
                    continue; // a table's separator row
                }

                current.Append(StripInline(trimmed));
                continue;
            }

            if (current.Length > 0)
            {
                current.Append(' ');
            }

            current.Append(StripInline(trimmed));
        }

        End();
        return result;
    }
}
