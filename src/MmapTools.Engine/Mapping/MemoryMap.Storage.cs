using System;
using Microsoft.Win32.SafeHandles;
using MmapTools.Interop;

namespace MmapTools;

/// <summary>The storage side of a map: reserving the holes a write fills, and naming the cause of a fault.</summary>
public sealed partial class MemoryMap
{
    /// <summary>True when writes through the map land in a regular file (or shared-memory object) that may have holes.</summary>
    private bool WritesReachFile => _checkFileSize && IsShared && Access == MapAccess.ReadWrite;

    /// <summary>
    /// Reserves storage for map bytes [<paramref name="offset"/>, +<paramref name="count"/>): every hole of the file
    /// under them (found with SEEK_HOLE/SEEK_DATA, widened to whole pages) is allocated with fallocate(FALLOC_FL_KEEP_SIZE),
    /// so writing them cannot fail for want of space. Throws MapStorageFull (nothing written) when the filesystem has
    /// no room. Does nothing for maps whose writes never reach a file, and where the filesystem cannot reserve.
    /// Writes call it themselves; call it to learn early whether a range can be filled.
    /// </summary>
    public void Reserve(long offset, long count)
    {
        CheckWritable();
        CheckRange("reserve", offset, count);
        using var use = new Use(this);
        ReserveForWrite(offset, count);
    }

    /// <summary>
    /// Throws MapStorageFull when the holes of the file under map bytes [<paramref name="offset"/>, +<paramref name="count"/>)
    /// need more space than the filesystem has free, changing nothing (no byte, no allocation): what
    /// Write-MappedBytes checks before it reads the old bytes for -WhatIf and -Confirm. Quotas are not seen; a write
    /// that passes may still fail its reservation.
    /// </summary>
    public void CheckSpace(long offset, long count)
    {
        CheckWritable();
        CheckRange("write", offset, count);
        using var use = new Use(this);
        if (WritesReachFile)
        {
            CheckHoles(offset, count, write: true);
        }
    }

    /// <summary>
    /// The reservation a write makes first; the caller holds a <see cref="Use"/>. With <paramref name="known"/> (a statx
    /// made just now), a file whose allocated bytes cover its size is taken to have no holes and costs no lseek:
    /// the common case of a file written in full, or grown with reserved space. Should one still hide a hole (its
    /// metadata blocks count too), a fault there is still named MapStorageFull and the write put back.
    /// </summary>
    internal void ReserveForWrite(long offset, long count, FileStatus? known = null)
    {
        if (!WritesReachFile || count <= 0 || known is { } st && st.Allocated >= st.Size)
        {
            return;
        }

        // Too little room for all the holes: fail before allocating any (a partial reservation would eat the space left).
        CheckHoles(offset, count, write: true);
        (int errno, long needed, long firstHole) = SpaceReservation.ReserveHoles(File!, Offset + offset, Offset + offset + count, PageSize);
        if (SpaceReservation.IsNoSpace(errno))
        {
            throw StorageFull(errno, offset, count, write: true, needed, firstHole);
        }
    }

    /// <summary>
    /// Before a read of a tmpfs map (/dev/shm included): reading a hole there allocates a page, so a read of holes
    /// that need more than the free space fails up front, allocating nothing, instead of filling the filesystem
    /// with zero pages and faulting part-way. Other filesystems map holes to the zero page: nothing to check.
    /// </summary>
    internal void CheckReadAllocation(long offset, long count)
    {
        if (count > 0 && _checkFileSize && ReadsAllocate)
        {
            CheckHoles(offset, count, write: false);
        }
    }

    /// <summary>True when the file is on tmpfs, where a read fault on a hole allocates a page.</summary>
    private bool ReadsAllocate => FileSystemType == Libc.TMPFS_MAGIC;

    private long _fileSystemType = -1;

    /// <summary>statfs f_type of the file's filesystem (0 when fstatfs fails), asked once per map.</summary>
    private long FileSystemType
    {
        get
        {
            if (_fileSystemType < 0)
            {
                _fileSystemType = Libc.FStatFs(File!, out Libc.StatFs st) == 0 ? st.Type : 0;
            }

            return _fileSystemType;
        }
    }

    private void CheckHoles(long offset, long count, bool write)
    {
        long lo = (Offset + offset) & ~(long)(PageSize - 1);
        long hi = (Offset + offset + count + PageSize - 1) & ~(long)(PageSize - 1);
        var holes = SpaceReservation.Holes(File!, lo, hi);
        if (holes.Count == 0)
        {
            return;
        }

        long needed = 0;
        foreach ((long s, long e) in holes)
        {
            needed += e - s;
        }

        long free = FileSystemSpace.FreeForCallerOf(File!);
        if (free < 0 || needed <= free)
        {
            return;
        }

        // SEEK_HOLE also reports space reserved but never written (fallocate; New-MemoryMap -Size) as holes, and
        // those need nothing more. At most (allocated - data) of the file's bytes are such: fail only beyond that.
        if (needed - SpaceReservation.ReservedUnwritten(File!) > free)
        {
            throw StorageFull(Errno.ENOSPC, offset, count, write, needed, holes[0].Start);
        }
    }

    private MmapException StorageFull(int errno, long offset, long count, bool write, long needed, long firstHole)
    {
        FileSystemSpace? space = FileSystemSpace.Of(File!, Path!);
        string verb = write ? "write" : "read";
        string why = write
            ? $"the file has holes there ({needed} bytes without storage from file offset {firstHole}), and filling them needs space"
            : $"the file has holes there ({needed} bytes without storage from file offset {firstHole}), and reading a hole of {(space is { FileSystemType.Length: > 0 } ? space.FileSystemType : "this filesystem")} allocates its page";
        return MapErrors.Create(ErrorIds.MapStorageFull, StorageErrors.NoSpaceCategory(errno),
            $"Cannot {verb} {count} bytes at offset {offset} of map {Id} ({Describe()}): {why}, but the filesystem has no room ({Errno.Describe(errno)}); " +
            $"{StorageErrors.Free(space, errno)}. {(write ? "Nothing was written. " : string.Empty)}{StorageErrors.Advice(space, sparseOption: false)}",
            errno, Path, offset, count);
    }

    /// <summary>
    /// Names the cause of a fault at map offset <paramref name="at"/> that is not a truncation: the protection, no
    /// space for a hole, an I/O error reading the page, or (none of these) the page was unavailable.
    /// </summary>
    private MmapException ExplainFault(long offset, long at, long count, bool write)
    {
        string verb = write ? "write" : "read";
        MapProtection protection = PageProtection(at);
        if ((protection & (write ? MapProtection.Write : MapProtection.Read)) == 0)
        {
            return MapErrors.Create(ErrorIds.MapAccessFault, MapErrorCategory.PermissionDenied,
                $"Cannot {verb} offset {at} of map {Id} ({Describe()}): the page's protection is {protection}, which forbids a {verb} (EFAULT)." +
                (write ? " Nothing was written." : string.Empty), Errno.EFAULT, Path, offset, count);
        }

        string nothing = write ? " Nothing was written." : string.Empty;
        if (File is SafeFileHandle io)
        {
            // Files and block devices alike: read the page the fault needed; an I/O error shows here with its errno.
            long page = (Offset + at) & ~(long)(PageSize - 1);
            int ioErrno = ProbeRead(io, page);
            if (ioErrno != 0)
            {
                return MapErrors.Create(ErrorIds.MapIOError, write ? MapErrorCategory.WriteError : MapErrorCategory.ReadError,
                    $"Cannot {verb} offset {at} of map {Id} ({Describe()}): the page at offset {page} of '{Path}' cannot be read from its device ({Errno.Describe(ioErrno)})." +
                    nothing + " Check the device (dmesg); its other pages may still be readable.", ioErrno, Path, offset, count);
            }
        }

        if (File is SafeFileHandle fd && _checkFileSize)
        {
            long page = (Offset + at) & ~(long)(PageSize - 1);

            FileSystemSpace? space = FileSystemSpace.Of(fd, Path!);
            if (SpaceReservation.IsHole(fd, page))
            {
                // Probe the page's storage the way the fault needed it (a read-only descriptor cannot: judge by the free space).
                int e = SpaceReservation.Allocate(fd, Libc.FALLOC_FL_KEEP_SIZE, page, PageSize);
                if (e is Errno.EBADF or Errno.EOPNOTSUPP)
                {
                    e = space is { Size: > 0 } && space.FreeForCaller < PageSize ? Errno.ENOSPC : e;
                }

                if (SpaceReservation.IsNoSpace(e))
                {
                    return StorageFull(e, offset, count, write, PageSize, page);
                }
            }
            else if (write && space is { Size: > 0, FreeForCaller: 0 })
            {
                return StorageFull(Errno.ENOSPC, offset, count, write, PageSize, page);
            }

            // The file covers the page again, but it was modified after the map was made: truncated under the map and
            // grown back (or rewritten, as cp does) before this look. The page was gone when the access needed it.
            // Not for a read-write map, whose own writes move the modification time.
            if (Access != MapAccess.ReadWrite && FileStatus.TryGet(fd, out FileStatus now) == 0 && now.Modified > Created.ToUniversalTime())
            {
                return MapErrors.Create(ErrorIds.FileTruncated, MapErrorCategory.ResourceUnavailable,
                    $"Cannot {verb} byte {Offset + at} of '{Path}' through map {Id}: the page was gone (EFAULT); the file was truncated while mapped " +
                    $"and has since grown back to {now.Size} bytes (modified {now.Modified.ToLocalTime():HH:mm:ss.fff}, after the map was made)." + nothing +
                    " Remove the map and map the file again.", Errno.EFAULT, Path, offset, count);
            }

            return MapErrors.Create(ErrorIds.MapPageUnavailable, MapErrorCategory.ResourceUnavailable,
                $"Cannot {verb} offset {at} of map {Id} ({Describe()}): the kernel could not provide the page at file offset {page} (EFAULT). " +
                $"The file was not truncated, the protection ({protection}) allows the {verb}, the page reads from the file, and " +
                $"{(space is null ? "the free space is unknown" : space.DescribeFree())}." + nothing + " Try again; if it persists, check dmesg.",
                Errno.EFAULT, Path, offset, count);
        }

        return MapErrors.Create(ErrorIds.MapPageUnavailable, MapErrorCategory.ResourceUnavailable,
            $"Cannot {verb} offset {at} of map {Id} ({Describe()}): the kernel could not provide the page (EFAULT), although the protection ({protection}) allows the {verb}" +
            ((Options & MapOptions.HugePages) != 0 ? "; the huge-page pool may be exhausted (see /proc/meminfo HugePages_Free)." : ".") + nothing,
            Errno.EFAULT, Path, offset, count);
    }

    /// <summary>
    /// The protection the kernel has for the page holding map offset <paramref name="at"/>, from /proc/self/maps
    /// (a range may have been protected apart from the rest); the map's recorded protection when that cannot be read.
    /// </summary>
    private MapProtection PageProtection(long at)
    {
        ulong address = Address + (ulong)at;
        try
        {
            foreach (string line in System.IO.File.ReadLines("/proc/self/maps"))
            {
                int dash = line.IndexOf('-', StringComparison.Ordinal);
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                if (dash <= 0 || space <= dash || line.Length < space + 5 ||
                    !ulong.TryParse(line.AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null, out ulong start) ||
                    !ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), System.Globalization.NumberStyles.HexNumber, null, out ulong end))
                {
                    continue;
                }

                if (address >= start && address < end)
                {
                    return (line[space + 1] == 'r' ? MapProtection.Read : 0) | (line[space + 2] == 'w' ? MapProtection.Write : 0) |
                           (line[space + 3] == 'x' ? MapProtection.Execute : 0);
                }
            }

            return MapProtection.None;
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
        {
            return Protection;
        }
    }

    /// <summary>pread of one page at <paramref name="fileOffset"/>: 0 when it reads (or is past the end), else the errno (EIO).</summary>
    private static unsafe int ProbeRead(SafeFileHandle fd, long fileOffset)
    {
        byte* buffer = stackalloc byte[PageSize];
        while (true)
        {
            nint n = Libc.PRead(fd, buffer, (nuint)PageSize, fileOffset);
            if (n >= 0)
            {
                return 0;
            }

            int errno = Libc.LastErrno;
            if (errno != Errno.EINTR)
            {
                return errno;
            }
        }
    }
}
