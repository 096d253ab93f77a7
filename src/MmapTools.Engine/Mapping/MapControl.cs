using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using MmapTools.Interop;

namespace MmapTools;

/// <summary>A protection to give the pages of a live map (mprotect). The executable ones must be asked for explicitly.</summary>
public enum PageProtection
{
    /// <summary>PROT_NONE: no access; every read or write is a MapAccessFault error.</summary>
    None,
    /// <summary>PROT_READ.</summary>
    ReadOnly,
    /// <summary>PROT_READ|PROT_WRITE (not for a map opened -Access ReadOnly: the file is not open for writing).</summary>
    ReadWrite,
    /// <summary>PROT_READ|PROT_EXEC; needs allowExecute.</summary>
    ReadExecute,
    /// <summary>PROT_READ|PROT_WRITE|PROT_EXEC; needs allowExecute.</summary>
    ReadWriteExecute,
}

/// <summary>Advice for madvise(2): how the map will be used, or an action on its pages.</summary>
public enum MapAdvice
{
    /// <summary>MADV_NORMAL: the default read-ahead.</summary>
    Normal,
    /// <summary>MADV_RANDOM: expect random access; no read-ahead (VmFlags "rr").</summary>
    Random,
    /// <summary>MADV_SEQUENTIAL: expect sequential access; aggressive read-ahead, pages freed soon after (VmFlags "sr").</summary>
    Sequential,
    /// <summary>MADV_WILLNEED: start reading the pages in now.</summary>
    WillNeed,
    /// <summary>MADV_DONTNEED: drop this process's page-table entries. Private and anonymous memory reads back as zeros or the file's bytes: changes are lost.</summary>
    DontNeed,
    /// <summary>MADV_COLD: make the pages first to reclaim (Linux 5.4+).</summary>
    Cold,
    /// <summary>MADV_PAGEOUT: reclaim the pages now (Linux 5.4+).</summary>
    PageOut,
    /// <summary>MADV_HUGEPAGE: allow transparent huge pages (VmFlags "hg").</summary>
    HugePage,
    /// <summary>MADV_NOHUGEPAGE: no transparent huge pages (VmFlags "nh").</summary>
    NoHugePage,
    /// <summary>MADV_POPULATE_READ: fault every page in for reading now (Linux 5.14+).</summary>
    PopulateRead,
    /// <summary>MADV_POPULATE_WRITE: fault every page in for writing now (Linux 5.14+); the kernel refuses it on a map without write access.</summary>
    PopulateWrite,
}

/// <summary>
/// Protection, advice and locking of a live map, over the whole map or a range of it. A range is aligned
/// internally: the pages it touches are changed whole, so bytes around it in the same pages change too.
/// Each call holds the map (<see cref="MemoryMap.Use"/>), so it is never unmapped under the call.
/// </summary>
public static class MapControl
{
    private static readonly ConditionalWeakTable<MemoryMap, ProtectionRuns> s_protections = new();

    private static int PageSize => MemoryMap.PageSize;

    /// <summary>
    /// mprotect over bytes [offset, offset+count) of the map (default: all of it). Afterwards an access the new
    /// protection forbids is a MapAccessFault error, never SIGSEGV. <see cref="MemoryMap.Protection"/> becomes the
    /// protection every page of the map has in common (<see cref="ProtectionAt"/> tells a page's own).
    /// </summary>
    public static void Protect(this MemoryMap map, PageProtection protection, long offset = 0, long? count = null, bool allowExecute = false)
    {
        ArgumentNullException.ThrowIfNull(map);
        long n = CheckedCount(map, "protect", offset, count);
        MapProtection wanted = ToMapProtection(protection);
        if ((wanted & MapProtection.Execute) != 0 && !allowExecute)
        {
            throw MapErrors.Create(ErrorIds.ProtectionExecuteNotAllowed, MapErrorCategory.SecurityError,
                $"Making map {map.Id} ({map.Describe()}) executable ({protection}) needs to be asked for explicitly: give -AllowExecute. Nothing was changed.", 0, map.Path, offset, n);
        }

        if (n == 0)
        {
            return;
        }

        using var use = new MemoryMap.Use(map);
        (IntPtr start, nuint length) = map.PageRange(offset, n);

        // Direct reads touch the map's memory: none may be in flight when a page stops being readable.
        map.StopDirect();
        if (Libc.MProtect(start, length, ToProt(wanted)) != 0)
        {
            int errno = Libc.LastErrno;
            if (errno == Errno.EACCES)
            {
                throw MapErrors.Create(ErrorIds.ProtectionNotPermitted, MapErrorCategory.PermissionDenied,
                    $"The kernel refused {protection} for bytes {offset}..{offset + n - 1} of map {map.Id} ({map.Describe()}): {Errno.Describe(errno)}. " +
                    (map.Access == MapAccess.ReadOnly && (wanted & MapProtection.Write) != 0
                        ? "The map was opened -Access ReadOnly, so its file is not open for writing; map it with -Access ReadWrite or CopyOnWrite."
                        : "The file's filesystem may be mounted noexec, or a security module forbids it.") + " Nothing was changed.",
                    errno, map.Path, offset, n);
            }

            throw MapErrors.Create(ErrorIds.ProtectionFailed, errno == Errno.ENOMEM ? MapErrorCategory.LimitsExceeded : MapErrorCategory.InvalidOperation,
                $"mprotect({protection}) over bytes {offset}..{offset + n - 1} of map {map.Id} ({map.Describe()}) failed: {Errno.Describe(errno)}." +
                (errno == Errno.ENOMEM ? " Splitting the map would pass the limit on mappings per process (vm.max_map_count)." : string.Empty),
                errno, map.Path, offset, n);
        }

        ProtectionRuns runs = s_protections.GetValue(map, m => new ProtectionRuns(TotalPages(m), m.Protection));
        (long first, long pages) = Pages(map, offset, n);
        map.SetProtection(runs.Apply(first, first + pages, wanted));
    }

    /// <summary>The protection the page holding map byte <paramref name="offset"/> has now.</summary>
    public static MapProtection ProtectionAt(this MemoryMap map, long offset)
    {
        ArgumentNullException.ThrowIfNull(map);
        map.CheckRange("look at", offset, 1);
        return s_protections.TryGetValue(map, out ProtectionRuns? runs) ? runs.At(Pages(map, offset, 1).First) : map.Protection;
    }

    /// <summary>madvise over bytes [offset, offset+count) of the map (default: all of it). Advice the kernel refuses is an AdviceRefused error.</summary>
    public static void Advise(this MemoryMap map, MapAdvice advice, long offset = 0, long? count = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        long n = CheckedCount(map, "advise", offset, count);
        int errno = OnPages(map, offset, n, (start, length) => Libc.MAdvise(start, length, ToMadv(advice)));
        if (errno != 0)
        {
            string hint = (advice, errno) switch
            {
                (MapAdvice.PopulateWrite, Errno.EINVAL) => " PopulateWrite needs a map the process may write; this one is read-only (by -Access or by its protection).",
                (MapAdvice.PopulateRead or MapAdvice.PopulateWrite, Errno.EINVAL) => " The kernel may predate MADV_POPULATE_* (Linux 5.14), or the protection forbids the access.",
                (MapAdvice.PopulateRead or MapAdvice.PopulateWrite, Errno.EFAULT) => " A page could not be populated: the file is shorter than the map, or an I/O error.",
                (MapAdvice.PopulateRead or MapAdvice.PopulateWrite, Errno.ENOMEM) => " The protection forbids the access, or memory ran out.",
                (MapAdvice.HugePage or MapAdvice.NoHugePage, Errno.EINVAL) => " This kernel or this kind of map has no transparent huge pages (see /sys/kernel/mm/transparent_hugepage).",
                (_, Errno.EINVAL) => " This kernel does not know the advice, or does not allow it for this kind of map.",
                (_, Errno.EPERM) => " It needs a privilege this process lacks.",
                _ => string.Empty,
            };
            throw MapErrors.Create(ErrorIds.AdviceRefused,
                errno switch { Errno.EINVAL => MapErrorCategory.InvalidArgument, Errno.EPERM or Errno.EACCES => MapErrorCategory.PermissionDenied, Errno.ENOMEM or Errno.EAGAIN => MapErrorCategory.ResourceUnavailable, _ => MapErrorCategory.InvalidOperation },
                $"The kernel refused the advice {advice} for bytes {offset}..{offset + n - 1} of map {map.Id} ({map.Describe()}): {Errno.Describe(errno)}.{hint}",
                errno, map.Path, offset, n);
        }
    }

    /// <summary>mlock over bytes [offset, offset+count) of the map (default: all of it): the pages are loaded and stay in RAM.</summary>
    public static void Lock(this MemoryMap map, long offset = 0, long? count = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        long n = CheckedCount(map, "lock", offset, count);
        int errno = OnPages(map, offset, n, Libc.MLock);
        if (errno != 0)
        {
            throw MapErrors.Create(ErrorIds.LockFailed,
                MapErrors.LockCategory(errno),
                $"Cannot lock bytes {offset}..{offset + n - 1} of map {map.Id} ({map.Describe()}) in RAM: {Errno.Describe(errno)}. " +
                (errno == Errno.ENOMEM ? "Raise RLIMIT_MEMLOCK (ulimit -l) or run with CAP_IPC_LOCK; or the protection (None) forbids loading the pages."
                    : errno == Errno.EAGAIN ? "Some pages could not be locked; memory is short." : "Run with CAP_IPC_LOCK."),
                errno, map.Path, offset, n);
        }
    }

    /// <summary>munlock over bytes [offset, offset+count) of the map (default: all of it): the pages may be reclaimed again.</summary>
    public static void Unlock(this MemoryMap map, long offset = 0, long? count = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        long n = CheckedCount(map, "unlock", offset, count);
        int errno = OnPages(map, offset, n, Libc.MUnlock);
        if (errno != 0)
        {
            throw MapErrors.Create(ErrorIds.UnlockFailed, MapErrorCategory.InvalidOperation,
                $"munlock over bytes {offset}..{offset + n - 1} of map {map.Id} ({map.Describe()}) failed: {Errno.Describe(errno)}.", errno, map.Path, offset, n);
        }
    }

    /// <summary>
    /// What every page-range call shares: holds a <see cref="MemoryMap.Use"/> (so the map cannot be unmapped under
    /// the call), rounds bytes [offset, offset+n) out to whole pages and runs <paramref name="call"/> on them.
    /// Returns 0, or the errno the call left (read right after it). Nothing is called when <paramref name="n"/> is 0.
    /// </summary>
    private static int OnPages(MemoryMap map, long offset, long n, Func<IntPtr, nuint, int> call)
    {
        if (n == 0)
        {
            return 0;
        }

        using var use = new MemoryMap.Use(map);
        (IntPtr start, nuint length) = map.PageRange(offset, n);
        return call(start, length) != 0 ? Libc.LastErrno : 0;
    }

    private static long CheckedCount(MemoryMap map, string operation, long offset, long? count)
    {
        return map.CheckRange(operation, offset, count);
    }

    /// <summary>The page indexes (from the map's first page) that bytes [offset, offset+count) touch.</summary>
    private static (long First, long Count) Pages(MemoryMap map, long offset, long count)
    {
        (IntPtr baseStart, _) = map.PageRange(0, 0);
        (IntPtr start, nuint length) = map.PageRange(offset, count);
        long first = (long)(start - baseStart) / PageSize;
        return (first, (long)(((ulong)length + (ulong)PageSize - 1) / (ulong)PageSize));
    }

    private static long TotalPages(MemoryMap map) => Math.Max(1, Pages(map, 0, map.Length).Count);

    private static MapProtection ToMapProtection(PageProtection p) => p switch
    {
        PageProtection.None => MapProtection.None,
        PageProtection.ReadOnly => MapProtection.Read,
        PageProtection.ReadWrite => MapProtection.ReadWrite,
        PageProtection.ReadExecute => MapProtection.Read | MapProtection.Execute,
        PageProtection.ReadWriteExecute => MapProtection.ReadWrite | MapProtection.Execute,
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, "Unknown protection."),
    };

    private static Libc.Prot ToProt(MapProtection p) =>
        ((p & MapProtection.Read) != 0 ? Libc.Prot.Read : 0) |
        ((p & MapProtection.Write) != 0 ? Libc.Prot.Write : 0) |
        ((p & MapProtection.Execute) != 0 ? Libc.Prot.Exec : 0);

    private static int ToMadv(MapAdvice advice) => advice switch
    {
        MapAdvice.Normal => Libc.MADV_NORMAL,
        MapAdvice.Random => Libc.MADV_RANDOM,
        MapAdvice.Sequential => Libc.MADV_SEQUENTIAL,
        MapAdvice.WillNeed => Libc.MADV_WILLNEED,
        MapAdvice.DontNeed => Libc.MADV_DONTNEED,
        MapAdvice.Cold => Libc.MADV_COLD,
        MapAdvice.PageOut => Libc.MADV_PAGEOUT,
        MapAdvice.HugePage => Libc.MADV_HUGEPAGE,
        MapAdvice.NoHugePage => Libc.MADV_NOHUGEPAGE,
        MapAdvice.PopulateRead => Libc.MADV_POPULATE_READ,
        MapAdvice.PopulateWrite => Libc.MADV_POPULATE_WRITE,
        _ => throw new ArgumentOutOfRangeException(nameof(advice), advice, "Unknown advice."),
    };

    /// <summary>Runs of pages with one protection each, covering the whole map.</summary>
    private sealed class ProtectionRuns
    {
        private readonly object _gate = new();
        private List<(long Start, long End, MapProtection Protection)> _runs;

        internal ProtectionRuns(long pages, MapProtection initial) => _runs = new() { (0, pages, initial) };

        /// <summary>Sets pages [start, end) to <paramref name="protection"/>; returns what all pages have in common.</summary>
        internal MapProtection Apply(long start, long end, MapProtection protection)
        {
            lock (_gate)
            {
                var next = new List<(long Start, long End, MapProtection Protection)>(_runs.Count + 2);
                bool placed = false;
                foreach ((long s, long e, MapProtection p) in _runs)
                {
                    if (e <= start || s >= end)
                    {
                        if (s >= end && !placed)
                        {
                            Append(next, start, end, protection);
                            placed = true;
                        }

                        Append(next, s, e, p);
                        continue;
                    }

                    if (s < start)
                    {
                        Append(next, s, start, p);
                    }

                    if (!placed)
                    {
                        Append(next, start, end, protection);
                        placed = true;
                    }

                    if (e > end)
                    {
                        Append(next, end, e, p);
                    }
                }

                if (!placed)
                {
                    Append(next, start, end, protection);
                }

                _runs = next;
                MapProtection common = MapProtection.ReadWrite | MapProtection.Execute;
                foreach ((_, _, MapProtection p) in _runs)
                {
                    common &= p;
                }

                return common;
            }
        }

        internal MapProtection At(long page)
        {
            lock (_gate)
            {
                foreach ((long s, long e, MapProtection p) in _runs)
                {
                    if (page >= s && page < e)
                    {
                        return p;
                    }
                }

                return MapProtection.None;
            }
        }

        private static void Append(List<(long Start, long End, MapProtection Protection)> list, long start, long end, MapProtection p)
        {
            if (end <= start)
            {
                return;
            }

            if (list.Count > 0 && list[^1].End == start && list[^1].Protection == p)
            {
                list[^1] = (list[^1].Start, end, p);
                return;
            }

            list.Add((start, end, p));
        }
    }
}
