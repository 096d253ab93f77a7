using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.Win32.SafeHandles;
using MmapTools.Interop;

namespace MmapTools.Caching;

/// <summary>
/// The page cache of files: how much of a file is resident (cachestat, or mincore over windows of a
/// read-only map), loading a file into it (touch), dropping it (evict), and holding it in RAM (lock).
/// <para>
/// Since Linux 5.2, mincore reports every page of a file resident when the caller may neither write
/// nor own the file (the vmtouch #74 trap), and cachestat refuses such files with EPERM. Neither is
/// believed: such a file is a <c>CacheResidencyUnknown</c> error, never a wrong 100%.
/// </para>
/// </summary>
public static class PageCache
{
    /// <summary>Pages per mincore window and per touch window (256 MiB of 4 KiB pages).</summary>
    private const long WindowPages = 65536;

    /// <summary>
    /// Bytes per POSIX_FADV_WILLNEED call. One call reads at most the larger of read_ahead_kb and the device's largest
    /// I/O; 128 KiB is read_ahead_kb's default, so each call reads all it names on any usual setting.
    /// </summary>
    private const long WillNeedChunk = 128 * 1024;

    private const int CapFOwner = 3;

    private static readonly ConcurrentDictionary<int, MemoryMap> s_locks = new();

    private static int PageSize => MemoryMap.PageSize;

    /// <summary>True when this kernel has cachestat(2) (Linux 6.5+).</summary>
    public static bool HasCacheStat { get; } = ProbeCacheStat();

    /// <summary>
    /// Measures how much of <paramref name="length"/> bytes of <paramref name="path"/> from <paramref name="offset"/>
    /// (default: the rest of the file; a length past the end stops at the end) is in the page cache.
    /// With <paramref name="ranges"/>, also lists the runs of resident and not-resident pages.
    /// </summary>
    public static PageCacheResidency Measure(string path, long offset = 0, long? length = null, ResidencyMethod method = ResidencyMethod.Auto, bool ranges = false)
    {
        using CacheFile file = CacheFile.Open(path, offset, length);
        return file.Measure(method, ranges, null);
    }

    /// <summary>
    /// Measures the pages behind bytes [offset, offset+count) of an open map: the file's page cache for
    /// file and shared-memory maps, RAM residency (mincore) for anonymous memory.
    /// </summary>
    public static PageCacheResidency MeasureMap(MemoryMap map, long offset = 0, long? count = null, ResidencyMethod method = ResidencyMethod.Auto, bool ranges = false)
    {
        ArgumentNullException.ThrowIfNull(map);
        long n = map.CheckRange("measure", offset, count);
        if (n == 0)
        {
            throw MapErrors.Create(ErrorIds.LengthInvalid, MapErrorCategory.InvalidArgument,
                $"Nothing to measure: the range at offset {offset} of map {map.Id} ({map.Describe()}) is empty.", 0, map.Path, offset, n);
        }

        using var use = new MemoryMap.Use(map);
        if (map.File is { } fd)
        {
            int errno = FileStatus.TryGet(fd, out FileStatus st);
            if (errno != 0)
            {
                throw MapErrors.FromOpen(errno, map.Path ?? "(map)", false);
            }

            long size = st.Kind == FileKind.BlockDevice ? Libc.LSeek(fd, 0, Libc.SEEK_END) : st.Size;
            long start = map.Offset + offset;
            if (start >= size)
            {
                throw MapErrors.Create(ErrorIds.FileTruncated, MapErrorCategory.ResourceUnavailable,
                    $"Map {map.Id} ({map.Describe()}): the file is now {size} bytes, so byte {start} is gone; it was truncated while mapped.", 0, map.Path, offset, n);
            }

            var file = new CacheFile(fd, map.Path ?? string.Empty, st, size, start, Math.Min(n, size - start), ownsHandle: false);
            return file.Measure(method, ranges, map.Id);
        }

        (IntPtr address, nuint bytes) = map.PageRange(offset, n);
        long pages = (long)(((ulong)bytes + (ulong)PageSize - 1) / (ulong)PageSize);
        long firstPage = (offset + (long)(map.Address % (ulong)PageSize)) / PageSize;
        var runs = ranges ? new RunBuilder(null, offset, n, firstPage) : null;
        long resident = MinCoreCount(address, pages, runs, firstPage, null, offset);
        return new PageCacheResidency
        {
            Path = null,
            Size = map.Length,
            Offset = offset,
            Length = n,
            PageSize = PageSize,
            Pages = pages,
            ResidentPages = resident,
            Method = ResidencyMethod.MinCore,
            MapId = map.Id,
            Ranges = runs?.Runs,
        };
    }

    /// <summary>
    /// Loads the range into the page cache (like vmtouch -t): every page is read in before this returns,
    /// with MADV_POPULATE_READ over windows of a read-only map (or read(2) where the kernel lacks it).
    /// <paramref name="progress"/>, when given, is told the bytes done so far and the bytes in all after each window.
    /// </summary>
    public static void Touch(string path, long offset = 0, long? length = null, Action<long, long>? progress = null)
    {
        using CacheFile file = CacheFile.Open(path, offset, length);
        long first = file.Offset / PageSize;
        long last = (file.Offset + file.Length - 1) / PageSize;

        // Load exactly the pages asked, and nothing around them (read_ahead_kb is often megabytes):
        // - POSIX_FADV_RANDOM: read(2) on this descriptor (the fallback below) reads just what it is asked;
        // - each window is read ahead with POSIX_FADV_WILLNEED in chunks: one call reads at most read_ahead_kb
        //   (or the device's largest I/O), so a single call over the window would leave most pages to the faults;
        // - MADV_RANDOM on the window's map: the faults of MADV_POPULATE_READ then read no read-around, which
        //   POSIX_FADV_RANDOM does not stop (mmap faults follow the map's advice, not the descriptor's).
        // The advice calls are hints; the populate is what makes every page resident before this returns.
        _ = Libc.PosixFAdvise(file.Handle, 0, 0, Libc.POSIX_FADV_RANDOM);
        for (long page = first; page <= last; page += WindowPages)
        {
            long pages = Math.Min(WindowPages, last - page + 1);
            long start = page * PageSize;
            nuint bytes = (nuint)(pages * PageSize);
            for (long chunk = start; chunk < start + (long)bytes; chunk += WillNeedChunk)
            {
                _ = Libc.PosixFAdvise(file.Handle, chunk, Math.Min(WillNeedChunk, start + (long)bytes - chunk), Libc.POSIX_FADV_WILLNEED);
            }

            IntPtr address = Libc.MMap(IntPtr.Zero, bytes, Libc.Prot.Read, Libc.MapFlags.Shared, file.Handle, start);
            if (address == Libc.MAP_FAILED)
            {
                throw MapErrors.FromMmap(Libc.LastErrno, path, start, (long)bytes);
            }

            int errno = 0;
            try
            {
                _ = Libc.MAdvise(address, bytes, Libc.MADV_RANDOM);
                if (Libc.MAdvise(address, bytes, Libc.MADV_POPULATE_READ) != 0)
                {
                    errno = Libc.LastErrno;
                }
            }
            finally
            {
                _ = Libc.MUnmap(address, bytes);
            }

            if (errno == Errno.EINVAL)
            {
                // Before Linux 5.14: read the window instead; read(2) fills the cache just as well.
                ReadThrough(file, start, Math.Min((long)bytes, file.Size - start));
            }
            else if (errno != 0)
            {
                throw MapErrors.Create(ErrorIds.CacheTouchFailed, errno == Errno.EFAULT ? MapErrorCategory.ResourceUnavailable : MapErrorCategory.ReadError,
                    $"Loading bytes {start}..{start + (long)bytes - 1} of '{path}' into the page cache failed: {Errno.Describe(errno)}. " +
                    (errno == Errno.EFAULT ? "A page could not be read: an I/O error, or the file shrank while it was loaded." : "As the errno says."),
                    errno, path, start, (long)bytes);
            }

            progress?.Invoke(Math.Min(file.Offset + file.Length, start + (long)bytes) - file.Offset, file.Length);
        }
    }

    /// <summary>
    /// Drops the range from the page cache (posix_fadvise POSIX_FADV_DONTNEED, like vmtouch -e), rounded out to whole
    /// pages. With <paramref name="flush"/> (the default) dirty pages are written first (fdatasync), so they go too;
    /// without it they stay. Pages some process has mapped or locked stay in any case.
    /// </summary>
    public static void Evict(string path, long offset = 0, long? length = null, bool flush = true)
    {
        using CacheFile file = CacheFile.Open(path, offset, length);
        if (flush && Libc.FDataSync(file.Handle) != 0)
        {
            int errno = Libc.LastErrno;
            throw MapErrors.Create(ErrorIds.CacheFlushFailed, errno == Errno.EIO ? MapErrorCategory.WriteError : MapErrorCategory.InvalidOperation,
                $"Writing the dirty pages of '{path}' before evicting it failed: {Errno.Describe(errno)}. Nothing was evicted. " +
                "Use -NoFlush to evict only the clean pages.", errno, path, file.Offset, file.Length);
        }

        long start = file.Offset & ~(long)(PageSize - 1);
        long end = file.Offset + file.Length;
        long len = end >= file.Size ? 0 : ((end + PageSize - 1) & ~(long)(PageSize - 1)) - start;
        int rc = Libc.PosixFAdvise(file.Handle, start, len, Libc.POSIX_FADV_DONTNEED);
        if (rc != 0)
        {
            throw MapErrors.Create(ErrorIds.CacheEvictFailed, MapErrorCategory.InvalidOperation,
                $"Evicting bytes {file.Offset}..{end - 1} of '{path}' from the page cache failed: posix_fadvise(POSIX_FADV_DONTNEED) returned {Errno.Describe(rc)}.",
                rc, path, file.Offset, file.Length);
        }
    }

    /// <summary>
    /// Loads the range and holds it in RAM (like vmtouch -l): a read-only map, mlocked, kept open in this
    /// session (Get-MemoryMap lists it) until <see cref="Unlock"/> or Remove-MemoryMap.
    /// </summary>
    public static MemoryMap Lock(string path, long offset = 0, long? length = null)
    {
        long start, count;
        using (CacheFile file = CacheFile.Open(path, offset, length))
        {
            start = file.Offset;
            count = file.Length;
        }

        // Load exactly the range first: mlock's own faults would read around it (read_ahead_kb, often megabytes).
        Touch(path, start, count);
        MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadOnly, start, count, null, MapOptions.Lock);
        s_locks[map.Id] = map;
        return map;
    }

    /// <summary>The maps <see cref="Lock"/> made that are still open, oldest first.</summary>
    public static IReadOnlyList<MemoryMap> LockedMaps
    {
        get
        {
            foreach (MemoryMap gone in s_locks.Values.Where(m => !m.IsOpen).ToList())
            {
                s_locks.TryRemove(gone.Id, out _);
            }

            return s_locks.Values.Where(m => m.IsOpen).OrderBy(m => m.Id).ToList();
        }
    }

    /// <summary>The open maps <see cref="Lock"/> made of <paramref name="path"/>.</summary>
    public static IReadOnlyList<MemoryMap> LockedMapsOf(string path) =>
        LockedMaps.Where(m => string.Equals(m.Path, path, StringComparison.Ordinal)).ToList();

    /// <summary>Releases a lock made by <see cref="Lock"/>: munlock and unmap. The pages stay in the cache until the kernel needs the memory.</summary>
    public static void Unlock(MemoryMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.IsOpen)
        {
            map.Unlock();
        }

        map.Dispose();
        s_locks.TryRemove(map.Id, out _);
    }

    // ------------------------------------------------------------------ internals

    private static bool ProbeCacheStat()
    {
        unsafe
        {
            // An invalid descriptor: EBADF means the syscall exists, ENOSYS that it does not.
            using var bad = new SafeFileHandle((IntPtr)(-1), ownsHandle: false);
            Libc.CacheStatRange range = default;
            Libc.CacheStat stat = default;
            return Libc.SysCacheStat(Libc.SYS_cachestat, bad, &range, &stat, 0) == 0 || Libc.LastErrno != Errno.ENOSYS;
        }
    }

    private static void ReadThrough(CacheFile file, long start, long count)
    {
        byte[] buffer = new byte[1 << 20];
        long done = 0;
        while (done < count)
        {
            int n;
            try
            {
                n = RandomAccess.Read(file.Handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, count - done)), start + done);
            }
            catch (IOException e)
            {
                throw MapErrors.Create(ErrorIds.CacheTouchFailed, MapErrorCategory.ReadError,
                    $"Reading byte {start + done} of '{file.Path}' into the page cache failed: {e.Message}", e.HResult, file.Path, start, count);
            }

            if (n == 0)
            {
                return;
            }

            done += n;
        }
    }

    /// <summary>mincore over <paramref name="pages"/> pages from <paramref name="address"/>; counts resident pages and feeds runs.</summary>
    private static unsafe long MinCoreCount(IntPtr address, long pages, RunBuilder? runs, long firstPage, string? path, long offset)
    {
        byte[] vector = new byte[Math.Min(pages, WindowPages)];
        long resident = 0;
        for (long done = 0; done < pages; done += WindowPages)
        {
            long n = Math.Min(WindowPages, pages - done);
            fixed (byte* v = vector)
            {
                if (Libc.MInCore(address + (nint)(done * PageSize), (nuint)(n * PageSize), v) != 0)
                {
                    int errno = Libc.LastErrno;
                    throw MapErrors.Create(ErrorIds.CacheMinCoreFailed, MapErrorCategory.InvalidOperation,
                        $"mincore over pages {firstPage + done}..{firstPage + done + n - 1} of {(path is null ? "the map" : "'" + path + "'")} failed: {Errno.Describe(errno)}.",
                        errno, path, offset, n * PageSize);
                }
            }

            resident += Count(vector.AsSpan(0, (int)n), runs, firstPage + done);
        }

        return resident;
    }

    private static long Count(ReadOnlySpan<byte> vector, RunBuilder? runs, long firstPage)
    {
        long resident = 0;
        if (runs is null)
        {
            foreach (byte b in vector)
            {
                resident += b & 1;
            }

            return resident;
        }

        int start = 0;
        bool state = (vector[0] & 1) != 0;
        for (int i = 1; i <= vector.Length; i++)
        {
            bool s = i < vector.Length && (vector[i] & 1) != 0;
            if (i == vector.Length || s != state)
            {
                runs.Add(firstPage + start, i - start, state);
                if (state)
                {
                    resident += i - start;
                }

                start = i;
                state = s;
            }
        }

        return resident;
    }

    private static bool HasCapability(int capability)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                {
                    ulong caps = ulong.Parse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    return (caps & (1UL << capability)) != 0;
                }
            }
        }
        catch (IOException)
        {
        }

        return false;
    }

    /// <summary>Collects runs of pages, merging neighbours in the same state.</summary>
    private sealed class RunBuilder
    {
        private readonly string? _path;
        private readonly long _offset;
        private readonly long _end;
        private readonly List<PageCacheRange> _runs = new();
        private long _first = -1;
        private long _pages;
        private bool _resident;

        internal RunBuilder(string? path, long offset, long length, long firstPage)
        {
            _path = path;
            _offset = offset;
            _end = offset + length;
            _ = firstPage;
        }

        internal List<PageCacheRange> Runs
        {
            get
            {
                Flush();
                return _runs;
            }
        }

        internal void Add(long firstPage, long pages, bool resident)
        {
            if (pages <= 0)
            {
                return;
            }

            if (_first >= 0 && resident == _resident && _first + _pages == firstPage)
            {
                _pages += pages;
                return;
            }

            Flush();
            _first = firstPage;
            _pages = pages;
            _resident = resident;
        }

        private void Flush()
        {
            if (_first < 0)
            {
                return;
            }

            // Runs are in page units; their bytes are clipped to the range asked (the offset may be mid-page).
            long start = Math.Max(_offset, _first * PageSize);
            long end = Math.Min(_end, (_first + _pages) * PageSize);
            _runs.Add(new PageCacheRange { Path = _path, Offset = start, Length = end - start, FirstPage = _first, Pages = _pages, Resident = _resident });
            _first = -1;
        }
    }

    /// <summary>An open, checked file and the range of it an operation works on.</summary>
    private sealed class CacheFile : IDisposable
    {
        /// <summary>Mixed ranges this small are read with mincore (where trusted) rather than halved further.</summary>
        private const long MinCoreBelow = 64;

        private readonly bool _ownsHandle;
        private bool? _trusted;

        internal CacheFile(SafeFileHandle handle, string path, FileStatus status, long size, long offset, long length, bool ownsHandle)
        {
            Handle = handle;
            Path = path;
            Status = status;
            Size = size;
            Offset = offset;
            Length = length;
            _ownsHandle = ownsHandle;
        }

        internal SafeFileHandle Handle { get; }

        internal string Path { get; }

        internal FileStatus Status { get; }

        internal long Size { get; }

        internal long Offset { get; }

        internal long Length { get; }

        /// <summary>Checks the path and range, then opens the file read-only (O_NONBLOCK, so a FIFO never blocks).</summary>
        internal static CacheFile Open(string path, long offset, long? length)
        {
            if (string.IsNullOrEmpty(path) || path.Contains('\0', StringComparison.Ordinal))
            {
                throw MapErrors.Create(ErrorIds.PathInvalid, MapErrorCategory.InvalidArgument,
                    $"The path '{path?.Replace("\0", "\\0", StringComparison.Ordinal)}' is not valid: it is empty or contains a NUL character.", 0, path);
            }

            if (offset < 0)
            {
                throw MapErrors.NegativeOffset(offset, path);
            }

            if (length is <= 0)
            {
                throw MapErrors.Create(ErrorIds.LengthInvalid, MapErrorCategory.InvalidArgument,
                    $"Length {length} is not valid for '{path}': give at least 1 byte, or omit -Length for the rest of the file.", 0, path, offset, length);
            }

            // Look before opening: opening a device or FIFO can have effects of its own.
            int errno = FileStatus.TryGet(path, followSymlink: true, out FileStatus st);
            if (errno == 0)
            {
                CheckKind(path, st);
            }

            int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_NOCTTY | Libc.O_NONBLOCK, 0);
            if (fd < 0)
            {
                throw MapErrors.FromOpen(Libc.LastErrno, path, write: false);
            }

            var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
            try
            {
                errno = FileStatus.TryGet(handle, out st);
                if (errno != 0)
                {
                    throw MapErrors.FromOpen(errno, path, write: false);
                }

                CheckKind(path, st);
                long size = st.Kind == FileKind.BlockDevice ? Libc.LSeek(handle, 0, Libc.SEEK_END) : st.Size;
                if (size <= 0)
                {
                    throw MapErrors.Create(ErrorIds.CacheFileEmpty, MapErrorCategory.InvalidOperation,
                        $"'{path}' has 0 bytes, so it has no pages in the page cache to measure, load, evict or lock. " +
                        "(Files of /proc and /sys also report 0 bytes; they have no page cache.)", 0, path, offset, length);
                }

                if (offset >= size)
                {
                    throw MapErrors.Create(ErrorIds.RangeBeyondEndOfFile, MapErrorCategory.InvalidArgument,
                        $"Offset {offset} is at or past the end of '{path}' ({size} bytes). Give an offset below {size}.", 0, path, offset, length);
                }

                return new CacheFile(handle, path, st, size, offset, Math.Min(length ?? long.MaxValue, size - offset), ownsHandle: true);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        private static void CheckKind(string path, FileStatus st)
        {
            if (st.Kind == FileKind.Directory)
            {
                throw MapErrors.Create(ErrorIds.PathIsDirectory, MapErrorCategory.InvalidArgument,
                    $"'{path}' is a directory; the page cache holds files. Give -Recurse to work on the files under it.", Errno.EISDIR, path);
            }

            if (st.Kind is not (FileKind.Regular or FileKind.BlockDevice))
            {
                throw MapErrors.Create(ErrorIds.CacheFileUnsupported, MapErrorCategory.InvalidOperation,
                    $"'{path}' is a {st.Kind}, which has no page cache of its own; only regular files and block devices do.", 0, path);
            }
        }

        public void Dispose()
        {
            if (_ownsHandle)
            {
                Handle.Dispose();
            }
        }

        /// <summary>Measures the range with the method asked; Auto is cachestat, or mincore where the kernel lacks cachestat.</summary>
        internal PageCacheResidency Measure(ResidencyMethod method, bool ranges, int? mapId)
        {
            long first = Offset / PageSize;
            long pages = ((Offset + Length - 1) / PageSize) - first + 1;
            if (method != ResidencyMethod.MinCore)
            {
                int errno = CacheStat(first, pages, out Libc.CacheStat stat);
                if (errno == 0)
                {
                    List<PageCacheRange>? runs = null;
                    long resident = (long)stat.Cache;
                    if (ranges)
                    {
                        var builder = new RunBuilder(Path, Offset, Length, first);
                        resident = Bisect(builder, first, pages, resident);
                        runs = builder.Runs;
                    }

                    return Result(ResidencyMethod.CacheStat, pages, resident, runs, mapId, stat);
                }

                if (errno is Errno.EPERM or Errno.EACCES)
                {
                    throw Unknown($"cachestat refused it ({Errno.NameOf(errno)})", errno);
                }

                if (!(method == ResidencyMethod.Auto && errno is Errno.ENOSYS or Errno.EOPNOTSUPP))
                {
                    throw MapErrors.Create(ErrorIds.CacheStatFailed, MapErrorCategory.InvalidOperation,
                        $"cachestat over bytes {Offset}..{Offset + Length - 1} of '{Path}' failed: {Errno.Describe(errno)}. " +
                        (errno == Errno.ENOSYS ? "This kernel has no cachestat (it came in Linux 6.5); use -Method MinCore or Auto." :
                         errno == Errno.EOPNOTSUPP ? "This filesystem (hugetlbfs) does not support it; use -Method MinCore or Auto." : "As the errno says."),
                        errno, Path, Offset, Length);
                }
            }

            if (!(_trusted ??= CanTrustMinCore()))
            {
                throw Unknown("mincore would report every page resident (Linux 5.2+ hides the page cache of such files; vmtouch issue #74)", 0);
            }

            var runBuilder = ranges ? new RunBuilder(Path, Offset, Length, first) : null;
            long total = 0;
            for (long done = 0; done < pages; done += WindowPages)
            {
                total += MinCoreWindow(first + done, Math.Min(WindowPages, pages - done), runBuilder);
            }

            return Result(ResidencyMethod.MinCore, pages, total, runBuilder?.Runs, mapId, null);
        }

        /// <summary>mincore over pages [first, first+pages) through a read-only map of just that window.</summary>
        private long MinCoreWindow(long first, long pages, RunBuilder? runs)
        {
            long start = first * PageSize;
            IntPtr address = Libc.MMap(IntPtr.Zero, (nuint)(pages * PageSize), Libc.Prot.Read, Libc.MapFlags.Shared, Handle, start);
            if (address == Libc.MAP_FAILED)
            {
                throw MapErrors.FromMmap(Libc.LastErrno, Path, start, pages * PageSize);
            }

            try
            {
                return MinCoreCount(address, pages, runs, first, Path, Offset);
            }
            finally
            {
                _ = Libc.MUnmap(address, (nuint)(pages * PageSize));
            }
        }

        private PageCacheResidency Result(ResidencyMethod method, long pages, long resident, List<PageCacheRange>? runs, int? mapId, Libc.CacheStat? stat) => new()
        {
            Path = Path,
            Size = Size,
            Offset = Offset,
            Length = Length,
            PageSize = PageSize,
            Pages = pages,
            ResidentPages = resident,
            Dirty = (long?)stat?.Dirty,
            Writeback = (long?)stat?.Writeback,
            Evicted = (long?)stat?.Evicted,
            RecentlyEvicted = (long?)stat?.RecentlyEvicted,
            Method = method,
            MapId = mapId,
            Ranges = runs,
        };

        /// <summary>
        /// Runs by halving: a range all in or all out of the cache is one run; otherwise split it. Returns the resident
        /// pages found. A mixed range of at most <see cref="MinCoreBelow"/> pages is read with one mincore call instead
        /// where mincore can be trusted, so a finely fragmented file costs a few calls per window, not two per page.
        /// </summary>
        private long Bisect(RunBuilder runs, long first, long pages, long cached)
        {
            if (cached <= 0 || cached >= pages)
            {
                runs.Add(first, pages, cached > 0);
                return cached > 0 ? pages : 0;
            }

            if (pages <= MinCoreBelow && (_trusted ??= CanTrustMinCore()))
            {
                return MinCoreWindow(first, pages, runs);
            }

            long half = pages / 2;
            long left = CacheStatOrThrow(first, half);
            long right = cached - left;
            if (right < 0 || right > pages - half)
            {
                // The cache changed between the two calls; ask again rather than guess.
                right = CacheStatOrThrow(first + half, pages - half);
            }

            return Bisect(runs, first, half, left) + Bisect(runs, first + half, pages - half, right);
        }

        private long CacheStatOrThrow(long first, long pages)
        {
            int errno = CacheStat(first, pages, out Libc.CacheStat stat);
            if (errno != 0)
            {
                throw MapErrors.Create(ErrorIds.CacheStatFailed, MapErrorCategory.InvalidOperation,
                    $"cachestat over pages {first}..{first + pages - 1} of '{Path}' failed: {Errno.Describe(errno)}.", errno, Path, first * PageSize, pages * PageSize);
            }

            return (long)stat.Cache;
        }

        private unsafe int CacheStat(long first, long pages, out Libc.CacheStat stat)
        {
            Libc.CacheStatRange range = new() { Offset = (ulong)(first * PageSize), Length = (ulong)(pages * PageSize) };
            Libc.CacheStat result = default;
            long rc = Libc.SysCacheStat(Libc.SYS_cachestat, Handle, &range, &result, 0);
            stat = result;
            return rc == 0 ? 0 : Libc.LastErrno;
        }

        /// <summary>The kernel's can_do_mincore for files: the caller owns the file, has CAP_FOWNER, or may write it.</summary>
        private bool CanTrustMinCore() =>
            Status.Uid == Libc.GetEUid() ||
            HasCapability(CapFOwner) ||
            Libc.FAccessAt(Libc.AT_FDCWD, "/proc/self/fd/" + Handle.DangerousGetHandle().ToString(CultureInfo.InvariantCulture), Libc.W_OK, Libc.AT_EACCESS) == 0;

        private MmapException Unknown(string why, int errno) => MapErrors.Create(ErrorIds.CacheResidencyUnknown, MapErrorCategory.PermissionDenied,
            $"The page-cache residency of '{Path}' cannot be known by this user: {why}. The kernel shows it only to the file's owner, " +
            "to a user who may write the file, or with CAP_FOWNER (root). Run as one of those.", errno, Path, Offset, Length);
    }
}
