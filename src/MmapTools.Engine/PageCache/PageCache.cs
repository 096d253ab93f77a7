using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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
/// <remarks>
/// This part loads, evicts and locks; measuring residency is in PageCache.Residency.cs, and the open, checked
/// file both work on in PageCache.CacheFile.cs.
/// </remarks>
public static partial class PageCache
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
}
