using System;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// Getters of the extended properties that MmapTools.Types.ps1xml adds as CodeProperty members. A CodeProperty
/// costs Import-Module nothing measurable (a ScriptProperty's script block is compiled at import, ~25 ms each), and
/// keeps a value whose type is only known at run time (a typed array) off the engine's class.
/// </summary>
public static class TypeMembers
{
    /// <summary>OffsetValue.Value: the bytes read, or with -As the typed array (Int32[], Double[], ...).</summary>
    public static Array OffsetValueValue(PSObject instance) =>
        (instance?.BaseObject as OffsetValue ?? throw new ArgumentException("Not an OffsetValue.", nameof(instance))).Decode();
}
