using System;
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
/// <remarks>
/// This part holds the map's state, its description, sync and dispose. The rest, by concern: MemoryMap.Open.cs
/// (creating maps), MemoryMap.Access.cs (Read, Write, Copy), MemoryMap.Guard.cs (Use, range checks, GuardedCopy),
/// MemoryMap.Truncation.cs (a file truncated under the map), MemoryMap.Storage.cs (holes and faults),
/// MemoryMap.Gather.cs (ReadMany).
/// </remarks>
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

    /// <summary><see cref="Address"/> as hex, "0x00007f...".</summary>
    public string AddressHex => Units.FormatAddress(Address);

    /// <summary><see cref="Length"/> for people: "4.9 KiB".</summary>
    public string LengthText => Units.FormatBytes(Length);

    /// <summary>A short description for messages: "'/path' bytes 0..4095".</summary>
    public string Describe() => Kind switch
    {
        MapKind.Anonymous => $"anonymous {(IsShared ? "shared" : "private")} memory, {Length} bytes",
        MapKind.SharedMemory => $"shared memory '{Name}', bytes {Offset}..{Offset + Length - 1}",
        _ => $"'{Path}', bytes {Offset}..{Offset + Length - 1}",
    };

    /// <inheritdoc />
    public override string ToString() => $"MemoryMap {Id}: {Describe()} ({Access}{(IsOpen ? string.Empty : ", removed")})";

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
}
