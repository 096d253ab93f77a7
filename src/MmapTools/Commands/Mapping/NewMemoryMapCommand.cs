using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Maps a file, anonymous memory or named shared memory into this session.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "MemoryMap", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(MemoryMap))]
public sealed class NewMemoryMapCommand : MmapCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string AnonymousSet = "Anonymous";
    private const string SharedMemorySet = "SharedMemory";
    private const string SharedMemoryInputSet = "SharedMemoryInput";

    /// <summary>The file(s) to map; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Path { get; set; } = null!;

    /// <summary>The file(s) to map, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = null!;

    /// <summary>Map anonymous (zero-filled) memory instead of a file.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AnonymousSet)]
    public SwitchParameter Anonymous { get; set; }

    /// <summary>With -Anonymous: MAP_SHARED, so child processes share the memory.</summary>
    [Parameter(ParameterSetName = AnonymousSet)]
    public SwitchParameter Shared { get; set; }

    /// <summary>
    /// The name of a POSIX shared-memory object under /dev/shm. Not taken from the pipeline by property name:
    /// every file from Get-ChildItem has a Name, and it must bind as a file (-LiteralPath through PSPath).
    /// Objects from Get-SharedMemory bind to -InputObject instead.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = SharedMemorySet)]
    [ArgumentCompleter(typeof(SharedMemoryNameCompleter))]
    public string Name { get; set; } = null!;

    /// <summary>Shared-memory objects from Get-SharedMemory (on the pipeline): each is mapped by its name, as -Name does.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SharedMemoryInputSet, ValueFromPipeline = true)]
    public SharedMemoryInfo[] InputObject { get; set; } = null!;

    /// <summary>ReadOnly (files' default), ReadWrite (shared memory's default) or CopyOnWrite.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = SharedMemorySet)]
    [Parameter(ParameterSetName = SharedMemoryInputSet)]
    public MapAccess Access { get; set; } = MapAccess.ReadOnly;

    /// <summary>The byte offset in the file where the map starts; any value, aligned internally.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = SharedMemorySet)]
    [Parameter(ParameterSetName = SharedMemoryInputSet)]
    public long Offset { get; set; }

    /// <summary>How many bytes to map; default the rest of the file. Required with -Anonymous.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = SharedMemorySet)]
    [Parameter(ParameterSetName = SharedMemoryInputSet)]
    [Parameter(Mandatory = true, ParameterSetName = AnonymousSet)]
    public long Length { get; set; }

    /// <summary>Create the file (mode 0600) or grow it to this many bytes before mapping. Never shrinks.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = SharedMemorySet)]
    [Parameter(ParameterSetName = SharedMemoryInputSet)]
    public long Size { get; set; }

    /// <summary>With -Size: grow sparse, reserving no space (by default the space grown is reserved with fallocate).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = SharedMemorySet)]
    public SwitchParameter Sparse { get; set; }

    /// <summary>MAP_POPULATE: fault every page in now.</summary>
    [Parameter]
    public SwitchParameter Populate { get; set; }

    /// <summary>mlock the map so it stays in RAM.</summary>
    [Parameter]
    public SwitchParameter Lock { get; set; }

    /// <summary>MAP_NORESERVE: reserve no swap.</summary>
    [Parameter]
    public SwitchParameter NoReserve { get; set; }

    /// <summary>MAP_HUGETLB: back anonymous memory with huge pages from the pool (vm.nr_hugepages).</summary>
    [Parameter]
    public SwitchParameter HugePages { get; set; }

    private MapOptions Options =>
        (Populate ? MapOptions.Populate : 0) | (Lock ? MapOptions.Lock : 0) | (NoReserve ? MapOptions.NoReserve : 0) |
        (HugePages ? MapOptions.HugePages : 0) | (Sparse ? MapOptions.Sparse : 0);

    private long? LengthOrNull => MyInvocation.BoundParameters.ContainsKey(nameof(Length)) ? Length : null;

    private long? SizeOrNull => MyInvocation.BoundParameters.ContainsKey(nameof(Size)) ? Size : null;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case AnonymousSet:
                Map(null, () => MemoryMap.CreateAnonymous(Length, Shared, Options));
                break;
            case SharedMemorySet:
                MapShared(Name);
                break;
            case SharedMemoryInputSet:
                foreach (SharedMemoryInfo? info in InputObject)
                {
                    if (info is not null)
                    {
                        MapShared(info.Name);
                    }
                }

                break;
            default:
                foreach (string file in ResolveFileSystemPaths(ParameterSetName == PathSet ? Path : LiteralPath, ParameterSetName == LiteralPathSet))
                {
                    Map(file, () => MemoryMap.OpenFile(file, Access, Offset, LengthOrNull, SizeOrNull, Options));
                }

                break;
        }
    }

    private void MapShared(string name)
    {
        MapAccess access = MyInvocation.BoundParameters.ContainsKey(nameof(Access)) ? Access : MapAccess.ReadWrite;
        Map(name, () => MemoryMap.OpenSharedMemory(name, access, Offset, LengthOrNull, SizeOrNull, Options));
    }

    private void Map(string? target, System.Func<MemoryMap> open)
    {
        if (SizeOrNull is long size && target is not null &&
            !ShouldProcess(target, $"Create or grow to {size} bytes{(Sparse ? " (sparse)" : " (space reserved)")}, then map"))
        {
            return;
        }

        try
        {
            WriteObject(open());
        }
        catch (MmapException e)
        {
            WriteMapError(e, target);
        }
    }
}
