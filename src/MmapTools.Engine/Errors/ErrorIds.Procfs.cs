namespace MmapTools.Errors;

/// <summary>Error ids of the process address-space area (Get-ProcessVma, Get-ProcessMemory).</summary>
public static partial class ErrorIds
{
    /// <summary>No process has the id (ENOENT/ESRCH on /proc/PID), or a -Name matched none; hidepid=invisible hides other users' processes this way.</summary>
    public const string ProcessNotFound = "ProcessNotFound";
    /// <summary>The kernel refused to show the process's memory (EACCES/EPERM: ptrace access mode, hidepid=noaccess).</summary>
    public const string ProcessAccessDenied = "ProcessAccessDenied";
    /// <summary>The process exited (or became a zombie) while its maps were read; what was read is incomplete.</summary>
    public const string ProcessExited = "ProcessExited";
    /// <summary>A line of /proc/PID/maps, smaps or smaps_rollup did not have the kernel's format.</summary>
    public const string ProcfsLineInvalid = "ProcfsLineInvalid";
    /// <summary>Reading a /proc file failed for another reason; the errno says which.</summary>
    public const string ProcfsReadFailed = "ProcfsReadFailed";
    /// <summary>An -Address (or -StartAddress/-EndAddress) is neither a number nor a "0x…" hex string.</summary>
    public const string AddressInvalid = "AddressInvalid";
    /// <summary>-StartAddress is above -EndAddress.</summary>
    public const string AddressRangeInvalid = "AddressRangeInvalid";
    /// <summary>No VMA of the process contains the -Address given.</summary>
    public const string AddressNotMapped = "AddressNotMapped";
    /// <summary>Get-ProcessVma was given -Grouped (by path) and -GroupBy Process together.</summary>
    public const string VmaGroupingConflict = "VmaGroupingConflict";
    /// <summary>A -Permission filter is not letters of "rwxsp" nor a four-character pattern like "rw-p".</summary>
    public const string PermissionFilterInvalid = "PermissionFilterInvalid";
    /// <summary>A -Name of Get-ProcessVma or Get-ProcessMemory is a malformed wildcard (such as "a[").</summary>
    public const string ProcessNameInvalid = "ProcessNameInvalid";
}
