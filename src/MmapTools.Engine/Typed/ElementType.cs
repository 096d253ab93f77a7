using System;
using System.Collections.Generic;

namespace MmapTools;

/// <summary>
/// The element types of typed reads and writes (Read-MappedBytes -As, Write-MappedBytes -As, layouts): the .NET
/// primitive of the same name, packed with no alignment. <see cref="Char"/> is one byte (a C char, ISO-8859-1).
/// </summary>
public enum ElementType
{
    /// <summary>8-bit signed integer (struct 'b', numpy int8).</summary>
    SByte,
    /// <summary>8-bit unsigned integer (struct 'B', numpy uint8).</summary>
    Byte,
    /// <summary>16-bit signed integer (struct 'h', numpy int16).</summary>
    Int16,
    /// <summary>16-bit unsigned integer (struct 'H', numpy uint16).</summary>
    UInt16,
    /// <summary>32-bit signed integer (struct 'i', numpy int32).</summary>
    Int32,
    /// <summary>32-bit unsigned integer (struct 'I', numpy uint32).</summary>
    UInt32,
    /// <summary>64-bit signed integer (struct 'q', numpy int64).</summary>
    Int64,
    /// <summary>64-bit unsigned integer (struct 'Q', numpy uint64).</summary>
    UInt64,
    /// <summary>IEEE 754 binary16 (struct 'e', numpy float16).</summary>
    Half,
    /// <summary>IEEE 754 binary32 (struct 'f', numpy float32).</summary>
    Single,
    /// <summary>IEEE 754 binary64 (struct 'd', numpy float64).</summary>
    Double,
    /// <summary>One byte as a character, ISO-8859-1 (struct 'c'); Char[N] in a layout is text of N bytes (struct '16s').</summary>
    Char,
}

/// <summary>Sizes and names of <see cref="ElementType"/>.</summary>
public static class ElementTypes
{
    private static readonly Dictionary<string, ElementType> s_names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sbyte"] = ElementType.SByte, ["int8"] = ElementType.SByte, ["i1"] = ElementType.SByte,
        ["byte"] = ElementType.Byte, ["uint8"] = ElementType.Byte, ["u1"] = ElementType.Byte,
        ["int16"] = ElementType.Int16, ["short"] = ElementType.Int16, ["i2"] = ElementType.Int16,
        ["uint16"] = ElementType.UInt16, ["ushort"] = ElementType.UInt16, ["u2"] = ElementType.UInt16,
        ["int32"] = ElementType.Int32, ["int"] = ElementType.Int32, ["i4"] = ElementType.Int32,
        ["uint32"] = ElementType.UInt32, ["uint"] = ElementType.UInt32, ["u4"] = ElementType.UInt32,
        ["int64"] = ElementType.Int64, ["long"] = ElementType.Int64, ["i8"] = ElementType.Int64,
        ["uint64"] = ElementType.UInt64, ["ulong"] = ElementType.UInt64, ["u8"] = ElementType.UInt64,
        ["half"] = ElementType.Half, ["float16"] = ElementType.Half, ["f2"] = ElementType.Half,
        ["single"] = ElementType.Single, ["float"] = ElementType.Single, ["float32"] = ElementType.Single, ["f4"] = ElementType.Single,
        ["double"] = ElementType.Double, ["float64"] = ElementType.Double, ["f8"] = ElementType.Double,
        ["char"] = ElementType.Char,
    };

    /// <summary>The size of one element in bytes.</summary>
    public static int SizeOf(ElementType type) => type switch
    {
        ElementType.SByte or ElementType.Byte or ElementType.Char => 1,
        ElementType.Int16 or ElementType.UInt16 or ElementType.Half => 2,
        ElementType.Int32 or ElementType.UInt32 or ElementType.Single => 4,
        ElementType.Int64 or ElementType.UInt64 or ElementType.Double => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not an element type."),
    };

    /// <summary>
    /// Parses a type name: the .NET name (Int32), the C# keyword (int), the numpy name (int32, float64) or its short
    /// code (i4, f8), any case.
    /// </summary>
    public static bool TryParse(string name, out ElementType type) => s_names.TryGetValue(name.Trim(), out type);

    /// <summary>The names <see cref="TryParse"/> takes, for messages.</summary>
    public static string Known => "SByte, Byte, Int16, UInt16, Int32, UInt32, Int64, UInt64, Half, Single, Double, Char (also int, uint, short, long, float, double, int8..uint64, float16/32/64, i4, f8, ...)";
}
