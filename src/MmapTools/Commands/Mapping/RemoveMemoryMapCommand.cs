using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Unmaps a map and closes its file.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "MemoryMap", DefaultParameterSetName = MapSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class RemoveMemoryMapCommand : OpenMapCmdlet
{
    /// <inheritdoc />
    protected override void ProcessMap(MemoryMap map)
    {
        if (!map.IsOpen)
        {
            throw new MmapException(ErrorIds.MapClosed, MapErrorCategory.InvalidOperation,
                $"Map {map.Id} ({map.Describe()}) was already removed.", 0, map.Path);
        }

        if (ShouldProcess($"map {map.Id}: {map.Describe()}", "Unmap and close"))
        {
            map.Dispose();
        }
    }
}
