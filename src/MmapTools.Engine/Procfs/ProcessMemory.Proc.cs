using System;
using System.Buffers;
using System.Globalization;
using System.Text;
using MmapTools.Interop;

namespace MmapTools.Procfs;

/// <summary>The /proc/PID files themselves: whether the process exists, its stat and comm, opening and reading them, map_files.</summary>
public static partial class ProcessMemory
{
    private const uint PF_KTHREAD = 0x00200000;

    /// <summary>Whether /proc/PID exists (a live process or a zombie).</summary>
    public static bool Exists(int pid) => pid > 0 && System.IO.Directory.Exists(ProcPath(pid, null));

    /// <summary>The process's comm (/proc/PID/comm), or null when it cannot be read.</summary>
    public static string? ReadComm(int pid)
    {
        try
        {
            byte[] b = ReadSmall(ProcPath(pid, "comm"), pid, "read the name");
            int n = b.Length;
            if (n > 0 && b[n - 1] == '\n')
            {
                n--;
            }

            return Encoding.UTF8.GetString(b, 0, n);
        }
        catch (MmapException)
        {
            return null;
        }
    }

    /// <summary>The state letter and the flags of /proc/PID/stat, or null when the process is gone.</summary>
    internal static (char State, uint Flags)? ReadStat(int pid)
    {
        byte[] b;
        try
        {
            b = ReadSmall(ProcPath(pid, "stat"), pid, "read the status");
        }
        catch (MmapException)
        {
            return null;
        }

        // "pid (comm) S ppid pgrp session tty tpgid flags ..."; comm may hold spaces and parentheses.
        int close = Array.LastIndexOf(b, (byte)')');
        if (close < 0 || close + 2 >= b.Length)
        {
            return null;
        }

        string[] f = Encoding.ASCII.GetString(b, close + 2, b.Length - close - 2).Split(' ');
        uint flags = f.Length > 6 && uint.TryParse(f[6], NumberStyles.None, CultureInfo.InvariantCulture, out uint fl) ? fl : 0;
        return (f[0].Length > 0 ? f[0][0] : '?', flags);
    }

    /// <summary>True when PID is a kernel thread (PF_KTHREAD): it has no address space.</summary>
    public static bool IsKernelThread(int pid) => ReadStat(pid) is { } s && (s.Flags & PF_KTHREAD) != 0;

    /// <summary>True when the process is gone or a zombie (its address space is gone).</summary>
    internal static bool HasExited(int pid) => ReadStat(pid) is not { } s || s.State is 'Z' or 'X' or 'x';

    internal static string ProcPath(int pid, string? file) =>
        file is null ? "/proc/" + pid.ToString(CultureInfo.InvariantCulture) : "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/" + file;

    internal static int OpenProc(string file, int pid, string what)
    {
        if (pid <= 0)
        {
            throw ProcfsErrors.FromErrno(Errno.ENOENT, pid, file, what);
        }

        while (true)
        {
            int fd = Libc.Open(file, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            if (fd >= 0)
            {
                return fd;
            }

            int errno = Libc.LastErrno;
            if (errno != Errno.EINTR)
            {
                throw ProcfsErrors.FromErrno(errno, pid, file, what);
            }
        }
    }

    /// <summary>Reads a small /proc file to EOF.</summary>
    internal static unsafe byte[] ReadSmall(string file, int pid, string what)
    {
        int fd = OpenProc(file, pid, what);
        try
        {
            byte[] buf = new byte[4096];
            int len = 0;
            while (true)
            {
                if (len == buf.Length)
                {
                    Array.Resize(ref buf, buf.Length * 2);
                }

                nint n;
                fixed (byte* p = &buf[len])
                {
                    n = Libc.Read(fd, p, (nuint)(buf.Length - len));
                }

                if (n < 0)
                {
                    int errno = Libc.LastErrno;
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }

                    throw ProcfsErrors.FromErrno(errno, pid, file, what);
                }

                if (n == 0)
                {
                    return buf.AsSpan(0, len).ToArray();
                }

                len += (int)n;
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>readlink of /proc/PID/map_files/START-END: the exact bytes of the mapped file's path, or null when not permitted.</summary>
    internal static unsafe byte[]? ReadMapFile(int pid, ulong start, ulong end, out bool deleted)
    {
        deleted = false;
        string link = ProcPath(pid, "map_files/" + start.ToString("x", CultureInfo.InvariantCulture) + "-" + end.ToString("x", CultureInfo.InvariantCulture));
        byte[] buf = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            nint n;
            fixed (byte* p = buf)
            {
                n = Libc.ReadLink(link, p, (nuint)buf.Length);
            }

            if (n <= 0 || n >= buf.Length)
            {
                return null;
            }

            // The link says " (deleted)" for a deleted file, and so would a file of that name: the inode's link count
            // settles it; and when the inode is still linked elsewhere (a file renamed over its name, a hard link
            // kept), whether a file of that literal name is this inode.
            if (Libc.StatXPath(Libc.AT_FDCWD, link, 0, Libc.STATX_BASIC_STATS, out Libc.StatX st) == 0)
            {
                deleted = st.NLink == 0;
            }
            else
            {
                return null;
            }

            ReadOnlySpan<byte> target = buf.AsSpan(0, (int)n);
            if (!deleted && target.EndsWith(" (deleted)"u8) && target.Length > 0 && target[0] == (byte)'/')
            {
                string literal = ProcPath(pid, "root") + System.Text.Encoding.UTF8.GetString(target);
                deleted = Libc.StatXPath(Libc.AT_FDCWD, literal, 0, Libc.STATX_BASIC_STATS, out Libc.StatX lit) != 0 ||
                          lit.Inode != st.Inode || lit.DevMajor != st.DevMajor || lit.DevMinor != st.DevMinor;
            }

            if (deleted && target.EndsWith(" (deleted)"u8))
            {
                target = target[..^10];
            }

            return target.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }
}
