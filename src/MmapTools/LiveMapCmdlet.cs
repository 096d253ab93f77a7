using System;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// What the cmdlets that change a live map share: the map (-Map, pipeline, or -Id), a range of it
/// (-Offset/-Count, aligned to pages internally), -PassThru, and one error per map that fails.
/// </summary>
public abstract class LiveMapCmdlet : MmapCmdlet
{
    /// <summary>Parameter set: an open map object.</summary>
    protected const string MapSet = "Map";
    /// <summary>Parameter set: open maps by id.</summary>
    protected const string IdSet = "Id";

    /// <summary>The map, from New-MemoryMap or Get-MemoryMap.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = MapSet, ValueFromPipeline = true)]
    public MemoryMap Map { get; set; } = null!;

    /// <summary>The ids of open maps.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    [ArgumentCompleter(typeof(MapIdCompleter))]
    public int[] Id { get; set; } = null!;

    /// <summary>The first map offset to change (default 0); the page holding it changes whole.</summary>
    [Parameter]
    public long Offset { get; set; }

    /// <summary>How many bytes from -Offset (default: to the end of the map); the pages they touch change whole.</summary>
    [Parameter]
    [Alias("Length")]
    public long Count { get; set; }

    /// <summary>Output the map afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>-Count when given, else null.</summary>
    protected long? CountOrNull => MyInvocation.BoundParameters.ContainsKey(nameof(Count)) ? Count : null;

    /// <summary>"bytes 0..4095 of map 3 ('/path', ...)" for -WhatIf and -Confirm.</summary>
    protected string Target(MemoryMap map)
    {
        long n = CountOrNull ?? map.Length - Math.Max(0, Offset);
        return $"bytes {Offset}..{Offset + n - 1} of map {map.Id} ({map.Describe()})";
    }

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
        }
        else
        {
            Apply(Map);
        }
    }

    /// <summary>Changes one map; engine failures become non-terminating errors.</summary>
    private void Apply(MemoryMap map)
    {
        try
        {
            if (Change(map) && PassThru)
            {
                WriteObject(map);
            }
        }
        catch (MmapException e)
        {
            WriteMapError(e, map);
        }
    }

    /// <summary>Makes the change (after ShouldProcess); returns false when it was skipped.</summary>
    protected abstract bool Change(MemoryMap map);
}
