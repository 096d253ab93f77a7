using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// What every MmapTools cmdlet shares: engine errors become ErrorRecords with the engine's
/// stable id and category, and -Path/-LiteralPath resolve to file-system paths.
/// </summary>
public abstract class MmapCmdlet : PSCmdlet
{
    /// <summary>
    /// Converts an engine failure into an ErrorRecord whose id is the engine's ErrorId. Advice that needs -Size
    /// (<see cref="MmapException.SizeAdvice"/>) is added to the message shown only when this command has -Size.
    /// </summary>
    protected ErrorRecord ToErrorRecord(MmapException exception, object? target)
    {
        var record = new ErrorRecord(exception, exception.ErrorId, ToCategory(exception.Category), target ?? exception.Path);
        if (exception.SizeAdvice is not null && MyInvocation.MyCommand?.Parameters.ContainsKey("Size") == true)
        {
            record.ErrorDetails = new ErrorDetails(exception.Message + " " + exception.SizeAdvice);
        }

        return record;
    }

    /// <summary>The PowerShell ErrorCategory of the same name.</summary>
    protected static ErrorCategory ToCategory(MapErrorCategory category) =>
        Enum.TryParse(category.ToString(), out ErrorCategory result) ? result : ErrorCategory.InvalidOperation;

    /// <summary>A non-terminating error for one item; the pipeline goes on.</summary>
    protected void WriteMapError(MmapException exception, object? target) => WriteError(ToErrorRecord(exception, target));

    /// <summary>A terminating error: the precondition of the whole call failed.</summary>
    protected void ThrowMapError(MmapException exception, object? target) => ThrowTerminatingError(ToErrorRecord(exception, target));

    /// <summary>An error raised by the cmdlet layer itself.</summary>
    protected static ErrorRecord NewError(string errorId, ErrorCategory category, string message, object? target) =>
        new(new MmapException(errorId, Enum.Parse<MapErrorCategory>(category.ToString()), message, 0, target as string), errorId, category, target);

    /// <summary>
    /// Resolves -Path (wildcards) or -LiteralPath to file-system paths. A path with no wildcard need
    /// not exist yet (the engine reports ENOENT with the errno); a wildcard that matches nothing, or a
    /// path on another provider, is a non-terminating error.
    /// </summary>
    protected List<string> ResolveFileSystemPaths(IEnumerable<string> paths, bool literal)
    {
        var result = new List<string>();
        foreach (string path in paths)
        {
            // A NUL would be cut off by the kernel (or refused by the provider with its own error): refuse it first.
            if (path.Contains('\0', StringComparison.Ordinal))
            {
                WriteError(NewError(ErrorIds.PathInvalid, ErrorCategory.InvalidArgument,
                    $"The path '{path.Replace("\0", "\\0", StringComparison.Ordinal)}' is not valid: it contains a NUL character.", path));
                continue;
            }

            try
            {
                ProviderInfo provider;
                if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
                {
                    string resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
                    if (IsFileSystem(provider, path))
                    {
                        result.Add(resolved);
                    }

                    continue;
                }

                // The provider answers a malformed pattern ('a[') with no matches at all: check it first.
                CheckWildcard(path);
                Collection<string> matches = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
                if (!IsFileSystem(provider, path))
                {
                    continue;
                }

                if (matches.Count == 0)
                {
                    WriteError(NewError(ErrorIds.PathNotFound, ErrorCategory.ObjectNotFound,
                        $"No file matches the wildcard '{path}' (ENOENT). Check the pattern; use -LiteralPath for a name with [ ] * ?.", path));
                    continue;
                }

                result.AddRange(matches);
            }
            catch (ItemNotFoundException e)
            {
                WriteError(NewError(ErrorIds.PathNotFound, ErrorCategory.ObjectNotFound,
                    $"No file matches '{path}': {e.Message}", path));
            }
            catch (DriveNotFoundException e)
            {
                WriteError(NewError(ErrorIds.PathNotFound, ErrorCategory.ObjectNotFound,
                    $"Cannot find '{path}': {e.Message}", path));
            }
            catch (ProviderNotFoundException e)
            {
                WriteError(NewError(ErrorIds.PathNotFileSystem, ErrorCategory.InvalidArgument,
                    $"'{path}' is not a file-system path: {e.Message}", path));
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or System.IO.PathTooLongException or WildcardPatternException)
            {
                // The provider refused the path itself (a malformed wildcard, a path it cannot represent).
                WriteError(NewError(ErrorIds.PathInvalid, ErrorCategory.InvalidArgument,
                    $"The path '{path}' is not valid: {e.Message}", path));
            }
        }

        return result;
    }

    /// <summary>
    /// Throws <see cref="WildcardPatternException"/> when <paramref name="pattern"/> is not a valid wildcard
    /// (an unclosed '[', a bad range), which callers turn into PathInvalid.
    /// </summary>
    protected static void CheckWildcard(string pattern) =>
        _ = WildcardPattern.Get(pattern, WildcardOptions.CultureInvariant).IsMatch(string.Empty);

    /// <summary>
    /// Builds wildcard patterns from user input, or writes a terminating PathInvalid error for a malformed one.
    /// </summary>
    protected List<WildcardPattern> ToWildcards(IEnumerable<string> patterns)
    {
        var result = new List<WildcardPattern>();
        foreach (string p in patterns)
        {
            try
            {
                CheckWildcard(p);
            }
            catch (WildcardPatternException e)
            {
                ThrowTerminatingError(NewError(ErrorIds.PathInvalid, ErrorCategory.InvalidArgument,
                    $"The pattern '{p}' is not a valid wildcard: {e.Message} Escape [ and ] with a backtick (`[) to match them literally.", p));
            }

            result.Add(WildcardPattern.Get(p, WildcardOptions.CultureInvariant));
        }

        return result;
    }

    private bool IsFileSystem(ProviderInfo provider, string path)
    {
        if (provider.Name == "FileSystem")
        {
            return true;
        }

        WriteError(NewError(ErrorIds.PathNotFileSystem, ErrorCategory.InvalidArgument,
            $"'{path}' is on the {provider.Name} provider; MmapTools maps files, so give a file-system path.", path));
        return false;
    }

    /// <summary>Finds an open map by id, or writes MapNotFound and returns null.</summary>
    protected MemoryMap? FindMap(int id)
    {
        if (MapRegistry.TryGet(id, out MemoryMap? map) && map is not null)
        {
            return map;
        }

        WriteError(NewError(ErrorIds.MapNotFound, ErrorCategory.ObjectNotFound,
            $"No open map has id {id}. Get-MemoryMap lists the open maps.", id));
        return null;
    }
}
