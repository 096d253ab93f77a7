using System;

namespace MmapTools;

/// <summary>How a map may be used, and where its writes go.</summary>
public enum MapAccess
{
    /// <summary>PROT_READ over MAP_SHARED; the file is opened O_RDONLY. Writes are refused.</summary>
    ReadOnly,
    /// <summary>PROT_READ|PROT_WRITE over MAP_SHARED: writes reach the file (on disk after Sync).</summary>
    ReadWrite,
    /// <summary>PROT_READ|PROT_WRITE over MAP_PRIVATE: writes change this process's copy only, never the file.</summary>
    CopyOnWrite,
}

/// <summary>What a map is backed by.</summary>
public enum MapKind
{
    /// <summary>A file (or block device).</summary>
    File,
    /// <summary>Anonymous memory, private or shared with children.</summary>
    Anonymous,
    /// <summary>A named POSIX shared-memory object under /dev/shm.</summary>
    SharedMemory,
}

/// <summary>Options that change how the kernel sets a map up.</summary>
[Flags]
public enum MapOptions
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>MAP_POPULATE: fault every page in now (read-ahead for files).</summary>
    Populate = 1,
    /// <summary>mlock(2) the map after creating it, so it stays in RAM.</summary>
    Lock = 2,
    /// <summary>MAP_NORESERVE: reserve no swap for the map.</summary>
    NoReserve = 4,
    /// <summary>MAP_HUGETLB: back anonymous memory with huge pages from the pool (vm.nr_hugepages).</summary>
    HugePages = 8,
    /// <summary>With a size: grow the file sparse, reserving no space (a write past the free space then fails).</summary>
    Sparse = 16,
}

/// <summary>How msync(2) flushes.</summary>
[Flags]
public enum SyncOptions
{
    /// <summary>MS_SYNC: return when the pages are written.</summary>
    None = 0,
    /// <summary>MS_ASYNC: schedule the write-back and return at once.</summary>
    Async = 1,
    /// <summary>MS_INVALIDATE: drop other mappings' cached copies so they see the file.</summary>
    Invalidate = 2,
}

/// <summary>The protection a map currently has.</summary>
[Flags]
public enum MapProtection
{
    /// <summary>PROT_NONE: no access at all.</summary>
    None = 0,
    /// <summary>PROT_READ.</summary>
    Read = 1,
    /// <summary>PROT_WRITE.</summary>
    Write = 2,
    /// <summary>PROT_EXEC.</summary>
    Execute = 4,
    /// <summary>PROT_READ|PROT_WRITE.</summary>
    ReadWrite = Read | Write,
}
