using System;
using System.Threading;
using MmapTools.Caching;
using MmapTools.Interop;

namespace MmapTools;

/// <summary>
/// Direct reads: touching the map's own memory instead of copying it out through the kernel, where nothing can make
/// that touch fault.
/// <para>
/// A touch of a file map faults (SIGBUS, which ends pwsh) when the file was truncated under it, when a page cannot
/// be read in (an I/O error, a full tmpfs), or when our own mprotect forbids it. Direct reads are allowed only
/// inside a barrier against each:
/// </para>
/// <list type="bullet">
/// <item>Truncation: a read lease (fcntl F_SETLEASE F_RDLCK) on the map's read-only descriptor. The kernel grants it
/// only while nobody has the file open for writing, and while it is held any open for writing or truncate waits
/// (or fails with EAGAIN) until the lease is released. A break is signalled with SIGURG (F_SETSIG: the default SIGIO
/// would end pwsh), and is seen as F_GETLEASE no longer answering F_RDLCK, which every window checks before it
/// touches anything, so the lease is let go within one window. Only on local filesystems (ext4, xfs, btrfs, f2fs,
/// bcachefs, tmpfs), where the size changes through those paths alone; the file's size is checked once the lease is
/// held, so a truncation made before it is seen.</item>
/// <item>Unreadable pages: a window whose pages cachestat(2) counts all in the page cache is touched as it is (no
/// touch can read the disk); any other window is populated first with MADV_POPULATE_READ, which reports an error
/// instead of raising SIGBUS, and a window that fails goes through the guarded copy, which explains the fault.</item>
/// <item>Protection: the first mprotect of the map stops direct reads for good (<see cref="StopDirect"/>), after
/// waiting for those in flight.</item>
/// </list>
/// Where any barrier cannot be had (a file open for writing, not the file's owner without CAP_LEASE, a network or
/// FUSE filesystem, copy-on-write maps, huge pages, a kernel older than 5.14) reads use the guarded copy as before.
/// What is left: a thread stopped (SIGSTOP, a debugger) inside one window for longer than
/// /proc/sys/fs/lease-break-time (45 s) while another process waits to truncate the file.
/// </summary>
public sealed partial class MemoryMap
{
    /// <summary>Set MMAPTOOLS_DIRECT=0 to use the guarded copy for every read (to compare, or to rule it out).</summary>
    internal static readonly bool DirectEnabled = Environment.GetEnvironmentVariable("MMAPTOOLS_DIRECT") != "0";

    private readonly object _leaseGate = new();
    private int _leaseHolders;
    private long _leasedFileSize;
    private int _directStopped;
    private int _directInFlight;
    private int _directKind = -1;     // -1 unknown, 0 never, 1 anonymous (no lease needed), 2 file (lease needed)

    /// <summary>How direct reads went, for tests and benchmarks: windows read directly and windows that fell back.</summary>
    internal long DirectWindows, GuardedWindows;

    /// <summary>
    /// Enters a direct-read section (the caller holds a <see cref="Use"/>): true when the map's kind allows direct
    /// reads and, for a file, the read lease is held. Pair with <see cref="ExitDirect"/>; check each window with
    /// <see cref="DirectReady"/>. Never hold it across a yield: an open for writing from the same thread would wait.
    /// </summary>
    internal bool EnterDirect()
    {
        int kind = DirectKind();
        if (kind == 0)
        {
            return false;
        }

        Interlocked.Increment(ref _directInFlight);
        if (Volatile.Read(ref _directStopped) != 0)
        {
            Interlocked.Decrement(ref _directInFlight);
            return false;
        }

        if (kind == 1)
        {
            return true;
        }

        lock (_leaseGate)
        {
            if (_leaseHolders == 0 && !TakeLease())
            {
                Interlocked.Decrement(ref _directInFlight);
                return false;
            }

            _leaseHolders++;
        }

        return true;
    }

    /// <summary>Leaves a direct-read section; the last one out releases the lease.</summary>
    internal void ExitDirect()
    {
        if (DirectKind() == 2)
        {
            lock (_leaseGate)
            {
                if (--_leaseHolders == 0)
                {
                    _ = Libc.FcntlInt(File!, Libc.F_SETLEASE, Libc.F_UNLCK);
                }
            }
        }

        Interlocked.Decrement(ref _directInFlight);
    }

    /// <summary>
    /// Inside a direct section: true when map bytes [offset, offset+count) may be touched now. The lease is still
    /// held (no break pending), the range lies in the file as it was when the lease was taken, and its pages are
    /// populated (an error there, instead of SIGBUS, sends the caller to the guarded copy).
    /// </summary>
    internal bool DirectReady(long offset, long count)
    {
        if (count <= 0)
        {
            return true;
        }

        if (DirectKind() == 2)
        {
            if (Libc.FcntlInt(File!, Libc.F_GETLEASE, 0) != Libc.F_RDLCK)
            {
                Interlocked.Increment(ref GuardedWindows);
                return false;
            }

            // The range must lie in the file as the lease found it: past the end a page faults, and the zeros of the
            // last page's tail are not the file's bytes (the guarded read reports the truncation).
            if (Offset + offset + count > _leasedFileSize)
            {
                Interlocked.Increment(ref GuardedWindows);
                return false;
            }
        }

        // Every page of the range in the page cache: a touch finds it there (a minor fault at most) and never reads
        // the disk, so no I/O error can turn into SIGBUS. One cachestat costs far less than populating a window of
        // pages that are already mapped, which is what repeated reads of an open map meet.
        if (DirectKind() == 2 && AllCached(offset, count))
        {
            Interlocked.Increment(ref DirectWindows);
            return true;
        }

        (IntPtr start, nuint length) = PageRange(offset, count);
        if (Libc.MAdvise(start, length, Libc.MADV_POPULATE_READ) != 0)
        {
            Interlocked.Increment(ref GuardedWindows);
            return false;
        }

        Interlocked.Increment(ref DirectWindows);
        return true;
    }

    /// <summary>True when cachestat(2) counts every page of map bytes [offset, offset+count) in the page cache.</summary>
    private bool AllCached(long offset, long count)
    {
        if (!PageCache.HasCacheStat)
        {
            return false;
        }

        long first = (Offset + offset) / PageSize * PageSize;
        long end = Offset + offset + count;
        return Libc.CacheStatOf(File!, first, end - first, out Libc.CacheStat stat) == 0 &&
            (long)stat.Cache >= (end - first + PageSize - 1) / PageSize;
    }

    /// <summary>The address of map byte <paramref name="offset"/>: touch it only after <see cref="DirectReady"/>.</summary>
    internal unsafe byte* DirectPointer(long offset) => (byte*)_map.DangerousGetHandle() + _slack + offset;

    /// <summary>Stops direct reads for good and waits for those in flight (before an mprotect).</summary>
    internal void StopDirect()
    {
        Interlocked.Exchange(ref _directStopped, 1);
        SpinWait.SpinUntil(() => Volatile.Read(ref _directInFlight) == 0);
    }

    private int DirectKind()
    {
        int kind = Volatile.Read(ref _directKind);
        if (kind < 0)
        {
            kind = ComputeDirectKind();
            Volatile.Write(ref _directKind, kind);
        }

        return kind;
    }

    private int ComputeDirectKind()
    {
        if (!DirectEnabled || (Options & MapOptions.HugePages) != 0)
        {
            return 0;
        }

        if (Kind == MapKind.Anonymous)
        {
            return 1;
        }

        // A copy-on-write map's unwritten pages still follow the file, but its descriptor is read-only like a
        // read-only map's: the lease protects both. A read-write map's descriptor is open for writing, so no lease.
        if (!_checkFileSize || Access == MapAccess.ReadWrite || File is null)
        {
            return 0;
        }

        return FileSystemType is Libc.EXT4_SUPER_MAGIC or Libc.XFS_SUPER_MAGIC or Libc.BTRFS_SUPER_MAGIC or Libc.F2FS_SUPER_MAGIC
            or Libc.BCACHEFS_SUPER_MAGIC or Libc.TMPFS_MAGIC ? 2 : 0;
    }

    /// <summary>Takes the read lease (under <see cref="_leaseGate"/>) and records the file's size under it.</summary>
    private bool TakeLease()
    {
        if (Libc.FcntlInt(File!, Libc.F_SETSIG, Libc.SIGURG) != 0 || Libc.FcntlInt(File!, Libc.F_SETLEASE, Libc.F_RDLCK) != 0)
        {
            return false;
        }

        if (FileStatus.TryGet(File!, out FileStatus st) != 0)
        {
            _ = Libc.FcntlInt(File!, Libc.F_SETLEASE, Libc.F_UNLCK);
            return false;
        }

        _leasedFileSize = st.Size;
        return true;
    }
}
