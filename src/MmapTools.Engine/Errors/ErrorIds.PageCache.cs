namespace MmapTools.Errors;

/// <summary>The page-cache and memory-control area (issue 4): residency, touch, evict, lock, protect, advise, huge pages.</summary>
public static partial class ErrorIds
{
    // Residency and steering of files in the page cache
    /// <summary>The file has zero bytes: it has no pages to measure, load, evict or lock.</summary>
    public const string CacheFileEmpty = "CacheFileEmpty";
    /// <summary>A character device, FIFO, socket or other file without a page cache of its own.</summary>
    public const string CacheFileUnsupported = "CacheFileUnsupported";
    /// <summary>The kernel hides the residency of this file from this caller (no write permission, not the owner).</summary>
    public const string CacheResidencyUnknown = "CacheResidencyUnknown";
    /// <summary>cachestat(2) failed for a reason other than "not supported" or "not permitted".</summary>
    public const string CacheStatFailed = "CacheStatFailed";
    /// <summary>mincore(2) over a window of the file failed.</summary>
    public const string CacheMinCoreFailed = "CacheMinCoreFailed";
    /// <summary>Loading the file into the cache failed part-way (I/O error, or the file shrank).</summary>
    public const string CacheTouchFailed = "CacheTouchFailed";
    /// <summary>fdatasync(2) before an eviction failed; nothing was evicted.</summary>
    public const string CacheFlushFailed = "CacheFlushFailed";
    /// <summary>posix_fadvise(POSIX_FADV_DONTNEED) failed.</summary>
    public const string CacheEvictFailed = "CacheEvictFailed";
    /// <summary>Unlock-PageCache found no file locked by Lock-PageCache under that path.</summary>
    public const string CacheLockNotFound = "CacheLockNotFound";

    // Live maps
    /// <summary>An executable protection was asked without -AllowExecute.</summary>
    public const string ProtectionExecuteNotAllowed = "ProtectionExecuteNotAllowed";
    /// <summary>mprotect(2) refused (EACCES): the file behind the map was not opened for that access.</summary>
    public const string ProtectionNotPermitted = "ProtectionNotPermitted";
    /// <summary>mprotect(2) failed for another reason; the errno says which.</summary>
    public const string ProtectionFailed = "ProtectionFailed";
    /// <summary>madvise(2) refused the advice for this map.</summary>
    public const string AdviceRefused = "AdviceRefused";
    /// <summary>Set-MemoryMap was given neither -Protection nor -Advice.</summary>
    public const string MapChangeMissing = "MapChangeMissing";
    /// <summary>munlock(2) failed.</summary>
    public const string UnlockFailed = "UnlockFailed";

    // Huge pages
    /// <summary>MAP_HUGETLB found no huge pages: none are configured (vm.nr_hugepages) or too few are free.</summary>
    public const string HugePagesUnavailable = "HugePagesUnavailable";
    /// <summary>-HugePages was asked for a file or shared-memory map; hugetlb pages back anonymous memory only.</summary>
    public const string HugePagesUnsupported = "HugePagesUnsupported";
}
