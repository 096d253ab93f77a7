using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace MmapTools.HelpGen;

/// <summary>
/// Renders an about topic from markdown (docs/about_*.md) into the plain-text layout Get-Help shows
/// (about_*.help.txt): "## HEADING" at the margin in capitals, "### Heading" indented, text wrapped at 80
/// columns and indented 4, code indented 8, tables as one block per row. A line
/// <c>&lt;!-- include: FILE --&gt;</c> inlines FILE (relative to the source) with its headings one level down,
/// so the error table comes straight from docs/errors.md and stays current.
/// </summary>
public static class AboutWriter
{
    private const int Width = 80;
    private static readonly Regex Include = new(@"^<!--\s*include:\s*(?<file>\S+)\s*-->$", RegexOptions.Compiled);

    public static string Render(string sourcePath)
    {
        var lines = Expand(sourcePath, 0);
        var output = new StringBuilder();
        var para = new StringBuilder();
        var table = new List<string[]>();
        bool inFence = false;

        bool listOpen = false;

        void EndPara()
        {
            if (para.Length > 0)
            {
                bool item = para[0] == '-' && para.Length > 1 && para[1] == ' ';
                if (listOpen && !item)
                {
                    output.Append('\n');
                }

                Wrap(output, para.ToString(), 4, item ? 6 : 4);
                if (!item)
                {
                    output.Append('\n');
                }

                listOpen = item;
                para.Clear();
            }
            else if (listOpen)
            {
                output.Append('\n');
                listOpen = false;
            }
        }

        void EndTable()
        {
            if (table.Count > 1)
            {
                string[] header = table[0];
                foreach (string[] row in table.Skip(1))
                {
                    Wrap(output, row[0], 4, 4);
                    for (int i = 1; i < row.Length; i++)
                    {
                        string label = i < header.Length ? header[i] + ": " : string.Empty;
                        Wrap(output, label + row[i], 8, 10);
                    }

                    output.Append('\n');
                }
            }

            table.Clear();
        }

        foreach (string raw in lines)
        {
            string line = raw.TrimEnd();
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                EndPara();
                EndTable();
                inFence = !inFence;
                if (!inFence)
                {
                    output.Append('\n');
                }

                continue;
            }

            if (inFence)
            {
                output.Append(line.Length == 0 ? string.Empty : "        " + line).Append('\n');
                continue;
            }

            if (line.StartsWith("# ", StringComparison.Ordinal))
            {
                // The title: "TOPIC" block.
                output.Append("TOPIC\n    ").Append(line[2..].Trim()).Append("\n\n");
                continue;
            }

            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                EndPara();
                EndTable();
                output.Append(HelpSource.StripInline(line[3..].Trim()).ToUpperInvariant()).Append('\n');
                continue;
            }

            if (line.StartsWith("###", StringComparison.Ordinal))
            {
                EndPara();
                EndTable();
                output.Append("  ").Append(HelpSource.StripInline(line.TrimStart('#').Trim())).Append('\n');
                continue;
            }

            if (line.StartsWith('|'))
            {
                EndPara();
                if (Regex.IsMatch(line, @"^\|[\s:|-]+\|$"))
                {
                    continue;
                }

                table.Add(SplitRow(line).Select(HelpSource.StripInline).ToArray());
                continue;
            }

            EndTable();
            if (line.Length == 0)
            {
                EndPara();
                continue;
            }

            string trimmed = line.TrimStart();
            if (trimmed.StartsWith("- ", StringComparison.Ordinal) || trimmed.StartsWith("* ", StringComparison.Ordinal))
            {
                EndPara();
                para.Append("- ").Append(HelpSource.StripInline(trimmed[2..]));
                continue;
            }

            if (para.Length > 0)
            {
                para.Append(' ');
            }

            para.Append(HelpSource.StripInline(trimmed));
        }

        EndPara();
        EndTable();
        return output.ToString().TrimEnd('\n') + "\n";
    }

    private static List<string> Expand(string path, int depth)
    {
        var result = new List<string>();
        bool inFence = false;
        foreach (string line in File.ReadAllLines(path))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }

            Match m = inFence ? Match.Empty : Include.Match(line.Trim());
            if (m.Success)
            {
                string included = Path.Combine(Path.GetDirectoryName(path)!, m.Groups["file"].Value);
                foreach (string inner in Expand(included, depth + 1))
                {
                    // Demote headings: the included file's # title is dropped, ## becomes ###.
                    if (inner.StartsWith("# ", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    result.Add(inner.StartsWith("##", StringComparison.Ordinal) ? "#" + inner : inner);
                }

                continue;
            }

            result.Add(line);
        }

        return result;
    }

    private static string[] SplitRow(string line)
    {
        // Split on | that is not escaped (\|).
        var cells = new List<string>();
        var cell = new StringBuilder();
        string body = line.Trim().Trim('|');
        for (int i = 0; i < body.Length; i++)
        {
            if (body[i] == '\\' && i + 1 < body.Length && body[i + 1] == '|')
            {
                cell.Append('|');
                i++;
            }
            else if (body[i] == '|')
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
            }
            else
            {
                cell.Append(body[i]);
            }
        }

        cells.Add(cell.ToString().Trim());
        return cells.ToArray();
    }

    private static void Wrap(StringBuilder output, string text, int firstIndent, int indent)
    {
        var line = new StringBuilder(new string(' ', firstIndent));
        bool empty = true;
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!empty && line.Length + 1 + word.Length > Width)
            {
                output.Append(line).Append('\n');
                line.Clear().Append(' ', indent);
                empty = true;
            }

            if (!empty)
            {
                line.Append(' ');
            }

            line.Append(word);
            empty = false;
        }

        if (!empty)
        {
            output.Append(line).Append('\n');
        }
    }
}
