using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Win32.SafeHandles;
using MmapTools.Interop;

namespace MmapTools.Storage;

/// <summary>
/// Holes and reserved space of a file: SEEK_HOLE/SEEK_DATA find the ranges that have no storage yet, and
/// fallocate(2) reserves it, so that running out of space is an error before a byte is written rather than
/// a fault (SIGBUS, for a program without MmapTools' guarded copy) when a page is first touched.
/// </summary>
internal static class SpaceReservation
{
    /// <summary>fallocate with <paramref name="mode"/> over [offset, offset+length); returns 0 or the errno. EINTR is retried.</summary>
    internal static int Allocate(SafeFileHandle fd, int mode, long offset, long length)
    {
        if (length <= 0)
        {
            return 0;
        }

        while (true)
        {
            if (Libc.FAllocate(fd, mode, offset, length) == 0)
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

    /// <summary>
    /// The holes of the file in [start, end) (file offsets), clipped to the range and to the end of the file.
    /// A filesystem without SEEK_HOLE support reports none (the kernel's default treats the whole file as data).
    /// </summary>
    internal static List<(long Start, long End)> Holes(SafeFileHandle fd, long start, long end)
    {
        var holes = new List<(long, long)>();
        long at = start;
        long size = -1;
        while (at < end)
        {
            long hole = Libc.LSeek(fd, at, Libc.SEEK_HOLE);
            if (hole < 0 || hole >= end)
            {
                // ENXIO: at is at or past the end of the file (a truncation, not a hole); or no hole in the range.
                break;
            }

            long data = Libc.LSeek(fd, hole, Libc.SEEK_DATA);
            long holeEnd;
            if (data >= 0)
            {
                holeEnd = Math.Min(data, end);
            }
            else
            {
                // ENXIO: no data after the hole; the hole runs to the end of the file.
                if (size < 0)
                {
                    size = FileStatus.TryGet(fd, out FileStatus st) == 0 ? st.Size : hole;
                }

                holeEnd = Math.Min(size, end);
            }

            if (holeEnd <= hole)
            {
                break;
            }

            holes.Add((hole, holeEnd));
            at = holeEnd;
        }

        return holes;
    }

    /// <summary>
    /// The bytes of the file that are allocated but hold no data as SEEK_DATA sees it (reserved with fallocate and
    /// never written): st_blocks × 512 minus the data ranges. 0 when it cannot be told.
    /// </summary>
    internal static long ReservedUnwritten(SafeFileHandle fd)
    {
        if (FileStatus.TryGet(fd, out FileStatus st) != 0 || st.Allocated <= 0)
        {
            return 0;
        }

        long data = st.Size - Holes(fd, 0, st.Size).Sum(h => h.End - h.Start);
        return Math.Max(0, st.Allocated - data);
    }

    /// <summary>True when the file has no storage at <paramref name="offset"/> (a hole), as SEEK_DATA sees it.</summary>
    internal static bool IsHole(SafeFileHandle fd, long offset)
    {
        long data = Libc.LSeek(fd, offset, Libc.SEEK_DATA);
        return data < 0 ? Libc.LastErrno == Errno.ENXIO : data > offset;
    }

    /// <summary>
    /// Reserves (fallocate with FALLOC_FL_KEEP_SIZE) every hole of the file in [start, end), widened to whole pages
    /// (a write to one byte of a page makes the whole page need storage) but not past the end of the file.
    /// Returns 0, or the errno of the first reservation that failed with the bytes still needed;
    /// EOPNOTSUPP and EBADF (a filesystem without fallocate, a read-only descriptor) mean "cannot tell".
    /// </summary>
    internal static (int Errno, long Needed, long FirstHole) ReserveHoles(SafeFileHandle fd, long start, long end, int pageSize)
    {
        long lo = start & ~(long)(pageSize - 1);
        long hi = (end + pageSize - 1) & ~(long)(pageSize - 1);
        List<(long Start, long End)> holes = Holes(fd, lo, hi);
        if (holes.Count == 0)
        {
            return (0, 0, -1);
        }

        long needed = 0;
        foreach ((long s, long e) in holes)
        {
            needed += e - s;
        }

        foreach ((long s, long e) in holes)
        {
            int errno = Allocate(fd, Libc.FALLOC_FL_KEEP_SIZE, s, e - s);
            if (errno != 0)
            {
                return (errno, needed, holes[0].Start);
            }
        }

        return (0, needed, holes[0].Start);
    }

    /// <summary>True for the errnos that mean "no room": ENOSPC and EDQUOT.</summary>
    internal static bool IsNoSpace(int errno) => errno is Errno.ENOSPC or Errno.EDQUOT;
}
