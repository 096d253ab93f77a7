using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using Xunit;
using Xunit.Abstractions;

namespace MmapTools.Tests;

/// <summary>
/// The counts a reliability run prints: rounds survived, operations, outcomes by error id, bytes lost,
/// and any violation of a claim (each one fails the test). A crash (SIGBUS, SIGSEGV) ends the test host,
/// so a run that reports at all has survived every round.
/// </summary>
public sealed class StressCounts
{
    private readonly ConcurrentDictionary<string, long> _byId = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private long _rounds, _operations, _succeeded, _bytesLost, _violationCount;

    public StressCounts(string name) => Name = name;

    public string Name { get; }

    public long Rounds => Interlocked.Read(ref _rounds);

    public long Operations => Interlocked.Read(ref _operations);

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public long BytesLost => Interlocked.Read(ref _bytesLost);

    public IReadOnlyDictionary<string, long> ErrorsById => _byId;

    public IReadOnlyCollection<string> Violations => _violations;

    public void Round() => Interlocked.Increment(ref _rounds);

    public void Ok() { Interlocked.Increment(ref _operations); Interlocked.Increment(ref _succeeded); }

    public void Error(string id) { Interlocked.Increment(ref _operations); _byId.AddOrUpdate(id, 1, (_, n) => n + 1); }

    public void Lost(long bytes) => Interlocked.Add(ref _bytesLost, bytes);

    /// <summary>Records a broken claim; the first few are kept for the failure message.</summary>
    public void Violation(string what)
    {
        if (Interlocked.Increment(ref _violationCount) <= 20)
        {
            _violations.Enqueue(what);
        }
    }

    public long ViolationCount => Interlocked.Read(ref _violationCount);

    public long ErrorCount(string id) => _byId.TryGetValue(id, out long n) ? n : 0;

    /// <summary>An extra figure printed with the summary.</summary>
    public void Note(string note) => _notes.Enqueue(note);

    private readonly ConcurrentQueue<string> _notes = new();

    public string Summary()
    {
        string errors = _byId.IsEmpty ? "none" : string.Join(", ", _byId.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:N0}"));
        return $"{Name}: {Rounds:N0} rounds survived, {Operations:N0} operations, {Succeeded:N0} succeeded, errors by id: {errors}; " +
               $"bytes lost: {BytesLost:N0}; violations: {ViolationCount:N0}; crashes: 0" + (_notes.IsEmpty ? string.Empty : "; " + string.Join("; ", _notes));
    }

    /// <summary>Prints the figures (test output and out/reliability/figures.txt) and fails on any violation or lost byte.</summary>
    public void ReportAndAssert(ITestOutputHelper output)
    {
        string line = Summary();
        output.WriteLine(line);
        Figures.Append(line);
        Assert.True(ViolationCount == 0, line + Environment.NewLine + string.Join(Environment.NewLine, _violations));
        Assert.Equal(0, BytesLost);
    }
}

/// <summary>Where the reliability tests append the figures they print, for the README's Reliability section.</summary>
public static class Figures
{
    private static readonly object s_lock = new();

    public static void Append(string line)
    {
        try
        {
            string dir = Path.Combine(CatalogueTests.RepoRoot(), "out", "reliability");
            Directory.CreateDirectory(dir);
            lock (s_lock)
            {
                File.AppendAllText(Path.Combine(dir, "figures.txt"), $"{DateTime.UtcNow:u} {line}{Environment.NewLine}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // The figures also go to the test output; the file is a convenience.
        }
    }
}

/// <summary>What a file and the map registry look like, to prove an error left them as they were.</summary>
public readonly record struct FileSnapshot(bool Exists, long Length, string Hash, UnixFileMode Mode)
{
    public static FileSnapshot Of(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return new FileSnapshot(false, -1, string.Empty, 0);
        }

        return new FileSnapshot(true, info.Length, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))), File.GetUnixFileMode(path));
    }
}

public static class ProcSelf
{
    /// <summary>The descriptors of this process whose link names <paramref name="path"/>.</summary>
    public static List<int> FdsOf(string path)
    {
        var fds = new List<int>();
        foreach (string entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(entry).LinkTarget == path && int.TryParse(Path.GetFileName(entry), out int fd))
                {
                    fds.Add(fd);
                }
            }
            catch (IOException)
            {
                // The descriptor closed while we looked.
            }
        }

        return fds;
    }

    /// <summary>The flags field of /proc/self/fdinfo/FD (octal, as the kernel prints it).</summary>
    public static int FdFlags(int fd)
    {
        string line = File.ReadAllLines($"/proc/self/fdinfo/{fd}").First(l => l.StartsWith("flags:", StringComparison.Ordinal));
        return Convert.ToInt32(line["flags:".Length..].Trim(), 8);
    }

    /// <summary>The /proc/self/maps line whose range holds <paramref name="address"/>, or null.</summary>
    public static string? MapsLineFor(ulong address)
    {
        foreach (string line in MapsLines())
        {
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            ulong start = Convert.ToUInt64(line[..dash], 16);
            ulong end = Convert.ToUInt64(line[(dash + 1)..space], 16);
            if (address >= start && address < end)
            {
                return line;
            }
        }

        return null;
    }

    /// <summary>How many /proc/self/maps lines name <paramref name="path"/>.</summary>
    public static int MappingsOf(string path) => MapsLines().Count(l => l.EndsWith(" " + path, StringComparison.Ordinal));

    /// <summary>
    /// The lines of /proc/self/maps. Split on '\n' only: the kernel escapes a newline in a file name (\012) but not a
    /// carriage return, which File.ReadLines would take for the end of a line.
    /// </summary>
    public static string[] MapsLines() => File.ReadAllText("/proc/self/maps").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static int OpenFdCount() => Directory.GetFileSystemEntries("/proc/self/fd").Length;
}
