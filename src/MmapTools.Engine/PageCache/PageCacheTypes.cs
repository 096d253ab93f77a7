using System.Collections.Generic;

namespace MmapTools;

/// <summary>How the residency of a file's pages was (or is to be) measured.</summary>
public enum ResidencyMethod
{
    /// <summary>cachestat(2) where the kernel has it (Linux 6.5+), mincore(2) otherwise.</summary>
    Auto,
    /// <summary>cachestat(2): page counts straight from the page cache, with Dirty, Writeback, Evicted and RecentlyEvicted.</summary>
    CacheStat,
    /// <summary>mincore(2) over windows of a read-only map of the file: resident or not, per page.</summary>
    MinCore,
}

/// <summary>How much of a file (or of a range of it, or of a map) is in the page cache.</summary>
public sealed class PageCacheResidency
{
    /// <summary>An empty result; the engine fills it in (public so deserializers can make one).</summary>
    public PageCacheResidency()
    {
    }

    /// <summary>The file measured (for a map of anonymous memory: null).</summary>
    public string? Path { get; init; }

    /// <summary>The file's size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>The first byte of the range measured.</summary>
    public long Offset { get; init; }

    /// <summary>How many bytes the range holds.</summary>
    public long Length { get; init; }

    /// <summary>The page size the counts are in.</summary>
    public int PageSize { get; init; }

    /// <summary>Pages the range touches (a partial page counts as one).</summary>
    public long Pages { get; init; }

    /// <summary>Pages of the range in the page cache (in RAM, for anonymous memory).</summary>
    public long ResidentPages { get; init; }

    /// <summary>ResidentPages × PageSize, as fincore's RES.</summary>
    public long ResidentBytes => ResidentPages * PageSize;

    /// <summary>ResidentPages as a percentage of Pages, 0 to 100.</summary>
    public double Percent => Pages == 0 ? 0 : 100.0 * ResidentPages / Pages;

    /// <summary>Resident pages changed and not yet written back (cachestat only; null with mincore).</summary>
    public long? Dirty { get; init; }

    /// <summary>Pages being written back now (cachestat only).</summary>
    public long? Writeback { get; init; }

    /// <summary>Pages evicted from the cache that the kernel still remembers (cachestat only).</summary>
    public long? Evicted { get; init; }

    /// <summary>Evicted pages that would still be resident had memory not been short: the working set the cache could not hold (cachestat only).</summary>
    public long? RecentlyEvicted { get; init; }

    /// <summary>CacheStat or MinCore: how the numbers were had.</summary>
    public ResidencyMethod Method { get; init; }

    /// <summary>The map the numbers are about (Lock-PageCache's held map, or a map measured with -Map); null otherwise.</summary>
    public int? MapId { get; init; }

    /// <summary>Runs of resident and not-resident pages, in file order, when asked for; null otherwise.</summary>
    public IReadOnlyList<PageCacheRange>? Ranges { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Path}: {ResidentPages}/{Pages} pages resident ({Percent:0.#}%, {Method})";
}

/// <summary>A run of consecutive pages of a file that are all resident, or all not.</summary>
public sealed class PageCacheRange
{
    /// <summary>An empty run; the engine fills it in (public so deserializers can make one).</summary>
    public PageCacheRange()
    {
    }

    /// <summary>The file.</summary>
    public string? Path { get; init; }

    /// <summary>The byte offset in the file where the run starts (a page boundary, or the range's start).</summary>
    public long Offset { get; init; }

    /// <summary>The run's length in bytes (to the end of the range at most).</summary>
    public long Length { get; init; }

    /// <summary>The index of the run's first page in the file.</summary>
    public long FirstPage { get; init; }

    /// <summary>How many pages the run holds.</summary>
    public long Pages { get; init; }

    /// <summary>True when every page of the run is in the page cache.</summary>
    public bool Resident { get; init; }

    /// <summary>"Resident" or "NotResident", for tables.</summary>
    public string State => Resident ? "Resident" : "NotResident";

    /// <inheritdoc />
    public override string ToString() => $"{Path} bytes {Offset}..{Offset + Length - 1}: {State}";
}
