using System;
using System.Buffers;
using System.Runtime.InteropServices;

namespace MmapTools;

/// <summary>Reading, writing and copying bytes of the map, each through the guarded copy.</summary>
public sealed partial class MemoryMap
{
    /// <summary>Copies <paramref name="destination"/>.Length bytes from map offset <paramref name="offset"/>.</summary>
    public void Read(long offset, Span<byte> destination)
    {
        CheckRange("read", offset, destination.Length);
        using var use = new Use(this);
        CheckReadAllocation(offset, destination.Length);
        if (destination.Length >= DirectReadMinimum && TryReadDirect(offset, destination))
        {
            return;
        }

        ReadGuarded(offset, destination);
    }

    /// <summary>
    /// Reads of this many bytes or more try the direct path (MemoryMap.Direct.cs): below it the lease and populate
    /// calls cost more than the copy through the kernel saves.
    /// </summary>
    internal const int DirectReadMinimum = 64 << 10;

    /// <summary>Direct read window: the lease is checked and the pages populated this many bytes at a time.</summary>
    internal const int DirectWindow = 4 << 20;

    /// <summary>
    /// Copies [offset, offset+destination.Length) straight out of the map, a window at a time, inside a direct
    /// section; a window that is not ready goes through the guarded copy. False when no direct section can be had.
    /// The caller holds a <see cref="Use"/> and has checked the range.
    /// </summary>
    private unsafe bool TryReadDirect(long offset, Span<byte> destination)
    {
        if (!EnterDirect())
        {
            return false;
        }

        try
        {
            for (int at = 0; at < destination.Length; at += DirectWindow)
            {
                int n = Math.Min(DirectWindow, destination.Length - at);
                Span<byte> part = destination.Slice(at, n);
                if (DirectReady(offset + at, n))
                {
                    new ReadOnlySpan<byte>(DirectPointer(offset + at), n).CopyTo(part);
                }
                else
                {
                    ReadGuarded(offset + at, part);
                }
            }
        }
        finally
        {
            ExitDirect();
        }

        return true;
    }

    /// <summary>The guarded read of a checked range (the caller holds a <see cref="Use"/>).</summary>
    internal void ReadGuarded(long offset, Span<byte> destination)
    {
        int done = GuardedCopy(offset, destination, write: false);
        if (done < destination.Length)
        {
            throw Fault(offset, done, destination.Length, write: false);
        }

        // A truncation sets the new size first, then zeroes the last page past it (while this copy may run) and
        // drops the pages beyond. So a copy holding no zero byte at all saw none of it: every byte is what the file
        // held before, and no statx is needed. Not the last byte alone: the copy can overtake the kernel's zeroing,
        // reading zeros then old bytes. This holds for shared maps, where no write of ours leaves bytes past the
        // end (ClearPastEnd); a private copy of the last page keeps its old bytes past the new end, so copy-on-write
        // maps always check.
        if (destination.Length > 0 && (Access == MapAccess.CopyOnWrite || destination.IndexOf((byte)0) >= 0))
        {
            CheckStillCovered(offset, destination.Length, write: false);
        }
    }

    /// <summary>Reads <paramref name="count"/> bytes from map offset <paramref name="offset"/>.</summary>
    public byte[] Read(long offset, int count)
    {
        if (count < 0)
        {
            throw MapErrors.NegativeCount(count, Path);
        }

        byte[] result = GC.AllocateUninitializedArray<byte>(count);
        Read(offset, result);
        return result;
    }

    /// <summary>Reads one unmanaged value (native byte order) at <paramref name="offset"/>.</summary>
    public T Read<T>(long offset) where T : unmanaged
    {
        T value = default;
        Read(offset, MemoryMarshal.AsBytes(new Span<T>(ref value)));
        return value;
    }

    /// <summary>
    /// Writes <paramref name="data"/> at map offset <paramref name="offset"/>. All or nothing: if a
    /// page faults part-way (the file was truncated), the bytes already written are put back.
    /// </summary>
    public void Write(long offset, ReadOnlySpan<byte> data) => Write(offset, data, ReadOnlySpan<byte>.Empty, checkExpected: false);

    /// <summary>
    /// Writes <paramref name="data"/> only if the bytes at <paramref name="offset"/> are
    /// <paramref name="expected"/>; otherwise throws ExpectMismatch and writes nothing.
    /// </summary>
    public void Write(long offset, ReadOnlySpan<byte> data, ReadOnlySpan<byte> expected) => Write(offset, data, expected, checkExpected: true);

    /// <summary>Writes one unmanaged value (native byte order) at <paramref name="offset"/>.</summary>
    public void Write<T>(long offset, T value) where T : unmanaged =>
        Write(offset, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(ref value)));

    private void Write(long offset, ReadOnlySpan<byte> data, ReadOnlySpan<byte> expected, bool checkExpected)
    {
        CheckWritable();
        CheckRange("write", offset, data.Length);
        if (checkExpected)
        {
            CheckRange("compare", offset, expected.Length);
        }

        using var use = new Use(this);

        Span<byte> source = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(data), data.Length);
        if (!checkExpected && WithinOnePage(offset, data.Length))
        {
            // The kernel copies page by page, so a write inside one page faults before any byte lands:
            // it is all or nothing by itself. Only the zero tail of a truncated file's last page would
            // swallow bytes silently, so confirm the file covers the range first. A hole under the page gets its
            // storage first (the statx just made tells whether the file can have holes at all).
            CheckStillCovered(offset, data.Length, write: true, out FileStatus? status);
            ReserveForWrite(offset, data.Length, status);
            int n = GuardedCopy(offset, source, write: true);
            if (n < data.Length)
            {
                throw Fault(offset, n, data.Length, write: true);
            }

            // A truncation between the check and the copy: the write came first, and the kernel would have
            // zeroed what it put past the new end, so do that (later reads must not find those bytes).
            ClearPastEnd(offset, data.Length);
            return;
        }

        // Holes under the range get their storage first: a full filesystem is an error before any byte is written.
        ReserveForWrite(offset, data.Length);
        int keep = Math.Max(data.Length, checkExpected ? expected.Length : 0);
        byte[] old = ArrayPool<byte>.Shared.Rent(keep);
        try
        {
            Span<byte> before = old.AsSpan(0, keep);
            int read = GuardedCopy(offset, before, write: false);
            if (read < keep)
            {
                throw Fault(offset, read, keep, write: true);
            }

            if (checkExpected && !before[..expected.Length].SequenceEqual(expected))
            {
                int at = before[..expected.Length].CommonPrefixLength(expected);
                throw MapErrors.Create(ErrorIds.ExpectMismatch, MapErrorCategory.InvalidData,
                    $"Nothing was written to map {Id} ({Describe()}): at offset {offset + at} the map holds {Hex.Format(before.Slice(at, Math.Min(16, expected.Length - at)))} " +
                    $"where {Hex.Format(expected.Slice(at, Math.Min(16, expected.Length - at)))} was expected.", 0, Path, offset, expected.Length);
            }

            int written = GuardedCopy(offset, source, write: true);
            if (written < data.Length)
            {
                // Put back what went in before the fault, so the write is all or nothing.
                PutBack(offset, before[..written]);
                throw Fault(offset, written, data.Length, write: true);
            }

            try
            {
                CheckStillCovered(offset, data.Length, write: true);
            }
            catch (MmapException)
            {
                // The tail of the last page outlives a truncation; bytes written there never reach the file.
                PutBack(offset, before[..data.Length]);
                throw;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }

    private bool WithinOnePage(long offset, int count)
    {
        if (count <= 1)
        {
            return true;
        }

        long first = _slack + offset;
        return first / PageSize == (first + count - 1) / PageSize;
    }

    /// <summary>Copies <paramref name="count"/> bytes inside the map, as memmove (overlap allowed).</summary>
    public void Copy(long sourceOffset, long destinationOffset, long count)
    {
        CheckWritable();
        CheckRange("copy from", sourceOffset, count);
        CheckRange("copy to", destinationOffset, count);
        using var use = new Use(this);

        // Bytes past the end of a truncated file are gone: they are neither copied nor copied over.
        CheckStillCovered(sourceOffset, count, write: false);
        CheckStillCovered(destinationOffset, count, write: true);
        CheckReadAllocation(sourceOffset, count);
        ReserveForWrite(destinationOffset, count);
        const int Chunk = 1 << 20;
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(count, Chunk));
        try
        {
            bool backwards = destinationOffset > sourceOffset;
            long remaining = count;
            while (remaining > 0)
            {
                int n = (int)Math.Min(remaining, Chunk);
                long at = backwards ? remaining - n : count - remaining;
                Span<byte> span = buffer.AsSpan(0, n);
                int got = GuardedCopy(sourceOffset + at, span, write: false);
                if (got < n)
                {
                    throw Fault(sourceOffset + at, got, n, write: false);
                }

                int put = GuardedCopy(destinationOffset + at, span, write: true);
                if (put < n)
                {
                    throw Fault(destinationOffset + at, put, n, write: true);
                }

                remaining -= n;
            }

            // A truncation during the copy: nothing stays past the new end, and zeros read there were not the file's.
            ClearPastEnd(destinationOffset, count);
            CheckStillCovered(sourceOffset, count, write: false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
