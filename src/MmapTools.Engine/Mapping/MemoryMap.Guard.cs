using System;
using System.Threading;
using MmapTools.Interop;

namespace MmapTools;

/// <summary>
/// Guarded access: the reference an access holds (<see cref="Use"/>), the range and write checks, the copy through
/// process_vm_readv/writev, and the errors it explains.
/// </summary>
public sealed partial class MemoryMap
{
    /// <summary>Holds a reference on the map for the duration of an access; throws MapClosed when removed.</summary>
    internal readonly struct Use : IDisposable
    {
        private readonly MemoryMap _owner;

        internal Use(MemoryMap owner)
        {
            _owner = owner;
            bool added = false;
            try
            {
                owner._map.DangerousAddRef(ref added);
            }
            catch (ObjectDisposedException)
            {
                throw MapErrors.Closed(owner);
            }

            // Removed, but other accesses still in flight keep the handle open: this one may not start.
            if (Volatile.Read(ref owner._removed) != 0)
            {
                owner._map.DangerousRelease();
                throw MapErrors.Closed(owner);
            }
        }

        public void Dispose() => _owner._map.DangerousRelease();
    }

    /// <summary>
    /// Throws MapClosed, OffsetInvalid, CountInvalid or AccessOutOfRange unless [offset, offset+count) lies in
    /// the open map, and returns the count: <paramref name="count"/>, or with null the rest of the map from
    /// <paramref name="offset"/>. <paramref name="operation"/> ("read", "write", ...) goes into the message.
    /// </summary>
    public long CheckRange(string operation, long offset, long? count)
    {
        // With no count the range runs to the end: an offset past the end is then the offset's fault, not a count's.
        if (count is null && IsOpen && offset > Length)
        {
            throw MapErrors.OffsetPastEnd(this, operation, offset);
        }

        long n = count ?? Length - Math.Max(0, offset);
        CheckRange(operation, offset, n);
        return n;
    }

    /// <summary>Throws MapClosed, OffsetInvalid, CountInvalid or AccessOutOfRange unless [offset, offset+count) lies in the open map.</summary>
    public void CheckRange(string operation, long offset, long count)
    {
        if (!IsOpen)
        {
            throw MapErrors.Closed(this);
        }

        if (offset < 0)
        {
            throw MapErrors.NegativeOffset(offset, Path);
        }

        if (count < 0)
        {
            throw MapErrors.NegativeCount(count, Path);
        }

        if (offset > Length || count > Length - offset)
        {
            throw MapErrors.OutOfRange(this, operation, offset, count);
        }
    }

    /// <summary>Throws MapReadOnly unless the map can be written.</summary>
    internal void CheckWritable()
    {
        // A removed map is MapClosed first: "map it read-write" would be the wrong advice.
        if (!IsOpen)
        {
            throw MapErrors.Closed(this);
        }

        if (Access == MapAccess.ReadOnly)
        {
            throw MapErrors.Create(ErrorIds.MapReadOnly, MapErrorCategory.PermissionDenied,
                $"Map {Id} ({Describe()}) is read-only; nothing was written. Map it with -Access ReadWrite (writes reach the file) or CopyOnWrite (writes stay in memory).", 0, Path);
        }
    }

    /// <summary>
    /// Copies between <paramref name="buffer"/> and the map at <paramref name="offset"/> through the kernel.
    /// Returns how many bytes were copied before a fault (all of them on success). The caller holds a <see cref="Use"/>.
    /// </summary>
    internal unsafe int GuardedCopy(long offset, Span<byte> buffer, bool write)
    {
        const int MaxChunk = 1 << 30;
        IntPtr mapStart = _map.DangerousGetHandle() + (nint)(_slack + offset);
        int done = 0;
        fixed (byte* local = buffer)
        {
            while (done < buffer.Length)
            {
                int chunk = Math.Min(buffer.Length - done, MaxChunk);
                Libc.IoVec localVec = new() { Base = (IntPtr)(local + done), Length = (nuint)chunk };
                Libc.IoVec remoteVec = new() { Base = mapStart + done, Length = (nuint)chunk };
                nint n = write
                    ? Libc.ProcessVmWriteV(s_pid, &localVec, 1, &remoteVec, 1, 0)
                    : Libc.ProcessVmReadV(s_pid, &localVec, 1, &remoteVec, 1, 0);
                if (n < 0)
                {
                    int errno = Libc.LastErrno;
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }

                    if (errno != Errno.EFAULT)
                    {
                        throw GuardUnavailable(errno, write, offset, buffer.Length);
                    }

                    return done;
                }

                if (n == 0)
                {
                    return done;
                }

                done += (int)n;
            }
        }

        return done;
    }

    /// <summary>process_vm_readv/writev failed with something other than EFAULT: blocked, not a bad page.</summary>
    internal MmapException GuardUnavailable(int errno, bool write, long offset, long count) =>
        MapErrors.Create(ErrorIds.GuardedAccessUnavailable, MapErrorCategory.NotEnabled,
            $"Cannot {(write ? "write" : "read")} map {Id} ({Describe()}): process_vm_{(write ? "writev" : "readv")} failed with {Errno.Describe(errno)}. " +
            "MmapTools copies through it so a bad page is an error instead of a crash; a seccomp profile (some containers) blocks it.", errno, Path, offset, count);

    /// <summary>
    /// Explains a fault at map offset <paramref name="offset"/> + <paramref name="done"/>: a truncated file, the protection,
    /// no space for a hole, an I/O error, or an unavailable page (see MemoryMap.Storage.cs).
    /// </summary>
    internal MmapException Fault(long offset, long done, long count, bool write)
    {
        long at = offset + done;
        string verb = write ? "write" : "read";
        if (File is not null && FileStatus.TryGet(File, out FileStatus st) == 0 && st.Size <= Offset + at)
        {
            return MapErrors.Create(ErrorIds.FileTruncated, MapErrorCategory.ResourceUnavailable,
                $"Cannot {verb} byte {Offset + at} of '{Path}' through map {Id}: the file is now {st.Size} bytes, it was truncated while mapped (EFAULT). " +
                (write ? "Nothing was written. " : string.Empty) + "Remove the map and map the file again.", Errno.EFAULT, Path, offset, count);
        }

        return ExplainFault(offset, at, count, write);
    }
}
