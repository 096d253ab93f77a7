using System;

namespace MmapTools;

/// <summary>One row of a grouped view: the VMAs of one process with the same path (or kind, for unnamed memory), summed.</summary>
public class ProcessVmaGroup
{
    /// <summary>The process.</summary>
    public int ProcessId { get; init; }

    /// <summary>The process's name.</summary>
    public string? ProcessName { get; init; }

    /// <summary>The process's user name (or uid as text).</summary>
    public string? User { get; init; }

    /// <summary>The process's effective uid.</summary>
    public uint? Uid { get; init; }

    /// <summary>The path or label the VMAs share, or null for unnamed anonymous memory.</summary>
    public string? Path { get; init; }

    /// <summary>The kind of the first VMA of the group.</summary>
    public VmaKind Kind { get; init; }

    /// <summary>The short name (file name or label).</summary>
    public string? Name { get; init; }

    /// <summary>True when the path's file was deleted.</summary>
    public bool IsDeleted { get; init; }

    /// <summary>How many VMAs.</summary>
    public int Count { get; set; }

    /// <summary>Lowest start address.</summary>
    public ulong Start { get; set; }

    /// <summary>Summed size, bytes.</summary>
    public ulong Size { get; set; }

    /// <summary>The union of the VMAs' permission flags.</summary>
    public VmaPermission Permission { get; set; }

    /// <summary>True when built from smaps: the sums below are set.</summary>
    public bool IsDetailed => this is DetailedProcessVmaGroup;

    /// <summary>Summed Rss.</summary>
    public long? Rss { get; set; }

    /// <summary>Summed Pss.</summary>
    public long? Pss { get; set; }

    /// <summary>Summed Shared_Clean.</summary>
    public long? SharedClean { get; set; }

    /// <summary>Summed Shared_Dirty.</summary>
    public long? SharedDirty { get; set; }

    /// <summary>Summed Private_Clean.</summary>
    public long? PrivateClean { get; set; }

    /// <summary>Summed Private_Dirty.</summary>
    public long? PrivateDirty { get; set; }

    /// <summary>Summed Anonymous.</summary>
    public long? Anonymous { get; set; }

    /// <summary>Summed Swap.</summary>
    public long? Swap { get; set; }

    /// <summary>Private_Clean + Private_Dirty.</summary>
    public long? Private => PrivateClean + PrivateDirty;

    /// <summary>Shared_Dirty + Private_Dirty.</summary>
    public long? Dirty => SharedDirty + PrivateDirty;

    /// <summary>"1234 /usr/lib/libc.so.6: 5 VMAs, 2 MiB" (with Rss when detailed).</summary>
    public override string ToString() =>
        $"{ProcessId} {Path ?? "[" + Kind + "]"}: {Count} VMA{(Count == 1 ? string.Empty : "s")}, {Units.FormatBytes((long)Math.Min(Size, long.MaxValue))}";
}

/// <summary>A group of VMAs read from smaps (Get-ProcessVma -Detailed -GroupBy Path): the sums of the memory figures are set.</summary>
public sealed class DetailedProcessVmaGroup : ProcessVmaGroup
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{base.ToString()}, Rss {Units.FormatBytes(Rss ?? 0)}, Pss {Units.FormatBytes(Pss ?? 0)}, Swap {Units.FormatBytes(Swap ?? 0)}";
}
