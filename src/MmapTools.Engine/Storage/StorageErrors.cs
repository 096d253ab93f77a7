using MmapTools.Interop;

namespace MmapTools.Storage;

/// <summary>The messages of the storage errors: what was asked, the errno, the free space and where, and what to do.</summary>
internal static class StorageErrors
{
    /// <summary>The advice for a full /dev/shm (a container's 64 MiB default) or another full filesystem.</summary>
    internal static string Advice(FileSystemSpace? space, bool sparseOption)
    {
        string sparse = sparseOption ? ", or give -Sparse to create it without reserving (a write past the free space then fails)" : string.Empty;
        if (space is { IsSharedMemory: true })
        {
            return $"POSIX shared memory lives in /dev/shm, a tmpfs of {Units.FormatBytes(space.Size)} here; a container gets 64 MiB unless started with more " +
                   $"(docker run --shm-size=1g; Kubernetes: an emptyDir volume with medium: Memory). Remove objects no longer needed (Get-SharedMemory lists them) or ask for less{sparse}.";
        }

        return $"Free space on {(space is null ? "the filesystem" : space.MountPoint)} or ask for less{sparse}.";
    }

    internal static MapErrorCategory NoSpaceCategory(int errno) => errno == Errno.EDQUOT ? MapErrorCategory.QuotaExceeded : MapErrorCategory.ResourceUnavailable;

    internal static string Free(FileSystemSpace? space, int errno) =>
        space is null ? "the free space is unknown (statvfs failed)"
        : errno == Errno.EDQUOT ? space.DescribeFree() + "; your disk quota is used up"
        : space.DescribeFree();

    /// <summary>FileSystemFull: New-MemoryMap -Size could not reserve what it created or grew.</summary>
    internal static MmapException GrowthNotReserved(int errno, string path, string? shmName, long from, long to, bool created, FileSystemSpace? space)
    {
        string what = shmName is null ? $"'{path}'" : $"shared memory '{shmName}' ({path})";
        string undo = created
            ? (shmName is null ? "The file was removed again." : "The object was removed again.")
            : $"It was shrunk back to {from} bytes.";
        return MapErrors.Create(ErrorIds.FileSystemFull, NoSpaceCategory(errno),
            $"Cannot reserve {to - from} bytes ({Units.FormatBytes(to - from)}) for {what} ({(created ? $"new, {to} bytes" : $"grown from {from} to {to} bytes")}): {Errno.Describe(errno)}; " +
            $"{Free(space, errno)}. {undo} {Advice(space, sparseOption: true)}", errno, path, null, to);
    }
}
