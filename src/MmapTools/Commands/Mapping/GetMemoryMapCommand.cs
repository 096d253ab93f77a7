using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Lists the maps open in this session.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "MemoryMap")]
[OutputType(typeof(MemoryMap))]
public sealed class GetMemoryMapCommand : MmapCmdlet
{
    /// <summary>Only the maps with these ids; an id that is not open is an error.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MapIdCompleter))]
    public int[]? Id { get; set; }

    /// <summary>Only maps whose path (or shared-memory name) matches; wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? Path { get; set; }

    /// <summary>Only maps of these kinds.</summary>
    [Parameter]
    public MapKind[]? Kind { get; set; }

    private List<WildcardPattern>? _patterns;

    /// <inheritdoc />
    protected override void BeginProcessing() => _patterns = Path is null ? null : ToWildcards(Path);

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (Id is not null)
        {
            foreach (int id in Id)
            {
                if (FindMap(id) is { } map && Matches(map))
                {
                    WriteObject(map);
                }
            }

            return;
        }

        foreach (MemoryMap map in MapRegistry.All.Where(Matches))
        {
            WriteObject(map);
        }
    }

    private bool Matches(MemoryMap map)
    {
        if (Kind is not null && !Kind.Contains(map.Kind))
        {
            return false;
        }

        if (_patterns is null)
        {
            return true;
        }

        return _patterns.Any(p => (map.Path is not null && p.IsMatch(map.Path)) || (map.Name is not null && p.IsMatch(map.Name)));
    }
}
