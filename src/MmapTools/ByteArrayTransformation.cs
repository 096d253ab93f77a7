using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// Hands a byte[] parameter the array itself when the argument is a byte[] wrapped in a PSObject (as every
/// byte[] that came out of a pipeline or a variable is, e.g. from Read-MappedBytes). Without it the binder sees
/// a PSObject, not a byte[], and converts the array element by element: 40 KB took 45 ms instead of 2.5 ms.
/// Anything else (an int[], a list, a single number) is left to the binder's usual conversion.
/// </summary>
public sealed class ByteArrayTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) =>
        inputData is PSObject { BaseObject: byte[] bytes } ? bytes : inputData;
}
