using System;

namespace MmapTools;

/// <summary>
/// One result of Read-MappedBytes with many offsets: the bytes read at one offset, tagged with that offset, and
/// with -As the element type they are read as. Results come in the order of the offsets given. PowerShell adds
/// <c>Value</c>, the bytes or with -As the typed array (a CodeProperty: MmapTools.Types.ps1xml, TypeMembers).
/// </summary>
public sealed class OffsetValue
{
    /// <summary>The offset read at: the map offset, or the file offset for -Path.</summary>
    public long Offset { get; init; }

    /// <summary>The bytes read.</summary>
    public byte[] Bytes { get; init; } = Array.Empty<byte>();

    /// <summary>The element type of -As, or null for bytes.</summary>
    public ElementType? Type { get; init; }

    /// <summary>True when the elements are big-endian (-BigEndian).</summary>
    public bool BigEndian { get; init; }

    /// <summary>The file read (or the map's description for anonymous memory).</summary>
    public string? Source { get; init; }

    /// <summary>The values as text for tables: hex for bytes, else '1, 2, 3'.</summary>
    public string Text => Type is null ? Hex.Format(Bytes) : TypedCodec.Format(Decode(), 16);

    /// <summary>The values: <see cref="Bytes"/>, or with a <see cref="Type"/> a typed array of it.</summary>
    public Array Decode() => Type is ElementType t ? TypedCodec.Decode(t, Bytes, BigEndian) : Bytes;

    /// <inheritdoc />
    public override string ToString() => $"0x{Offset:X}: {Text}";
}
