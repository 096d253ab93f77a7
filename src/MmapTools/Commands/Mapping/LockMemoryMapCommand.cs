using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Locks the pages of a live map in RAM (mlock), loading them first.</para>
/// </summary>
[Cmdlet(VerbsCommon.Lock, "MemoryMap", DefaultParameterSetName = MapSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(MemoryMap))]
public sealed class LockMemoryMapCommand : LiveMapCmdlet
{
    /// <inheritdoc />
    protected override bool Change(MemoryMap map)
    {
        if (!ShouldProcess(Target(map), "Lock in RAM (mlock)"))
        {
            return false;
        }

        map.Lock(Offset, CountOrNull);
        return true;
    }
}
