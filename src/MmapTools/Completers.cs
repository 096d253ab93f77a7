using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;

namespace MmapTools.Commands;

/// <summary>One completion: the text inserted, the text listed, and a tooltip.</summary>
internal readonly record struct CompletionCandidate(string Value, string ListItem, string ToolTip);

/// <summary>
/// What the argument completers offer, free of PowerShell types so it can be tested without pwsh.
/// The word is what the user typed so far (quotes allowed); wildcards * and ? work.
/// </summary>
internal static class CompletionSource
{
    /// <summary>The open maps' ids; the word matches the id's digits or the map's path/name.</summary>
    public static IEnumerable<CompletionCandidate> MapIds(string? word)
    {
        string w = Unquote(word);
        foreach (MemoryMap map in MapRegistry.All)
        {
            string id = map.Id.ToString(CultureInfo.InvariantCulture);
            string label = map.Path ?? map.Name ?? "[anonymous]";
            if (Matches(id, w) || Matches(label, w) || Matches(System.IO.Path.GetFileName(label), w))
            {
                yield return new CompletionCandidate(id, $"{id}  {label}", $"{map} at {Units.FormatAddress(map.Address)}, {Units.FormatBytes(map.Length)}");
            }
        }
    }

    /// <summary>The encoding names TextEncoding knows (utf8, unicode, latin1, ...).</summary>
    public static IEnumerable<CompletionCandidate> Encodings(string? word)
    {
        string w = Unquote(word);
        return TextEncoding.Names.Where(n => Matches(n, w))
            .Select(n => new CompletionCandidate(n, n, $"{n}: {TextEncoding.Resolve(n).WebName}{(n == "utf8BOM" ? " with a byte-order mark" : string.Empty)}"));
    }

    /// <summary>The names of POSIX shared-memory objects in /dev/shm.</summary>
    public static IEnumerable<CompletionCandidate> SharedMemoryNames(string? word)
    {
        string w = Unquote(word).TrimStart('/');
        return SharedMemory.List().Where(s => Matches(s.Name, w))
            .Select(s => new CompletionCandidate(Quote(s.Name), s.Name, $"{s.Path}: {Units.FormatBytes(s.Length)}, mode {s.Mode}, uid {s.OwnerId}"));
    }

    /// <summary>Process ids; the word matches the pid's digits or the process name.</summary>
    public static IEnumerable<CompletionCandidate> ProcessIds(string? word)
    {
        string w = Unquote(word);
        foreach ((int pid, string name, string commandLine) in Processes())
        {
            string id = pid.ToString(CultureInfo.InvariantCulture);
            if (Matches(id, w) || Matches(name, w))
            {
                yield return new CompletionCandidate(id, $"{id}  {name}", Tip(pid, name, commandLine));
            }
        }
    }

    /// <summary>Distinct process names, each with the pids that have it.</summary>
    public static IEnumerable<CompletionCandidate> ProcessNames(string? word)
    {
        string w = Unquote(word);
        return Processes().Where(p => Matches(p.Name, w)).GroupBy(p => p.Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => new CompletionCandidate(Quote(g.Key), g.Key,
                $"{g.Key}: pid {string.Join(", ", g.Select(p => p.Pid).Take(10))}{(g.Count() > 10 ? ", ..." : string.Empty)}"));
    }

    private static string Tip(int pid, string name, string commandLine) =>
        $"{pid} {name}" + (commandLine.Length == 0 ? string.Empty : ": " + (commandLine.Length > 200 ? commandLine[..200] + "..." : commandLine));

    /// <summary>The processes in /proc: pid, name (comm, or argv[0]'s file name when comm is cut at 15 characters), command line.</summary>
    internal static List<(int Pid, string Name, string CommandLine)> Processes()
    {
        var result = new List<(int, string, string)>();
        IEnumerable<string> dirs;
        try
        {
            dirs = Directory.EnumerateDirectories("/proc");
        }
        catch (IOException)
        {
            return result;
        }

        foreach (string dir in dirs)
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                string comm = File.ReadAllText(dir + "/comm").TrimEnd('\n');
                string cmdline = string.Empty;
                try
                {
                    cmdline = File.ReadAllText(dir + "/cmdline").TrimEnd('\0').Replace('\0', ' ');
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }

                string name = comm;
                if (comm.Length == 15 && cmdline.Length > 0)
                {
                    string argv0 = System.IO.Path.GetFileName(cmdline.Split(' ')[0]);
                    if (argv0.StartsWith(comm, StringComparison.Ordinal))
                    {
                        name = argv0;
                    }
                }

                result.Add((pid, name, cmdline));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or hides its details.
            }
        }

        result.Sort((a, b) => ((int)a.Item1).CompareTo(b.Item1));
        return result;
    }

    internal static string Unquote(string? word)
    {
        string w = word ?? string.Empty;
        if (w.Length > 0 && (w[0] == '\'' || w[0] == '"'))
        {
            w = w[1..];
            if (w.Length > 0 && (w[^1] == '\'' || w[^1] == '"'))
            {
                w = w[..^1];
            }
        }

        return w;
    }

    /// <summary>Prefix match, case-insensitive; * and ? in the word are wildcards.</summary>
    internal static bool Matches(string candidate, string word)
    {
        if (word.Length == 0)
        {
            return true;
        }

        if (word.IndexOfAny(new[] { '*', '?' }) < 0)
        {
            return candidate.StartsWith(word, StringComparison.OrdinalIgnoreCase);
        }

        string pattern = "^" + Regex.Escape(word).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal);
        return Regex.IsMatch(candidate, pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    /// <summary>Single-quotes a value that PowerShell would otherwise split or expand.</summary>
    internal static string Quote(string value)
    {
        foreach (char c in value)
        {
            if (char.IsWhiteSpace(c) || "'\"`$&|;,(){}[]@#<>".Contains(c, StringComparison.Ordinal))
            {
                return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
            }
        }

        return value;
    }
}

/// <summary>The base of MmapTools' completers: turns candidates into CompletionResults.</summary>
public abstract class MmapCompleter : IArgumentCompleter
{
    private protected abstract IEnumerable<CompletionCandidate> Candidates(string wordToComplete);

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            return Candidates(wordToComplete)
                .Select(c => new CompletionResult(c.Value, c.ListItem, CompletionResultType.ParameterValue, c.ToolTip))
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or MmapException)
        {
            return Array.Empty<CompletionResult>();
        }
    }
}

/// <summary>Completes map ids (-Id) from the open maps, with a tooltip describing each map.</summary>
public sealed class MapIdCompleter : MmapCompleter
{
    private protected override IEnumerable<CompletionCandidate> Candidates(string wordToComplete) => CompletionSource.MapIds(wordToComplete);
}

/// <summary>Completes encoding names (-Encoding): utf8, unicode, latin1, ...</summary>
public sealed class EncodingCompleter : MmapCompleter
{
    private protected override IEnumerable<CompletionCandidate> Candidates(string wordToComplete) => CompletionSource.Encodings(wordToComplete);
}

/// <summary>Completes shared-memory names (-Name) from /dev/shm.</summary>
public sealed class SharedMemoryNameCompleter : MmapCompleter
{
    private protected override IEnumerable<CompletionCandidate> Candidates(string wordToComplete) => CompletionSource.SharedMemoryNames(wordToComplete);
}

/// <summary>Completes process ids (-Id of process cmdlets); typing part of a name offers that process's pids.</summary>
public sealed class ProcessIdCompleter : MmapCompleter
{
    private protected override IEnumerable<CompletionCandidate> Candidates(string wordToComplete) => CompletionSource.ProcessIds(wordToComplete);
}

/// <summary>Completes process names (-Name of process cmdlets), each with its pids in the tooltip.</summary>
public sealed class ProcessNameCompleter : MmapCompleter
{
    private protected override IEnumerable<CompletionCandidate> Candidates(string wordToComplete) => CompletionSource.ProcessNames(wordToComplete);
}
