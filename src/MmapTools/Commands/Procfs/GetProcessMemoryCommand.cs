using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Totals a process's memory: USS, PSS, RSS, swap, from /proc/PID/smaps_rollup.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ProcessMemory", DefaultParameterSetName = IdSet)]
[OutputType(typeof(ProcessMemoryInfo))]
public sealed class GetProcessMemoryCommand : ProcessTargetCmdlet
{
    /// <inheritdoc />
    protected override string Activity => "Reading /proc/PID/smaps_rollup";

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (int pid in TargetProcessIds())
        {
            if (StopRequested)
            {
                return;
            }

            Progress(pid, 0, processDone: true);
            try
            {
                WriteObject(ProcessMemory.GetMemoryInfo(pid));
            }
            catch (MmapException e)
            {
                WriteMapError(e, pid);
            }
        }
    }
}
