using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Evicts files from the page cache (posix_fadvise DONTNEED, like vmtouch -e) and reports their residency afterwards.</para>
/// </summary>
[Cmdlet(VerbsCommon.Clear, "PageCache", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(PageCacheResidency))]
public sealed class ClearPageCacheCommand : PageCacheCmdlet
{
    /// <summary>Do not write dirty pages first (fdatasync); they then stay in the cache.</summary>
    [Parameter]
    public SwitchParameter NoFlush { get; set; }

    /// <inheritdoc />
    protected override string Activity => "Evicting files from the page cache";

    /// <inheritdoc />
    protected override void ProcessRecord() => ForEachFile(file =>
    {
        if (!ShouldProcess(file, NoFlush ? "Evict the clean pages from the page cache" : "Write the dirty pages, then evict the file from the page cache"))
        {
            return;
        }

        PageCache.Evict(file, Offset, LengthOrNull, flush: !NoFlush);
        WriteResidencyAfter(file, () => PageCache.Measure(file, Offset, LengthOrNull));
    });
}
