using System;
using System.Collections.Generic;
using System.Linq;

namespace MmapTools;

/// <summary>How Get-ProcessMemory adds processes up (smem's views).</summary>
public enum ProcessMemoryGrouping
{
    /// <summary>One object per process (smem's default view): no grouping.</summary>
    Process,
    /// <summary>One object per user (smem -u).</summary>
    User,
    /// <summary>One object per process name: every "nginx" together.</summary>
    Name,
    /// <summary>One object per mapped file or label, summed over every process that maps it (smem -m).</summary>
    Mapping,
    /// <summary>One object: every process read, summed (smem -t's total line).</summary>
    Total,
}

/// <summary>
/// Memory summed over several processes: those of one user, of one name, or the VMAs of one mapping over every
/// process that maps it. Sizes in bytes; a plain snapshot that serializes as is.
/// </summary>
public sealed class ProcessMemoryGroup
{
    private readonly List<int> _ids = new();

    /// <summary>What the processes were grouped by.</summary>
    public ProcessMemoryGrouping GroupBy { get; init; }

    /// <summary>The user's name, the process name, the mapping's path or label ("[heap]", "[anon]" for unnamed anonymous memory), or "Total".</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The uid, for a group by user.</summary>
    public uint? Uid { get; init; }

    /// <summary>How many processes.</summary>
    public int ProcessCount => _ids.Count;

    /// <summary>The processes, in the order read.</summary>
    public int[] ProcessIds
    {
        get => _ids.ToArray();
        init => _ids = new List<int>(value);
    }

    /// <summary>How many VMAs, for a group by mapping (smem -m's Count), else null.</summary>
    public int? VmaCount { get; set; }

    /// <summary>Summed virtual size of the VMAs (smem's VSS), for a group by mapping, else null.</summary>
    public long? Size { get; set; }

    /// <summary>Summed Rss.</summary>
    public long Rss { get; set; }

    /// <summary>Summed Pss.</summary>
    public long Pss { get; set; }

    /// <summary>Summed Shared_Clean.</summary>
    public long SharedClean { get; set; }

    /// <summary>Summed Shared_Dirty.</summary>
    public long SharedDirty { get; set; }

    /// <summary>Summed Private_Clean.</summary>
    public long PrivateClean { get; set; }

    /// <summary>Summed Private_Dirty.</summary>
    public long PrivateDirty { get; set; }

    /// <summary>Summed USS: Private_Clean + Private_Dirty.</summary>
    public long Uss => PrivateClean + PrivateDirty;

    /// <summary>Summed Anonymous.</summary>
    public long Anonymous { get; set; }

    /// <summary>Summed Swap.</summary>
    public long Swap { get; set; }

    /// <summary>Summed SwapPss.</summary>
    public long SwapPss { get; set; }

    /// <summary>Pss per process (smem -m's AVGPSS).</summary>
    public long AveragePss => ProcessCount == 0 ? 0 : Pss / ProcessCount;

    /// <summary>The machine's physical memory (MemTotal), bytes: what the percentages are of.</summary>
    public long MemoryTotal { get; init; }

    /// <summary>Pss as a percentage of <see cref="MemoryTotal"/> (smem -p).</summary>
    public double? PssPercent => Percent.Of(Pss, MemoryTotal);

    /// <summary>Uss as a percentage of <see cref="MemoryTotal"/>.</summary>
    public double? UssPercent => Percent.Of(Uss, MemoryTotal);

    /// <summary>Rss as a percentage of <see cref="MemoryTotal"/>.</summary>
    public double? RssPercent => Percent.Of(Rss, MemoryTotal);

    internal void AddProcess(int pid)
    {
        if (_ids.Count == 0 || _ids[^1] != pid)
        {
            _ids.Add(pid);
        }
    }

    /// <summary>"root: 12 processes, Pss 300 MiB, Uss 200 MiB".</summary>
    public override string ToString() =>
        $"{Name}: {ProcessCount} process{(ProcessCount == 1 ? string.Empty : "es")}, Pss {Units.FormatBytes(Pss)}, Uss {Units.FormatBytes(Uss)}, Rss {Units.FormatBytes(Rss)}";
}

/// <summary>Adds process totals (by user, name, or all) or detailed VMAs (by mapping) into <see cref="ProcessMemoryGroup"/>s.</summary>
public sealed class MemoryAccounting
{
    /// <summary>The label of unnamed anonymous memory in the mapping view.</summary>
    public const string AnonymousLabel = "[anon]";

    private readonly Dictionary<string, ProcessMemoryGroup> _groups = new(StringComparer.Ordinal);
    private readonly long _memoryTotal;

    /// <summary>Groups by <paramref name="by"/>; percentages are of <paramref name="memoryTotal"/> bytes.</summary>
    public MemoryAccounting(ProcessMemoryGrouping by, long memoryTotal)
    {
        if (by == ProcessMemoryGrouping.Process)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "Process is no grouping.");
        }

        GroupBy = by;
        _memoryTotal = memoryTotal;
    }

    /// <summary>What the groups are by.</summary>
    public ProcessMemoryGrouping GroupBy { get; }

    /// <summary>True when the groups are built from VMAs (smaps), not from process totals (smaps_rollup).</summary>
    public bool NeedsVmas => GroupBy == ProcessMemoryGrouping.Mapping;

    /// <summary>Adds a process's totals (User, Name, Total).</summary>
    public void Add(ProcessMemoryInfo p)
    {
        if (NeedsVmas)
        {
            throw new InvalidOperationException("The mapping view adds VMAs.");
        }

        string key = GroupBy switch
        {
            ProcessMemoryGrouping.User => p.Uid is { } uid ? "#" + uid : "?",
            ProcessMemoryGrouping.Name => p.ProcessName ?? "?",
            _ => "Total",
        };
        if (!_groups.TryGetValue(key, out ProcessMemoryGroup? g))
        {
            g = new ProcessMemoryGroup
            {
                GroupBy = GroupBy,
                Name = GroupBy switch { ProcessMemoryGrouping.User => p.User ?? "?", ProcessMemoryGrouping.Name => p.ProcessName ?? "?", _ => "Total" },
                Uid = GroupBy == ProcessMemoryGrouping.User ? p.Uid : null,
                MemoryTotal = _memoryTotal,
            };
            _groups.Add(key, g);
        }

        g.AddProcess(p.ProcessId);
        g.Rss += p.Rss;
        g.Pss += p.Pss;
        g.SharedClean += p.SharedClean;
        g.SharedDirty += p.SharedDirty;
        g.PrivateClean += p.PrivateClean;
        g.PrivateDirty += p.PrivateDirty;
        g.Anonymous += p.Anonymous;
        g.Swap += p.Swap;
        g.SwapPss += p.SwapPss;
    }

    /// <summary>Adds one VMA read with smaps (Mapping): it counts toward its path's (or label's) group.</summary>
    public void Add(ProcessVma v)
    {
        if (!NeedsVmas)
        {
            throw new InvalidOperationException("Only the mapping view adds VMAs.");
        }

        string key = v.Path ?? AnonymousLabel;
        if (!_groups.TryGetValue(key, out ProcessMemoryGroup? g))
        {
            g = new ProcessMemoryGroup { GroupBy = GroupBy, Name = key, MemoryTotal = _memoryTotal, VmaCount = 0, Size = 0 };
            _groups.Add(key, g);
        }

        g.AddProcess(v.ProcessId);
        g.VmaCount++;
        g.Size += (long)Math.Min(v.Size, long.MaxValue);
        g.Rss += v.Rss ?? 0;
        g.Pss += v.Pss ?? 0;
        g.SharedClean += v.SharedClean ?? 0;
        g.SharedDirty += v.SharedDirty ?? 0;
        g.PrivateClean += v.PrivateClean ?? 0;
        g.PrivateDirty += v.PrivateDirty ?? 0;
        g.Anonymous += v.Anonymous ?? 0;
        g.Swap += v.Swap ?? 0;
        g.SwapPss += v.SwapPss ?? 0;
    }

    /// <summary>The groups, biggest Pss first (then by name). Total always gives one group, even of no process.</summary>
    public IReadOnlyList<ProcessMemoryGroup> Groups()
    {
        if (GroupBy == ProcessMemoryGrouping.Total && _groups.Count == 0)
        {
            return new[] { new ProcessMemoryGroup { GroupBy = GroupBy, Name = "Total", MemoryTotal = _memoryTotal } };
        }

        return _groups.Values.OrderByDescending(g => g.Pss).ThenBy(g => g.Name, StringComparer.Ordinal).ToList();
    }
}
