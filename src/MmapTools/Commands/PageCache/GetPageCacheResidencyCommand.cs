using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Shows how much of files (or of open maps) is in the page cache, like fincore and vmtouch -v.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "PageCacheResidency", DefaultParameterSetName = PathSet)]
[OutputType(typeof(PageCacheResidency))]
[OutputType(typeof(PageCacheRange))]
public sealed class GetPageCacheResidencyCommand : PageCacheCmdlet
{
    private const string MapSet = "Map";
    private const string IdSet = "Id";

    /// <summary>An open map: the page cache behind its file range (RAM residency for anonymous memory).</summary>
    [Parameter(Mandatory = true, ParameterSetName = MapSet, ValueFromPipeline = true)]
    public MemoryMap Map { get; set; } = null!;

    /// <summary>The ids of open maps.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MapIdCompleter))]
    public int[] Id { get; set; } = null!;

    /// <summary>Output the runs of resident and not-resident pages instead of one summary per file.</summary>
    [Parameter]
    public SwitchParameter Ranges { get; set; }

    /// <summary>Auto (cachestat where the kernel has it, else mincore), CacheStat or MinCore.</summary>
    [Parameter]
    public ResidencyMethod Method { get; set; } = ResidencyMethod.Auto;

    /// <inheritdoc />
    protected override string Activity => "Measuring page-cache residency";

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case MapSet:
                Measure(Map);
                break;
            case IdSet:
                foreach (int id in Id)
                {
                    if (FindMap(id) is { } map)
                    {
                        Measure(map);
                    }
                }

                break;
            default:
                ForEachFile(file => Emit(PageCache.Measure(file, Offset, LengthOrNull, Method, Ranges)));
                break;
        }
    }

    private void Measure(MemoryMap map)
    {
        try
        {
            Emit(PageCache.MeasureMap(map, Offset, LengthOrNull, Method, Ranges));
        }
        catch (MmapException e)
        {
            WriteMapError(e, map);
        }
    }

    private void Emit(PageCacheResidency r)
    {
        if (Ranges)
        {
            WriteObject(r.Ranges, enumerateCollection: true);
        }
        else
        {
            WriteObject(r);
        }
    }
}
