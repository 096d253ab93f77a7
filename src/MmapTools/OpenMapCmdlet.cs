using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// The base of every cmdlet whose target is one or more open maps and nothing else: -Map (maps, from the pipeline
/// by value) or -Id (ids, from the pipeline by property name, so <c>[pscustomobject]@{ Id = 3 }</c> works; a
/// <see cref="MemoryMap"/> piped in binds to -Map, whose set is the default). Each map is handled on its own: an
/// engine failure on one becomes a non-terminating error for that map and the rest go on.
/// </summary>
public abstract class OpenMapCmdlet : MmapCmdlet
{
    /// <summary>Parameter set: open map objects.</summary>
    protected const string MapSet = "Map";
    /// <summary>Parameter set: open maps by id.</summary>
    protected const string IdSet = "Id";

    /// <summary>The maps, from New-MemoryMap or Get-MemoryMap.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = MapSet, ValueFromPipeline = true)]
    public MemoryMap[] Map { get; set; } = null!;

    /// <summary>The ids of open maps.</summary>
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
                    Apply(map);
                }
            }

            return;
        }

        foreach (MemoryMap map in Map)
        {
            Apply(map);
        }
    }

    private void Apply(MemoryMap map)
    {
        try
        {
            ProcessMap(map);
        }
        catch (MmapException e)
        {
            WriteMapError(e, map);
        }
    }

    /// <summary>Does the cmdlet's work on one map; an <see cref="MmapException"/> becomes an error for that map.</summary>
    protected abstract void ProcessMap(MemoryMap map);
}
