using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;

namespace MmapTools.Tests;

/// <summary>
/// A temporary folder on a disk filesystem (never tmpfs, whose pages cannot be evicted), mode 0755 so a child
/// running as nobody can reach it; removed afterwards.
/// </summary>
public sealed class DiskDir : IDisposable
{
    public DiskDir()
    {
        string? root = new[] { Environment.GetEnvironmentVariable("TMPDIR"), "/var/tmp", "/tmp", AppContext.BaseDirectory }
            .Where(d => !string.IsNullOrEmpty(d) && Directory.Exists(d) && !Mounts.IsMemoryFileSystem(d!))
            .FirstOrDefault();
        Assert.True(root is not null, "no folder on a disk filesystem for page-cache tests");
        Path = Directory.CreateDirectory(System.IO.Path.Combine(root!, "mmaptools-pc-" + Guid.NewGuid().ToString("N"))).FullName;
        System.IO.File.SetUnixFileMode(Path, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    public string Path { get; }

    /// <summary>Writes the bytes, fsyncs them (so they can be evicted), and returns the path.</summary>
    public string File(string name, byte[] content, string mode = "644")
    {
        string path = System.IO.Path.Combine(Path, name);
        using (var fs = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            fs.Write(content);
            fs.Flush(flushToDisk: true);
        }

        System.IO.File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode, 8));
        return path;
    }

    /// <summary>A file of <paramref name="pages"/> pages, written, synced and evicted.</summary>
    public string ColdFile(string name, int pages, string mode = "644")
    {
        string path = File(name, Bytes.Pattern(pages * MemoryMap.PageSize), mode);
        PageCache.Evict(path);
        return path;
    }

    public string Name(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public static class Mounts
{
    /// <summary>True when <paramref name="path"/> lives on tmpfs or ramfs (by the longest mount point in /proc/self/mountinfo).</summary>
    public static bool IsMemoryFileSystem(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        string best = string.Empty, type = string.Empty;
        foreach (string line in System.IO.File.ReadLines("/proc/self/mountinfo"))
        {
            string[] w = line.Split(' ');
            int dash = Array.IndexOf(w, "-");
            string mount = w[4].Replace("\\040", " ", StringComparison.Ordinal);
            bool under = full == mount || full.StartsWith(mount.TrimEnd('/') + "/", StringComparison.Ordinal);
            if (under && mount.Length >= best.Length)
            {
                best = mount;
                type = w[dash + 1];
            }
        }

        return type is "tmpfs" or "ramfs";
    }
}

/// <summary>/proc/self/smaps, parsed: the effect of mprotect, madvise and mlock as the kernel reports it.</summary>
public sealed record SmapsEntry(ulong Start, ulong End, string Perms, IReadOnlyDictionary<string, long> Kb, string[] VmFlags)
{
    public static List<SmapsEntry> Read(int pid = 0)
    {
        var list = new List<SmapsEntry>();
        SmapsEntry? current = null;
        Dictionary<string, long> kb = new();
        foreach (string line in System.IO.File.ReadLines(pid == 0 ? "/proc/self/smaps" : $"/proc/{pid}/smaps"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            int dashAt = line.IndexOf('-', StringComparison.Ordinal);
            if (dashAt > 0 && (colon < 0 || dashAt < colon) && ulong.TryParse(line.AsSpan(0, dashAt), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong start))
            {
                string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                ulong end = ulong.Parse(w[0][(dashAt + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                kb = new Dictionary<string, long>();
                current = new SmapsEntry(start, end, w[1], kb, Array.Empty<string>());
                list.Add(current);
                continue;
            }

            if (current is null || colon < 0)
            {
                continue;
            }

            string key = line[..colon];
            string value = line[(colon + 1)..].Trim();
            if (key == "VmFlags")
            {
                list[^1] = current = current with { VmFlags = value.Split(' ', StringSplitOptions.RemoveEmptyEntries) };
            }
            else if (value.EndsWith(" kB", StringComparison.Ordinal))
            {
                kb[key] = long.Parse(value[..^3].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return list;
    }

    /// <summary>The entries overlapping the map's pages, in address order.</summary>
    public static List<SmapsEntry> Of(MemoryMap map)
    {
        ulong start = map.Address & ~(ulong)(MemoryMap.PageSize - 1);
        ulong end = map.Address + (ulong)map.Length;
        return Read().Where(e => e.End > start && e.Start < end).OrderBy(e => e.Start).ToList();
    }

    /// <summary>The entry holding <paramref name="address"/>.</summary>
    public static SmapsEntry At(ulong address) => Read().Single(e => address >= e.Start && address < e.End);
}

public static class Fincore
{
    /// <summary>fincore's resident pages and size for one file (util-linux).</summary>
    public static (long Pages, long Size) Of(string path)
    {
        var psi = new ProcessStartInfo("fincore") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "--bytes", "--noheadings", "--raw", "--output", "PAGES,SIZE", path })
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd().Trim();
        string error = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(60_000));
        Assert.True(p.ExitCode == 0, "fincore failed: " + error);
        string[] w = output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(w[0], CultureInfo.InvariantCulture), long.Parse(w[1], CultureInfo.InvariantCulture));
    }
}

public static class Shell
{
    /// <summary>Runs a command to completion; fails the test on a non-zero exit.</summary>
    public static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        string error = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000));
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} failed: {error}");
    }
}
