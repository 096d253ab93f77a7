using System;
using System.Runtime.InteropServices;
using System.Threading;
using Microsoft.Win32.SafeHandles;
using MmapTools.Interop;

namespace MmapTools.Mapping;

/// <summary>
/// Owns one mmap region and calls munmap when released. Every access takes a reference
/// (DangerousAddRef), so a map in use by one thread or runspace is never unmapped under it:
/// a Dispose from another thread waits for the last reference to drop.
/// </summary>
internal sealed class SafeMapHandle : SafeHandle
{
    internal SafeMapHandle(IntPtr address, nuint length, SafeFileHandle? file = null)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(address);
        MappedLength = length;
        File = file;
    }

    /// <summary>The file behind the map; closed with the map, after the last access has finished.</summary>
    internal SafeFileHandle? File { get; }

    /// <summary>The length given to mmap (the caller's length plus the page-alignment slack).</summary>
    internal nuint MappedLength { get; }

    /// <summary>True once <see cref="ReleaseHandle"/> has run: the range is unmapped and the file closed.</summary>
    internal bool Released => Volatile.Read(ref _released) != 0;

    private int _released;

    public override bool IsInvalid => handle == IntPtr.Zero || handle == Libc.MAP_FAILED;

    protected override bool ReleaseHandle()
    {
        bool unmapped = Libc.MUnmap(handle, MappedLength) == 0;
        File?.Dispose();
        Volatile.Write(ref _released, 1);
        return unmapped;
    }
}
