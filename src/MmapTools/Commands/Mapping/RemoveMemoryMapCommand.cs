using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Unmaps a map and closes its file.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "MemoryMap", DefaultParameterSetName = MapSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class RemoveMemoryMapCommand : MmapCmdlet
{
    private const string MapSet = "Map";
    private const string IdSet = "Id";

    /// <summary>The map(s) to remove.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = MapSet, ValueFromPipeline = true)]
    public MemoryMap[] Map { get; set; } = null!;

    /// <summary>The id(s) of the maps to remove.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MapIdCompleter))]
    public int[] Id { get; set; } = null!;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            foreach (int id in Id)
            {
                if (FindMap(id) is { } map)
                {
                    Remove(map);
                }
            }

            return;
        }

        foreach (MemoryMap map in Map)
        {
            Remove(map);
        }
    }

    private void Remove(MemoryMap map)
    {
        if (!map.IsOpen)
        {
            WriteMapError(new MmapException(ErrorIds.MapClosed, MapErrorCategory.InvalidOperation,
                $"Map {map.Id} ({map.Describe()}) was already removed.", 0, map.Path), map);
            return;
        }

        if (ShouldProcess($"map {map.Id}: {map.Describe()}", "Unmap and close"))
        {
            map.Dispose();
        }
    }
}
