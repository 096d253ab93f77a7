using System;
using System.Collections.Generic;
using System.Globalization;

namespace MmapTools;

/// <summary>
/// One virtual memory area of a process (a line of /proc/PID/maps, with its smaps block when read with
/// -Detailed). A plain snapshot: no handle, nothing live; it serializes (Export-Clixml, ConvertTo-Json) as is.
/// Sizes are in bytes. Read from smaps (-Detailed) it is a <see cref="DetailedProcessVma"/>.
/// </summary>
public class ProcessVma
{
    // Shared by many VMAs (every VMA of a read has the same owner; neighbours often the same name), so that each
    // VMA is one small object: 60,000 of them kept in a variable are garbage-collection work in proportion to
    // their bytes. Never changed once attached: the init setters below make a copy.
    private VmaOwner _owner = VmaOwner.None;
    private VmaFormat.NameInfo _name = VmaFormat.NameInfo.None;

    /// <summary>The process.</summary>
    public int ProcessId { get => _owner.ProcessId; init => _owner = _owner with { ProcessId = value }; }

    /// <summary>The process's name (its comm) when read, or null.</summary>
    public string? ProcessName { get => _owner.ProcessName; init => _owner = _owner with { ProcessName = value }; }

    /// <summary>The process's user (effective uid, as ps shows it) by name, or the uid as text; null when not read.</summary>
    public string? User { get => _owner.User; init => _owner = _owner with { User = value }; }

    /// <summary>The process's effective uid, or null when not read.</summary>
    public uint? Uid { get => _owner.Uid; init => _owner = _owner with { Uid = value }; }

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
    public string? Path { get => _name.Path; init => _name = _name.With(n => n.Path = value); }

    /// <summary>The exact bytes of the name when they are not valid UTF-8, else null.</summary>
    public byte[]? RawPath { get => _name.RawPath; init => _name = _name.With(n => n.RawPath = value); }

    /// <summary>What backs the VMA.</summary>
    public VmaKind Kind { get => _name.Kind; init => _name = _name.With(n => n.Kind = value); }

    /// <summary>A short name: the file name, the label without brackets ("heap", "vdso"), the anonymous name, or null.</summary>
    public string? Name { get => _name.Name; init => _name = _name.With(n => n.Name = value); }

    /// <summary>True when the mapped file has been deleted (the kernel's " (deleted)").</summary>
    public bool IsDeleted { get => _name.IsDeleted; init => _name = _name.With(n => n.IsDeleted = value); }

    /// <summary>True when the object came from smaps (-Detailed): the memory figures below are set.</summary>
    public bool IsDetailed => this is DetailedProcessVma;

    /// <summary>Resident set (smaps Rss), bytes; null unless detailed.</summary>
    public long? Rss => Figure(1);

    /// <summary>Proportional set (Pss), bytes; null unless detailed.</summary>
    public long? Pss => Figure(2);

    /// <summary>Pss_Dirty, bytes; null unless detailed.</summary>
    public long? PssDirty => Figure(3);

    /// <summary>Shared_Clean, bytes; null unless detailed.</summary>
    public long? SharedClean => Figure(4);

    /// <summary>Shared_Dirty, bytes; null unless detailed.</summary>
    public long? SharedDirty => Figure(5);

    /// <summary>Private_Clean, bytes; null unless detailed.</summary>
    public long? PrivateClean => Figure(6);

    /// <summary>Private_Dirty, bytes; null unless detailed.</summary>
    public long? PrivateDirty => Figure(7);

    /// <summary>Referenced, bytes; null unless detailed.</summary>
    public long? Referenced => Figure(8);

    /// <summary>Anonymous, bytes; null unless detailed.</summary>
    public long? Anonymous => Figure(9);

    /// <summary>LazyFree, bytes; null unless detailed.</summary>
    public long? LazyFree => Figure(10);

    /// <summary>AnonHugePages, bytes; null unless detailed.</summary>
    public long? AnonHugePages => Figure(11);

    /// <summary>Swap, bytes; null unless detailed.</summary>
    public long? Swap => Figure(12);

    /// <summary>SwapPss, bytes; null unless detailed.</summary>
    public long? SwapPss => Figure(13);

    /// <summary>Locked, bytes; null unless detailed.</summary>
    public long? Locked => Figure(14);

    /// <summary>KernelPageSize, bytes; null unless detailed.</summary>
    public long? KernelPageSize => Figure(15);

    /// <summary>MMUPageSize, bytes; null unless detailed.</summary>
    public long? MmuPageSize => Figure(16);

    /// <summary>Private_Clean + Private_Dirty: this VMA's share of the USS.</summary>
    public long? Private => PrivateClean + PrivateDirty;

    /// <summary>Shared_Dirty + Private_Dirty: pmap -x's Dirty.</summary>
    public long? Dirty => SharedDirty + PrivateDirty;

    /// <summary>THPeligible: whether transparent huge pages may back the VMA.</summary>
    public bool? ThpEligible => Figure(17) is { } v ? v != 0 : null;

    /// <summary>VmFlags as flags.</summary>
    public VmFlags? VmFlags => this is DetailedProcessVma d ? d.Detail.Flags : null;

    /// <summary>VmFlags exactly as the kernel printed them ("rd wr mr mw me ac sd").</summary>
    public string? VmFlagsText => this is DetailedProcessVma d ? d.Detail.FlagsText : null;

    /// <summary>
    /// Every key of the smaps block, as the kernel names it, in bytes for the "kB" keys and as printed for the
    /// others (THPeligible, ProtectionKey); empty unless detailed. Keys a newer kernel adds appear here too.
    /// </summary>
    public Dictionary<string, long> Smaps => this is DetailedProcessVma d ? d.SmapsTable : new Dictionary<string, long>(StringComparer.Ordinal);

    // The figures live in the DetailedProcessVma only, so that a plain VMA (maps) carries no room for them.
    private long? Figure(int code) => this is DetailedProcessVma d ? d.Detail.Get(code) : null;

    /// <summary>Sets the shared owner and name of a VMA the reader builds (instead of nine init setters).</summary>
    internal void Attach(VmaOwner owner, VmaFormat.NameInfo name)
    {
        _owner = owner;
        _name = name;
    }

    /// <summary>Whether <paramref name="address"/> lies inside [Start, End).</summary>
    public bool Contains(ulong address) => address >= Start && address < End;

    /// <summary>The line as the kernel prints it in /proc/PID/maps (without the newline).</summary>
    public override string ToString() => VmaFormat.FormatMapsLine(this);
}

/// <summary>
/// A VMA read from smaps (Get-ProcessVma -Detailed): the same properties, with the memory figures set. A type of its
/// own so that PowerShell picks the table with Rss and Dirty (pmap -x) by the object's type, with no per-object
/// type name to add (which cost 2.7 µs a VMA).
/// </summary>
public sealed class DetailedProcessVma : ProcessVma
{
    private SmapsDetail _detail;
    private Dictionary<string, long>? _smaps;

    internal ref readonly SmapsDetail Detail => ref _detail;

    internal Dictionary<string, long> SmapsTable => _smaps ??= _detail.ToDictionary();

    internal void SetDetail(SmapsDetail detail)
    {
        _detail = detail;
        _smaps = null;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{base.ToString()} (Rss {Units.FormatBytes(Rss ?? 0)}, Pss {Units.FormatBytes(Pss ?? 0)}, Swap {Units.FormatBytes(Swap ?? 0)})";
}

/// <summary>The process a VMA belongs to, as read once for all its VMAs.</summary>
internal sealed record VmaOwner(int ProcessId, string? ProcessName, string? User, uint? Uid)
{
    internal static readonly VmaOwner None = new(0, null, null, null);
}
