using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// A cmdlet about processes: -Id (pipeline by property name, so Get-Process output binds), -Name (wildcards),
/// or the current process. Each process that cannot be read is a non-terminating error and the rest go on.
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
    private readonly Stopwatch _sinceProgress = Stopwatch.StartNew();
    private bool _progressShown;
    private volatile bool _stopping;
    private int _processesDone;
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
        WriteProgress(new ProgressRecord(ActivityId, Activity,
            $"{_processesDone} processes, {_vmasDone + (processDone ? 0 : vmasOfThisProcess)} VMAs") { CurrentOperation = "process " + pid });
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_progressShown)
        {
            WriteProgress(new ProgressRecord(ActivityId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    /// <summary>The processes to read for this record: the ids, the names resolved, or this process.</summary>
    protected IEnumerable<int> TargetProcessIds()
    {
        if (ParameterSetName == NameSet)
        {
            return ResolveNames();
        }

        return Id ?? new[] { Environment.ProcessId };
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
