namespace MmapTools.Errors;

/// <summary>Storage that runs out or fails (issue 15): full filesystems, a small /dev/shm, sparse files, I/O errors.</summary>
public static partial class ErrorIds
{
    /// <summary>New-MemoryMap -Size could not reserve the space it creates or grows (ENOSPC, EDQUOT); nothing is left behind.</summary>
    public const string FileSystemFull = "FileSystemFull";
    /// <summary>A write (or a read of a hole) through a map needs pages the filesystem has no room for; nothing is written.</summary>
    public const string MapStorageFull = "MapStorageFull";
    /// <summary>A page of the file behind a map could not be read from its device (EIO); nothing is written.</summary>
    public const string MapIOError = "MapIOError";
    /// <summary>A page of a map faulted for a cause that is neither truncation, protection, space nor an I/O error.</summary>
    public const string MapPageUnavailable = "MapPageUnavailable";
    /// <summary>Get-SharedMemory -Summary found no /dev/shm to measure (it does not exist, or statvfs failed).</summary>
    public const string SharedMemoryUnavailable = "SharedMemoryUnavailable";
}
