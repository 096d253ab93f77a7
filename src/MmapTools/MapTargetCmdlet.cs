using System;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// A cmdlet that works on an open map (-Map, -Id, pipeline) or straight on files (-Path, -LiteralPath)
/// through a transient map that is removed when the operation ends.
/// </summary>
public abstract class MapTargetCmdlet : MmapCmdlet
{
    /// <summary>Parameter set: an open map object.</summary>
    protected const string MapSet = "Map";
    /// <summary>Parameter set: an open map by id.</summary>
    protected const string IdSet = "Id";
    /// <summary>Parameter set: files, wildcards allowed.</summary>
    protected const string PathSet = "Path";
    /// <summary>Parameter set: files, literally.</summary>
    protected const string LiteralPathSet = "LiteralPath";

    /// <summary>An open map, from New-MemoryMap or Get-MemoryMap.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = MapSet, ValueFromPipeline = true)]
    public MemoryMap Map { get; set; } = null!;

    /// <summary>The id of an open map.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MapIdCompleter))]
    public int Id { get; set; }

    /// <summary>Work on these files directly, through a map made for the call; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Path { get; set; } = null!;

    /// <summary>Work on these files directly, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = null!;

    /// <summary>True when the call names files rather than an open map.</summary>
    protected bool IsFileTarget => ParameterSetName is PathSet or LiteralPathSet;

    /// <summary>
    /// Runs <paramref name="action"/> for each target. For files, <paramref name="openFile"/> makes the
    /// transient map, which is disposed afterwards. Engine failures become non-terminating errors.
    /// </summary>
    protected void ForEachTarget(Func<string, MemoryMap> openFile, Action<MemoryMap, object> action)
    {
        if (IsFileTarget)
        {
            foreach (string file in ResolveFileSystemPaths(ParameterSetName == PathSet ? Path : LiteralPath, ParameterSetName == LiteralPathSet))
            {
                try
                {
                    using MemoryMap transient = openFile(file);
                    action(transient, file);
                }
                catch (MmapException e)
                {
                    WriteMapError(e, file);
                }
            }

            return;
        }

        MemoryMap? map = ParameterSetName == IdSet ? FindMap(Id) : Map;
        if (map is null)
        {
            return;
        }

        try
        {
            action(map, map);
        }
        catch (MmapException e)
        {
            WriteMapError(e, map);
        }
    }
}
