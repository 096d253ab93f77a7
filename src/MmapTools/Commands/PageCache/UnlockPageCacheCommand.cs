using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Releases files locked in RAM by Lock-PageCache (the pages stay cached until memory is needed).</para>
/// </summary>
[Cmdlet(VerbsCommon.Unlock, "PageCache", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(PageCacheResidency))]
public sealed class UnlockPageCacheCommand : PageCacheCmdlet
{
    private const string AllSet = "All";

    /// <summary>Release every file Lock-PageCache holds in this session.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    /// <inheritdoc />
    protected override string Activity => "Unlocking files";

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == AllSet)
        {
            foreach (MemoryMap map in PageCache.LockedMaps.Where(Overlaps))
            {
                Release(map);
            }

            return;
        }

        foreach (string target in ResolveTargets())
        {
            string folder = target.TrimEnd('/') + "/";
            List<MemoryMap> maps = PageCache.LockedMaps
                .Where(m => m.Path == target || (Recurse && m.Path is not null && m.Path.StartsWith(folder, StringComparison.Ordinal)))
                .Where(Overlaps)
                .ToList();
            if (maps.Count == 0)
            {
                WriteError(NewError(ErrorIds.CacheLockNotFound, ErrorCategory.ObjectNotFound,
                    $"Nothing under '{target}' is locked by Lock-PageCache in this session{(Recurse ? string.Empty : " (give -Recurse for a folder)")}. " +
                    "Get-MemoryMap lists the maps that hold locks.", target));
                continue;
            }

            foreach (MemoryMap map in maps)
            {
                Release(map);
            }
        }
    }

    /// <summary>With -Offset/-Length, only the locks that overlap that range of the file.</summary>
    private bool Overlaps(MemoryMap map)
    {
        long start = Offset;
        long end = LengthOrNull is long n ? Offset + n : long.MaxValue;
        return map.Offset < end && map.Offset + map.Length > start;
    }

    private void Release(MemoryMap map)
    {
        string path = map.Path ?? string.Empty;
        if (!ShouldProcess(path, $"Unlock bytes {map.Offset}..{map.Offset + map.Length - 1} (map {map.Id})"))
        {
            return;
        }

        long offset = map.Offset, length = map.Length;
        try
        {
            PageCache.Unlock(map);
        }
        catch (MmapException e)
        {
            WriteMapError(e, path);
            return;
        }

        WriteResidencyAfter(path, () => PageCache.Measure(path, offset, length));
    }
}
