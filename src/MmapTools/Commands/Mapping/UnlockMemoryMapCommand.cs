using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Unlocks the pages of a live map (munlock): the kernel may reclaim them again.</para>
/// </summary>
[Cmdlet(VerbsCommon.Unlock, "MemoryMap", DefaultParameterSetName = MapSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(MemoryMap))]
public sealed class UnlockMemoryMapCommand : LiveMapCmdlet
{
    /// <inheritdoc />
    protected override bool Change(MemoryMap map)
    {
        if (!ShouldProcess(Target(map), "Unlock (munlock)"))
        {
            return false;
        }

        map.Unlock(Offset, CountOrNull);
        return true;
    }
}
