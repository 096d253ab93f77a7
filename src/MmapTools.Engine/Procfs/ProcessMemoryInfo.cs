using System;
using System.Collections.Generic;

namespace MmapTools;

/// <summary>A process's memory in total (USS, PSS, RSS, swap), from /proc/PID/smaps_rollup or the sum of smaps.</summary>
public sealed class ProcessMemoryInfo
{
    private string[] _keys = Array.Empty<string>();
    private long[] _values = Array.Empty<long>();
    private Dictionary<string, long>? _all;

    /// <summary>The process.</summary>
    public int ProcessId { get; init; }

    /// <summary>The process's name.</summary>
    public string? ProcessName { get; init; }

    /// <summary>The process's user (effective uid, as ps shows it) by name, or the uid as text.</summary>
    public string? User { get; set; }

    /// <summary>The process's effective uid.</summary>
    public uint? Uid { get; set; }

    /// <summary>The command line, arguments joined by spaces (as ps and smem show it); empty for kernel threads.</summary>
    public string? CommandLine { get; set; }

    /// <summary>The machine's physical memory (MemTotal of /proc/meminfo), bytes: what the percentages are of.</summary>
    public long MemoryTotal { get; set; }

    /// <summary>Pss as a percentage of <see cref="MemoryTotal"/> (smem -p).</summary>
    public double? PssPercent => Percent.Of(Pss, MemoryTotal);

    /// <summary>Uss as a percentage of <see cref="MemoryTotal"/>.</summary>
    public double? UssPercent => Percent.Of(Uss, MemoryTotal);

    /// <summary>Rss as a percentage of <see cref="MemoryTotal"/>.</summary>
    public double? RssPercent => Percent.Of(Rss, MemoryTotal);

    /// <summary>"smaps_rollup", or "smaps" when the rollup was refused and the VMAs were summed.</summary>
    public string Source { get; init; } = "smaps_rollup";

    /// <summary>How many VMAs were summed (from smaps), or null for smaps_rollup, which does not say.</summary>
    public int? VmaCount { get; init; }

    /// <summary>Rss, bytes.</summary>
    public long Rss { get; set; }

    /// <summary>Pss, bytes.</summary>
    public long Pss { get; set; }

    /// <summary>Pss_Dirty, bytes (0 on kernels that lack it).</summary>
    public long PssDirty { get; set; }

    /// <summary>Pss_Anon, bytes.</summary>
    public long PssAnon { get; set; }

    /// <summary>Pss_File, bytes.</summary>
    public long PssFile { get; set; }

    /// <summary>Pss_Shmem, bytes.</summary>
    public long PssShmem { get; set; }

    /// <summary>Shared_Clean, bytes.</summary>
    public long SharedClean { get; set; }

    /// <summary>Shared_Dirty, bytes.</summary>
    public long SharedDirty { get; set; }

    /// <summary>Private_Clean, bytes.</summary>
    public long PrivateClean { get; set; }

    /// <summary>Private_Dirty, bytes.</summary>
    public long PrivateDirty { get; set; }

    /// <summary>Unique set size: Private_Clean + Private_Dirty, what freeing the process would give back.</summary>
    public long Uss => PrivateClean + PrivateDirty;

    /// <summary>Anonymous, bytes.</summary>
    public long Anonymous { get; set; }

    /// <summary>Swap, bytes.</summary>
    public long Swap { get; set; }

    /// <summary>SwapPss, bytes.</summary>
    public long SwapPss { get; set; }

    /// <summary>Locked, bytes.</summary>
    public long Locked { get; set; }

    /// <summary>Every key, as <see cref="ProcessVma.Smaps"/>.</summary>
    public Dictionary<string, long> Values
    {
        get
        {
            if (_all is null)
            {
                var d = new Dictionary<string, long>(_keys.Length, StringComparer.Ordinal);
                for (int i = 0; i < _keys.Length; i++)
                {
                    d[_keys[i]] = _values[i];
                }

                _all = d;
            }

            return _all;
        }
    }

    internal void SetValues(string[] keys, long[] values)
    {
        _keys = keys;
        _values = values;
        _all = null;
    }

    /// <summary>"1234 (sleep): Rss 1.2 MiB, Pss 300 KiB, Uss 200 KiB, Swap 0 B".</summary>
    public override string ToString() =>
        $"{ProcessId} ({ProcessName}): Rss {Units.FormatBytes(Rss)}, Pss {Units.FormatBytes(Pss)}, Uss {Units.FormatBytes(Uss)}, Swap {Units.FormatBytes(Swap)}";
}
