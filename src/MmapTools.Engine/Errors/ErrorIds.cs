namespace MmapTools.Errors;

/// <summary>
/// The stable error ids of the engine. Each names one condition and is raised from one code path;
/// docs/errors.md lists every one with its category, cause and remedy (a test keeps the two in step).
/// Each area of the module adds its ids in a file of its own (ErrorIds.Area.cs).
/// </summary>
public static partial class ErrorIds
{
    // Paths and files
    /// <summary>The file does not exist (ENOENT, ENOTDIR).</summary>
    public const string PathNotFound = "PathNotFound";
    /// <summary>The path names a directory.</summary>
    public const string PathIsDirectory = "PathIsDirectory";
    /// <summary>The path is malformed: empty, contains NUL, too long, or a symlink loop.</summary>
    public const string PathInvalid = "PathInvalid";
    /// <summary>The kernel refused to open the file (EACCES, EPERM).</summary>
    public const string PermissionDenied = "PermissionDenied";
    /// <summary>Read-write access was asked on a read-only filesystem (EROFS).</summary>
    public const string ReadOnlyFileSystem = "ReadOnlyFileSystem";
    /// <summary>open(2) failed for another reason; the errno says which.</summary>
    public const string OpenFailed = "OpenFailed";
    /// <summary>The file is a kind that cannot be mapped (character device, FIFO, socket, procfs: ENODEV).</summary>
    public const string FileNotMappable = "FileNotMappable";
    /// <summary>The file has zero bytes; mapping it needs -Size.</summary>
    public const string FileEmpty = "FileEmpty";
    /// <summary>Growing the file with ftruncate(2) failed.</summary>
    public const string FileResizeFailed = "FileResizeFailed";

    // Ranges
    /// <summary>An offset is negative.</summary>
    public const string OffsetInvalid = "OffsetInvalid";
    /// <summary>A map length is zero or negative.</summary>
    public const string LengthInvalid = "LengthInvalid";
    /// <summary>A count is negative.</summary>
    public const string CountInvalid = "CountInvalid";
    /// <summary>A requested size is zero or negative.</summary>
    public const string SizeInvalid = "SizeInvalid";
    /// <summary>-Size was given with a read-only or copy-on-write access.</summary>
    public const string SizeRequiresReadWrite = "SizeRequiresReadWrite";
    /// <summary>offset + length overflows a 64-bit file offset.</summary>
    public const string RangeOverflow = "RangeOverflow";
    /// <summary>The map would reach past the end of the file.</summary>
    public const string RangeBeyondEndOfFile = "RangeBeyondEndOfFile";
    /// <summary>A read, write, copy or sync reaches outside the map.</summary>
    public const string AccessOutOfRange = "AccessOutOfRange";

    // Mapping
    /// <summary>mmap(2) ran out of memory or address space (ENOMEM).</summary>
    public const string OutOfMemory = "OutOfMemory";
    /// <summary>mmap(2) failed for another reason; the errno says which.</summary>
    public const string MapFailed = "MapFailed";
    /// <summary>mlock(2) failed: RLIMIT_MEMLOCK (ENOMEM) or no privilege (EPERM).</summary>
    public const string LockFailed = "LockFailed";

    // Live maps
    /// <summary>The map was removed (unmapped); it cannot be used again.</summary>
    public const string MapClosed = "MapClosed";
    /// <summary>A write was attempted on a read-only map.</summary>
    public const string MapReadOnly = "MapReadOnly";
    /// <summary>The file shrank under the map; the bytes asked are gone (EFAULT, not SIGBUS).</summary>
    public const string FileTruncated = "FileTruncated";
    /// <summary>The map's current protection forbids the access (EFAULT, not SIGSEGV).</summary>
    public const string MapAccessFault = "MapAccessFault";
    /// <summary>process_vm_readv/writev is blocked (seccomp or kernel config), so guarded access is impossible.</summary>
    public const string GuardedAccessUnavailable = "GuardedAccessUnavailable";
    /// <summary>The bytes in the map are not those given with -Expect; nothing was written.</summary>
    public const string ExpectMismatch = "ExpectMismatch";
    /// <summary>msync(2) failed.</summary>
    public const string SyncFailed = "SyncFailed";

    // Shared memory
    /// <summary>The shared-memory name is not a single safe file name under /dev/shm.</summary>
    public const string SharedMemoryNameInvalid = "SharedMemoryNameInvalid";
    /// <summary>No shared-memory object of that name exists.</summary>
    public const string SharedMemoryNotFound = "SharedMemoryNotFound";
    /// <summary>The shared-memory name is a symbolic link; MmapTools never follows one.</summary>
    public const string SharedMemoryIsSymlink = "SharedMemoryIsSymlink";
    /// <summary>Unlinking the shared-memory object failed.</summary>
    public const string SharedMemoryRemoveFailed = "SharedMemoryRemoveFailed";

    // Values
    /// <summary>A hex string is malformed.</summary>
    public const string HexInvalid = "HexInvalid";
    /// <summary>An encoding name is unknown.</summary>
    public const string EncodingInvalid = "EncodingInvalid";

    // Raised by the cmdlets
    /// <summary>A -Path resolved to a provider other than the FileSystem.</summary>
    public const string PathNotFileSystem = "PathNotFileSystem";
    /// <summary>No open map has the id given.</summary>
    public const string MapNotFound = "MapNotFound";
    /// <summary>Write-MappedBytes was given no bytes (-Value, -Hex or -String).</summary>
    public const string WriteValueMissing = "WriteValueMissing";
    /// <summary>Write-MappedBytes was given more than one of -Value, -Hex and -String.</summary>
    public const string WriteValueConflict = "WriteValueConflict";
    /// <summary>-Expect is neither a hex string nor bytes.</summary>
    public const string ExpectInvalid = "ExpectInvalid";
    /// <summary>Write-MappedBytes was given both -Expect and -ExpectString.</summary>
    public const string ExpectConflict = "ExpectConflict";
    /// <summary>Read-MappedBytes was given both -AsHex and -AsString.</summary>
    public const string ReadFormatConflict = "ReadFormatConflict";
    /// <summary>A read would return more than a .NET array can hold (2 GiB).</summary>
    public const string ReadTooLarge = "ReadTooLarge";
}
