using System;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// What the cmdlets that change a live map share: the maps (<see cref="OpenMapCmdlet"/>), a range of each
/// (-Offset/-Count, alias -Length, aligned to pages internally), and -PassThru.
/// </summary>
public abstract class LiveMapCmdlet : OpenMapCmdlet
{
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
    protected sealed override void ProcessMap(MemoryMap map)
    {
        if (Change(map) && PassThru)
        {
            WriteObject(map);
        }
    }

    /// <summary>Makes the change (after ShouldProcess); returns false when it was skipped.</summary>
    protected abstract bool Change(MemoryMap map);
}
