using System;
using System.Globalization;
using System.Linq;
using System.IO;
using System.Text;
using Microsoft.Win32.SafeHandles;
using MmapTools.Interop;

namespace MmapTools.Storage;

/// <summary>
/// How full a filesystem is, as statvfs(3) reports it, with the mount point and type from /proc/self/mountinfo:
/// what an error about space names, and what <c>Get-SharedMemory -Summary</c> shows for /dev/shm.
/// </summary>
public sealed class FileSystemSpace
{
    /// <summary>Where the filesystem is mounted, e.g. "/dev/shm"; the path asked when the mount is not found.</summary>
    public string MountPoint { get; init; } = string.Empty;

    /// <summary>The filesystem type, e.g. "tmpfs" or "ext4"; empty when unknown.</summary>
    public string FileSystemType { get; init; } = string.Empty;

    /// <summary>Its total size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>Bytes in use (total minus free, reserved blocks included).</summary>
    public long Used { get; init; }

    /// <summary>Bytes an unprivileged user can still allocate (f_bavail).</summary>
    public long Free { get; init; }

    /// <summary>Bytes this process may allocate: <see cref="Free"/>, or for root the blocks reserved for root as well.</summary>
    internal long FreeForCaller { get; init; }

    /// <summary>True when mounted read-only.</summary>
    public bool IsReadOnly { get; init; }

    /// <summary>Used as a percentage of the size, 0 for an empty or unsized filesystem.</summary>
    public double UsedPercent => Size <= 0 ? 0 : Math.Round(100.0 * Used / Size, 1);

    /// <summary>"/dev/shm (tmpfs): 64 MiB, 60 MiB used (94%), 4 MiB free".</summary>
    public override string ToString() =>
        $"{MountPoint}{(FileSystemType.Length > 0 ? " (" + FileSystemType + ")" : string.Empty)}: {Units.FormatBytes(Size)}, " +
        $"{Units.FormatBytes(Used)} used ({UsedPercent.ToString("0", CultureInfo.InvariantCulture)}%), {Units.FormatBytes(Free)} free";

    /// <summary>"61440 bytes (60 KiB) free of 65536 (64 KiB) on /small (tmpfs)", for messages.</summary>
    internal string DescribeFree() =>
        $"{Free} bytes ({Units.FormatBytes(Free)}) free of {Size} ({Units.FormatBytes(Size)}) on {MountPoint}{(FileSystemType.Length > 0 ? " (" + FileSystemType + ")" : string.Empty)}";

    /// <summary>True when this is the filesystem of POSIX shared memory (/dev/shm).</summary>
    internal bool IsSharedMemory => MountPoint == SharedMemory.Directory;

    /// <summary>The space of the filesystem holding <paramref name="path"/>, or null when statvfs fails.</summary>
    public static FileSystemSpace? Of(string path)
    {
        if (Libc.StatVfsPath(path, out Libc.StatVfs st) != 0)
        {
            return null;
        }

        return From(st, path, FileStatus.TryGet(path, followSymlink: true, out FileStatus fs) == 0 ? fs : null);
    }

    /// <summary>The space of the filesystem holding the open file <paramref name="fd"/> (named <paramref name="path"/>), or null.</summary>
    internal static FileSystemSpace? Of(SafeFileHandle fd, string path)
    {
        if (Libc.FStatVfs(fd, out Libc.StatVfs st) != 0)
        {
            return null;
        }

        return From(st, path, FileStatus.TryGet(fd, out FileStatus fs) == 0 ? fs : null);
    }

    /// <summary>
    /// The bytes this process may allocate on the filesystem of <paramref name="fd"/> (statvfs only), or -1 when
    /// unknown: statvfs failed, or the filesystem reports no blocks at all (FUSE and virtual filesystems may).
    /// </summary>
    internal static long FreeForCallerOf(SafeFileHandle fd)
    {
        if (Libc.FStatVfs(fd, out Libc.StatVfs st) != 0 || st.Blocks == 0)
        {
            return -1;
        }

        long unit = (long)(st.FragmentSize != 0 ? st.FragmentSize : st.BlockSize);
        return unchecked((long)(Libc.GetEUid() == 0 ? st.BlocksFree : st.BlocksAvailable) * unit);
    }

    private static FileSystemSpace From(in Libc.StatVfs st, string path, FileStatus? file)
    {
        long unit = (long)(st.FragmentSize != 0 ? st.FragmentSize : st.BlockSize);
        long size = unchecked((long)st.Blocks * unit);
        long free = unchecked((long)st.BlocksAvailable * unit);
        long used = unchecked((long)(st.Blocks - st.BlocksFree) * unit);
        (string mount, string type) = FindMount(path, file);
        return new FileSystemSpace
        {
            MountPoint = mount,
            FileSystemType = type,
            Size = size,
            Used = used,
            Free = free,
            FreeForCaller = Libc.GetEUid() == 0 ? unchecked((long)st.BlocksFree * unit) : free,
            IsReadOnly = (st.Flags & 1) != 0,
        };
    }

    /// <summary>
    /// The mount point and type of the filesystem holding <paramref name="path"/>: the longest mount point of
    /// /proc/self/mountinfo that is a prefix of the path, preferring one whose device is the file's.
    /// </summary>
    internal static (string MountPoint, string Type) FindMount(string path, FileStatus? file)
    {
        string full;
        try
        {
            full = System.IO.Path.GetFullPath(path);
            string? dir = File.Exists(full) || Directory.Exists(full) ? full : System.IO.Path.GetDirectoryName(full);
            if (dir is not null && new DirectoryInfo(dir).ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                full = target.FullName;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            full = path;
        }

        string best = string.Empty;
        string bestType = string.Empty;
        bool bestDevice = false;
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/self/mountinfo");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (path, string.Empty);
        }

        string device = file is FileStatus f ? $"{f.DevMajor}:{f.DevMinor}" : string.Empty;
        foreach (string line in lines)
        {
            // id parent major:minor root mountpoint options [optional...] - type source superoptions
            string[] parts = line.Split(' ');
            int dash = Array.IndexOf(parts, "-");
            if (parts.Length < 5 || dash < 6 || dash + 1 >= parts.Length)
            {
                continue;
            }

            string mount = Unescape(parts[4]);
            if (!IsUnder(full, mount))
            {
                continue;
            }

            bool sameDevice = device.Length > 0 && parts[2] == device;
            if ((sameDevice && !bestDevice) || (sameDevice == bestDevice && mount.Length >= best.Length))
            {
                best = mount;
                bestType = parts[dash + 1];
                bestDevice = sameDevice;
            }
        }

        return best.Length == 0 ? (path, string.Empty) : (best, bestType);
    }

    private static bool IsUnder(string path, string mount) =>
        mount == "/" || path == mount || (path.StartsWith(mount, StringComparison.Ordinal) && path.Length > mount.Length && path[mount.Length] == '/');

    /// <summary>mountinfo writes space, tab, newline and backslash as \040, \011, \012 and \134.</summary>
    private static string Unescape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            return s;
        }

        var b = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length && s[(i + 1)..(i + 4)].All(c => c is >= '0' and <= '7'))
            {
                b.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                b.Append(s[i]);
            }
        }

        return b.ToString();
    }
}
