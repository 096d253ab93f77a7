using System;
using Microsoft.Win32.SafeHandles;
using MmapTools.Interop;

namespace MmapTools;

/// <summary>Creating a map: of a file, of a named shared-memory object, or of anonymous memory; growing, reserving and locking it.</summary>
public sealed partial class MemoryMap
{
    /// <summary>
    /// Maps <paramref name="length"/> bytes of a file from <paramref name="offset"/> (default: the rest of the file).
    /// With <paramref name="size"/> the file is created (mode 0600) or grown to that many bytes first; it is never shrunk.
    /// A map never reaches past the end of the file, and an empty file is refused unless grown.
    /// </summary>
    public static MemoryMap OpenFile(string path, MapAccess access = MapAccess.ReadOnly, long offset = 0, long? length = null, long? size = null, MapOptions options = MapOptions.None)
    {
        ValidatePath(path);
        return OpenAndMap(path, null, access, offset, length, size, options, noFollow: false);
    }

    /// <summary>
    /// Maps a named POSIX shared-memory object (/dev/shm/NAME), creating it with mode 0600 when
    /// <paramref name="size"/> is given and it does not exist, or growing it to that size.
    /// A second process opens the same memory by the same name. Symbolic links are never followed.
    /// </summary>
    public static MemoryMap OpenSharedMemory(string name, MapAccess access = MapAccess.ReadWrite, long offset = 0, long? length = null, long? size = null, MapOptions options = MapOptions.None)
    {
        string normal = SharedMemory.NormalizeName(name);
        return OpenAndMap(SharedMemory.PathOf(normal), normal, access, offset, length, size, options, noFollow: true);
    }

    /// <summary>Maps <paramref name="length"/> bytes of zero-filled anonymous memory, private or shared with child processes.</summary>
    public static MemoryMap CreateAnonymous(long length, bool shared = false, MapOptions options = MapOptions.None)
    {
        if (length <= 0)
        {
            throw MapErrors.Create(ErrorIds.LengthInvalid, MapErrorCategory.InvalidArgument,
                $"Length {length} is not valid: an anonymous map needs a length of at least 1 byte.", 0, null, null, length);
        }

        Libc.MapFlags flags = Libc.MapFlags.Anonymous | (shared ? Libc.MapFlags.Shared : Libc.MapFlags.Private) | ToFlags(options);
        bool huge = (options & MapOptions.HugePages) != 0;
        nuint mapLength = huge ? HugePages.RoundUp(length) : checked((nuint)length);
        IntPtr address = Libc.MMapAnonymous(IntPtr.Zero, mapLength, Libc.Prot.Read | Libc.Prot.Write, flags, -1, 0);
        if (address == Libc.MAP_FAILED)
        {
            int errno = Libc.LastErrno;
            if (huge && errno is Errno.ENOMEM or Errno.EINVAL)
            {
                throw HugePages.Unavailable(errno, length);
            }

            throw errno == Errno.ENOMEM
                ? MapErrors.Create(ErrorIds.OutOfMemory, MapErrorCategory.LimitsExceeded,
                    $"Cannot map {length} bytes of anonymous memory: {Errno.Describe(errno)}. Ask for less, or use -NoReserve where overcommit allows it.", errno, null, 0, length)
                : MapErrors.FromMmap(errno, null, 0, length);
        }

        var handle = new SafeMapHandle(address, mapLength);
        LockIfAsked(handle, options, null, 0, length);
        return new MemoryMap(handle, 0, MapKind.Anonymous, MapAccess.ReadWrite, null, null, 0, length, options, shared);
    }

    private static void ValidatePath(string path)
    {
        if (string.IsNullOrEmpty(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            throw MapErrors.Create(ErrorIds.PathInvalid, MapErrorCategory.InvalidArgument,
                $"The path '{path?.Replace("\0", "\\0", StringComparison.Ordinal)}' is not valid: it is empty or contains a NUL character.", 0, path);
        }
    }

    private static MemoryMap OpenAndMap(string path, string? shmName, MapAccess access, long offset, long? length, long? size, MapOptions options, bool noFollow)
    {
        if ((options & MapOptions.HugePages) != 0)
        {
            throw HugePages.Unsupported(path);
        }

        if (offset < 0)
        {
            throw MapErrors.NegativeOffset(offset, path);
        }

        if (length is <= 0)
        {
            throw MapErrors.Create(ErrorIds.LengthInvalid, MapErrorCategory.InvalidArgument,
                $"Length {length} is not valid for {path}: a map holds at least 1 byte. Omit -Length to map the rest of the file.", 0, path, offset, length);
        }

        if (size is <= 0)
        {
            throw MapErrors.Create(ErrorIds.SizeInvalid, MapErrorCategory.InvalidArgument,
                $"Size {size} is not valid for {path}: give the file size in bytes, at least 1.", 0, path, null, size);
        }

        if (size is not null && access != MapAccess.ReadWrite)
        {
            throw MapErrors.Create(ErrorIds.SizeRequiresReadWrite, MapErrorCategory.InvalidArgument,
                $"-Size creates or grows {path}, which needs -Access ReadWrite; it was {access}.", 0, path, null, size);
        }

        bool write = access == MapAccess.ReadWrite;
        int flags = Libc.O_CLOEXEC | Libc.O_NOCTTY | Libc.O_NONBLOCK | (write ? Libc.O_RDWR : Libc.O_RDONLY) | (noFollow ? Libc.O_NOFOLLOW : 0);
        bool created = false;
        int fd = Libc.Open(path, flags, 0);
        int errno = fd < 0 ? Libc.LastErrno : 0;
        if (fd < 0 && errno == Errno.EAGAIN && write && FileStatus.TryGet(path, followSymlink: !noFollow, out FileStatus leased) == 0 && leased.Kind == FileKind.Regular)
        {
            // O_NONBLOCK (there for FIFOs) makes an open for writing of a file someone holds a read lease on fail at
            // once; a direct read of this or another process holds one for a few milliseconds. Wait for it instead.
            fd = Libc.Open(path, flags & ~Libc.O_NONBLOCK, 0);
            errno = fd < 0 ? Libc.LastErrno : 0;
        }

        if (fd < 0 && errno == Errno.ENOENT && size is not null)
        {
            fd = Libc.Open(path, flags | Libc.O_CREAT | Libc.O_EXCL, Convert.ToInt32("600", 8));
            errno = fd < 0 ? Libc.LastErrno : 0;
            created = fd >= 0;
        }

        if (fd < 0)
        {
            throw shmName is null ? MapErrors.FromOpen(errno, path, write) : SharedMemory.FromOpen(errno, shmName, write);
        }

        var file = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        long originalSize = -1;
        try
        {
            int statErrno = FileStatus.TryGet(file, out FileStatus st);
            if (statErrno != 0)
            {
                throw MapErrors.FromOpen(statErrno, path, write);
            }

            if (st.Kind == FileKind.Directory)
            {
                throw MapErrors.FromOpen(Errno.EISDIR, path, write);
            }

            if (st.Kind is not (FileKind.Regular or FileKind.BlockDevice))
            {
                throw MapErrors.Create(ErrorIds.FileNotMappable, MapErrorCategory.InvalidOperation,
                    $"Cannot map '{path}': it is a {st.Kind}, not a regular file or block device.", 0, path);
            }

            long fileSize = st.Kind == FileKind.BlockDevice ? Libc.LSeek(file, 0, Libc.SEEK_END) : st.Size;
            if (size is long want && want > fileSize)
            {
                if (Libc.FTruncate(file, want) != 0)
                {
                    int e = Libc.LastErrno;
                    throw MapErrors.Create(ErrorIds.FileResizeFailed, e is Errno.EFBIG or Errno.EINVAL ? MapErrorCategory.InvalidArgument : MapErrorCategory.WriteError,
                        $"Cannot grow '{path}' from {fileSize} to {want} bytes: {Errno.Describe(e)}.", e, path, null, want);
                }

                originalSize = fileSize;
                fileSize = want;
                if ((options & MapOptions.Sparse) == 0)
                {
                    ReserveGrowth(file, path, shmName, originalSize, want, created);
                }
            }

            if (fileSize == 0)
            {
                ThrowEmptyOrUnmappable(file, path, write);
            }

            if (offset >= fileSize)
            {
                throw MapErrors.Create(ErrorIds.RangeBeyondEndOfFile, MapErrorCategory.InvalidArgument,
                    $"Offset {offset} is at or past the end of '{path}' ({fileSize} bytes). Give an offset below {fileSize}.", 0, path, offset, length,
                    sizeAdvice: "Or give -Size to grow the file.");
            }

            long mapLength = length ?? fileSize - offset;
            long end;
            try
            {
                end = checked(offset + mapLength);
            }
            catch (OverflowException)
            {
                throw MapErrors.Create(ErrorIds.RangeOverflow, MapErrorCategory.InvalidArgument,
                    $"Offset {offset} plus length {mapLength} overflows a 64-bit file offset ('{path}').", 0, path, offset, mapLength);
            }

            if (end > fileSize)
            {
                throw MapErrors.Create(ErrorIds.RangeBeyondEndOfFile, MapErrorCategory.InvalidArgument,
                    $"Bytes {offset}..{end - 1} reach past the end of '{path}' ({fileSize} bytes): at most {fileSize - offset} bytes fit from offset {offset}.", 0, path, offset, mapLength,
                    sizeAdvice: "Or give -Size to grow the file first.");
            }

            long aligned = offset & ~(long)(PageSize - 1);
            long slack = offset - aligned;
            Libc.Prot prot = access == MapAccess.ReadOnly ? Libc.Prot.Read : Libc.Prot.Read | Libc.Prot.Write;
            Libc.MapFlags mapFlags = (access == MapAccess.CopyOnWrite ? Libc.MapFlags.Private : Libc.MapFlags.Shared) | ToFlags(options);
            nuint total = checked((nuint)(mapLength + slack));
            IntPtr address = Libc.MMap(IntPtr.Zero, total, prot, mapFlags, file, aligned);
            if (address == Libc.MAP_FAILED)
            {
                throw MapErrors.FromMmap(Libc.LastErrno, path, offset, mapLength);
            }

            var handle = new SafeMapHandle(address, total, file);
            LockIfAsked(handle, options, path, offset, mapLength);
            return new MemoryMap(handle, slack, shmName is null ? MapKind.File : MapKind.SharedMemory, access, path, shmName, offset, mapLength, options, access != MapAccess.CopyOnWrite, st.Kind == FileKind.Regular);
        }
        catch
        {
            // Leave the file as it was: undo a grow, remove a file this call created.
            if (originalSize >= 0)
            {
                // A failed -Lock has already closed the descriptor with the map; shrink by path then.
                if (file.IsClosed)
                {
                    _ = TruncateByPath(path, originalSize);
                }
                else
                {
                    _ = Libc.FTruncate(file, originalSize);
                }
            }

            file.Dispose();
            if (created)
            {
                _ = Libc.Unlink(path);
            }

            throw;
        }
    }

    /// <summary>
    /// Reserves the bytes a -Size grow added (fallocate over [from, to)), so a filesystem without room is an error
    /// now, naming the free space, instead of a fault when a page is first touched. A filesystem without fallocate
    /// (EOPNOTSUPP) is checked against its free space instead.
    /// </summary>
    private static void ReserveGrowth(SafeFileHandle file, string path, string? shmName, long from, long to, bool created)
    {
        // More than the free space: refuse before allocating any (tmpfs would fill up, in memory, then give it back).
        long free = FileSystemSpace.FreeForCallerOf(file);
        int errno = free >= 0 && to - from > free ? Errno.ENOSPC : SpaceReservation.Allocate(file, 0, from, to - from);
        if (errno == 0)
        {
            return;
        }

        FileSystemSpace? space = FileSystemSpace.Of(file, path);
        if (errno == Errno.EOPNOTSUPP)
        {
            if (space is null || space.Size == 0 || space.FreeForCaller >= to - from)
            {
                return;
            }

            errno = Errno.ENOSPC;
        }

        if (SpaceReservation.IsNoSpace(errno))
        {
            throw StorageErrors.GrowthNotReserved(errno, path, shmName, from, to, created, space);
        }

        throw MapErrors.Create(ErrorIds.FileResizeFailed, errno is Errno.EFBIG or Errno.EINVAL ? MapErrorCategory.InvalidArgument : MapErrorCategory.WriteError,
            $"Cannot reserve bytes {from}..{to - 1} of '{path}' (fallocate): {Errno.Describe(errno)}. " +
            (created ? "The file was removed again." : $"It was shrunk back to {from} bytes.") + " Give -Sparse to grow it without reserving.", errno, path, null, to);
    }

    private static int TruncateByPath(string path, long length)
    {
        int fd = Libc.Open(path, Libc.O_WRONLY | Libc.O_CLOEXEC | Libc.O_NOFOLLOW | Libc.O_NONBLOCK, 0);
        if (fd < 0)
        {
            return Libc.LastErrno;
        }

        using var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        return Libc.FTruncate(handle, length) == 0 ? 0 : Libc.LastErrno;
    }

    /// <summary>An empty file is refused; procfs and sysfs files also report size 0, so tell those apart by trying.</summary>
    private static void ThrowEmptyOrUnmappable(SafeFileHandle file, string path, bool write)
    {
        IntPtr probe = Libc.MMap(IntPtr.Zero, (nuint)PageSize, Libc.Prot.Read, Libc.MapFlags.Shared, file, 0);
        if (probe == Libc.MAP_FAILED)
        {
            int errno = Libc.LastErrno;
            if (errno == Errno.ENODEV)
            {
                throw MapErrors.FromMmap(errno, path, 0, 0);
            }
        }
        else
        {
            _ = Libc.MUnmap(probe, (nuint)PageSize);
        }

        throw MapErrors.Create(ErrorIds.FileEmpty, MapErrorCategory.InvalidOperation,
            $"'{path}' is empty (0 bytes), and an empty file has nothing to map.", 0, path, 0, 0,
            sizeAdvice: write ? "Give -Size to grow it first." : "Map it with -Access ReadWrite -Size to grow it first.");
    }

    private static Libc.MapFlags ToFlags(MapOptions options) =>
        ((options & MapOptions.Populate) != 0 ? Libc.MapFlags.Populate : 0) |
        ((options & MapOptions.NoReserve) != 0 ? Libc.MapFlags.NoReserve : 0) |
        ((options & MapOptions.HugePages) != 0 ? Libc.MapFlags.HugeTlb : 0);

    private static void LockIfAsked(SafeMapHandle handle, MapOptions options, string? path, long offset, long length)
    {
        if ((options & MapOptions.Lock) == 0)
        {
            return;
        }

        if (Libc.MLock(handle.DangerousGetHandle(), handle.MappedLength) != 0)
        {
            int errno = Libc.LastErrno;
            handle.Dispose();
            throw MapErrors.Create(ErrorIds.LockFailed,
                MapErrors.LockCategory(errno),
                $"Cannot lock {length} bytes of {(path is null ? "anonymous memory" : "'" + path + "'")} in RAM: {Errno.Describe(errno)}. " +
                "Raise RLIMIT_MEMLOCK (ulimit -l) or run with CAP_IPC_LOCK, or map without -Lock.", errno, path, offset, length);
        }
    }
}
