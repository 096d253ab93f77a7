using System;

namespace MmapTools;

/// <summary>
/// One result of Read-MappedBytes with many offsets: what was read at one offset (bytes, or a typed array with
/// -As), tagged with that offset. Results come in the order of the offsets given.
/// </summary>
public sealed class OffsetValue
{
    /// <summary>The offset read at: the map offset, or the file offset for -Path.</summary>
    public long Offset { get; init; }

    /// <summary>What was read: a byte[], or with -As a typed array (Int32[], Double[], ...).</summary>
    public Array Value { get; init; } = Array.Empty<byte>();

    /// <summary>The file read (or the map's description for anonymous memory).</summary>
    public string? Source { get; init; }

    /// <summary>The values as text for tables: hex for bytes, else '1, 2, 3'.</summary>
    public string Text => Value is byte[] b ? Hex.Format(b) : TypedCodec.Format(Value, 16);

    /// <inheritdoc />
    public override string ToString() => $"0x{Offset:X}: {Text}";
}
