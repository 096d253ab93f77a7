using System;
using System.Collections.Generic;
using System.Linq;

namespace MmapTools;

/// <summary>How Get-ProcessVma -GroupBy sums VMAs.</summary>
public enum VmaGrouping
{
    /// <summary>One row per path (per kind for unnamed memory) and process (as -Grouped).</summary>
    Path,
    /// <summary>One object per process, with the distinct paths.</summary>
    Process,
}

/// <summary>
/// One process's selected VMAs in one object (Get-ProcessVma -GroupBy Process): who maps a file, or which
/// process still runs deleted or replaced files and needs a restart. Sizes in bytes.
/// </summary>
public sealed class ProcessVmaSummary
{
    /// <summary>The process.</summary>
    public int ProcessId { get; init; }

    /// <summary>The process's name.</summary>
    public string? ProcessName { get; init; }

    /// <summary>The process's user name (or uid as text).</summary>
    public string? User { get; init; }

    /// <summary>The process's effective uid.</summary>
    public uint? Uid { get; init; }

    /// <summary>The distinct paths (or labels) of the VMAs, in address order of their first VMA; unnamed anonymous memory is "[anon]".</summary>
    public string[] Paths { get; init; } = Array.Empty<string>();

    /// <summary>The distinct reasons the files are stale (with -Stale), else empty.</summary>
    public VmaStaleReason[] StaleReasons { get; init; } = Array.Empty<VmaStaleReason>();

    /// <summary>How many VMAs.</summary>
    public int VmaCount { get; init; }

    /// <summary>Summed size, bytes.</summary>
    public ulong Size { get; init; }

    /// <summary>Summed Rss with -Detailed, else null.</summary>
    public long? Rss { get; init; }

    /// <summary>Summed Pss with -Detailed, else null.</summary>
    public long? Pss { get; init; }

    /// <summary>Builds the summary of one process's VMAs; null when there are none.</summary>
    public static ProcessVmaSummary? Of(IEnumerable<ProcessVma> vmas)
    {
        ProcessVma? first = null;
        var paths = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reasons = new SortedSet<VmaStaleReason>();
        int count = 0;
        ulong size = 0;
        long? rss = null, pss = null;
        foreach (ProcessVma v in vmas)
        {
            first ??= v;
            count++;
            size += v.Size;
            string p = v.Path ?? MemoryAccounting.AnonymousLabel;
            if (seen.Add(p))
            {
                paths.Add(p);
            }

            if (v.StaleReason is { } r and not VmaStaleReason.Current)
            {
                reasons.Add(r);
            }

            if (v.IsDetailed)
            {
                rss = (rss ?? 0) + (v.Rss ?? 0);
                pss = (pss ?? 0) + (v.Pss ?? 0);
            }
        }

        return first is null ? null : new ProcessVmaSummary
        {
            ProcessId = first.ProcessId, ProcessName = first.ProcessName, User = first.User, Uid = first.Uid,
            Paths = paths.ToArray(), StaleReasons = reasons.ToArray(), VmaCount = count, Size = size, Rss = rss, Pss = pss,
        };
    }

    /// <summary>"1234 (nginx, www-data): /usr/lib/libssl.so.3".</summary>
    public override string ToString() => $"{ProcessId} ({ProcessName}, {User}): {string.Join(", ", Paths)}";
}
