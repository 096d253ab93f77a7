using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// A cmdlet about processes: -Id (pipeline by property name, so Get-Process output binds), -Name (wildcards),
/// or, with neither, every process (as Get-Process). A process named explicitly that cannot be read is a
/// non-terminating error and the rest go on; when the whole machine (or a -Name wildcard) is read, processes the
/// caller may not read, processes that exit meanwhile and kernel threads are skipped and counted instead.
/// </summary>
public abstract class ProcessTargetCmdlet : MmapCmdlet
{
    /// <summary>Parameter set: processes by id (the default; none means this process).</summary>
    protected const string IdSet = "Id";
    /// <summary>Parameter set: processes by name.</summary>
    protected const string NameSet = "Name";

    /// <summary>Process ids; Get-Process output binds by its Id property, MmapTools objects by ProcessId.</summary>
    [Parameter(Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("ProcessId", "PID")]
    [ArgumentCompleter(typeof(ProcessIdCompleter))]
    public int[]? Id { get; set; }

    /// <summary>Process names (as Get-Process shows them); wildcards allowed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [SupportsWildcards]
    [Alias("ProcessName")]
    [ArgumentCompleter(typeof(ProcessNameCompleter))]
    public string[] Name { get; set; } = null!;

    private const int ActivityId = 5;
    private readonly SortedDictionary<string, int> _skipped = new(StringComparer.Ordinal);
    private int _exited;
    private int _kernelThreads;
    private readonly Stopwatch _sinceProgress = Stopwatch.StartNew();
    private bool _progressShown;
    private volatile bool _stopping;
    private int _processesDone;
    private int _processesTotal;
    private long _vmasDone;

    /// <summary>What the progress bar says is going on.</summary>
    protected abstract string Activity { get; }

    /// <summary>True once the user pressed Ctrl+C: loops stop between VMAs and between processes.</summary>
    protected bool StopRequested => _stopping;

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping = true;

    /// <summary>
    /// Progress for long runs (many processes, or a process with a huge address space): nothing in the first half
    /// second, then at most four updates a second. Call it from the pipeline thread.
    /// </summary>
    protected void Progress(int pid, long vmasOfThisProcess, bool processDone = false)
    {
        if (processDone)
        {
            _processesDone++;
            _vmasDone += vmasOfThisProcess;
        }

        long ms = _sinceProgress.ElapsedMilliseconds;
        if ((!_progressShown && ms < 500) || (_progressShown && ms < 250))
        {
            return;
        }

        _sinceProgress.Restart();
        _progressShown = true;
        var record = new ProgressRecord(ActivityId, Activity,
            $"{_processesDone}{(_processesTotal > 0 ? " of " + _processesTotal : string.Empty)} processes, {_vmasDone + (processDone ? 0 : vmasOfThisProcess)} VMAs") { CurrentOperation = "process " + pid };
        if (_processesTotal > 0)
        {
            record.PercentComplete = Math.Min(100, _processesDone * 100 / _processesTotal);
        }

        WriteProgress(record);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_progressShown)
        {
            WriteProgress(new ProgressRecord(ActivityId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
        }

        ReportSkipped();
    }

    /// <summary>True while every process is read (no -Id, no -Name) or a -Name wildcard: unreadable processes are counted, not errors.</summary>
    protected bool Sweeping { get; private set; }

    /// <summary>The processes to read for this record: the ids, the names resolved, or every process.</summary>
    protected IEnumerable<int> TargetProcessIds()
    {
        if (ParameterSetName == NameSet)
        {
            Sweeping = Name.Any(WildcardPattern.ContainsWildcardCharacters);
            List<int> named = ResolveNames();
            _processesTotal += named.Count;
            return named;
        }

        Sweeping = Id is null;
        if (Id is null)
        {
            List<int> all = SystemMemory.ProcessIds();
            _processesTotal += all.Count;
            return all;
        }

        return Id;
    }

    /// <summary>
    /// The identity of a process about to be read, or null when it is to be skipped: while sweeping, a process
    /// that is gone or a kernel thread (no address space) is counted and skipped.
    /// </summary>
    protected ProcessIdentity? IdentityOrSkip(int pid)
    {
        ProcessIdentity? identity = ProcessMemory.TryIdentity(pid);
        if (!Sweeping)
        {
            return identity ?? new ProcessIdentity { ProcessId = pid };
        }

        if (identity is null)
        {
            _exited++;
            return null;
        }

        if (identity.HasNoMemory)
        {
            _kernelThreads++;
            return null;
        }

        return identity;
    }

    /// <summary>
    /// Writes the error of a process that could not be read, or, while sweeping, counts it: access denied by its
    /// errno, a process that exited meanwhile apart. Returns true when it was counted.
    /// </summary>
    protected void WriteProcessError(MmapException e, int pid)
    {
        if (Sweeping)
        {
            if (e.ErrorId == ErrorIds.ProcessAccessDenied)
            {
                string errno = e.ErrnoName ?? "EACCES";
                _skipped[errno] = _skipped.GetValueOrDefault(errno) + 1;
                return;
            }

            if (e.ErrorId is ErrorIds.ProcessNotFound or ErrorIds.ProcessExited)
            {
                _exited++;
                return;
            }
        }

        WriteMapError(e, pid);
    }

    private void ReportSkipped()
    {
        if (_skipped.Count > 0)
        {
            int n = _skipped.Values.Sum();
            bool root = SystemMemory.CallerIsRoot;
            WriteWarning($"{n} process{(n == 1 ? " was" : "es were")} skipped: {string.Join(", ", _skipped.Select(kv => kv.Value + " " + kv.Key))} (permission denied); " +
                (root ? "root is refused too (the process is in another user namespace, this shell lacks CAP_SYS_PTRACE, or Yama/SELinux/AppArmor forbids it); name it with -Id to see the error." : "run as root (sudo) or with CAP_SYS_PTRACE to see them, or name them with -Id to see each error."));
        }

        if (_exited > 0 || _kernelThreads > 0)
        {
            WriteVerbose($"Skipped {_exited} process(es) that exited while read and {_kernelThreads} kernel thread(s) or zombie(s), which have no memory of their own.");
        }
    }

    private List<int> ResolveNames()
    {
        Process[] all = Process.GetProcesses();
        var result = new List<int>();
        try
        {
            foreach (string name in Name)
            {
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
                try
                {
                    // The pattern is parsed on first use: a malformed one ("a[") throws here, before any process is read.
                    pattern.IsMatch(string.Empty);
                }
                catch (WildcardPatternException e)
                {
                    ThrowTerminatingError(NewError(ErrorIds.ProcessNameInvalid, ErrorCategory.InvalidArgument,
                        $"-Name '{name}' is not a valid wildcard pattern ({e.Message.TrimEnd('.')}). Escape [ and ] with a backtick, or give the process id with -Id.", name));
                }

                var found = new List<int>();
                foreach (Process p in all)
                {
                    string? processName = null;
                    try
                    {
                        processName = p.ProcessName;
                    }
                    catch (InvalidOperationException)
                    {
                        // exited meanwhile
                    }

                    if (processName is not null && pattern.IsMatch(processName))
                    {
                        found.Add(p.Id);
                    }
                }

                if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                {
                    WriteError(NewError(ErrorIds.ProcessNotFound, ErrorCategory.ObjectNotFound,
                        $"No process is named '{name}'. Get-Process lists the processes you can see.", name));
                }

                result.AddRange(found.Where(id => !result.Contains(id)).OrderBy(id => id));
            }
        }
        finally
        {
            foreach (Process p in all)
            {
                p.Dispose();
            }
        }

        return result;
    }

    /// <summary>Parses an address parameter or stops the call with AddressInvalid.</summary>
    protected ulong AddressOrThrow(object? value, string parameter)
    {
        if (VmaAddress.TryParse(value is PSObject ps ? ps.BaseObject : value, out ulong address))
        {
            return address;
        }

        ThrowTerminatingError(NewError(ErrorIds.AddressInvalid, ErrorCategory.InvalidArgument,
            $"-{parameter} '{value}' is not an address: give a number (0x7f3a12340000 or 140000000) or a string '0x7f3a12340000'.", value));
        return 0;
    }
}
