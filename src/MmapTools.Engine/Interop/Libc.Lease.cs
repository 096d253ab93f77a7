using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MmapTools.Interop;

/// <summary>fcntl(2) file leases: the truncation barrier that lets reads touch a file map directly.</summary>
internal static partial class Libc
{
    internal const int F_SETSIG = 10;
    internal const int F_SETLEASE = 1024;
    internal const int F_GETLEASE = 1025;
    internal const int F_RDLCK = 0;
    internal const int F_UNLCK = 2;

    /// <summary>SIGURG: ignored by default and unused by .NET, so a lease break signalled with it harms nobody.</summary>
    internal const int SIGURG = 23;

    // Local filesystems whose files change size only through the kernel's own truncate/open paths, which break leases.
    internal const long EXT4_SUPER_MAGIC = 0xEF53;
    internal const long XFS_SUPER_MAGIC = 0x58465342;
    internal const long BTRFS_SUPER_MAGIC = 0x9123683E;
    internal const long F2FS_SUPER_MAGIC = 0xF2F52010;
    internal const long BCACHEFS_SUPER_MAGIC = 0xCA451A4E;

    [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int FcntlInt(SafeFileHandle fd, int command, int argument);
}
