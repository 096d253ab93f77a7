using System;

namespace MmapTools;

/// <summary>A file truncated under the map: undoing a failed write, clearing bytes past the new end, checking a copy is still covered.</summary>
public sealed partial class MemoryMap
{
    /// <summary>
    /// Undoes a write that failed: the old bytes where the file still has them, and zeros past its end, where the
    /// kernel zeroed the last page's tail at the truncation (old bytes put back there would show through later reads).
    /// </summary>
    private void PutBack(long offset, Span<byte> old)
    {
        long inFile = old.Length;
        if (_checkFileSize && FileStatus.TryGet(File!, out FileStatus st) == 0)
        {
            inFile = Math.Clamp(st.Size - Offset - offset, 0, old.Length);
        }

        GuardedCopy(offset, old[..(int)inFile], write: true);
        ClearPastEnd(offset, old.Length);
    }

    /// <summary>
    /// Zeroes the bytes of map range [offset, offset+count) that lie past the end of the file now, page by page:
    /// the last page's tail, and, while a truncation is still dropping them, pages wholly past the end (a page
    /// already gone faults, which is ignored). Bytes of ours left there would show through later reads.
    /// </summary>
    private void ClearPastEnd(long offset, long count)
    {
        if (!_checkFileSize || count <= 0 || FileStatus.TryGet(File!, out FileStatus st) != 0 || st.Size >= Offset + offset + count)
        {
            return;
        }

        Span<byte> zeros = stackalloc byte[PageSize];
        zeros.Clear();
        long at = Math.Max(offset, st.Size - Offset);
        long end = offset + count;
        while (at < end)
        {
            long pageEnd = ((_slack + at) / PageSize * PageSize) + PageSize - _slack;
            int n = (int)(Math.Min(end, pageEnd) - at);
            GuardedCopy(at, zeros[..n], write: true);
            at += n;
        }
    }

    /// <summary>
    /// After a copy that did not fault: the kernel keeps the last page of a truncated file mapped and
    /// zero-filled past the new end, so confirm the file still holds the bytes (regular files only).
    /// </summary>
    internal void CheckStillCovered(long offset, long count, bool write) => CheckStillCovered(offset, count, write, out _);

    /// <summary>As above; <paramref name="status"/> is the statx it made (null when none was made or it failed).</summary>
    internal void CheckStillCovered(long offset, long count, bool write, out FileStatus? status)
    {
        status = null;
        if (_checkFileSize && count > 0 && FileStatus.TryGet(File!, out FileStatus st) == 0)
        {
            status = st;
            if (st.Size < Offset + offset + count)
            {
                throw Fault(offset, Math.Max(0, Math.Min(count, st.Size - Offset - offset)), count, write);
            }
        }
    }
}
