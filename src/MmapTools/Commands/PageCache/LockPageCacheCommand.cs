using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Loads files into the page cache and locks them in RAM for this session (mlock, like vmtouch -l).</para>
/// </summary>
[Cmdlet(VerbsCommon.Lock, "PageCache", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PageCacheResidency))]
public sealed class LockPageCacheCommand : PageCacheCmdlet
{
    /// <inheritdoc />
    protected override string Activity => "Locking files in RAM";

    /// <inheritdoc />
    protected override void ProcessRecord() => ForEachFile(file =>
    {
        if (!ShouldProcess(file, "Load into the page cache and lock in RAM until Unlock-PageCache or the session ends"))
        {
            return;
        }

        MemoryMap map = PageCache.Lock(file, Offset, LengthOrNull);
        WriteResidencyAfter(file, () => PageCache.MeasureMap(map));
    });
}
