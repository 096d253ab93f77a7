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
    protected override void ProcessRecord()
    {
        foreach (int pid in TargetProcessIds())
        {
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
