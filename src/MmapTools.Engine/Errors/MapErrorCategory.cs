namespace MmapTools.Errors;

/// <summary>
/// The category of an engine failure. Names and values are those of PowerShell's
/// System.Management.Automation.ErrorCategory, so the cmdlet layer converts by name;
/// the engine itself carries no PowerShell reference.
/// </summary>
public enum MapErrorCategory
{
    /// <summary>Never used by MmapTools; present to keep values aligned.</summary>
    NotSpecified = 0,
    /// <summary>A file or object could not be opened.</summary>
    OpenError = 1,
    /// <summary>A file or object could not be closed.</summary>
    CloseError = 2,
    /// <summary>The device failed.</summary>
    DeviceError = 3,
    /// <summary>A deadlock was detected.</summary>
    DeadlockDetected = 4,
    /// <summary>An argument is out of range or malformed.</summary>
    InvalidArgument = 5,
    /// <summary>Data did not have the expected content.</summary>
    InvalidData = 6,
    /// <summary>The operation is not valid in the object's state.</summary>
    InvalidOperation = 7,
    /// <summary>A result was invalid.</summary>
    InvalidResult = 8,
    /// <summary>A type was invalid.</summary>
    InvalidType = 9,
    /// <summary>Metadata was invalid.</summary>
    MetadataError = 10,
    /// <summary>Not implemented by the system.</summary>
    NotImplemented = 11,
    /// <summary>Not installed.</summary>
    NotInstalled = 12,
    /// <summary>The object does not exist.</summary>
    ObjectNotFound = 13,
    /// <summary>The operation was stopped.</summary>
    OperationStopped = 14,
    /// <summary>The operation timed out.</summary>
    OperationTimeout = 15,
    /// <summary>Syntax error.</summary>
    SyntaxError = 16,
    /// <summary>Parse error.</summary>
    ParserError = 17,
    /// <summary>The kernel refused access.</summary>
    PermissionDenied = 18,
    /// <summary>The resource is busy.</summary>
    ResourceBusy = 19,
    /// <summary>The resource exists already.</summary>
    ResourceExists = 20,
    /// <summary>The resource is gone or cannot be had.</summary>
    ResourceUnavailable = 21,
    /// <summary>Reading failed.</summary>
    ReadError = 22,
    /// <summary>Writing failed.</summary>
    WriteError = 23,
    /// <summary>From standard error.</summary>
    FromStdErr = 24,
    /// <summary>A security rule was violated.</summary>
    SecurityError = 25,
    /// <summary>Protocol error.</summary>
    ProtocolError = 26,
    /// <summary>Connection error.</summary>
    ConnectionError = 27,
    /// <summary>Authentication error.</summary>
    AuthenticationError = 28,
    /// <summary>A system limit was exceeded.</summary>
    LimitsExceeded = 29,
    /// <summary>A quota was exceeded.</summary>
    QuotaExceeded = 30,
    /// <summary>The feature is not enabled on this system.</summary>
    NotEnabled = 31,
}
