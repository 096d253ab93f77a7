using System;
using System.Runtime.CompilerServices;
using System.Buffers;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using MmapTools.Interop;

namespace MmapTools.Procfs;

/// <summary>
/// A process's address space from /proc: its VMAs (maps, smaps), grouped or in total (smaps_rollup).
/// Everything returned is a snapshot; nothing holds the process or a file open afterwards.
/// </summary>
public static class ProcessMemory
{
    /// <summary>
    /// The buffer for reading /proc files. procfs seq files hand out at most their own buffer (one page) per
    /// read(2) today, so this only bounds a future kernel's larger answers; lines are parsed in place from it.
    /// </summary>
    internal const int ChunkSize = 256 * 1024;

    private const uint PF_KTHREAD = 0x00200000;

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
        return new VmaReader(fd, file, pid, identity?.Name ?? ReadComm(pid), detailed, live: true) { Identity = identity };
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
    /// The process's memory in total, from /proc/PID/smaps_rollup; when the kernel refuses the rollup for a
    /// live process (ESRCH/ENOENT, as for kernel threads), the sum of /proc/PID/smaps.
    /// </summary>
    public static ProcessMemoryInfo GetMemoryInfo(int pid) => GetMemoryInfo(pid, TryIdentity(pid), SystemMemory.TotalBytes());

    /// <summary>
    /// As <see cref="GetMemoryInfo(int)"/>, with the identity already read and the physical memory the
    /// percentages are of (MemTotal); the command line is read too.
    /// </summary>
    public static ProcessMemoryInfo GetMemoryInfo(int pid, ProcessIdentity? identity, long memoryTotal)
    {
        ProcessMemoryInfo info = ReadMemoryInfo(pid, identity?.Name ?? ReadComm(pid));
        info.Uid = identity?.Uid;
        info.User = identity?.User;
        info.CommandLine = ProcessIdentity.ReadCommandLine(pid);
        info.MemoryTotal = memoryTotal;
        return info;
    }

    private static ProcessMemoryInfo ReadMemoryInfo(int pid, string? name)
    {
        string file = ProcPath(pid, "smaps_rollup");
        byte[]? content = null;
        try
        {
            content = ReadSmall(file, pid, "read the memory rollup");
        }
        catch (MmapException e) when (e.ErrorId == ErrorIds.ProcessNotFound && Exists(pid))
        {
        }

        if (content is not null)
        {
            return ParseRollup(content, file, pid, name);
        }

        return SumSmaps(pid, name);
    }

    /// <summary>Parses the content of a smaps_rollup file.</summary>
    public static ProcessMemoryInfo ParseRollup(ReadOnlySpan<byte> content, string file, int pid, string? processName)
    {
        var keys = new List<string>(32);
        var values = new List<long>(32);
        long lineNumber = 0;
        while (!content.IsEmpty)
        {
            int nl = content.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = nl < 0 ? content : content[..nl];
            content = nl < 0 ? default : content[(nl + 1)..];
            lineNumber++;
            if (line.IsEmpty || VmaFormat.IsHeaderLine(line))
            {
                continue;
            }

            if (line.StartsWith("VmFlags:"u8))
            {
                continue;
            }

            if (!VmaFormat.TryParseKeyValue(line, out ReadOnlySpan<byte> key, out long value, out _))
            {
                throw ProcfsErrors.InvalidLine(file, lineNumber, line);
            }

            keys.Add(Encoding.UTF8.GetString(key));
            values.Add(value);
        }

        var info = new ProcessMemoryInfo { ProcessId = pid, ProcessName = processName, Source = "smaps_rollup" };
        info.SetValues(keys.ToArray(), values.ToArray());
        Fill(info);
        return info;
    }

    private static ProcessMemoryInfo SumSmaps(int pid, string? name)
    {
        var order = new List<string>();
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        int count = 0;
        using (VmaReader reader = GetVmas(pid, detailed: true))
        {
            foreach (ProcessVma vma in reader)
            {
                count++;
                foreach (KeyValuePair<string, long> kv in vma.Smaps)
                {
                    if (kv.Key is "KernelPageSize" or "MMUPageSize" or "Size" or "THPeligible" or "ProtectionKey")
                    {
                        continue;
                    }

                    if (!sums.TryGetValue(kv.Key, out long sum))
                    {
                        order.Add(kv.Key);
                    }

                    sums[kv.Key] = sum + kv.Value;
                }
            }
        }

        var info = new ProcessMemoryInfo { ProcessId = pid, ProcessName = name, Source = "smaps", VmaCount = count };
        var values = new long[order.Count];
        for (int i = 0; i < order.Count; i++)
        {
            values[i] = sums[order[i]];
        }

        info.SetValues(order.ToArray(), values);
        Fill(info);
        return info;
    }

    private static void Fill(ProcessMemoryInfo info)
    {
        foreach (KeyValuePair<string, long> kv in info.Values)
        {
            switch (kv.Key)
            {
                case "Rss": info.Rss = kv.Value; break;
                case "Pss": info.Pss = kv.Value; break;
                case "Pss_Dirty": info.PssDirty = kv.Value; break;
                case "Pss_Anon": info.PssAnon = kv.Value; break;
                case "Pss_File": info.PssFile = kv.Value; break;
                case "Pss_Shmem": info.PssShmem = kv.Value; break;
                case "Shared_Clean": info.SharedClean = kv.Value; break;
                case "Shared_Dirty": info.SharedDirty = kv.Value; break;
                case "Private_Clean": info.PrivateClean = kv.Value; break;
                case "Private_Dirty": info.PrivateDirty = kv.Value; break;
                case "Anonymous": info.Anonymous = kv.Value; break;
                case "Swap": info.Swap = kv.Value; break;
                case "SwapPss": info.SwapPss = kv.Value; break;
                case "Locked": info.Locked = kv.Value; break;
            }
        }
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
                g = new ProcessVmaGroup
                {
                    ProcessId = v.ProcessId, ProcessName = v.ProcessName, User = v.User, Uid = v.Uid, Path = v.Path, Kind = v.Kind, Name = v.Name,
                    IsDeleted = v.IsDeleted, IsDetailed = v.IsDetailed, Start = v.Start,
                };
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

/// <summary>
/// Streams the VMAs of a maps or smaps file as it reads it in large chunks. Never yields a VMA that starts
/// below the end of the previous one: when the address space changes between two reads (a torn read), the
/// kernel may repeat or go back. A line wholly below the previous end is dropped (<see cref="DroppedLines"/>);
/// from maps, a line that reaches past it is clipped to start there (<see cref="ClippedLines"/>), so a region that
/// merged or split across the tear shows no hole; from smaps, whose figures cover the whole line, it is dropped.
/// Enumerate it once; dispose it (or enumerate to the end) to close the file.
/// </summary>
public sealed class VmaReader : IEnumerable<ProcessVma>, IEnumerator<ProcessVma>
{
    private readonly string _file;
    private readonly int _pid;
    private readonly string? _processName;
    private readonly bool _detailed;
    private readonly bool _live;
    private int _fd;
    private byte[] _buf;
    private bool _pooled;
    private int _pos;
    private int _len;
    private bool _eof;
    private bool _finished;
    private bool _started;
    private long _lineNumber;
    private ulong _lastEnd;
    private bool _any;
    private ProcessVma? _current;

    // The name of the previous VMA: consecutive VMAs of a file share it, and so share its strings.
    private byte[] _lastRaw = new byte[256];
    private int _lastRawLength = -1;
    private ulong _lastInode;
    private VmaFormat.NameInfo? _lastName;

    // smaps: the VMA whose block is being read.
    private VmaFormat.Header _pending;
    private VmaFormat.NameInfo? _pendingName;
    private bool _hasPending;
    private bool _skipBlock;
    private SmapsSchema? _schema;
    private string[] _tmpKeys = new string[40];
    private long[] _tmpValues = new long[40];
    private int _keyCount;
    private bool _schemaMismatch;
    private VmFlags? _flags;
    private string? _flagsText;
    private byte[] _lastFlagsRaw = Array.Empty<byte>();

    internal VmaReader(int fd, string file, int pid, string? processName, bool detailed, bool live, int chunkSize = ProcessMemory.ChunkSize)
    {
        _fd = fd;
        _file = file;
        _pid = pid;
        _processName = processName;
        _detailed = detailed;
        _live = live;
        _pooled = chunkSize == ProcessMemory.ChunkSize;
        _buf = _pooled ? ArrayPool<byte>.Shared.Rent(chunkSize) : new byte[chunkSize];
    }

    /// <summary>The process.</summary>
    public int ProcessId => _pid;

    /// <summary>The process's name, or null.</summary>
    public string? ProcessName => _processName;

    /// <summary>How many VMAs have been yielded.</summary>
    public int Count { get; private set; }

    /// <summary>The process's name and user, when read; the VMAs carry them.</summary>
    public ProcessIdentity? Identity { get; init; }

    /// <summary>How many read(2) calls were made.</summary>
    public int ReadCalls { get; private set; }

    /// <summary>How many lines were dropped because they repeated or went back (torn reads).</summary>
    public int DroppedLines { get; private set; }

    /// <summary>How many maps lines began below the previous end and were clipped to start there (torn reads).</summary>
    public int ClippedLines { get; private set; }

    /// <inheritdoc />
    public ProcessVma Current => _current ?? throw new InvalidOperationException("Enumeration has not started.");

    object IEnumerator.Current => Current;

    /// <inheritdoc />
    public IEnumerator<ProcessVma> GetEnumerator()
    {
        if (_started)
        {
            throw new InvalidOperationException("A VmaReader is enumerated once; read the process again.");
        }

        _started = true;
        return this;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public void Reset() => throw new NotSupportedException();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool MoveNext()
    {
        if (_finished)
        {
            return false;
        }

        while (true)
        {
            if (!TryNextLine(out int start, out int length))
            {
                if (_hasPending)
                {
                    _hasPending = false;
                    return Yield(FinishPending());
                }

                Finish();
                return false;
            }

            ReadOnlySpan<byte> line = _buf.AsSpan(start, length);
            _lineNumber++;
            if (line.IsEmpty)
            {
                continue;
            }

            if (!_detailed)
            {
                if (!VmaFormat.TryParseHeader(line, out VmaFormat.Header h))
                {
                    throw Invalid(line);
                }

                if (Accept(ref h))
                {
                    return Yield(Build(in h, NameOf(in h, line)));
                }

                continue;
            }

            if (VmaFormat.IsHeaderLine(line))
            {
                if (!VmaFormat.TryParseHeader(line, out VmaFormat.Header h))
                {
                    throw Invalid(line);
                }

                ProcessVma? ready = _hasPending ? FinishPending() : null;
                _hasPending = false;
                _skipBlock = !Accept(ref h);
                if (!_skipBlock)
                {
                    _pending = h;
                    _pendingName = NameOf(in h, line);
                    _hasPending = true;
                    _keyCount = 0;
                    _schemaMismatch = false;
                    _flags = null;
                    _flagsText = null;
                }

                if (ready is not null)
                {
                    return Yield(ready);
                }

                continue;
            }

            if (!_hasPending)
            {
                if (_skipBlock)
                {
                    continue;
                }

                throw Invalid(line);
            }

            AddKey(line);
        }
    }

    private bool Yield(ProcessVma vma)
    {
        _current = vma;
        Count++;
        return true;
    }

    private MmapException Invalid(ReadOnlySpan<byte> line)
    {
        Close();
        _finished = true;
        return ProcfsErrors.InvalidLine(_file, _lineNumber, line);
    }

    private bool Accept(ref VmaFormat.Header h)
    {
        if (_any && h.Start < _lastEnd)
        {
            if (_detailed || h.End <= _lastEnd)
            {
                DroppedLines++;
                return false;
            }

            // The kernel resumed after the address space changed: keep the part not shown yet. The offset moves
            // with the start, as the kernel's own (vm_pgoff) would for a VMA that began there.
            h.Offset += _lastEnd - h.Start;
            h.Start = _lastEnd;
            ClippedLines++;
        }

        _any = true;
        _lastEnd = h.End;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private VmaFormat.NameInfo NameOf(in VmaFormat.Header h, ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> raw = line.Slice(h.NameStart, h.NameLength);
        if (_live && VmaFormat.IsAmbiguous(raw) && ProcessMemory.ReadMapFile(_pid, h.Start, h.End, out bool deleted) is { } exact)
        {
            var resolved = new VmaFormat.NameInfo { IsDeleted = deleted };
            VmaFormat.SetPath(resolved, exact, h.Inode);
            return resolved;
        }

        if (_lastName is not null && raw.Length == _lastRawLength && h.Inode == _lastInode && raw.SequenceEqual(_lastRaw.AsSpan(0, _lastRawLength)))
        {
            return _lastName;
        }

        VmaFormat.NameInfo info = VmaFormat.DecodeName(raw, h.Inode);
        if (raw.Length > _lastRaw.Length)
        {
            _lastRaw = new byte[Math.Max(raw.Length, _lastRaw.Length * 2)];
        }

        raw.CopyTo(_lastRaw);
        _lastRawLength = raw.Length;
        _lastInode = h.Inode;
        _lastName = info;
        return info;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ProcessVma Build(in VmaFormat.Header h, VmaFormat.NameInfo n) => new()
    {
        ProcessId = _pid,
        ProcessName = _processName,
        User = Identity?.User,
        Uid = Identity?.Uid,
        Start = h.Start,
        End = h.End,
        Permission = h.Permission,
        Permissions = VmaFormat.PermissionText(h.Permission),
        Offset = h.Offset,
        DeviceMajor = h.Major,
        DeviceMinor = h.Minor,
        Inode = h.Inode,
        Path = n.Path,
        RawPath = n.RawPath,
        Kind = n.Kind,
        Name = n.Name,
        IsDeleted = n.IsDeleted,
        IsDetailed = _detailed,
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddKey(ReadOnlySpan<byte> line)
    {
        if (line.StartsWith("VmFlags:"u8))
        {
            ReadOnlySpan<byte> text = line[8..].Trim((byte)' ');
            if (_flagsText is null || !text.SequenceEqual(_lastFlagsRaw))
            {
                _lastFlagsRaw = text.ToArray();
                _cachedFlagsText = Encoding.ASCII.GetString(text);
                _cachedFlags = VmaFormat.ParseVmFlags(text);
            }

            _flagsText = _cachedFlagsText;
            _flags = _cachedFlags;
            return;
        }

        if (!VmaFormat.TryParseKeyValue(line, out ReadOnlySpan<byte> key, out long value, out _))
        {
            throw Invalid(line);
        }

        string name;
        if (!_schemaMismatch && _schema is not null && _keyCount < _schema.Keys.Length && key.SequenceEqual(_schema.Bytes[_keyCount]))
        {
            name = _schema.Keys[_keyCount];
        }
        else
        {
            _schemaMismatch = true;
            name = Encoding.UTF8.GetString(key);
        }

        if (_keyCount == _tmpKeys.Length)
        {
            Array.Resize(ref _tmpKeys, _tmpKeys.Length * 2);
            Array.Resize(ref _tmpValues, _tmpValues.Length * 2);
        }

        _tmpKeys[_keyCount] = name;
        _tmpValues[_keyCount] = value;
        _keyCount++;
    }

    private string? _cachedFlagsText;
    private VmFlags _cachedFlags;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ProcessVma FinishPending()
    {
        ProcessVma vma = Build(in _pending, _pendingName!);
        if (_schema is null || _schemaMismatch || _keyCount != _schema.Keys.Length)
        {
            _schema = new SmapsSchema(_tmpKeys.AsSpan(0, _keyCount).ToArray());
        }

        vma.SetDetail(new SmapsDetail(_schema, _tmpValues.AsSpan(0, _keyCount).ToArray(), _flags, _flagsText));
        return vma;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryNextLine(out int start, out int length)
    {
        while (true)
        {
            int nl = _buf.AsSpan(_pos, _len - _pos).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                start = _pos;
                length = nl;
                _pos += nl + 1;
                return true;
            }

            if (_eof)
            {
                start = _pos;
                length = _len - _pos;
                _pos = _len;
                return length > 0;
            }

            if (_pos > 0)
            {
                Buffer.BlockCopy(_buf, _pos, _buf, 0, _len - _pos);
                _len -= _pos;
                _pos = 0;
            }

            if (_len == _buf.Length)
            {
                Array.Resize(ref _buf, _buf.Length * 2);
                _pooled = false;
            }

            Fill();
        }
    }

    private unsafe void Fill()
    {
        while (true)
        {
            nint n;
            fixed (byte* p = &_buf[_len])
            {
                n = Libc.Read(_fd, p, (nuint)(_buf.Length - _len));
            }

            ReadCalls++;
            if (n > 0)
            {
                _len += (int)n;
                return;
            }

            if (n == 0)
            {
                _eof = true;
                return;
            }

            int errno = Libc.LastErrno;
            if (errno == Errno.EINTR)
            {
                continue;
            }

            Close();
            _finished = true;
            if (errno == Errno.ESRCH)
            {
                throw ProcfsErrors.Exited(_pid, _file, Count);
            }

            throw ProcfsErrors.FromErrno(errno, _pid, _file, "read the memory map");
        }
    }

    private void Finish()
    {
        _finished = true;
        Close();

        // A process that exits while it is read ends its maps early, exactly like one that is done: only
        // its state tells them apart. A kernel thread has no VMAs and that is no error.
        if (_live && ProcessMemory.HasExited(_pid))
        {
            throw ProcfsErrors.Exited(_pid, _file, Count);
        }
    }

    private void Close()
    {
        if (_fd >= 0)
        {
            Libc.Close(_fd);
            _fd = -1;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Close();
        _finished = true;
        if (_pooled)
        {
            ArrayPool<byte>.Shared.Return(_buf);
            _pooled = false;
        }

        _buf = Array.Empty<byte>();
    }
}
