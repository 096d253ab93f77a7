using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Microsoft.Win32.SafeHandles;
using MmapTools.Interop;

namespace MmapTools.Caching;

/// <summary>Residency: how much of a file or a map is in the page cache (cachestat, mincore), and its runs of pages.</summary>
public static partial class PageCache
{
    /// <summary>True when this kernel has cachestat(2) (Linux 6.5+).</summary>
    public static bool HasCacheStat { get; } = ProbeCacheStat();

    /// <summary>
    /// Measures how much of <paramref name="length"/> bytes of <paramref name="path"/> from <paramref name="offset"/>
    /// (default: the rest of the file; a length past the end stops at the end) is in the page cache.
    /// With <paramref name="ranges"/>, also lists the runs of resident and not-resident pages.
    /// </summary>
    public static PageCacheResidency Measure(string path, long offset = 0, long? length = null, ResidencyMethod method = ResidencyMethod.Auto, bool ranges = false)
    {
        using CacheFile file = CacheFile.Open(path, offset, length, recheck: false);
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
}
