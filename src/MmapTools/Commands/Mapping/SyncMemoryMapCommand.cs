using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Flushes a map's changed pages to its file (msync).</para>
/// </summary>
[Cmdlet(VerbsData.Sync, "MemoryMap", DefaultParameterSetName = MapSet)]
[OutputType(typeof(MemoryMap))]
public sealed class SyncMemoryMapCommand : MmapCmdlet
{
    private const string MapSet = "Map";
    private const string IdSet = "Id";

    /// <summary>The map to flush.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = MapSet, ValueFromPipeline = true)]
    public MemoryMap Map { get; set; } = null!;

    /// <summary>The id of the map to flush.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MapIdCompleter))]
    public int[] Id { get; set; } = null!;

    /// <summary>Flush from this map offset (rounded down to a page).</summary>
    [Parameter]
    public long Offset { get; set; }

    /// <summary>Flush this many bytes (rounded out to pages); default to the end of the map.</summary>
    [Parameter]
    public long Count { get; set; }

    /// <summary>MS_ASYNC: start the write-back and return at once.</summary>
    [Parameter]
    public SwitchParameter Async { get; set; }

    /// <summary>MS_INVALIDATE: make other mappings of the file see it afresh.</summary>
    [Parameter]
    public SwitchParameter Invalidate { get; set; }

    /// <summary>Output the map.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            foreach (int id in Id)
            {
                if (FindMap(id) is { } map)
                {
                    Flush(map);
                }
            }
        }
        else
        {
            Flush(Map);
        }
    }

    private void Flush(MemoryMap map)
    {
        try
        {
            long? count = MyInvocation.BoundParameters.ContainsKey(nameof(Count)) ? Count : null;
            map.Sync(Offset, count, (Async ? SyncOptions.Async : 0) | (Invalidate ? SyncOptions.Invalidate : 0));
            if (PassThru)
            {
                WriteObject(map);
            }
        }
        catch (MmapException e)
        {
            WriteMapError(e, map);
        }
    }
}
