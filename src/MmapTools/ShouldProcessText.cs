using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// Whether ShouldProcess would show its text at all, so that a cmdlet builds the -WhatIf/-Confirm/-Verbose text
/// (old and new bytes as hex, decoded values) only when it will be shown. PowerShell uses the text only under
/// -WhatIf, when it asks for confirmation (-Confirm, or $ConfirmPreference at or below the cmdlet's impact, or
/// -Debug), or under -Verbose; otherwise ShouldProcess returns true without looking at it. Anything this cannot
/// tell for sure (a preference it cannot read, -Debug in any form) counts as shown.
/// </summary>
internal static class ShouldProcessText
{
    /// <summary>True when ShouldProcess will neither print, log nor ask, i.e. its text would be thrown away.</summary>
    internal static bool IsSilent(PSCmdlet cmdlet, ConfirmImpact impact)
    {
        var bound = cmdlet.MyInvocation.BoundParameters;
        if (IsWhatIf(cmdlet))
        {
            return false;
        }

        // -Debug turns confirmation on (and writes more); never silent.
        if (bound.ContainsKey("Debug") || !IsQuiet(cmdlet.GetVariableValue("DebugPreference")))
        {
            return false;
        }

        if (bound.TryGetValue("Verbose", out object? verbose) ? LanguagePrimitives.IsTrue(verbose) : !IsQuiet(cmdlet.GetVariableValue("VerbosePreference")))
        {
            return false;
        }

        if (bound.TryGetValue("Confirm", out object? confirm))
        {
            return !LanguagePrimitives.IsTrue(confirm);
        }

        // Asked when $ConfirmPreference is not None and at or below the cmdlet's impact.
        return LanguagePrimitives.TryConvertTo(cmdlet.GetVariableValue("ConfirmPreference"), out ConfirmImpact threshold) &&
            (threshold == ConfirmImpact.None || threshold > impact);
    }

    /// <summary>True under -WhatIf, or $WhatIfPreference when -WhatIf is not given.</summary>
    internal static bool IsWhatIf(PSCmdlet cmdlet) =>
        cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? whatIf)
            ? LanguagePrimitives.IsTrue(whatIf)
            : LanguagePrimitives.IsTrue(cmdlet.GetVariableValue("WhatIfPreference"));

    private static bool IsQuiet(object? preference) =>
        LanguagePrimitives.TryConvertTo(preference, out ActionPreference p) && p is ActionPreference.SilentlyContinue or ActionPreference.Ignore;
}
