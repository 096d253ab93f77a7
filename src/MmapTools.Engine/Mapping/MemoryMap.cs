using System;
using System.Buffers;
using System.Runtime.InteropServices;
using System.Threading;
using Microsoft.Win32.SafeHandles;
using MmapTools.Interop;

namespace MmapTools;

/// <summary>
/// One mapping of a file, of anonymous memory, or of a named shared-memory object.
/// <para>
/// Every byte is read and written through process_vm_readv/process_vm_writev on this process,
/// so a page that is gone (the file was truncated under the map) or forbidden (PROT_NONE)
/// is an <see cref="MmapException"/>, never SIGBUS or SIGSEGV. The map is unmapped by
/// <see cref="Dispose"/>, and not before every access in flight has finished.
/// </para>
/// Any offset and length may be asked: the mapping starts at the page boundary below the
/// offset and the slack is hidden, so offset 0 of the map is byte <see cref="Offset"/> of the file.
/// </summary>
public sealed partial class MemoryMap : IDisposable
{
    private static int s_lastId;
    private static readonly int s_pid = Environment.ProcessId;

    /// <summary>The system page size in bytes.</summary>
    public static int PageSize { get; } = Environment.SystemPageSize;

    private readonly SafeMapHandle _map;
    private readonly long _slack;
    private readonly bool _checkFileSize;
    private int _protection;
    private int _removed;

    private MemoryMap(SafeMapHandle map, long slack, MapKind kind, MapAccess access, string? path, string? name, long offset, long length, MapOptions options, bool shared, bool regularFile = false)
    {
        _map = map;
        _checkFileSize = regularFile;
        _slack = slack;
        Id = Interlocked.Increment(ref s_lastId);
        Kind = kind;
        Access = access;
        Path = path;
        Name = name;
        Offset = offset;
        Length = length;
        Options = options;
        IsShared = shared;
        Created = DateTime.Now;
        _protection = (int)(access == MapAccess.ReadOnly ? MapProtection.Read : MapProtection.ReadWrite);
        Address = unchecked((ulong)(long)map.DangerousGetHandle() + (ulong)slack);
        MapRegistry.Add(this);
    }

    /// <summary>A number unique in this process, for -Id.</summary>
    public int Id { get; }

    /// <summary>File, Anonymous or SharedMemory.</summary>
    public MapKind Kind { get; }

    /// <summary>ReadOnly, ReadWrite or CopyOnWrite.</summary>
    public MapAccess Access { get; }

    /// <summary>The file mapped (for shared memory its /dev/shm path); null for anonymous memory.</summary>
    public string? Path { get; }

    /// <summary>The shared-memory name; null for other kinds.</summary>
    public string? Name { get; }

    /// <summary>The offset in the file of the map's first byte.</summary>
    public long Offset { get; }

    /// <summary>How many bytes the map shows.</summary>
    public long Length { get; }

    /// <summary>The address of the map's first byte in this process (the page slack is below it).</summary>
    public ulong Address { get; }

    /// <summary>The options it was created with.</summary>
    public MapOptions Options { get; }

    /// <summary>True when writes are visible to other mappings (MAP_SHARED).</summary>
    public bool IsShared { get; }

    /// <summary>When the map was created.</summary>
    public DateTime Created { get; }

    /// <summary>The protection the map has now.</summary>
    public MapProtection Protection => (MapProtection)Volatile.Read(ref _protection);

    /// <summary>False once the map has been removed.</summary>
    public bool IsOpen => Volatile.Read(ref _removed) == 0;

    /// <summary>A short description for messages: "'/path' bytes 0..4095".</summary>
    public string Describe() => Kind switch
    {
        MapKind.Anonymous => $"anonymous {(IsShared ? "shared" : "private")} memory, {Length} bytes",
        MapKind.SharedMemory => $"shared memory '{Name}', bytes {Offset}..{Offset + Length - 1}",
        _ => $"'{Path}', bytes {Offset}..{Offset + Length - 1}",
    };

    /// <inheritdoc />
    public override string ToString() => $"MemoryMap {Id}: {Describe()} ({Access}{(IsOpen ? string.Empty : ", removed")})";

    // ------------------------------------------------------------------ creation

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

    // ------------------------------------------------------------------ access

    /// <summary>Copies <paramref name="destination"/>.Length bytes from map offset <paramref name="offset"/>.</summary>
    public void Read(long offset, Span<byte> destination)
    {
        CheckRange("read", offset, destination.Length);
        using var use = new Use(this);
        CheckReadAllocation(offset, destination.Length);
        int done = GuardedCopy(offset, destination, write: false);
        if (done < destination.Length)
        {
            throw Fault(offset, done, destination.Length, write: false);
        }

        // A truncation sets the new size first, then zeroes the last page past it (while this copy may run) and
        // drops the pages beyond. So a copy holding no zero byte at all saw none of it: every byte is what the file
        // held before, and no statx is needed. Not the last byte alone: the copy can overtake the kernel's zeroing,
        // reading zeros then old bytes. This holds for shared maps, where no write of ours leaves bytes past the
        // end (ClearPastEnd); a private copy of the last page keeps its old bytes past the new end, so copy-on-write
        // maps always check.
        if (destination.Length > 0 && (Access == MapAccess.CopyOnWrite || destination.IndexOf((byte)0) >= 0))
        {
            CheckStillCovered(offset, destination.Length, write: false);
        }
    }

    /// <summary>Reads <paramref name="count"/> bytes from map offset <paramref name="offset"/>.</summary>
    public byte[] Read(long offset, int count)
    {
        if (count < 0)
        {
            throw MapErrors.NegativeCount(count, Path);
        }

        byte[] result = GC.AllocateUninitializedArray<byte>(count);
        Read(offset, result);
        return result;
    }

    /// <summary>Reads one unmanaged value (native byte order) at <paramref name="offset"/>.</summary>
    public T Read<T>(long offset) where T : unmanaged
    {
        T value = default;
        Read(offset, MemoryMarshal.AsBytes(new Span<T>(ref value)));
        return value;
    }

    /// <summary>
    /// Writes <paramref name="data"/> at map offset <paramref name="offset"/>. All or nothing: if a
    /// page faults part-way (the file was truncated), the bytes already written are put back.
    /// </summary>
    public void Write(long offset, ReadOnlySpan<byte> data) => Write(offset, data, ReadOnlySpan<byte>.Empty, checkExpected: false);

    /// <summary>
    /// Writes <paramref name="data"/> only if the bytes at <paramref name="offset"/> are
    /// <paramref name="expected"/>; otherwise throws ExpectMismatch and writes nothing.
    /// </summary>
    public void Write(long offset, ReadOnlySpan<byte> data, ReadOnlySpan<byte> expected) => Write(offset, data, expected, checkExpected: true);

    /// <summary>Writes one unmanaged value (native byte order) at <paramref name="offset"/>.</summary>
    public void Write<T>(long offset, T value) where T : unmanaged =>
        Write(offset, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(ref value)));

    private void Write(long offset, ReadOnlySpan<byte> data, ReadOnlySpan<byte> expected, bool checkExpected)
    {
        CheckWritable();
        CheckRange("write", offset, data.Length);
        if (checkExpected)
        {
            CheckRange("compare", offset, expected.Length);
        }

        using var use = new Use(this);

        // Holes under the range get their storage first: a full filesystem is an error before any byte is written.
        ReserveForWrite(offset, data.Length);
        Span<byte> source = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(data), data.Length);
        if (!checkExpected && WithinOnePage(offset, data.Length))
        {
            // The kernel copies page by page, so a write inside one page faults before any byte lands:
            // it is all or nothing by itself. Only the zero tail of a truncated file's last page would
            // swallow bytes silently, so confirm the file covers the range first.
            CheckStillCovered(offset, data.Length, write: true);
            int n = GuardedCopy(offset, source, write: true);
            if (n < data.Length)
            {
                throw Fault(offset, n, data.Length, write: true);
            }

            // A truncation between the check and the copy: the write came first, and the kernel would have
            // zeroed what it put past the new end, so do that (later reads must not find those bytes).
            ClearPastEnd(offset, data.Length);
            return;
        }

        int keep = Math.Max(data.Length, checkExpected ? expected.Length : 0);
        byte[] old = ArrayPool<byte>.Shared.Rent(keep);
        try
        {
            Span<byte> before = old.AsSpan(0, keep);
            int read = GuardedCopy(offset, before, write: false);
            if (read < keep)
            {
                throw Fault(offset, read, keep, write: true);
            }

            if (checkExpected && !before[..expected.Length].SequenceEqual(expected))
            {
                int at = before[..expected.Length].CommonPrefixLength(expected);
                throw MapErrors.Create(ErrorIds.ExpectMismatch, MapErrorCategory.InvalidData,
                    $"Nothing was written to map {Id} ({Describe()}): at offset {offset + at} the map holds {Hex.Format(before.Slice(at, Math.Min(16, expected.Length - at)))} " +
                    $"where {Hex.Format(expected.Slice(at, Math.Min(16, expected.Length - at)))} was expected.", 0, Path, offset, expected.Length);
            }

            int written = GuardedCopy(offset, source, write: true);
            if (written < data.Length)
            {
                // Put back what went in before the fault, so the write is all or nothing.
                PutBack(offset, before[..written]);
                throw Fault(offset, written, data.Length, write: true);
            }

            try
            {
                CheckStillCovered(offset, data.Length, write: true);
            }
            catch (MmapException)
            {
                // The tail of the last page outlives a truncation; bytes written there never reach the file.
                PutBack(offset, before[..data.Length]);
                throw;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }

    /// <summary>
    /// Undoes a write that failed: the old bytes where the file still has them, and zeros past its end, where the
    /// kernel zeroed the last page's tail at the truncation (old bytes put back there would show through later reads).
    /// </summary>
    private void PutBack(long offset, Span<byte> old)
    {
        long inFile = old.Length;
        if (_checkFileSize && FileStatus.TryGet(File!, out FileStatus st) == 0)
        {
            inFile = Math.Clamp(st.Size - Offset - offset, 0, old.Length);
        }

        GuardedCopy(offset, old[..(int)inFile], write: true);
        ClearPastEnd(offset, old.Length);
    }

    /// <summary>
    /// Zeroes the bytes of map range [offset, offset+count) that lie past the end of the file now, page by page:
    /// the last page's tail, and, while a truncation is still dropping them, pages wholly past the end (a page
    /// already gone faults, which is ignored). Bytes of ours left there would show through later reads.
    /// </summary>
    private void ClearPastEnd(long offset, long count)
    {
        if (!_checkFileSize || count <= 0 || FileStatus.TryGet(File!, out FileStatus st) != 0 || st.Size >= Offset + offset + count)
        {
            return;
        }

        Span<byte> zeros = stackalloc byte[PageSize];
        zeros.Clear();
        long at = Math.Max(offset, st.Size - Offset);
        long end = offset + count;
        while (at < end)
        {
            long pageEnd = ((_slack + at) / PageSize * PageSize) + PageSize - _slack;
            int n = (int)(Math.Min(end, pageEnd) - at);
            GuardedCopy(at, zeros[..n], write: true);
            at += n;
        }
    }

    private bool WithinOnePage(long offset, int count)
    {
        if (count <= 1)
        {
            return true;
        }

        long first = _slack + offset;
        return first / PageSize == (first + count - 1) / PageSize;
    }

    /// <summary>Copies <paramref name="count"/> bytes inside the map, as memmove (overlap allowed).</summary>
    public void Copy(long sourceOffset, long destinationOffset, long count)
    {
        CheckWritable();
        CheckRange("copy from", sourceOffset, count);
        CheckRange("copy to", destinationOffset, count);
        using var use = new Use(this);

        // Bytes past the end of a truncated file are gone: they are neither copied nor copied over.
        CheckStillCovered(sourceOffset, count, write: false);
        CheckStillCovered(destinationOffset, count, write: true);
        CheckReadAllocation(sourceOffset, count);
        ReserveForWrite(destinationOffset, count);
        const int Chunk = 1 << 20;
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(count, Chunk));
        try
        {
            bool backwards = destinationOffset > sourceOffset;
            long remaining = count;
            while (remaining > 0)
            {
                int n = (int)Math.Min(remaining, Chunk);
                long at = backwards ? remaining - n : count - remaining;
                Span<byte> span = buffer.AsSpan(0, n);
                int got = GuardedCopy(sourceOffset + at, span, write: false);
                if (got < n)
                {
                    throw Fault(sourceOffset + at, got, n, write: false);
                }

                int put = GuardedCopy(destinationOffset + at, span, write: true);
                if (put < n)
                {
                    throw Fault(destinationOffset + at, put, n, write: true);
                }

                remaining -= n;
            }

            // A truncation during the copy: nothing stays past the new end, and zeros read there were not the file's.
            ClearPastEnd(destinationOffset, count);
            CheckStillCovered(sourceOffset, count, write: false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// msync(2) over <paramref name="count"/> bytes from <paramref name="offset"/> (default: the whole map),
    /// rounded out to whole pages. Without <see cref="SyncOptions.Async"/> it returns when the pages are written.
    /// </summary>
    public void Sync(long offset = 0, long? count = null, SyncOptions options = SyncOptions.None)
    {
        // Without a count, to the end of the map; from past the end that is AccessOutOfRange, not a negative count.
        long n = CheckRange("sync", offset, count);
        using var use = new Use(this);
        (IntPtr start, nuint length) = PageRange(offset, n);
        Libc.MsyncFlags flags = ((options & SyncOptions.Async) != 0 ? Libc.MsyncFlags.Async : Libc.MsyncFlags.Sync) |
                                ((options & SyncOptions.Invalidate) != 0 ? Libc.MsyncFlags.Invalidate : 0);
        if (length != 0 && Libc.MSync(start, length, flags) != 0)
        {
            int errno = Libc.LastErrno;
            throw MapErrors.Create(ErrorIds.SyncFailed, errno == Errno.EBUSY ? MapErrorCategory.ResourceBusy : MapErrorCategory.WriteError,
                $"msync of bytes {offset}..{offset + n - 1} of map {Id} ({Describe()}) failed: {Errno.Describe(errno)}." + SyncAdvice(errno),
                errno, Path, offset, n);
        }
    }

    /// <summary>What a writeback error from msync means for the data.</summary>
    private string SyncAdvice(int errno) => errno switch
    {
        Errno.EIO => " The kernel could not write pages of the map to the device (a writeback error, reported once); the data written since the last sync may not be on disk. Check the device (dmesg).",
        Errno.ENOSPC or Errno.EDQUOT => $" The filesystem ran out of {(errno == Errno.EDQUOT ? "quota" : "space")} writing pages of the map back (a writeback error, reported once); the data written since the last sync may not be on disk. " +
            (File is not null && Path is not null && FileSystemSpace.Of(File, Path) is { } space ? StorageErrors.Free(space, errno) + "." : string.Empty),
        _ => string.Empty,
    };

    /// <summary>
    /// Unmaps and closes the file, once every access in flight is done: it returns when the range is unmapped,
    /// and every access that starts after it began is MapClosed. Safe to call twice, and from several threads.
    /// </summary>
    public void Dispose()
    {
        // SafeHandle.Dispose alone is not enough: while another thread holds a reference it leaves the handle
        // open, so new accesses could still take references and keep the map alive (and usable) indefinitely.
        if (Interlocked.Exchange(ref _removed, 1) == 0)
        {
            MapRegistry.Remove(this);
            _map.Dispose();
        }

        // The last access in flight releases the last reference, which unmaps.
        if (!_map.Released)
        {
            SpinWait.SpinUntil(() => _map.Released);
        }
    }

    // ------------------------------------------------------------------ internals shared with the other engine parts

    /// <summary>The page-aligned address range covering map bytes [offset, offset+count).</summary>
    internal (IntPtr Start, nuint Length) PageRange(long offset, long count)
    {
        long start = _slack + offset;
        long alignedStart = start & ~(long)(PageSize - 1);
        long end = start + count;
        return (_map.DangerousGetHandle() + (nint)alignedStart, (nuint)(end - alignedStart));
    }

    /// <summary>The open file behind the map, or null for anonymous memory. Use it only inside a <see cref="Use"/>.</summary>
    internal SafeFileHandle? File => _map.File;

    /// <summary>Records a protection change made with mprotect over the whole map.</summary>
    internal void SetProtection(MapProtection protection) => Volatile.Write(ref _protection, (int)protection);

    /// <summary>Holds a reference on the map for the duration of an access; throws MapClosed when removed.</summary>
    internal readonly struct Use : IDisposable
    {
        private readonly MemoryMap _owner;

        internal Use(MemoryMap owner)
        {
            _owner = owner;
            bool added = false;
            try
            {
                owner._map.DangerousAddRef(ref added);
            }
            catch (ObjectDisposedException)
            {
                throw MapErrors.Closed(owner);
            }

            // Removed, but other accesses still in flight keep the handle open: this one may not start.
            if (Volatile.Read(ref owner._removed) != 0)
            {
                owner._map.DangerousRelease();
                throw MapErrors.Closed(owner);
            }
        }

        public void Dispose() => _owner._map.DangerousRelease();
    }

    /// <summary>
    /// Throws MapClosed, OffsetInvalid, CountInvalid or AccessOutOfRange unless [offset, offset+count) lies in
    /// the open map, and returns the count: <paramref name="count"/>, or with null the rest of the map from
    /// <paramref name="offset"/>. <paramref name="operation"/> ("read", "write", ...) goes into the message.
    /// </summary>
    public long CheckRange(string operation, long offset, long? count)
    {
        // With no count the range runs to the end: an offset past the end is then the offset's fault, not a count's.
        if (count is null && IsOpen && offset > Length)
        {
            throw MapErrors.OffsetPastEnd(this, operation, offset);
        }

        long n = count ?? Length - Math.Max(0, offset);
        CheckRange(operation, offset, n);
        return n;
    }

    /// <summary>Throws MapClosed, OffsetInvalid, CountInvalid or AccessOutOfRange unless [offset, offset+count) lies in the open map.</summary>
    public void CheckRange(string operation, long offset, long count)
    {
        if (!IsOpen)
        {
            throw MapErrors.Closed(this);
        }

        if (offset < 0)
        {
            throw MapErrors.NegativeOffset(offset, Path);
        }

        if (count < 0)
        {
            throw MapErrors.NegativeCount(count, Path);
        }

        if (offset > Length || count > Length - offset)
        {
            throw MapErrors.OutOfRange(this, operation, offset, count);
        }
    }

    /// <summary>Throws MapReadOnly unless the map can be written.</summary>
    internal void CheckWritable()
    {
        // A removed map is MapClosed first: "map it read-write" would be the wrong advice.
        if (!IsOpen)
        {
            throw MapErrors.Closed(this);
        }

        if (Access == MapAccess.ReadOnly)
        {
            throw MapErrors.Create(ErrorIds.MapReadOnly, MapErrorCategory.PermissionDenied,
                $"Map {Id} ({Describe()}) is read-only; nothing was written. Map it with -Access ReadWrite (writes reach the file) or CopyOnWrite (writes stay in memory).", 0, Path);
        }
    }

    /// <summary>
    /// Copies between <paramref name="buffer"/> and the map at <paramref name="offset"/> through the kernel.
    /// Returns how many bytes were copied before a fault (all of them on success). The caller holds a <see cref="Use"/>.
    /// </summary>
    internal unsafe int GuardedCopy(long offset, Span<byte> buffer, bool write)
    {
        const int MaxChunk = 1 << 30;
        IntPtr mapStart = _map.DangerousGetHandle() + (nint)(_slack + offset);
        int done = 0;
        fixed (byte* local = buffer)
        {
            while (done < buffer.Length)
            {
                int chunk = Math.Min(buffer.Length - done, MaxChunk);
                Libc.IoVec localVec = new() { Base = (IntPtr)(local + done), Length = (nuint)chunk };
                Libc.IoVec remoteVec = new() { Base = mapStart + done, Length = (nuint)chunk };
                nint n = write
                    ? Libc.ProcessVmWriteV(s_pid, &localVec, 1, &remoteVec, 1, 0)
                    : Libc.ProcessVmReadV(s_pid, &localVec, 1, &remoteVec, 1, 0);
                if (n < 0)
                {
                    int errno = Libc.LastErrno;
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }

                    if (errno != Errno.EFAULT)
                    {
                        throw GuardUnavailable(errno, write, offset, buffer.Length);
                    }

                    return done;
                }

                if (n == 0)
                {
                    return done;
                }

                done += (int)n;
            }
        }

        return done;
    }

    /// <summary>
    /// After a copy that did not fault: the kernel keeps the last page of a truncated file mapped and
    /// zero-filled past the new end, so confirm the file still holds the bytes (regular files only).
    /// </summary>
    internal void CheckStillCovered(long offset, long count, bool write)
    {
        if (_checkFileSize && count > 0 && FileStatus.TryGet(File!, out FileStatus st) == 0 && st.Size < Offset + offset + count)
        {
            throw Fault(offset, Math.Max(0, Math.Min(count, st.Size - Offset - offset)), count, write);
        }
    }

    /// <summary>process_vm_readv/writev failed with something other than EFAULT: blocked, not a bad page.</summary>
    internal MmapException GuardUnavailable(int errno, bool write, long offset, long count) =>
        MapErrors.Create(ErrorIds.GuardedAccessUnavailable, MapErrorCategory.NotEnabled,
            $"Cannot {(write ? "write" : "read")} map {Id} ({Describe()}): process_vm_{(write ? "writev" : "readv")} failed with {Errno.Describe(errno)}. " +
            "MmapTools copies through it so a bad page is an error instead of a crash; a seccomp profile (some containers) blocks it.", errno, Path, offset, count);

    /// <summary>
    /// Explains a fault at map offset <paramref name="offset"/> + <paramref name="done"/>: a truncated file, the protection,
    /// no space for a hole, an I/O error, or an unavailable page (see MemoryMap.Storage.cs).
    /// </summary>
    internal MmapException Fault(long offset, long done, long count, bool write)
    {
        long at = offset + done;
        string verb = write ? "write" : "read";
        if (File is not null && FileStatus.TryGet(File, out FileStatus st) == 0 && st.Size <= Offset + at)
        {
            return MapErrors.Create(ErrorIds.FileTruncated, MapErrorCategory.ResourceUnavailable,
                $"Cannot {verb} byte {Offset + at} of '{Path}' through map {Id}: the file is now {st.Size} bytes, it was truncated while mapped (EFAULT). " +
                (write ? "Nothing was written. " : string.Empty) + "Remove the map and map the file again.", Errno.EFAULT, Path, offset, count);
        }

        return ExplainFault(offset, at, count, write);
    }
}
