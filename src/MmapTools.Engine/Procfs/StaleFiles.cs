using System;
using System.Collections.Generic;
using System.Globalization;
using MmapTools.Interop;

namespace MmapTools;

/// <summary>Why a mapped file is not the file now at its path (what needrestart and lsof +L1 look for).</summary>
public enum VmaStaleReason
{
    /// <summary>The mapped file is the one at its path.</summary>
    Current,
    /// <summary>The mapped file was deleted: the kernel's " (deleted)", its link count is 0 (lsof's DEL).</summary>
    Deleted,
    /// <summary>The path now holds another file (another inode), as after a package upgrade that renamed a new file over the old one.</summary>
    Replaced,
    /// <summary>Nothing is at the path any more, but the mapped file still has links elsewhere.</summary>
    Missing,
}

/// <summary>
/// Compares mapped files with the files now at their paths, as each process sees them (through
/// /proc/PID/root, so processes in containers and chroots are judged by their own file system). Caches one stat
/// per path and mount namespace for the life of the object.
/// </summary>
public sealed class StaleFileCheck
{
    private readonly Dictionary<(ulong, string), (int Errno, ulong Inode)> _stats = new();
    private readonly Dictionary<int, ulong> _namespaces = new();

    /// <summary>How many paths were looked up (stat calls made).</summary>
    public int Lookups { get; private set; }

    /// <summary>Why the VMA's file is stale, <see cref="VmaStaleReason.Current"/> when it is not, or null for a VMA that maps no file or whose path cannot be checked.</summary>
    public VmaStaleReason? Check(ProcessVma vma)
    {
        if (vma.Kind is not (VmaKind.File or VmaKind.SharedMemory) || vma.Path is null || vma.Inode == 0)
        {
            return null;
        }

        if (vma.IsDeleted)
        {
            return VmaStaleReason.Deleted;
        }

        if (vma.Kind == VmaKind.SharedMemory && !vma.Path.StartsWith("/dev/shm/", StringComparison.Ordinal))
        {
            return null;
        }

        ulong ns = Namespace(vma.ProcessId);
        if (!_stats.TryGetValue((ns, vma.Path), out (int Errno, ulong Inode) st))
        {
            Lookups++;
            string seen = vma.ProcessId > 0 ? ProcessMemory.ProcPath(vma.ProcessId, "root") + vma.Path : vma.Path;
            st = Libc.StatXPath(Libc.AT_FDCWD, seen, 0, Libc.STATX_BASIC_STATS, out Libc.StatX sx) == 0 ? (0, sx.Inode) : (Libc.LastErrno, 0);
            _stats[(ns, vma.Path)] = st;
        }

        return st.Errno switch
        {
            0 => st.Inode == vma.Inode ? VmaStaleReason.Current : VmaStaleReason.Replaced,
            Errno.ENOENT or Errno.ENOTDIR => VmaStaleReason.Missing,
            _ => null,
        };
    }

    // The mount namespace's inode: processes sharing it see the same files at the same paths.
    private ulong Namespace(int pid)
    {
        if (pid <= 0)
        {
            return 0;
        }

        if (!_namespaces.TryGetValue(pid, out ulong ns))
        {
            ns = Libc.StatXPath(Libc.AT_FDCWD, "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/ns/mnt", 0, Libc.STATX_BASIC_STATS, out Libc.StatX sx) == 0
                ? sx.Inode
                : (ulong)pid << 32;
            _namespaces[pid] = ns;
        }

        return ns;
    }
}
