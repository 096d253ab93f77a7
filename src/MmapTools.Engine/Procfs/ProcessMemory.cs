using System;
using System.Collections.Generic;
using MmapTools.Interop;

namespace MmapTools.Procfs;

/// <summary>
/// A process's address space from /proc: its VMAs (maps, smaps), grouped or in total (smaps_rollup).
/// Everything returned is a snapshot; nothing holds the process or a file open afterwards.
/// </summary>
/// <remarks>
/// This part opens the VMA readers (<see cref="VmaReader"/>) and groups their VMAs; the totals are in
/// ProcessMemory.Rollup.cs, and reading /proc/PID files (stat, comm, map_files) in ProcessMemory.Proc.cs.
/// </remarks>
public static partial class ProcessMemory
{
    /// <summary>
    /// The buffer for reading /proc files. procfs seq files hand out at most their own buffer (one page) per
    /// read(2) today, so this only bounds a future kernel's larger answers; lines are parsed in place from it.
    /// </summary>
    internal const int ChunkSize = 256 * 1024;

    /// <summary>
    /// Opens /proc/PID/maps (or smaps when <paramref name="detailed"/>) and returns a reader that streams one
    /// <see cref="ProcessVma"/> per VMA as it is parsed. Errors about the process (ProcessNotFound,
    /// ProcessAccessDenied) are thrown here; ProcessExited and ProcfsLineInvalid while enumerating.
    /// A kernel thread has no VMAs: the reader is empty.
    /// </summary>
    public static VmaReader GetVmas(int pid, bool detailed = false) => GetVmas(pid, detailed, TryIdentity(pid));

    /// <summary>As <see cref="GetVmas(int, bool)"/>, with the process's identity already read (its VMAs carry its name and user).</summary>
    public static VmaReader GetVmas(int pid, bool detailed, ProcessIdentity? identity)
    {
        string file = ProcPath(pid, detailed ? "smaps" : "maps");
        int fd = OpenProc(file, pid, detailed ? "read the smaps" : "read the maps");
        return new VmaReader(fd, file, pid, identity?.Name ?? ReadComm(pid), detailed, live: true)
        {
            Identity = identity,
            ReadAheadAfter = Environment.ProcessorCount > 1 ? VmaReader.DefaultReadAheadAfter : -1,
        };
    }

    /// <summary>The identity of a process, or null when its status cannot be read (it exited).</summary>
    public static ProcessIdentity? TryIdentity(int pid)
    {
        try
        {
            return pid > 0 ? ProcessIdentity.Read(pid) : null;
        }
        catch (MmapException)
        {
            return null;
        }
    }

    /// <summary>Parses a saved copy of a maps or smaps file (a fixture, a capture from another machine) the same way.</summary>
    public static VmaReader ReadFile(string path, bool detailed, int processId = 0) => ReadFile(path, detailed, processId, ChunkSize);

    /// <summary>As ReadFile, reading ahead on a thread after <paramref name="readAheadAfter"/> bytes, in chunks of <paramref name="readAheadChunk"/> bytes.</summary>
    internal static VmaReader ReadFile(string path, bool detailed, int processId, int chunkSize, int readAheadAfter, int readAheadChunk)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw MapErrors.FromOpen(Libc.LastErrno, path, write: false);
        }

        return new VmaReader(fd, path, processId, null, detailed, live: false, chunkSize) { ReadAheadAfter = readAheadAfter, ReadAheadChunkSize = readAheadChunk };
    }

    internal static VmaReader ReadFile(string path, bool detailed, int processId, int chunkSize)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw MapErrors.FromOpen(Libc.LastErrno, path, write: false);
        }

        return new VmaReader(fd, path, processId, null, detailed, live: false, chunkSize);
    }

    /// <summary>
    /// One row per path (per kind for unnamed anonymous memory) and process, with summed sizes, in the order
    /// the groups first appear; like psutil's memory_maps(grouped=True).
    /// </summary>
    public static IEnumerable<ProcessVmaGroup> Group(IEnumerable<ProcessVma> vmas)
    {
        var groups = new Dictionary<(int, string?, VmaKind), ProcessVmaGroup>();
        var order = new List<ProcessVmaGroup>();
        foreach (ProcessVma v in vmas)
        {
            var key = (v.ProcessId, v.Path, v.Path is null ? v.Kind : VmaKind.File);
            if (!groups.TryGetValue(key, out ProcessVmaGroup? g))
            {
                g = v.IsDetailed ? NewGroup<DetailedProcessVmaGroup>(v) : NewGroup<ProcessVmaGroup>(v);
                if (v.IsDetailed)
                {
                    g.Rss = 0; g.Pss = 0; g.SharedClean = 0; g.SharedDirty = 0; g.PrivateClean = 0; g.PrivateDirty = 0; g.Anonymous = 0; g.Swap = 0;
                }

                groups.Add(key, g);
                order.Add(g);
            }

            g.Count++;
            g.Size += v.Size;
            g.Permission |= v.Permission;
            g.Start = Math.Min(g.Start, v.Start);
            if (g.IsDetailed)
            {
                g.Rss += v.Rss ?? 0;
                g.Pss += v.Pss ?? 0;
                g.SharedClean += v.SharedClean ?? 0;
                g.SharedDirty += v.SharedDirty ?? 0;
                g.PrivateClean += v.PrivateClean ?? 0;
                g.PrivateDirty += v.PrivateDirty ?? 0;
                g.Anonymous += v.Anonymous ?? 0;
                g.Swap += v.Swap ?? 0;
            }
        }

        return order;
    }

    private static T NewGroup<T>(ProcessVma v)
        where T : ProcessVmaGroup, new() => new()
    {
        ProcessId = v.ProcessId, ProcessName = v.ProcessName, User = v.User, Uid = v.Uid, Path = v.Path, Kind = v.Kind, Name = v.Name,
        IsDeleted = v.IsDeleted, Start = v.Start,
    };
}
