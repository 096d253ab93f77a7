using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Loads files into the page cache (like vmtouch -t) and reports their residency afterwards.</para>
/// </summary>
[Cmdlet(VerbsData.Import, "PageCache", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(PageCacheResidency))]
public sealed class ImportPageCacheCommand : PageCacheCmdlet
{
    /// <inheritdoc />
    protected override string Activity => "Loading files into the page cache";

    private string? _action;

    /// <inheritdoc />
    protected override void ProcessRecord() => ForEachFile(file =>
    {
        // The same for every file of the call: built once, not once a file.
        _action ??= $"Load {(LengthOrNull is long n ? n + " bytes from offset " + Offset : "from offset " + Offset + " to the end")} into the page cache";
        if (!ShouldProcess(file, _action))
        {
            return;
        }

        PageCache.Touch(file, Offset, LengthOrNull, (done, total) => FileProgress(file, done, total));
        WriteResidencyAfter(file, () => PageCache.Measure(file, Offset, LengthOrNull));
    });
}
