using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using MmapTools.Interop;

namespace MmapTools.Caching;

/// <summary>The open, checked file an operation works on, and measuring its residency.</summary>
public static partial class PageCache
{
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

        /// <summary>
        /// Checks the path and range, then opens the file read-only (O_NONBLOCK, so a FIFO never blocks). With
        /// <paramref name="recheck"/> (touch, evict, lock: they act through the descriptor) the open descriptor is
        /// looked at again, in case the path was replaced between the look and the open; measuring reads counts
        /// only, so the look before opening is enough for it (one statx a file, not two).
        /// </summary>
        internal static CacheFile Open(string path, long offset, long? length, bool recheck = true)
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
                if (recheck || errno != 0)
                {
                    errno = FileStatus.TryGet(handle, out st);
                    if (errno != 0)
                    {
                        throw MapErrors.FromOpen(errno, path, write: false);
                    }

                    CheckKind(path, st);
                }

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

        private int CacheStat(long first, long pages, out Libc.CacheStat stat) =>
            Libc.CacheStatOf(Handle, first * PageSize, pages * PageSize, out stat);

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
