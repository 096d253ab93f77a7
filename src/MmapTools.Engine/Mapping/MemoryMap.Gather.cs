using System;
using MmapTools.Interop;

namespace MmapTools;

public sealed partial class MemoryMap
{
    /// <summary>How many ranges one process_vm_readv call takes (IOV_MAX).</summary>
    private const int MaxIoVecs = 1024;

    /// <summary>
    /// Gathers <paramref name="count"/> bytes from each of <paramref name="offsets"/> into
    /// <paramref name="destination"/> (range i lands at i * count), up to 1,024 ranges per system call.
    /// Random reads of small records cost one call per 1,024 records instead of one each; every range is
    /// bounds-checked and guarded as <see cref="Read(long, Span{byte})"/> is.
    /// </summary>
    public unsafe void ReadMany(ReadOnlySpan<long> offsets, int count, Span<byte> destination)
    {
        if (count < 0)
        {
            throw MapErrors.NegativeCount(count, Path);
        }

        long needed = (long)offsets.Length * count;
        if (destination.Length < needed)
        {
            throw MapErrors.Create(ErrorIds.AccessOutOfRange, MapErrorCategory.InvalidArgument,
                $"The destination holds {destination.Length} bytes; {offsets.Length} ranges of {count} bytes need {needed}.", 0, Path, null, needed);
        }

        foreach (long offset in offsets)
        {
            CheckRange("read", offset, count);
        }

        if (count == 0 || offsets.IsEmpty)
        {
            return;
        }

        using var use = new Use(this);
        if (TryReadManyDirect(offsets, count, destination))
        {
            return;
        }

        IntPtr mapStart = _map.DangerousGetHandle() + (nint)_slack;
        Libc.IoVec* remote = stackalloc Libc.IoVec[MaxIoVecs];
        int batchSize = Math.Max(1, Math.Min(MaxIoVecs, (1 << 30) / count));
        fixed (byte* local = destination)
        {
            for (int first = 0; first < offsets.Length; first += batchSize)
            {
                int n = Math.Min(batchSize, offsets.Length - first);
                long maxOffset = 0;
                bool zeroTail;
                for (int i = 0; i < n; i++)
                {
                    long offset = offsets[first + i];
                    remote[i] = new Libc.IoVec { Base = mapStart + (nint)offset, Length = (nuint)count };
                    maxOffset = Math.Max(maxOffset, offset);
                }

                long bytes = (long)n * count;
                Libc.IoVec localVec = new() { Base = (IntPtr)(local + ((long)first * count)), Length = (nuint)bytes };
                long done = 0;
                while (done < bytes)
                {
                    nint got = Libc.ProcessVmReadV(s_pid, &localVec, 1, remote, (nuint)n, 0);
                    if (got < 0 && Libc.LastErrno == Errno.EINTR)
                    {
                        continue;
                    }

                    if (got < bytes)
                    {
                        int errno = got < 0 ? Libc.LastErrno : Errno.EFAULT;
                        long copied = Math.Max(0, (long)got);
                        int bad = first + (int)(copied / count);
                        if (errno != Errno.EFAULT)
                        {
                            throw GuardUnavailable(errno, write: false, offsets[bad], count);
                        }

                        // Name the first range not wholly copied.
                        throw Fault(offsets[bad], (int)(copied % count), count, write: false);
                    }

                    done = got;
                }

                // As in Read: ranges holding no zero byte were in the file when copied, except in a private copy.
                zeroTail = Access == MapAccess.CopyOnWrite || destination.Slice(first * count, n * count).IndexOf((byte)0) >= 0;

                if (zeroTail)
                {
                    CheckStillCovered(maxOffset, count, write: false);
                }
            }
        }
    }

    /// <summary>
    /// The gathered read straight out of the map (MemoryMap.Direct.cs), when the ranges are dense enough that
    /// populating the span they cover in one call costs less than a guarded copy per range: at most 16 pages of
    /// span per range. False (nothing copied) when the direct path cannot be had; the guarded gather runs then.
    /// </summary>
    private unsafe bool TryReadManyDirect(ReadOnlySpan<long> offsets, int count, Span<byte> destination)
    {
        if (offsets.Length < 64)
        {
            return false;
        }

        long lo = long.MaxValue, hi = 0;
        foreach (long offset in offsets)
        {
            lo = Math.Min(lo, offset);
            hi = Math.Max(hi, offset + count);
        }

        long spanPages = ((hi - lo) / PageSize) + 2;
        if (spanPages > (long)offsets.Length * (2 + (count / PageSize)) * 8 || !EnterDirect())
        {
            return false;
        }

        try
        {
            // One window for the whole span: the lease is checked and every page populated (errors, not SIGBUS).
            if (!DirectReady(lo, hi - lo))
            {
                return false;
            }

            byte* start = DirectPointer(0);
            fixed (byte* local = destination)
            {
                for (int i = 0; i < offsets.Length; i++)
                {
                    Buffer.MemoryCopy(start + offsets[i], local + ((long)i * count), count, count);
                }
            }

            return true;
        }
        finally
        {
            ExitDirect();
        }
    }
}
