using System;
using Microsoft.Win32.SafeHandles;
using MmapTools.Interop;

namespace MmapTools;

/// <summary>What kind of file a path or descriptor names.</summary>
public enum FileKind
{
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A block device.</summary>
    BlockDevice,
    /// <summary>A character device.</summary>
    CharacterDevice,
    /// <summary>A FIFO (named pipe).</summary>
    Fifo,
    /// <summary>A socket.</summary>
    Socket,
    /// <summary>A symbolic link (only when not followed).</summary>
    SymbolicLink,
    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>The subset of statx(2) MmapTools uses.</summary>
internal readonly record struct FileStatus(FileKind Kind, long Size, int Mode, uint Uid, uint Gid, ulong Inode, uint DevMajor, uint DevMinor)
{
    /// <summary>The bytes the file really occupies (st_blocks × 512): less than <see cref="Size"/> for a sparse file.</summary>
    internal long Allocated { get; init; }

    internal static FileStatus From(in Libc.StatX st) => new(
        (st.Mode & Libc.S_IFMT) switch
        {
            Libc.S_IFREG => FileKind.Regular,
            Libc.S_IFDIR => FileKind.Directory,
            Libc.S_IFBLK => FileKind.BlockDevice,
            Libc.S_IFCHR => FileKind.CharacterDevice,
            Libc.S_IFIFO => FileKind.Fifo,
            Libc.S_IFSOCK => FileKind.Socket,
            Libc.S_IFLNK => FileKind.SymbolicLink,
            _ => FileKind.Other,
        },
        unchecked((long)st.Size), st.Mode & 0xFFF, st.Uid, st.Gid, st.Inode, st.DevMajor, st.DevMinor)
    {
        Allocated = unchecked((long)st.Blocks * 512),
        Modified = DateTime.UnixEpoch.AddTicks((st.MTimeSeconds * TimeSpan.TicksPerSecond) + (st.MTimeNanoseconds / 100)),
    };

    /// <summary>The last modification (st_mtime), UTC; a truncation sets it.</summary>
    public DateTime Modified { get; init; }

    /// <summary>statx on an open descriptor; returns errno on failure.</summary>
    internal static int TryGet(SafeFileHandle fd, out FileStatus status)
    {
        if (Libc.StatXFd(fd, string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out Libc.StatX st) != 0)
        {
            status = default;
            return Libc.LastErrno;
        }

        status = From(st);
        return 0;
    }

    /// <summary>statx on a path, optionally not following a final symlink; returns errno on failure.</summary>
    internal static int TryGet(string path, bool followSymlink, out FileStatus status)
    {
        if (Libc.StatXPath(Libc.AT_FDCWD, path, followSymlink ? 0 : Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out Libc.StatX st) != 0)
        {
            status = default;
            return Libc.LastErrno;
        }

        status = From(st);
        return 0;
    }
}
