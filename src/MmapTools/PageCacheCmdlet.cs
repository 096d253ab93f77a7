using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// What the page-cache cmdlets share: files from -Path (wildcards), -LiteralPath or Get-ChildItem on the pipeline,
/// folders walked with -Recurse, a range (-Offset/-Length), one non-terminating error per file that fails, and
/// Write-Progress on long runs.
/// </summary>
public abstract class PageCacheCmdlet : MmapCmdlet
{
    /// <summary>Parameter set: files, wildcards allowed.</summary>
    protected const string PathSet = "Path";
    /// <summary>Parameter set: files, literally.</summary>
    protected const string LiteralPathSet = "LiteralPath";
    /// <summary>Parameter set: FileInfo and DirectoryInfo objects (Get-ChildItem, Get-Item) by value.</summary>
    protected const string InputObjectSet = "InputObject";

    private readonly Stopwatch _sinceProgress = Stopwatch.StartNew();
    private bool _progressShown;
    private long _filesDone;
    private long _bytesDone;

    /// <summary>The files; wildcards allowed. Folders need -Recurse.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Path { get; set; } = null!;

    /// <summary>The files, taken literally (Get-ChildItem output binds here through PSPath).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = null!;

    /// <summary>
    /// Files and folders as objects: what Get-ChildItem and Get-Item output binds to, by value. Each one's FullName
    /// is used as it is, with no provider call (binding PSPath to -LiteralPath by property name and resolving it
    /// costs several times more per file than measuring it).
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public FileSystemInfo[] InputObject { get; set; } = null!;

    /// <summary>Work on every file under the folders given (symbolic links to folders are not followed).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = InputObjectSet)]
    public SwitchParameter Recurse { get; set; }

    /// <summary>The first byte of each file to work on (default 0).</summary>
    [Parameter]
    public long Offset { get; set; }

    /// <summary>How many bytes from -Offset (default: to the end; a length past the end stops there).</summary>
    [Parameter]
    [Alias("Count")]
    public long Length { get; set; }

    /// <summary>-Length when given, else null.</summary>
    protected long? LengthOrNull => MyInvocation.BoundParameters.ContainsKey(nameof(Length)) ? Length : null;

    /// <summary>The activity named in Write-Progress.</summary>
    protected abstract string Activity { get; }

    /// <summary>True when the call names files (not maps).</summary>
    protected bool IsFileTarget => ParameterSetName is PathSet or LiteralPathSet or InputObjectSet;

    /// <summary>
    /// The file-system paths the call names: -Path and -LiteralPath resolved (<see cref="MmapCmdlet.ResolveFileSystemPaths"/>),
    /// or the FullName of each -InputObject.
    /// </summary>
    protected List<string> ResolveTargets()
    {
        if (ParameterSetName != InputObjectSet)
        {
            return ResolveFileSystemPaths(ParameterSetName == PathSet ? Path : LiteralPath, ParameterSetName == LiteralPathSet);
        }

        var result = new List<string>(InputObject.Length);
        foreach (FileSystemInfo item in InputObject)
        {
            result.Add(item.FullName);
        }

        return result;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on each file the call names (folders expanded with -Recurse). An engine
    /// failure on one file is a non-terminating error for that file; the others go on.
    /// </summary>
    protected void ForEachFile(Action<string> action)
    {
        foreach (string target in ResolveTargets())
        {
            if (Recurse && Directory.Exists(target))
            {
                List<string> files = Walk(target);
                for (int i = 0; i < files.Count; i++)
                {
                    Progress(files[i], (int)(100L * i / Math.Max(1, files.Count)));
                    Run(files[i], action);
                }

                continue;
            }

            Progress(target, -1);
            Run(target, action);
        }
    }

    /// <summary>Reports the bytes of the current file done, for the progress bar of a large file.</summary>
    protected void FileProgress(string path, long done, long total)
    {
        if (total > 0)
        {
            Progress(path, (int)Math.Min(100, 100 * done / total), force: false, bytes: done);
        }
    }

    /// <summary>Writes the page-cache residency of <paramref name="path"/> after an action; a file whose residency
    /// this user may not see gets a warning instead (the action itself succeeded).</summary>
    protected void WriteResidencyAfter(string path, Func<PageCacheResidency> measure)
    {
        try
        {
            PageCacheResidency r = measure();
            _bytesDone += r.Length;
            WriteObject(r);
        }
        catch (MmapException e) when (e.ErrorId == ErrorIds.CacheResidencyUnknown)
        {
            WriteWarning($"Done for '{path}', but its residency cannot be shown: {e.Message}");
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_progressShown)
        {
            WriteProgress(new ProgressRecord(ActivityId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    private const int ActivityId = 4;

    private void Run(string file, Action<string> action)
    {
        try
        {
            action(file);
        }
        catch (MmapException e)
        {
            WriteMapError(e, file);
        }

        _filesDone++;
    }

    private void Progress(string path, int percent, bool force = false, long bytes = -1)
    {
        // At most about five updates a second: Write-Progress is slow, and tens of thousands of files go by fast.
        if (!force && _sinceProgress.ElapsedMilliseconds < 200 && _progressShown)
        {
            return;
        }

        if (!_progressShown && _sinceProgress.ElapsedMilliseconds < 500)
        {
            return;
        }

        _sinceProgress.Restart();
        _progressShown = true;
        string status = $"{_filesDone} files, {Units.FormatBytes(_bytesDone + Math.Max(0, bytes))}";
        WriteProgress(new ProgressRecord(ActivityId, Activity, status) { CurrentOperation = path, PercentComplete = percent });
    }

    /// <summary>Every file under <paramref name="folder"/>, depth first in name order; unreadable folders are errors, links to folders are not followed.</summary>
    private List<string> Walk(string folder)
    {
        var files = new List<string>();
        var pending = new Stack<string>();
        pending.Push(folder);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            // IsLink is asked of folders only: Attributes costs an lstat (and a geteuid) per entry, and a file is
            // measured whether it is a link or not.
            var entries = new List<(string Path, bool IsFolder, bool IsLink)>();
            try
            {
                var enumerable = new System.IO.Enumeration.FileSystemEnumerable<(string, bool, bool)>(
                    dir,
                    (ref System.IO.Enumeration.FileSystemEntry e) => (e.ToFullPath(), e.IsDirectory, e.IsDirectory && (e.Attributes & FileAttributes.ReparsePoint) != 0),
                    new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0 });
                entries.AddRange(enumerable);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                WriteError(NewError(e is UnauthorizedAccessException ? ErrorIds.PermissionDenied : ErrorIds.PathNotFound,
                    e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.ObjectNotFound,
                    $"Cannot list the folder '{dir}': {e.Message}", dir));
                continue;
            }

            entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            var subfolders = new List<string>();
            foreach ((string entry, bool isFolder, bool isLink) in entries)
            {
                if (isFolder && !isLink)
                {
                    subfolders.Add(entry);
                }
                else if (!isFolder)
                {
                    files.Add(entry);
                }
            }

            for (int i = subfolders.Count - 1; i >= 0; i--)
            {
                pending.Push(subfolders[i]);
            }
        }

        return files;
    }
}
