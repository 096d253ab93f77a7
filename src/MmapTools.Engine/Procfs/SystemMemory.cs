using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace MmapTools.Procfs;

/// <summary>The machine: its physical memory (/proc/meminfo) and its processes (/proc).</summary>
public static class SystemMemory
{
    /// <summary>True when the caller's effective uid is 0.</summary>
    public static bool CallerIsRoot => Interop.Libc.GetEUid() == 0;

    /// <summary>MemTotal of /proc/meminfo in bytes (what smem -p's percentages are of), or 0 when it cannot be read.</summary>
    public static long TotalBytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return f.Length >= 2 && long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kb) ? kb * 1024 : 0;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }

    /// <summary>Every process id in /proc, in ascending order (what Get-Process lists; hidepid=invisible hides other users' ones).</summary>
    public static List<int> ProcessIds()
    {
        var ids = new List<int>(512);
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            ReadOnlySpan<char> name = dir.AsSpan(6);
            if (name.Length > 0 && char.IsAsciiDigit(name[0]) && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                ids.Add(pid);
            }
        }

        ids.Sort();
        return ids;
    }
}

/// <summary>Percentages of physical memory, rounded to two places as smem -p prints them.</summary>
internal static class Percent
{
    internal static double? Of(long value, long total) => total > 0 ? Math.Round(100.0 * value / total, 2) : null;
}
