using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MmapTools.Interop;

/// <summary>Storage: fallocate(2), statvfs(3), SEEK_DATA/SEEK_HOLE and pread(2), to reserve space and find holes.</summary>
internal static partial class Libc
{
    /// <summary>fallocate mode: allocate without changing the file size.</summary>
    internal const int FALLOC_FL_KEEP_SIZE = 0x01;

    /// <summary>lseek whence: the next offset at or after the one given that holds data.</summary>
    internal const int SEEK_DATA = 3;

    /// <summary>lseek whence: the next hole at or after the offset given (the end of the file counts as one).</summary>
    internal const int SEEK_HOLE = 4;

    /// <summary>
    /// struct statvfs: every field is 8 bytes on x86-64 and arm64 (unsigned long, fsblkcnt_t, fsfilcnt_t), then
    /// six ints of padding. Only the fields MmapTools reads are named.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 112)]
    internal struct StatVfs
    {
        [FieldOffset(0)] public ulong BlockSize;
        [FieldOffset(8)] public ulong FragmentSize;
        [FieldOffset(16)] public ulong Blocks;
        [FieldOffset(24)] public ulong BlocksFree;
        [FieldOffset(32)] public ulong BlocksAvailable;
        [FieldOffset(72)] public ulong Flags;
    }

    /// <summary>statfs f_type of tmpfs (and of /dev/shm): reading a hole of it allocates a page.</summary>
    internal const long TMPFS_MAGIC = 0x01021994;

    /// <summary>struct statfs: f_type is the first field, 8 bytes on x86-64 and arm64; the rest is not read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 120)]
    internal struct StatFs
    {
        [FieldOffset(0)] public long Type;
    }

    [LibraryImport(Name, EntryPoint = "fstatfs", SetLastError = true)]
    internal static partial int FStatFs(SafeFileHandle fd, out StatFs buffer);

    [LibraryImport(Name, EntryPoint = "fallocate", SetLastError = true)]
    internal static partial int FAllocate(SafeFileHandle fd, int mode, long offset, long length);

    [LibraryImport(Name, EntryPoint = "fstatvfs", SetLastError = true)]
    internal static partial int FStatVfs(SafeFileHandle fd, out StatVfs buffer);

    [LibraryImport(Name, EntryPoint = "statvfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int StatVfsPath(string path, out StatVfs buffer);

    [LibraryImport(Name, EntryPoint = "pread", SetLastError = true)]
    internal static unsafe partial nint PRead(SafeFileHandle fd, byte* buffer, nuint count, long offset);
}
