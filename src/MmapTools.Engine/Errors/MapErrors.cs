using System;
using MmapTools.Interop;

namespace MmapTools.Errors;

/// <summary>Builds the engine's exceptions, so that every message has the same shape.</summary>
internal static class MapErrors
{
    internal static MmapException Create(string id, MapErrorCategory category, string message, int errno = 0, string? path = null, long? offset = null, long? length = null, string? sizeAdvice = null) =>
        new(id, category, message, errno, path) { Offset = offset, Length = length, SizeAdvice = sizeAdvice };

    private static string Quote(string? path) => path is null ? "(no path)" : "'" + path + "'";

    /// <summary>An open(2) failure, by errno.</summary>
    internal static MmapException FromOpen(int errno, string path, bool write)
    {
        string what = Errno.Describe(errno);
        return errno switch
        {
            Errno.ENOENT or Errno.ENOTDIR => Create(ErrorIds.PathNotFound, MapErrorCategory.ObjectNotFound,
                $"Cannot open {Quote(path)}: {what}. Check the path.", errno, path, sizeAdvice: "Use -Size to create a new file."),
            Errno.EISDIR => Create(ErrorIds.PathIsDirectory, MapErrorCategory.InvalidArgument,
                $"Cannot map {Quote(path)}: {what}. Name a file, not a directory.", errno, path),
            Errno.EACCES or Errno.EPERM => Create(ErrorIds.PermissionDenied, MapErrorCategory.PermissionDenied,
                $"Cannot open {Quote(path)} for {(write ? "reading and writing" : "reading")}: {what}. " +
                (write ? "Ask for -Access ReadOnly or CopyOnWrite, or fix the file's permissions." : "Check the file's permissions."), errno, path),
            Errno.EROFS => Create(ErrorIds.ReadOnlyFileSystem, MapErrorCategory.PermissionDenied,
                $"Cannot open {Quote(path)} for writing: {what}. Map it with -Access ReadOnly or CopyOnWrite.", errno, path),
            Errno.ENAMETOOLONG or Errno.ELOOP => Create(ErrorIds.PathInvalid, MapErrorCategory.InvalidArgument,
                $"Cannot open {Quote(path)}: {what}.", errno, path),
            _ => Create(ErrorIds.OpenFailed, MapErrorCategory.OpenError,
                $"Cannot open {Quote(path)}: {what}.", errno, path),
        };
    }

    /// <summary>An mmap(2) failure, by errno.</summary>
    internal static MmapException FromMmap(int errno, string? path, long offset, long length) => errno switch
    {
        Errno.ENOMEM => Create(ErrorIds.OutOfMemory, MapErrorCategory.LimitsExceeded,
            $"Cannot map {length} bytes at offset {offset} of {Quote(path)}: {Errno.Describe(errno)}. The length is larger than the address space or overcommit allows; map a smaller range.", errno, path, offset, length),
        Errno.ENODEV => Create(ErrorIds.FileNotMappable, MapErrorCategory.InvalidOperation,
            $"Cannot map {Quote(path)}: {Errno.Describe(errno)}. Its filesystem does not support mmap (procfs, sysfs and pipes do not); read it with Get-Content instead.", errno, path, offset, length),
        Errno.EACCES or Errno.EPERM => Create(ErrorIds.PermissionDenied, MapErrorCategory.PermissionDenied,
            $"Cannot map {Quote(path)}: {Errno.Describe(errno)}. The file is open without the access the map needs, or sealed.", errno, path, offset, length),
        _ => Create(ErrorIds.MapFailed, MapErrorCategory.InvalidOperation,
            $"Cannot map {length} bytes at offset {offset} of {Quote(path)}: {Errno.Describe(errno)}.", errno, path, offset, length),
    };

    /// <summary>The category of an mlock(2) failure: RLIMIT_MEMLOCK (ENOMEM), no privilege (EPERM), or memory short.</summary>
    internal static MapErrorCategory LockCategory(int errno) => errno switch
    {
        Errno.ENOMEM => MapErrorCategory.LimitsExceeded,
        Errno.EPERM => MapErrorCategory.PermissionDenied,
        _ => MapErrorCategory.ResourceUnavailable,
    };

    internal static MmapException Closed(MemoryMap map) => Create(ErrorIds.MapClosed, MapErrorCategory.InvalidOperation,
        $"Map {map.Id} ({map.Describe()}) has been removed; map the file again with New-MemoryMap.", 0, map.Path);

    internal static MmapException OutOfRange(MemoryMap map, string operation, long offset, long count) => Create(ErrorIds.AccessOutOfRange, MapErrorCategory.InvalidArgument,
        $"Cannot {operation} {count} bytes at offset {offset} of map {map.Id} ({map.Describe()}): the map holds {map.Length} bytes (offsets 0 to {map.Length - 1}).", 0, map.Path, offset, count);

    internal static MmapException OffsetPastEnd(MemoryMap map, string operation, long offset) => Create(ErrorIds.AccessOutOfRange, MapErrorCategory.InvalidArgument,
        $"Cannot {operation} from offset {offset} of map {map.Id} ({map.Describe()}): the offset is past the end; the map holds {map.Length} bytes (offsets 0 to {map.Length - 1}).", 0, map.Path, offset);

    internal static MmapException NegativeOffset(long offset, string? path) => Create(ErrorIds.OffsetInvalid, MapErrorCategory.InvalidArgument,
        $"Offset {offset} is negative; offsets count bytes from 0.", 0, path, offset);

    internal static MmapException NegativeCount(long count, string? path) => Create(ErrorIds.CountInvalid, MapErrorCategory.InvalidArgument,
        $"Count {count} is negative.", 0, path, null, count);
}
