using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using DriveNotFoundException = System.Management.Automation.DriveNotFoundException;
using System.Linq;
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
    /// path on another provider, is a non-terminating error. In -Path, a backtick escapes a wildcard
    /// character ('a`[1`].txt' is the file a[1].txt), as in Get-Item.
    /// <para>
    /// Plain absolute paths skip the provider (its resolution costs tens of microseconds a path, more than
    /// measuring a file): see <see cref="TryResolveDirectly"/>. So do simple wildcards in the last part of a
    /// path ('/var/log/*.log', '*.bin'), expanded here as the provider would: see <see cref="TryGlobDirectly"/>.
    /// Everything else (other relative paths, ~, drive- or provider-qualified paths, other wildcards, paths under a
    /// current location on another provider) goes through the provider as before, with the same errors.
    /// </para>
    /// </summary>
    protected List<string> ResolveFileSystemPaths(IEnumerable<string> paths, bool literal)
    {
        var result = new List<string>();
        bool? fileSystemHere = null;
        foreach (string path in paths)
        {
            if (TryResolveDirectly(path, literal, ref fileSystemHere) is { } direct)
            {
                result.Add(direct);
                continue;
            }

            if (!literal && TryGlobDirectly(path, ref fileSystemHere) is { } globbed)
            {
                if (globbed.Count == 0)
                {
                    WriteError(NoWildcardMatch(path));
                }

                result.AddRange(globbed);
                continue;
            }

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
                    // In -Path a backtick escapes ('a`[1`]' is 'a[1]'); the provider takes the unescaped path literally.
                    string unescaped = literal || !path.Contains('`', StringComparison.Ordinal) ? path : WildcardPattern.Unescape(path);
                    string resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(unescaped, out provider, out _);
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
                    WriteError(NoWildcardMatch(path));
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

    private const string FileSystemQualifier = "FileSystem::";
    private const string FullFileSystemQualifier = @"Microsoft.PowerShell.Core\FileSystem::";

    /// <summary>
    /// The file-system path of <paramref name="path"/> without asking the provider, when that gives exactly what the
    /// provider would; null when the provider must decide. Two forms qualify:
    /// <list type="bullet">
    /// <item>An absolute path ('/...', not '//...') with no '\' (the provider reads it as '/'), no '::' and, for
    /// -Path, no wildcard character or backtick, while the current location is on the FileSystem provider
    /// (checked once per call; under another provider, e.g. after Set-Location Env:, the provider decides, as
    /// before): normalised like the provider, '.', '..' and doubled '/' removed
    /// (<see cref="System.IO.Path.GetFullPath(string)"/>).</item>
    /// <item>A FileSystem-qualified absolute path ('Microsoft.PowerShell.Core\FileSystem::/...', what
    /// Get-ChildItem's PSPath holds, or 'FileSystem::/...'), with no wildcard character or backtick for -Path: the
    /// part after '::', as it is (the provider does not normalise it either).</item>
    /// </list>
    /// A path with a NUL is left to the caller's check.
    /// </summary>
    private string? TryResolveDirectly(string path, bool literal, ref bool? fileSystemHere)
    {
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        if (path[0] == '/')
        {
            if ((path.Length > 1 && path[1] == '/') || path.Contains('\\', StringComparison.Ordinal) ||
                path.Contains("::", StringComparison.Ordinal) || (!literal && HasWildcardOrEscape(path)))
            {
                return null;
            }

            return IsFileSystemHere(ref fileSystemHere) ? System.IO.Path.GetFullPath(path) : null;
        }

        int prefix = path.StartsWith(FullFileSystemQualifier, StringComparison.OrdinalIgnoreCase) ? FullFileSystemQualifier.Length :
                     path.StartsWith(FileSystemQualifier, StringComparison.OrdinalIgnoreCase) ? FileSystemQualifier.Length : -1;
        if (prefix < 0 || path.Length == prefix || path[prefix] != '/' || (!literal && HasWildcardOrEscape(path)))
        {
            return null;
        }

        return path.Substring(prefix);
    }

    /// <summary>Whether the current location is on the FileSystem provider, asked once per call (<paramref name="cache"/>).</summary>
    private bool IsFileSystemHere(ref bool? cache) =>
        cache ??= string.Equals(SessionState.Drive.Current?.Provider?.Name, "FileSystem", StringComparison.Ordinal);

    private static ErrorRecord NoWildcardMatch(string path) =>
        NewError(ErrorIds.PathNotFound, ErrorCategory.ObjectNotFound,
            $"No file matches the wildcard '{path}' (ENOENT). Check the pattern; use -LiteralPath for a name with [ ] * ?.", path);

    /// <summary>The FileSystem provider's own enumeration options for a wildcard leaf (FileSystemProvider.Dir).</summary>
    private static readonly EnumerationOptions GlobOptions = new()
    {
        MatchType = MatchType.Win32,
        MatchCasing = MatchCasing.CaseInsensitive,
        AttributesToSkip = 0,
    };

    /// <summary>
    /// The files and folders a -Path wildcard names, found here without the provider when its expansion is simple
    /// enough to give exactly what the provider gives (the provider's globbing costs about 80 µs a match, ten
    /// times the cost of measuring a small file); null when the provider must decide.
    /// <para>
    /// Qualifies: '*' and '?' in the last part only ('/var/log/*.log', '*.bin', 'data/x??'); no '[', ']', backtick,
    /// '\', ':' or leading '~'; folder parts that are plain names (no '.', '..' or empty part); a folder that
    /// exists; and, for a relative path, a current location on the FileSystem provider. Done as the provider does
    /// it (FileSystemProvider.Dir and LocationGlobber.GenerateNewPSPathsWithGlobLeaf): the folders, then the files,
    /// each enumerated with the leaf as a Win32 filter and sorted by name with the current culture, ignoring case;
    /// hidden entries (dot files) left out; each name matched again by a case-insensitive <see cref="WildcardPattern"/>.
    /// Anything the enumeration throws sends the path to the provider, which reports it in its own words.
    /// </para>
    /// </summary>
    private List<string>? TryGlobDirectly(string path, ref bool? fileSystemHere)
    {
        if (path.Length == 0 || path[0] == '~' || path.AsSpan().IndexOfAny("\0\\:`[]") >= 0)
        {
            return null;
        }

        int slash = path.LastIndexOf('/');
        string leaf = path.Substring(slash + 1);
        if (leaf.AsSpan().IndexOfAny("*?") < 0 || (slash > 0 && path.AsSpan(0, slash).IndexOfAny("*?") >= 0))
        {
            return null;
        }

        bool absolute = path[0] == '/';
        string parent = slash <= 0 ? string.Empty : path.Substring(absolute ? 1 : 0, slash - (absolute ? 1 : 0));
        if (parent.Length > 0)
        {
            foreach (string part in parent.Split('/'))
            {
                if (part.Length == 0 || part == "." || part == "..")
                {
                    return null;
                }
            }
        }

        if (!IsFileSystemHere(ref fileSystemHere))
        {
            return null;
        }

        string root = absolute ? "/" : SessionState.Path.CurrentLocation.ProviderPath;
        if (root.Length == 0 || root[0] != '/')
        {
            return null;
        }

        string folder = parent.Length == 0 ? root : JoinPath(root, parent);
        try
        {
            var directory = new DirectoryInfo(folder);
            if (!directory.Exists)
            {
                return null;
            }

            WildcardPattern matcher = WildcardPattern.Get(leaf, WildcardOptions.IgnoreCase);
            var result = new List<string>();
            AddMatches(directory.EnumerateDirectories(leaf, GlobOptions));
            AddMatches(directory.EnumerateFiles(leaf, GlobOptions));
            return result;

            void AddMatches(IEnumerable<FileSystemInfo> items)
            {
                foreach (FileSystemInfo item in items.OrderBy(static i => i.Name, StringComparer.CurrentCultureIgnoreCase))
                {
                    if ((item.Attributes & FileAttributes.Hidden) == 0 && matcher.IsMatch(item.Name))
                    {
                        result.Add(JoinPath(folder, item.Name));
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or System.Security.SecurityException)
        {
            return null;
        }
    }

    private static string JoinPath(string folder, string name) => folder.EndsWith('/') ? folder + name : folder + "/" + name;

    private static bool HasWildcardOrEscape(string path) => path.AsSpan().IndexOfAny("*?[`") >= 0;

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
