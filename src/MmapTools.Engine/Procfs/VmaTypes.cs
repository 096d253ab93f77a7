using System;

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
