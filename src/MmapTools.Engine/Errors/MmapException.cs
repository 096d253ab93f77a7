using System;
using System.IO;
using MmapTools.Interop;

namespace MmapTools.Errors;

/// <summary>
/// Every failure the engine reports. <see cref="ErrorId"/> is stable (one per code path, see
/// <see cref="ErrorIds"/>); the cmdlets use it as the ErrorRecord's FullyQualifiedErrorId.
/// The message names what was asked (path, offset, length), what happened (errno name) and
/// what to do.
/// </summary>
public sealed class MmapException : IOException
{
    /// <summary>Creates an exception; use the factories in <see cref="MapErrors"/>.</summary>
    public MmapException(string errorId, MapErrorCategory category, string message, int errno = 0, string? path = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Category = category;
        Errno = errno;
        Path = path;
        if (errno != 0)
        {
            HResult = errno;
        }
    }

    /// <summary>The stable error id, e.g. <c>PathNotFound</c>.</summary>
    public string ErrorId { get; }

    /// <summary>The category, named as PowerShell's ErrorCategory.</summary>
    public MapErrorCategory Category { get; }

    /// <summary>The errno behind the failure, or 0 when none (a check made by MmapTools itself).</summary>
    public int Errno { get; }

    /// <summary>The errno's symbolic name ("ENOENT"), or null.</summary>
    public string? ErrnoName => Errno == 0 ? null : Interop.Errno.NameOf(Errno);

    /// <summary>The file or object concerned, where there is one.</summary>
    public string? Path { get; }

    /// <summary>The offset asked for, where one was.</summary>
    public long? Offset { get; init; }

    /// <summary>The length or count asked for, where one was.</summary>
    public long? Length { get; init; }

    /// <summary>
    /// Advice that only a caller able to give a size can follow ("Give -Size to grow it first."), or null.
    /// <see cref="Exception.Message"/> never names -Size, since most commands have none; the cmdlet layer adds
    /// this to the message it shows only for a command that has a -Size parameter (New-MemoryMap).
    /// </summary>
    public string? SizeAdvice { get; init; }
}
