using System;
using System.Collections.Generic;
using System.Globalization;

namespace MmapTools;

/// <summary>What backs a VMA, from the name column of /proc/PID/maps.</summary>
public enum VmaKind
{
    /// <summary>A regular file (or device) mapped from the file system.</summary>
    File,
    /// <summary>Anonymous memory with no name (private, or shared with children: "/dev/zero (deleted)").</summary>
    Anonymous,
    /// <summary>The brk heap: [heap].</summary>
    Heap,
    /// <summary>The main thread's stack: [stack].</summary>
    Stack,
    /// <summary>A thread's stack as older kernels label it: [stack:TID].</summary>
    ThreadStack,
    /// <summary>The vDSO: [vdso].</summary>
    Vdso,
    /// <summary>The vDSO's data pages: [vvar], [vvar_vclock].</summary>
    Vvar,
    /// <summary>The legacy vsyscall page: [vsyscall].</summary>
    Vsyscall,
    /// <summary>Shared memory: SysV (/SYSV…), POSIX (/dev/shm/…) or memfd (/memfd:…).</summary>
    SharedMemory,
    /// <summary>Anonymous memory named with prctl(PR_SET_VMA_ANON_NAME): [anon:NAME], [anon_shmem:NAME].</summary>
    NamedAnonymous,
    /// <summary>Any other bracketed name the kernel prints ([uprobes], ...), or a name that is not a path.</summary>
    Other,
}

/// <summary>The permissions column of /proc/PID/maps as flags ("r-xp" is Read, Execute).</summary>
[Flags]
public enum VmaPermission
{
    /// <summary>"---p": no access.</summary>
    None = 0,
    /// <summary>r</summary>
    Read = 1,
    /// <summary>w</summary>
    Write = 2,
    /// <summary>x</summary>
    Execute = 4,
    /// <summary>s (MAP_SHARED); its absence ("p") is private, copy-on-write.</summary>
    Shared = 8,
}

/// <summary>The VmFlags line of /proc/PID/smaps (see proc(5)); mnemonics the enum does not know are kept in <see cref="ProcessVma.VmFlagsText"/>.</summary>
[Flags]
public enum VmFlags : ulong
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary>rd: readable.</summary>
    Readable = 1UL << 0,
    /// <summary>wr: writeable.</summary>
    Writeable = 1UL << 1,
    /// <summary>ex: executable.</summary>
    Executable = 1UL << 2,
    /// <summary>sh: shared.</summary>
    Shared = 1UL << 3,
    /// <summary>mr: may read.</summary>
    MayRead = 1UL << 4,
    /// <summary>mw: may write.</summary>
    MayWrite = 1UL << 5,
    /// <summary>me: may execute.</summary>
    MayExecute = 1UL << 6,
    /// <summary>ms: may share.</summary>
    MayShare = 1UL << 7,
    /// <summary>gd: stack segment grows down.</summary>
    GrowsDown = 1UL << 8,
    /// <summary>pf: pure PFN range.</summary>
    PurePfn = 1UL << 9,
    /// <summary>dw: disabled write to the mapped file.</summary>
    DenyWrite = 1UL << 10,
    /// <summary>lo: pages are locked in memory.</summary>
    Locked = 1UL << 11,
    /// <summary>io: memory-mapped I/O area.</summary>
    Io = 1UL << 12,
    /// <summary>sr: sequential read advice.</summary>
    SequentialRead = 1UL << 13,
    /// <summary>rr: random read advice.</summary>
    RandomRead = 1UL << 14,
    /// <summary>dc: do not copy on fork.</summary>
    DontCopy = 1UL << 15,
    /// <summary>de: do not expand on remap.</summary>
    DontExpand = 1UL << 16,
    /// <summary>ac: accountable.</summary>
    Accountable = 1UL << 17,
    /// <summary>nr: swap space not reserved.</summary>
    NoReserve = 1UL << 18,
    /// <summary>ht: huge TLB pages.</summary>
    HugeTlb = 1UL << 19,
    /// <summary>sf: synchronous page faults.</summary>
    SyncFault = 1UL << 20,
    /// <summary>nl: non-linear mapping (old kernels).</summary>
    NonLinear = 1UL << 21,
    /// <summary>ar: architecture-specific.</summary>
    ArchSpecific = 1UL << 22,
    /// <summary>wf: wipe on fork.</summary>
    WipeOnFork = 1UL << 23,
    /// <summary>dd: not in core dumps.</summary>
    DontDump = 1UL << 24,
    /// <summary>sd: soft-dirty.</summary>
    SoftDirty = 1UL << 25,
    /// <summary>mm: mixed map.</summary>
    MixedMap = 1UL << 26,
    /// <summary>hg: MADV_HUGEPAGE.</summary>
    HugePage = 1UL << 27,
    /// <summary>nh: MADV_NOHUGEPAGE.</summary>
    NoHugePage = 1UL << 28,
    /// <summary>mg: mergeable (KSM).</summary>
    Mergeable = 1UL << 29,
    /// <summary>bt: arm64 BTI guarded.</summary>
    BtiGuarded = 1UL << 30,
    /// <summary>mt: arm64 MTE tags enabled.</summary>
    MteTagged = 1UL << 31,
    /// <summary>um: userfaultfd missing tracking.</summary>
    UffdMissing = 1UL << 32,
    /// <summary>uw: userfaultfd write-protect tracking.</summary>
    UffdWriteProtect = 1UL << 33,
    /// <summary>ui: userfaultfd minor-fault tracking.</summary>
    UffdMinor = 1UL << 34,
    /// <summary>ss: shadow stack.</summary>
    ShadowStack = 1UL << 35,
    /// <summary>sl: sealed (mseal).</summary>
    Sealed = 1UL << 36,
    /// <summary>lf: lock on fault.</summary>
    LockOnFault = 1UL << 37,
    /// <summary>dp: always lazily freeable.</summary>
    DropPages = 1UL << 38,
    /// <summary>gu: may contain guard regions.</summary>
    GuardRegions = 1UL << 39,
    /// <summary>pk/other: a mnemonic this version does not know (see VmFlagsText).</summary>
    Unknown = 1UL << 63,
}

/// <summary>
/// One virtual memory area of a process (a line of /proc/PID/maps, with its smaps block when read with
/// -Detailed). A plain snapshot: no handle, nothing live; it serializes (Export-Clixml, ConvertTo-Json) as is.
/// Sizes are in bytes.
/// </summary>
public sealed class ProcessVma
{
    private SmapsDetail? _detail;
    private Dictionary<string, long>? _smaps;

    /// <summary>The process.</summary>
    public int ProcessId { get; init; }

    /// <summary>The process's name (its comm) when read, or null.</summary>
    public string? ProcessName { get; init; }

    /// <summary>The process's user (effective uid, as ps shows it) by name, or the uid as text; null when not read.</summary>
    public string? User { get; init; }

    /// <summary>The process's effective uid, or null when not read.</summary>
    public uint? Uid { get; init; }

    /// <summary>
    /// Set by Get-ProcessVma -Stale: why the mapped file is not the one now on disk (Deleted, Replaced,
    /// Missing), or null when it was not checked.
    /// </summary>
    public VmaStaleReason? StaleReason { get; set; }

    /// <summary>First address.</summary>
    public ulong Start { get; init; }

    /// <summary>One past the last address.</summary>
    public ulong End { get; init; }

    /// <summary>End - Start, in bytes.</summary>
    public ulong Size => End - Start;

    /// <summary>The permissions as the kernel prints them: "r-xp", "rw-s".</summary>
    public string Permissions { get; init; } = "----";

    /// <summary>The permissions as flags.</summary>
    public VmaPermission Permission { get; init; }

    /// <summary>True for MAP_SHARED ("s"), false for private ("p").</summary>
    public bool IsShared => (Permission & VmaPermission.Shared) != 0;

    /// <summary>The offset into the file (pages for anonymous memory: pgoff).</summary>
    public ulong Offset { get; init; }

    /// <summary>The device's major number.</summary>
    public uint DeviceMajor { get; init; }

    /// <summary>The device's minor number.</summary>
    public uint DeviceMinor { get; init; }

    /// <summary>"major:minor" in hex, as the kernel prints it ("fe:00").</summary>
    public string Device => DeviceMajor.ToString("x2", CultureInfo.InvariantCulture) + ":" + DeviceMinor.ToString("x2", CultureInfo.InvariantCulture);

    /// <summary>The inode of the mapped file, 0 for anonymous memory.</summary>
    public ulong Inode { get; init; }

    /// <summary>
    /// The name column, decoded: a file's path (the kernel's "\012" turned back into a newline, " (deleted)"
    /// removed), or the kernel's label ("[heap]", "[anon:NAME]"); null for unnamed anonymous memory.
    /// Bytes that are not UTF-8 read as U+FFFD; <see cref="RawPath"/> then holds the exact bytes.
    /// </summary>
    public string? Path { get; init; }

    /// <summary>The exact bytes of the name when they are not valid UTF-8, else null.</summary>
    public byte[]? RawPath { get; init; }

    /// <summary>What backs the VMA.</summary>
    public VmaKind Kind { get; init; }

    /// <summary>A short name: the file name, the label without brackets ("heap", "vdso"), the anonymous name, or null.</summary>
    public string? Name { get; init; }

    /// <summary>True when the mapped file has been deleted (the kernel's " (deleted)").</summary>
    public bool IsDeleted { get; init; }

    /// <summary>True when the object came from smaps (-Detailed): the memory figures below are set.</summary>
    public bool IsDetailed { get; init; }

    /// <summary>Resident set (smaps Rss), bytes; null unless detailed.</summary>
    public long? Rss => _detail?.Get(1);

    /// <summary>Proportional set (Pss), bytes; null unless detailed.</summary>
    public long? Pss => _detail?.Get(2);

    /// <summary>Pss_Dirty, bytes; null unless detailed.</summary>
    public long? PssDirty => _detail?.Get(3);

    /// <summary>Shared_Clean, bytes; null unless detailed.</summary>
    public long? SharedClean => _detail?.Get(4);

    /// <summary>Shared_Dirty, bytes; null unless detailed.</summary>
    public long? SharedDirty => _detail?.Get(5);

    /// <summary>Private_Clean, bytes; null unless detailed.</summary>
    public long? PrivateClean => _detail?.Get(6);

    /// <summary>Private_Dirty, bytes; null unless detailed.</summary>
    public long? PrivateDirty => _detail?.Get(7);

    /// <summary>Referenced, bytes; null unless detailed.</summary>
    public long? Referenced => _detail?.Get(8);

    /// <summary>Anonymous, bytes; null unless detailed.</summary>
    public long? Anonymous => _detail?.Get(9);

    /// <summary>LazyFree, bytes; null unless detailed.</summary>
    public long? LazyFree => _detail?.Get(10);

    /// <summary>AnonHugePages, bytes; null unless detailed.</summary>
    public long? AnonHugePages => _detail?.Get(11);

    /// <summary>Swap, bytes; null unless detailed.</summary>
    public long? Swap => _detail?.Get(12);

    /// <summary>SwapPss, bytes; null unless detailed.</summary>
    public long? SwapPss => _detail?.Get(13);

    /// <summary>Locked, bytes; null unless detailed.</summary>
    public long? Locked => _detail?.Get(14);

    /// <summary>KernelPageSize, bytes; null unless detailed.</summary>
    public long? KernelPageSize => _detail?.Get(15);

    /// <summary>MMUPageSize, bytes; null unless detailed.</summary>
    public long? MmuPageSize => _detail?.Get(16);

    /// <summary>Private_Clean + Private_Dirty: this VMA's share of the USS.</summary>
    public long? Private => PrivateClean + PrivateDirty;

    /// <summary>Shared_Dirty + Private_Dirty: pmap -x's Dirty.</summary>
    public long? Dirty => SharedDirty + PrivateDirty;

    /// <summary>THPeligible: whether transparent huge pages may back the VMA.</summary>
    public bool? ThpEligible => _detail?.Get(17) is { } v ? v != 0 : null;

    /// <summary>VmFlags as flags.</summary>
    public VmFlags? VmFlags => _detail?.Flags;

    /// <summary>VmFlags exactly as the kernel printed them ("rd wr mr mw me ac sd").</summary>
    public string? VmFlagsText => _detail?.FlagsText;

    /// <summary>
    /// Every key of the smaps block, as the kernel names it, in bytes for the "kB" keys and as printed for the
    /// others (THPeligible, ProtectionKey); empty unless detailed. Keys a newer kernel adds appear here too.
    /// </summary>
    public Dictionary<string, long> Smaps => _smaps ??= _detail?.ToDictionary() ?? new Dictionary<string, long>(StringComparer.Ordinal);

    internal void SetDetail(SmapsDetail detail)
    {
        _detail = detail;
        _smaps = null;
    }

    /// <summary>Whether <paramref name="address"/> lies inside [Start, End).</summary>
    public bool Contains(ulong address) => address >= Start && address < End;

    /// <summary>The line as the kernel prints it in /proc/PID/maps (without the newline).</summary>
    public override string ToString() => VmaFormat.FormatMapsLine(this);
}

/// <summary>The smaps block of one VMA: its values, with the key names shared by all VMAs of the same layout.</summary>
internal sealed class SmapsDetail
{
    private readonly SmapsSchema _schema;
    private readonly long[] _values;

    internal SmapsDetail(SmapsSchema schema, long[] values, VmFlags? flags, string? flagsText)
    {
        _schema = schema;
        _values = values;
        Flags = flags;
        FlagsText = flagsText;
    }

    internal VmFlags? Flags { get; }

    internal string? FlagsText { get; }

    internal long? Get(int code)
    {
        int i = _schema.IndexOfCode[code];
        return i < 0 ? null : _values[i];
    }

    internal Dictionary<string, long> ToDictionary()
    {
        var d = new Dictionary<string, long>(_values.Length, StringComparer.Ordinal);
        for (int i = 0; i < _values.Length; i++)
        {
            d[_schema.Keys[i]] = _values[i];
        }

        return d;
    }
}

/// <summary>The keys of an smaps block in the kernel's order, and where the typed ones are.</summary>
internal sealed class SmapsSchema
{
    internal const int Codes = 18;

    internal SmapsSchema(string[] keys)
    {
        Keys = keys;
        Bytes = new byte[keys.Length][];
        IndexOfCode = new int[Codes];
        Array.Fill(IndexOfCode, -1);
        for (int i = 0; i < keys.Length; i++)
        {
            Bytes[i] = System.Text.Encoding.UTF8.GetBytes(keys[i]);
            int code = CodeOf(keys[i]);
            if (code > 0 && IndexOfCode[code] < 0)
            {
                IndexOfCode[code] = i;
            }
        }
    }

    internal string[] Keys { get; }

    internal byte[][] Bytes { get; }

    internal int[] IndexOfCode { get; }

    private static int CodeOf(string key) => key switch
    {
        "Rss" => 1,
        "Pss" => 2,
        "Pss_Dirty" => 3,
        "Shared_Clean" => 4,
        "Shared_Dirty" => 5,
        "Private_Clean" => 6,
        "Private_Dirty" => 7,
        "Referenced" => 8,
        "Anonymous" => 9,
        "LazyFree" => 10,
        "AnonHugePages" => 11,
        "Swap" => 12,
        "SwapPss" => 13,
        "Locked" => 14,
        "KernelPageSize" => 15,
        "MMUPageSize" => 16,
        "THPeligible" => 17,
        _ => 0,
    };
}

/// <summary>One row of a grouped view: the VMAs of one process with the same path (or kind, for unnamed memory), summed.</summary>
public sealed class ProcessVmaGroup
{
    /// <summary>The process.</summary>
    public int ProcessId { get; init; }

    /// <summary>The process's name.</summary>
    public string? ProcessName { get; init; }

    /// <summary>The process's user name (or uid as text).</summary>
    public string? User { get; init; }

    /// <summary>The process's effective uid.</summary>
    public uint? Uid { get; init; }

    /// <summary>The path or label the VMAs share, or null for unnamed anonymous memory.</summary>
    public string? Path { get; init; }

    /// <summary>The kind of the first VMA of the group.</summary>
    public VmaKind Kind { get; init; }

    /// <summary>The short name (file name or label).</summary>
    public string? Name { get; init; }

    /// <summary>True when the path's file was deleted.</summary>
    public bool IsDeleted { get; init; }

    /// <summary>How many VMAs.</summary>
    public int Count { get; set; }

    /// <summary>Lowest start address.</summary>
    public ulong Start { get; set; }

    /// <summary>Summed size, bytes.</summary>
    public ulong Size { get; set; }

    /// <summary>The union of the VMAs' permission flags.</summary>
    public VmaPermission Permission { get; set; }

    /// <summary>True when built from smaps: the sums below are set.</summary>
    public bool IsDetailed { get; init; }

    /// <summary>Summed Rss.</summary>
    public long? Rss { get; set; }

    /// <summary>Summed Pss.</summary>
    public long? Pss { get; set; }

    /// <summary>Summed Shared_Clean.</summary>
    public long? SharedClean { get; set; }

    /// <summary>Summed Shared_Dirty.</summary>
    public long? SharedDirty { get; set; }

    /// <summary>Summed Private_Clean.</summary>
    public long? PrivateClean { get; set; }

    /// <summary>Summed Private_Dirty.</summary>
    public long? PrivateDirty { get; set; }

    /// <summary>Summed Anonymous.</summary>
    public long? Anonymous { get; set; }

    /// <summary>Summed Swap.</summary>
    public long? Swap { get; set; }

    /// <summary>Private_Clean + Private_Dirty.</summary>
    public long? Private => PrivateClean + PrivateDirty;

    /// <summary>Shared_Dirty + Private_Dirty.</summary>
    public long? Dirty => SharedDirty + PrivateDirty;

    /// <summary>"1234 /usr/lib/libc.so.6: 5 VMAs, 2 MiB" (with Rss when detailed).</summary>
    public override string ToString() =>
        $"{ProcessId} {Path ?? "[" + Kind + "]"}: {Count} VMA{(Count == 1 ? string.Empty : "s")}, {Units.FormatBytes((long)Math.Min(Size, long.MaxValue))}" +
        (Rss is { } rss ? $", Rss {Units.FormatBytes(rss)}" : string.Empty);
}

/// <summary>A process's memory in total (USS, PSS, RSS, swap), from /proc/PID/smaps_rollup or the sum of smaps.</summary>
public sealed class ProcessMemoryInfo
{
    private string[] _keys = Array.Empty<string>();
    private long[] _values = Array.Empty<long>();
    private Dictionary<string, long>? _all;

    /// <summary>The process.</summary>
    public int ProcessId { get; init; }

    /// <summary>The process's name.</summary>
    public string? ProcessName { get; init; }

    /// <summary>The process's user (effective uid, as ps shows it) by name, or the uid as text.</summary>
    public string? User { get; set; }

    /// <summary>The process's effective uid.</summary>
    public uint? Uid { get; set; }

    /// <summary>The command line, arguments joined by spaces (as ps and smem show it); empty for kernel threads.</summary>
    public string? CommandLine { get; set; }

    /// <summary>The machine's physical memory (MemTotal of /proc/meminfo), bytes: what the percentages are of.</summary>
    public long MemoryTotal { get; set; }

    /// <summary>Pss as a percentage of <see cref="MemoryTotal"/> (smem -p).</summary>
    public double? PssPercent => Percent.Of(Pss, MemoryTotal);

    /// <summary>Uss as a percentage of <see cref="MemoryTotal"/>.</summary>
    public double? UssPercent => Percent.Of(Uss, MemoryTotal);

    /// <summary>Rss as a percentage of <see cref="MemoryTotal"/>.</summary>
    public double? RssPercent => Percent.Of(Rss, MemoryTotal);

    /// <summary>"smaps_rollup", or "smaps" when the rollup was refused and the VMAs were summed.</summary>
    public string Source { get; init; } = "smaps_rollup";

    /// <summary>How many VMAs were summed (from smaps), or null for smaps_rollup, which does not say.</summary>
    public int? VmaCount { get; init; }

    /// <summary>Rss, bytes.</summary>
    public long Rss { get; set; }

    /// <summary>Pss, bytes.</summary>
    public long Pss { get; set; }

    /// <summary>Pss_Dirty, bytes (0 on kernels that lack it).</summary>
    public long PssDirty { get; set; }

    /// <summary>Pss_Anon, bytes.</summary>
    public long PssAnon { get; set; }

    /// <summary>Pss_File, bytes.</summary>
    public long PssFile { get; set; }

    /// <summary>Pss_Shmem, bytes.</summary>
    public long PssShmem { get; set; }

    /// <summary>Shared_Clean, bytes.</summary>
    public long SharedClean { get; set; }

    /// <summary>Shared_Dirty, bytes.</summary>
    public long SharedDirty { get; set; }

    /// <summary>Private_Clean, bytes.</summary>
    public long PrivateClean { get; set; }

    /// <summary>Private_Dirty, bytes.</summary>
    public long PrivateDirty { get; set; }

    /// <summary>Unique set size: Private_Clean + Private_Dirty, what freeing the process would give back.</summary>
    public long Uss => PrivateClean + PrivateDirty;

    /// <summary>Anonymous, bytes.</summary>
    public long Anonymous { get; set; }

    /// <summary>Swap, bytes.</summary>
    public long Swap { get; set; }

    /// <summary>SwapPss, bytes.</summary>
    public long SwapPss { get; set; }

    /// <summary>Locked, bytes.</summary>
    public long Locked { get; set; }

    /// <summary>Every key, as <see cref="ProcessVma.Smaps"/>.</summary>
    public Dictionary<string, long> Values
    {
        get
        {
            if (_all is null)
            {
                var d = new Dictionary<string, long>(_keys.Length, StringComparer.Ordinal);
                for (int i = 0; i < _keys.Length; i++)
                {
                    d[_keys[i]] = _values[i];
                }

                _all = d;
            }

            return _all;
        }
    }

    internal void SetValues(string[] keys, long[] values)
    {
        _keys = keys;
        _values = values;
        _all = null;
    }

    /// <summary>"1234 (sleep): Rss 1.2 MiB, Pss 300 KiB, Uss 200 KiB, Swap 0 B".</summary>
    public override string ToString() =>
        $"{ProcessId} ({ProcessName}): Rss {Units.FormatBytes(Rss)}, Pss {Units.FormatBytes(Pss)}, Uss {Units.FormatBytes(Uss)}, Swap {Units.FormatBytes(Swap)}";
}
