using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Changes the protection of a live map (mprotect) and advises the kernel how it will be used (madvise).</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "MemoryMap", DefaultParameterSetName = MapSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(MemoryMap))]
public sealed class SetMemoryMapCommand : LiveMapCmdlet
{
    /// <summary>None, ReadOnly, ReadWrite; ReadExecute and ReadWriteExecute with -AllowExecute.</summary>
    [Parameter]
    public PageProtection Protection { get; set; }

    /// <summary>madvise advice: Normal, Random, Sequential, WillNeed, DontNeed, Cold, PageOut, HugePage, NoHugePage, PopulateRead, PopulateWrite.</summary>
    [Parameter]
    public MapAdvice Advice { get; set; }

    /// <summary>Allow an executable -Protection.</summary>
    [Parameter]
    public SwitchParameter AllowExecute { get; set; }

    private bool HasProtection => MyInvocation.BoundParameters.ContainsKey(nameof(Protection));

    private bool HasAdvice => MyInvocation.BoundParameters.ContainsKey(nameof(Advice));

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (!HasProtection && !HasAdvice)
        {
            ThrowTerminatingError(NewError(ErrorIds.MapChangeMissing, ErrorCategory.InvalidArgument,
                "Set-MemoryMap was given nothing to change: give -Protection, -Advice, or both.", null));
        }
    }

    /// <inheritdoc />
    protected override bool Change(MemoryMap map)
    {
        string what = (HasProtection ? $"Set protection {Protection}" : string.Empty) +
                      (HasProtection && HasAdvice ? ", then " : string.Empty) +
                      (HasAdvice ? $"advise {Advice}" + (Advice == MapAdvice.DontNeed && (!map.IsShared || map.Access == MapAccess.CopyOnWrite) ? " (private memory: its contents are discarded)" : string.Empty) : string.Empty);
        if (!ShouldProcess(Target(map), what))
        {
            return false;
        }

        if (HasProtection)
        {
            map.Protect(Protection, Offset, CountOrNull, AllowExecute);
        }

        if (HasAdvice)
        {
            map.Advise(Advice, Offset, CountOrNull);
        }

        return true;
    }
}
