using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Totals the memory of processes (every process by default): USS, PSS, RSS, swap, from /proc/PID/smaps_rollup; by user, name or mapped file with -GroupBy, like smem.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ProcessMemory", DefaultParameterSetName = IdSet)]
[OutputType(typeof(ProcessMemoryInfo), typeof(ProcessMemoryGroup))]
public sealed class GetProcessMemoryCommand : ProcessTargetCmdlet
{
    private MemoryAccounting? _accounting;
    private long _memoryTotal;

    /// <summary>
    /// Process (default): one object per process. User, Name: one per user or process name (smem -u). Mapping:
    /// one per mapped file or label, summed over every process that maps it (smem -m; reads smaps). Total: one
    /// object for all the processes read (smem -t).
    /// </summary>
    [Parameter]
    public ProcessMemoryGrouping GroupBy { get; set; } = ProcessMemoryGrouping.Process;

    /// <inheritdoc />
    protected override string Activity => GroupBy == ProcessMemoryGrouping.Mapping ? "Reading /proc/PID/smaps" : "Reading /proc/PID/smaps_rollup";

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        _memoryTotal = SystemMemory.TotalBytes();
        if (GroupBy != ProcessMemoryGrouping.Process)
        {
            _accounting = new MemoryAccounting(GroupBy, _memoryTotal);
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (int pid in TargetProcessIds())
        {
            if (StopRequested)
            {
                return;
            }

            ProcessIdentity? identity = IdentityOrSkip(pid);
            if (identity is null)
            {
                continue;
            }

            int vmas = 0;
            try
            {
                if (_accounting is { NeedsVmas: true })
                {
                    using VmaReader reader = ProcessMemory.GetVmas(pid, detailed: true, identity);
                    foreach (ProcessVma v in reader)
                    {
                        if (StopRequested)
                        {
                            return;
                        }

                        _accounting.Add(v);
                        vmas++;
                    }
                }
                else
                {
                    ProcessMemoryInfo info = ProcessMemory.GetMemoryInfo(pid, identity, _memoryTotal);
                    if (_accounting is null)
                    {
                        WriteObject(info);
                    }
                    else
                    {
                        _accounting.Add(info);
                    }
                }
            }
            catch (MmapException e)
            {
                WriteProcessError(e, pid);
            }
            finally
            {
                Progress(pid, vmas, processDone: true);
            }
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_accounting is not null)
        {
            WriteObject(_accounting.Groups(), enumerateCollection: true);
        }

        base.EndProcessing();
    }
}
