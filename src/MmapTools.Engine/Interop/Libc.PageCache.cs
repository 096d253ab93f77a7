using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MmapTools.Interop;

/// <summary>The page cache: cachestat(2), fdatasync, and the permission checks mincore's answer depends on.</summary>
internal static partial class Libc
{
    /// <summary>cachestat(2): 451 in the generic syscall table (arm64) and on x86-64 alike; Linux 6.5+.</summary>
    internal const long SYS_cachestat = 451;

    internal const int MADV_COLD = 20;
    internal const int MADV_PAGEOUT = 21;

    internal const int W_OK = 2;
    internal const int AT_EACCESS = 0x200;

    /// <summary>struct cachestat_range: a byte range of the file; Length 0 means "to the end".</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct CacheStatRange
    {
        public ulong Offset;
        public ulong Length;
    }

    /// <summary>struct cachestat: page counts over the range.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct CacheStat
    {
        public ulong Cache;
        public ulong Dirty;
        public ulong Writeback;
        public ulong Evicted;
        public ulong RecentlyEvicted;
    }

    /// <summary>
    /// cachestat(fd, range, stat, 0) through syscall(2): glibc has no wrapper. syscall is variadic, but every
    /// argument is register-sized, which is how the variadic convention passes them on x86-64 and arm64.
    /// </summary>
    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    internal static unsafe partial long SysCacheStat(long number, SafeFileHandle fd, CacheStatRange* range, CacheStat* stat, long flags);

    /// <summary>cachestat over bytes [offset, offset+length) of <paramref name="fd"/>: 0 and the counts, or errno.</summary>
    internal static unsafe int CacheStatOf(SafeFileHandle fd, long offset, long length, out CacheStat stat)
    {
        CacheStatRange range = new() { Offset = (ulong)offset, Length = (ulong)length };
        CacheStat result = default;
        long rc = SysCacheStat(SYS_cachestat, fd, &range, &result, 0);
        stat = result;
        return rc == 0 ? 0 : LastErrno;
    }

    [LibraryImport(Name, EntryPoint = "fdatasync", SetLastError = true)]
    internal static partial int FDataSync(SafeFileHandle fd);

    [LibraryImport(Name, EntryPoint = "faccessat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int FAccessAt(int dirfd, string path, int mode, int flags);

    [LibraryImport(Name, EntryPoint = "geteuid")]
    internal static partial uint GetEUid();
}
