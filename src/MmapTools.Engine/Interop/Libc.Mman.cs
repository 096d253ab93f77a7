using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MmapTools.Interop;

internal static partial class Libc
{
    /// <summary>What mmap returns on failure: (void*)-1, not NULL.</summary>
    internal static readonly IntPtr MAP_FAILED = new(-1);

    [Flags]
    internal enum Prot
    {
        None = 0x0,
        Read = 0x1,
        Write = 0x2,
        Exec = 0x4,
    }

    [Flags]
    internal enum MapFlags
    {
        Shared = 0x01,
        Private = 0x02,
        Fixed = 0x10,
        Anonymous = 0x20,
        Locked = 0x2000,
        NoReserve = 0x4000,
        Populate = 0x8000,
        HugeTlb = 0x40000,
    }

    [Flags]
    internal enum MsyncFlags
    {
        Async = 0x1,
        Invalidate = 0x2,
        Sync = 0x4,
    }

    internal const int MADV_NORMAL = 0;
    internal const int MADV_RANDOM = 1;
    internal const int MADV_SEQUENTIAL = 2;
    internal const int MADV_WILLNEED = 3;
    internal const int MADV_DONTNEED = 4;
    internal const int MADV_HUGEPAGE = 14;
    internal const int MADV_NOHUGEPAGE = 15;
    internal const int MADV_POPULATE_READ = 22;
    internal const int MADV_POPULATE_WRITE = 23;

    [LibraryImport(Name, EntryPoint = "mmap", SetLastError = true)]
    internal static partial IntPtr MMap(IntPtr address, nuint length, Prot prot, MapFlags flags, SafeFileHandle fd, long offset);

    [LibraryImport(Name, EntryPoint = "mmap", SetLastError = true)]
    internal static partial IntPtr MMapAnonymous(IntPtr address, nuint length, Prot prot, MapFlags flags, int fd, long offset);

    [LibraryImport(Name, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int MUnmap(IntPtr address, nuint length);

    [LibraryImport(Name, EntryPoint = "msync", SetLastError = true)]
    internal static partial int MSync(IntPtr address, nuint length, MsyncFlags flags);

    [LibraryImport(Name, EntryPoint = "mprotect", SetLastError = true)]
    internal static partial int MProtect(IntPtr address, nuint length, Prot prot);

    [LibraryImport(Name, EntryPoint = "madvise", SetLastError = true)]
    internal static partial int MAdvise(IntPtr address, nuint length, int advice);

    [LibraryImport(Name, EntryPoint = "mlock", SetLastError = true)]
    internal static partial int MLock(IntPtr address, nuint length);

    [LibraryImport(Name, EntryPoint = "munlock", SetLastError = true)]
    internal static partial int MUnlock(IntPtr address, nuint length);

    [LibraryImport(Name, EntryPoint = "mincore", SetLastError = true)]
    internal static unsafe partial int MInCore(IntPtr address, nuint length, byte* vector);
}
