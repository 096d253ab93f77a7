namespace MmapTools.Errors;

/// <summary>The error ids of the find-and-patch area (Find-MappedBytes, Write-MappedBytes -Backup, Restore-MappedBytes).</summary>
public static partial class ErrorIds
{
    // Patterns and searching
    /// <summary>A search pattern has no bytes, or only ?? wildcards.</summary>
    public const string PatternEmpty = "PatternEmpty";
    /// <summary>A hex search pattern is malformed (odd digits, a lone '?', a character that is not hex).</summary>
    public const string PatternInvalid = "PatternInvalid";
    /// <summary>Find-MappedBytes was given no pattern (-Value, -Hex or -String).</summary>
    public const string PatternMissing = "PatternMissing";
    /// <summary>Find-MappedBytes was given more than one of -Value, -Hex and -String.</summary>
    public const string PatternConflict = "PatternConflict";
    /// <summary>A search option (context, first, window or chunk size) is out of range.</summary>
    public const string SearchOptionInvalid = "SearchOptionInvalid";

    // Patching
    /// <summary>Two hits of one patch write overlapping bytes of the same file or map; nothing was written.</summary>
    public const string PatchOverlap = "PatchOverlap";
    /// <summary>A target of a many-hit patch failed before writing, so (all or nothing) nothing was written.</summary>
    public const string PatchAbandoned = "PatchAbandoned";
    /// <summary>A match's replacement is longer or shorter than the match, and -AllowLengthChange was not given; nothing was written.</summary>
    public const string PatchLengthMismatch = "PatchLengthMismatch";
    /// <summary>A write failed part-way and putting the earlier hits back failed too; some bytes remain patched.</summary>
    public const string PatchIncomplete = "PatchIncomplete";

    // Backups and restore
    /// <summary>The -Backup file exists already; it is never overwritten.</summary>
    public const string BackupExists = "BackupExists";
    /// <summary>The backup record could not be written; nothing was patched.</summary>
    public const string BackupWriteFailed = "BackupWriteFailed";
    /// <summary>-Backup on anonymous memory or a copy-on-write map, whose writes never reach a file.</summary>
    public const string BackupNotSupported = "BackupNotSupported";
    /// <summary>The backup record could not be read (I/O error, permission).</summary>
    public const string BackupReadFailed = "BackupReadFailed";
    /// <summary>The backup record named is not a regular file (a FIFO, device or socket); it is not opened.</summary>
    public const string BackupNotRegularFile = "BackupNotRegularFile";
    /// <summary>The backup record is larger than any record Write-MappedBytes writes; it is not read.</summary>
    public const string BackupTooLarge = "BackupTooLarge";
    /// <summary>The backup record is not a valid MmapTools backup (bad JSON, wrong format or version, bad field).</summary>
    public const string BackupInvalid = "BackupInvalid";
    /// <summary>The bytes at a patched range are no longer what the patch wrote; nothing was restored.</summary>
    public const string RestoreMismatch = "RestoreMismatch";
}
