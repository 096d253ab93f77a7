using System;
using System.Buffers.Binary;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace MmapTools.Typed;

/// <summary>
/// Converts between bytes and typed values: arrays of an <see cref="ElementType"/> in either byte order, with the
/// range checks of Python's struct.pack (a value that does not fit is an error, never silently wrapped).
/// </summary>
public static class TypedCodec
{
    private static bool NeedsSwap(bool bigEndian) => bigEndian == BitConverter.IsLittleEndian;

    /// <summary>Decodes <paramref name="count"/> elements from the start of <paramref name="source"/> into a new typed array (char[] for Char).</summary>
    public static Array Decode(ElementType type, ReadOnlySpan<byte> source, int count, bool bigEndian) => type switch
    {
        ElementType.SByte => DecodeArray<sbyte>(source, count, false),
        ElementType.Byte => source.Slice(0, count).ToArray(),
        ElementType.Int16 => DecodeArray<short>(source, count, bigEndian),
        ElementType.UInt16 => DecodeArray<ushort>(source, count, bigEndian),
        ElementType.Int32 => DecodeArray<int>(source, count, bigEndian),
        ElementType.UInt32 => DecodeArray<uint>(source, count, bigEndian),
        ElementType.Int64 => DecodeArray<long>(source, count, bigEndian),
        ElementType.UInt64 => DecodeArray<ulong>(source, count, bigEndian),
        ElementType.Half => DecodeArray<Half>(source, count, bigEndian),
        ElementType.Single => DecodeArray<float>(source, count, bigEndian),
        ElementType.Double => DecodeArray<double>(source, count, bigEndian),
        ElementType.Char => Encoding.Latin1.GetChars(source.Slice(0, count).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Decodes every whole element of <paramref name="bytes"/> (callable from PowerShell, which cannot pass spans).</summary>
    public static Array Decode(ElementType type, byte[] bytes, bool bigEndian)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Decode(type, bytes, bytes.Length / ElementTypes.SizeOf(type), bigEndian);
    }

    /// <summary>Decodes one element.</summary>
    public static object DecodeOne(ElementType type, ReadOnlySpan<byte> source, bool bigEndian) => Decode(type, source, 1, bigEndian).GetValue(0)!;

    private static T[] DecodeArray<T>(ReadOnlySpan<byte> source, int count, bool bigEndian)
        where T : unmanaged
    {
        var result = new T[count];
        Span<byte> bytes = MemoryMarshal.AsBytes(result.AsSpan());
        source.Slice(0, bytes.Length).CopyTo(bytes);
        if (NeedsSwap(bigEndian))
        {
            Swap(bytes, Unsafe.SizeOf<T>());
        }

        return result;
    }

    /// <summary>Reverses the byte order of each element of <paramref name="bytes"/> in place.</summary>
    public static void Swap(Span<byte> bytes, int size)
    {
        switch (size)
        {
            case 2:
                Span<ushort> u16 = MemoryMarshal.Cast<byte, ushort>(bytes);
                BinaryPrimitives.ReverseEndianness(u16, u16);
                break;
            case 4:
                Span<uint> u32 = MemoryMarshal.Cast<byte, uint>(bytes);
                BinaryPrimitives.ReverseEndianness(u32, u32);
                break;
            case 8:
                Span<ulong> u64 = MemoryMarshal.Cast<byte, ulong>(bytes);
                BinaryPrimitives.ReverseEndianness(u64, u64);
                break;
        }
    }

    /// <summary>
    /// Encodes <paramref name="values"/> as elements of <paramref name="type"/>. A typed array of that very type is
    /// copied as it is; anything else is converted value by value, and a value that does not fit is a
    /// TypedValueInvalid error naming <paramref name="what"/> and the index. A string encodes as its characters
    /// for Char.
    /// </summary>
    public static byte[] Encode(ElementType type, object values, bool bigEndian, string what)
    {
        ArgumentNullException.ThrowIfNull(values);
        int size = ElementTypes.SizeOf(type);
        byte[] result;
        switch (values)
        {
            case byte[] b when type == ElementType.Byte:
                return (byte[])b.Clone();
            case string s when type == ElementType.Char:
                return EncodeText(s, s.Length, what);
            case Array a when a.Rank == 1 && a.GetType().GetElementType() == ClrType(type) && type is not (ElementType.Char or ElementType.Half):
                result = new byte[a.Length * size];
                Buffer.BlockCopy(a, 0, result, 0, result.Length);
                break;
            case string or not IEnumerable:
                result = new byte[size];
                Put(type, values, result, what);
                break;
            default:
                var bytes = new List<byte>();
                Span<byte> one = stackalloc byte[8];
                int i = 0;
                foreach (object? v in (IEnumerable)values)
                {
                    Put(type, v, one.Slice(0, size), $"{what}[{i}]");
                    foreach (byte x in one.Slice(0, size))
                    {
                        bytes.Add(x);
                    }

                    i++;
                }

                result = bytes.ToArray();
                break;
        }

        if (NeedsSwap(bigEndian))
        {
            Swap(result, size);
        }

        return result;
    }

    /// <summary>
    /// numpy's <c>m += delta</c>: the <paramref name="count"/> elements at the start of <paramref name="source"/>
    /// with <paramref name="delta"/> added to each, as new bytes in the same byte order. Integer types add exactly:
    /// a fractional delta, or a sum outside the type, is a TypedValueInvalid error naming the element's offset
    /// (<paramref name="offset"/> is the source's), never wrapped. Floating-point types add in double precision and
    /// round to the type; a finite sum too large for Half or Single is TypedValueInvalid, as in <see cref="Encode"/>.
    /// </summary>
    public static byte[] Add(ElementType type, ReadOnlySpan<byte> source, int count, bool bigEndian, object delta, long offset = 0)
    {
        ArgumentNullException.ThrowIfNull(delta);
        return type switch
        {
            ElementType.SByte => AddWhole<sbyte>(type, source, count, false, delta, offset),
            ElementType.Byte => AddWhole<byte>(type, source, count, false, delta, offset),
            ElementType.Int16 => AddWhole<short>(type, source, count, bigEndian, delta, offset),
            ElementType.UInt16 => AddWhole<ushort>(type, source, count, bigEndian, delta, offset),
            ElementType.Int32 => AddWhole<int>(type, source, count, bigEndian, delta, offset),
            ElementType.UInt32 => AddWhole<uint>(type, source, count, bigEndian, delta, offset),
            ElementType.Int64 => AddWhole<long>(type, source, count, bigEndian, delta, offset),
            ElementType.UInt64 => AddWhole<ulong>(type, source, count, bigEndian, delta, offset),
            ElementType.Half => AddFloating<Half>(type, source, count, bigEndian, delta, offset),
            ElementType.Single => AddFloating<float>(type, source, count, bigEndian, delta, offset),
            ElementType.Double => AddFloating<double>(type, source, count, bigEndian, delta, offset),
            _ => throw Invalid($"-Add adds to numbers; {type} holds characters. Give a number type with -As.", delta),
        };
    }

    private static byte[] AddWhole<T>(ElementType type, ReadOnlySpan<byte> source, int count, bool bigEndian, object delta, long offset)
        where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
    {
        // Any delta that can move some value of a 64-bit type and stay in it: |delta| <= 2^64 - 1.
        Int128 d;
        try
        {
            d = (Int128)ToWhole(type, delta, "-Add", -(decimal)ulong.MaxValue, ulong.MaxValue);
        }
        catch (MmapException)
        {
            throw Invalid($"-Add ({FormatOne(delta)}) must be a whole number, at most {ulong.MaxValue} either way, to add to {type} values.", delta);
        }

        Int128 min = Int128.CreateTruncating(T.MinValue), max = Int128.CreateTruncating(T.MaxValue);
        T[] values = DecodeArray<T>(source, count, bigEndian);
        for (int i = 0; i < values.Length; i++)
        {
            Int128 sum = Int128.CreateTruncating(values[i]) + d;
            if (sum < min || sum > max)
            {
                throw Invalid($"-Add: the {type} at offset {offset + ((long)i * Unsafe.SizeOf<T>())} is {FormatOne(values[i])}; {FormatOne(values[i])} + {FormatOne(delta)} = {sum} does not fit {type} ({min} to {max}).", delta);
            }

            values[i] = T.CreateTruncating(sum);
        }

        return Encode(type, values, bigEndian, "-Add");
    }

    private static byte[] AddFloating<T>(ElementType type, ReadOnlySpan<byte> source, int count, bool bigEndian, object delta, long offset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double d = ToDouble(type, delta, "-Add");
        T[] values = DecodeArray<T>(source, count, bigEndian);
        for (int i = 0; i < values.Length; i++)
        {
            double sum = double.CreateTruncating(values[i]) + d;
            T rounded = T.CreateTruncating(sum);
            if (T.IsInfinity(rounded) && !double.IsInfinity(sum))
            {
                throw Invalid($"-Add: the {type} at offset {offset + ((long)i * Unsafe.SizeOf<T>())} is {FormatOne(values[i])}; + {FormatOne(delta)} is too large for {type}.", delta);
            }

            values[i] = rounded;
        }

        return Encode(type, values, bigEndian, "-Add");
    }

    /// <summary>Text as exactly <paramref name="length"/> bytes of ISO-8859-1, padded with NUL (struct '16s').</summary>
    public static byte[] EncodeText(string text, int length, string what)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] > '\u00FF')
            {
                throw Invalid($"{what}: character {i} of '{text}' (U+{(int)text[i]:X4}) is not one byte; Char fields hold ISO-8859-1 text. Write other text as bytes (Byte[N]) encoded as you need.", text);
            }
        }

        if (text.Length > length)
        {
            throw Invalid($"{what}: '{text}' has {text.Length} characters; the field holds {length}.", text);
        }

        var result = new byte[length];
        Encoding.Latin1.GetBytes(text, result);
        return result;
    }

    /// <summary>Decodes text of a Char[N] field: ISO-8859-1, trailing NULs dropped (as numpy's 'S' type does).</summary>
    public static string DecodeText(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.Length;
        while (end > 0 && bytes[end - 1] == 0)
        {
            end--;
        }

        return Encoding.Latin1.GetString(bytes.Slice(0, end));
    }

    /// <summary>The .NET type of an element (char for Char).</summary>
    public static Type ClrType(ElementType type) => type switch
    {
        ElementType.SByte => typeof(sbyte),
        ElementType.Byte => typeof(byte),
        ElementType.Int16 => typeof(short),
        ElementType.UInt16 => typeof(ushort),
        ElementType.Int32 => typeof(int),
        ElementType.UInt32 => typeof(uint),
        ElementType.Int64 => typeof(long),
        ElementType.UInt64 => typeof(ulong),
        ElementType.Half => typeof(Half),
        ElementType.Single => typeof(float),
        ElementType.Double => typeof(double),
        ElementType.Char => typeof(char),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Formats values for messages: '1, 2, 3', at most <paramref name="max"/> shown.</summary>
    public static string Format(Array values, int max = 8)
    {
        var parts = new List<string>();
        int n = 0;
        foreach (object? v in values)
        {
            if (n++ == max)
            {
                parts.Add($"... ({values.Length} in all)");
                break;
            }

            parts.Add(FormatOne(v));
        }

        return string.Join(", ", parts);
    }

    /// <summary>Formats one value for messages (invariant culture; text quoted).</summary>
    public static string FormatOne(object? v) => v switch
    {
        null => "null",
        string s => "'" + s + "'",
        char c => "'" + c + "'",
        byte[] b => Hex.Format(b),
        Array a => "(" + Format(a) + ")",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? string.Empty,
    };

    private static MmapException Invalid(string message, object? value) =>
        MapErrors.Create(ErrorIds.TypedValueInvalid, MapErrorCategory.InvalidArgument, message + " Nothing was written.", 0, null);

    /// <summary>Converts one value to <paramref name="type"/> and stores it (native byte order) in <paramref name="destination"/>.</summary>
    private static void Put(ElementType type, object? value, Span<byte> destination, string what)
    {
        if (value is null)
        {
            throw Invalid($"{what} is null; give a {type}.", null);
        }

        switch (type)
        {
            case ElementType.Half:
            case ElementType.Single:
            case ElementType.Double:
                double d = ToDouble(type, value, what);
                if (type == ElementType.Double)
                {
                    MemoryMarshal.Write(destination, in d);
                }
                else if (type == ElementType.Single)
                {
                    float f = (float)d;
                    if (float.IsInfinity(f) && !double.IsInfinity(d))
                    {
                        throw Invalid($"{what} ({FormatOne(value)}) is too large for Single (at most {float.MaxValue.ToString(CultureInfo.InvariantCulture)}).", value);
                    }

                    MemoryMarshal.Write(destination, in f);
                }
                else
                {
                    Half h = (Half)d;
                    if (Half.IsInfinity(h) && !double.IsInfinity(d))
                    {
                        throw Invalid($"{what} ({FormatOne(value)}) is too large for Half (at most 65504).", value);
                    }

                    MemoryMarshal.Write(destination, in h);
                }

                return;
            case ElementType.Char:
                if (value is string s && s.Length == 1)
                {
                    value = s[0];
                }

                if (value is char c)
                {
                    if (c > '\u00FF')
                    {
                        throw Invalid($"{what} ('{c}', U+{(int)c:X4}) is not one byte; Char holds ISO-8859-1 characters.", value);
                    }

                    destination[0] = (byte)c;
                    return;
                }

                destination[0] = (byte)ToWhole(ElementType.Byte, value, what, 0, 255);
                return;
        }

        (decimal min, decimal max) = type switch
        {
            ElementType.SByte => (sbyte.MinValue, sbyte.MaxValue),
            ElementType.Byte => (byte.MinValue, byte.MaxValue),
            ElementType.Int16 => (short.MinValue, short.MaxValue),
            ElementType.UInt16 => (ushort.MinValue, ushort.MaxValue),
            ElementType.Int32 => (int.MinValue, int.MaxValue),
            ElementType.UInt32 => (uint.MinValue, uint.MaxValue),
            ElementType.Int64 => (long.MinValue, long.MaxValue),
            _ => (0m, (decimal)ulong.MaxValue),
        };
        decimal w = ToWhole(type, value, what, min, max);
        switch (type)
        {
            case ElementType.SByte: destination[0] = unchecked((byte)(sbyte)w); break;
            case ElementType.Byte: destination[0] = (byte)w; break;
            case ElementType.Int16: short i16 = (short)w; MemoryMarshal.Write(destination, in i16); break;
            case ElementType.UInt16: ushort u16 = (ushort)w; MemoryMarshal.Write(destination, in u16); break;
            case ElementType.Int32: int i32 = (int)w; MemoryMarshal.Write(destination, in i32); break;
            case ElementType.UInt32: uint u32 = (uint)w; MemoryMarshal.Write(destination, in u32); break;
            case ElementType.Int64: long i64 = (long)w; MemoryMarshal.Write(destination, in i64); break;
            default: ulong u64 = (ulong)w; MemoryMarshal.Write(destination, in u64); break;
        }
    }

    private static double ToDouble(ElementType type, object value, string what)
    {
        try
        {
            return value switch
            {
                Half h => (double)h,
                string s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
                bool => throw new InvalidCastException(),
                _ => Convert.ToDouble(value, CultureInfo.InvariantCulture),
            };
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw Invalid($"{what} ({FormatOne(value)}, a {value.GetType().Name}) is not a number for {type}.", value);
        }
    }

    private static decimal ToWhole(ElementType type, object value, string what, decimal min, decimal max)
    {
        decimal d;
        try
        {
            d = value switch
            {
                string s when s.Trim().StartsWith("0x", StringComparison.OrdinalIgnoreCase) => ulong.Parse(s.Trim()[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
                string s => decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
                char c => c,
                bool => throw new InvalidCastException(),
                Half h => (decimal)(double)h,
                _ => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
            };
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw Invalid($"{what} ({FormatOne(value)}, a {value.GetType().Name}) is not a whole number for {type} ({min} to {max}).", value);
        }

        if (d != decimal.Truncate(d))
        {
            throw Invalid($"{what} ({FormatOne(value)}) is not a whole number; {type} holds {min} to {max}.", value);
        }

        if (d < min || d > max)
        {
            throw Invalid($"{what} ({FormatOne(value)}) does not fit {type} ({min} to {max}).", value);
        }

        return d;
    }
}
