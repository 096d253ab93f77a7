using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Flushes a map's changed pages to its file (msync).</para>
/// </summary>
[Cmdlet(VerbsData.Sync, "MemoryMap", DefaultParameterSetName = MapSet)]
[OutputType(typeof(MemoryMap))]
public sealed class SyncMemoryMapCommand : LiveMapCmdlet
{
    /// <summary>MS_ASYNC: start the write-back and return at once.</summary>
    [Parameter]
    public SwitchParameter Async { get; set; }

    /// <summary>MS_INVALIDATE: make other mappings of the file see it afresh.</summary>
    [Parameter]
    public SwitchParameter Invalidate { get; set; }

    /// <inheritdoc />
    protected override bool Change(MemoryMap map)
    {
        map.Sync(Offset, CountOrNull, (Async ? SyncOptions.Async : 0) | (Invalidate ? SyncOptions.Invalidate : 0));
        return true;
    }
}
