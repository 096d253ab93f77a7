using System;
using System.Collections.Generic;

namespace MmapTools.Procfs;

/// <summary>
/// The smaps block of one VMA: its values, with the key names shared by all VMAs of the same layout. A struct held
/// inside the <see cref="ProcessVma"/>, and the values as 32-bit numbers when they all fit (kB figures of VMAs below
/// 2 TiB), stored back to back in a <see cref="SmapsSlab"/> shared by the VMAs of one read: a large process keeps
/// tens of thousands of these alive, and each object and byte less is less for the GC to copy.
/// </summary>
internal readonly struct SmapsDetail
{
    private readonly SmapsSchema _schema;
    private readonly int[]? _small;
    private readonly int _start;
    private readonly long[]? _large;
    private readonly VmFlags _flags;
    private readonly bool _hasFlags;

    internal SmapsDetail(SmapsSchema schema, ReadOnlySpan<long> values, VmFlags? flags, string? flagsText, SmapsSlab slab)
    {
        _schema = schema;
        _small = null;
        _start = 0;
        _large = null;
        bool fits = true;
        for (int i = 0; i < values.Length; i++)
        {
            long v = values[i];
            long stored = Stored(v, schema.IsKb[i]);
            if ((schema.IsKb[i] && (v & 1023) != 0) || stored < int.MinValue || stored > int.MaxValue)
            {
                fits = false;
                break;
            }
        }

        if (fits)
        {
            Span<int> small = slab.Take(values.Length, out _small, out _start);
            for (int i = 0; i < values.Length; i++)
            {
                small[i] = (int)Stored(values[i], schema.IsKb[i]);
            }
        }
        else
        {
            _large = values.ToArray();
        }

        _flags = flags ?? VmFlags.None;
        _hasFlags = flags.HasValue;
        FlagsText = flagsText;
    }

    // kB figures are stored in kB (exactly: the kernel prints kB), others as printed.
    private static long Stored(long value, bool isKb) => isKb ? value / 1024 : value;

    internal VmFlags? Flags => _hasFlags ? _flags : null;

    internal string? FlagsText { get; }

    // A default instance (a DetailedProcessVma made with new(), never read from smaps) has no schema and no values.
    internal int Count => _schema?.Keys.Length ?? 0;

    private long Value(int i) => _small is { } s ? (_schema.IsKb[i] ? s[_start + i] * 1024L : s[_start + i]) : _large![i];

    internal long? Get(int code)
    {
        if (_schema is null)
        {
            return null;
        }

        int i = _schema.IndexOfCode[code];
        return i < 0 ? null : Value(i);
    }

    internal Dictionary<string, long> ToDictionary()
    {
        int n = Count;
        var d = new Dictionary<string, long>(n, StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            d[_schema.Keys[i]] = Value(i);
        }

        return d;
    }
}

/// <summary>
/// Where the smaps values of one read are kept: large arrays filled one VMA after another. An array of 128 KiB lives
/// in the large object heap, which young-generation collections neither scan for references nor copy, so 60,000 VMAs
/// kept in a variable cost the GC one object each instead of two. Not thread-safe: one per <see cref="VmaReader"/>.
/// </summary>
internal sealed class SmapsSlab
{
    private const int SlabInts = 32 * 1024;
    private int[]? _current;
    private int _used;

    /// <summary>Room for <paramref name="count"/> values: the array and the first index.</summary>
    internal Span<int> Take(int count, out int[] array, out int start)
    {
        if (count > SlabInts / 8)
        {
            array = new int[count];
            start = 0;
            return array;
        }

        if (_current is null || _used + count > _current.Length)
        {
            _current = new int[SlabInts];
            _used = 0;
        }

        array = _current;
        start = _used;
        _used += count;
        return array.AsSpan(start, count);
    }
}

/// <summary>The keys of an smaps block in the kernel's order, and where the typed ones are.</summary>
internal sealed class SmapsSchema
{
    internal const int Codes = 18;

    internal SmapsSchema(string[] keys, bool[] isKb)
    {
        Keys = keys;
        IsKb = isKb;
        Bytes = new byte[keys.Length][];
        LinePrefix = new ulong[keys.Length * 2];
        HasLinePrefix = new bool[keys.Length];
        IndexOfCode = new int[Codes];
        Array.Fill(IndexOfCode, -1);
        Span<byte> prefix = stackalloc byte[KeyColumn];
        for (int i = 0; i < keys.Length; i++)
        {
            Bytes[i] = System.Text.Encoding.UTF8.GetBytes(keys[i]);
            if (isKb[i] && Bytes[i].Length + 1 <= KeyColumn)
            {
                // The kernel prints a kB figure as the key and its colon padded to 16 columns, the number right-aligned
                // in 8, then " kB" (seq_put_decimal_ull_width): the 16 bytes, as two numbers, for the fixed-line path.
                prefix.Fill((byte)' ');
                Bytes[i].CopyTo(prefix);
                prefix[Bytes[i].Length] = (byte)':';
                LinePrefix[2 * i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(prefix);
                LinePrefix[(2 * i) + 1] = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(prefix[8..]);
                HasLinePrefix[i] = true;
            }

            int code = CodeOf(keys[i]);
            if (code > 0 && IndexOfCode[code] < 0)
            {
                IndexOfCode[code] = i;
            }
        }
    }

    internal string[] Keys { get; }

    /// <summary>Whether the key's value was printed in kB (and is held in bytes).</summary>
    internal bool[] IsKb { get; }

    internal byte[][] Bytes { get; }

    /// <summary>Where the kernel's column of kB figures starts: the key and its colon, padded with spaces.</summary>
    internal const int KeyColumn = 16;

    /// <summary>
    /// For each kB key (<see cref="HasLinePrefix"/>), the first 16 bytes of its line as the kernel prints it, as two
    /// little-endian numbers at [2i] and [2i+1].
    /// </summary>
    internal ulong[] LinePrefix { get; }

    /// <summary>Whether <see cref="LinePrefix"/> holds key i's line start (a kB key short enough for the column).</summary>
    internal bool[] HasLinePrefix { get; }

    internal int[] IndexOfCode { get; }

    private static int CodeOf(string key) => key switch
    {
        "Rss" => 1,
        "Pss" => 2,
        "Pss_Dirty" => 3,
        "Shared_Clean" => 4,
        "Shared_Dirty" => 5,
        "Private_Clean" => 6,
        "Private_Dirty" => 7,
        "Referenced" => 8,
        "Anonymous" => 9,
        "LazyFree" => 10,
        "AnonHugePages" => 11,
        "Swap" => 12,
        "SwapPss" => 13,
        "Locked" => 14,
        "KernelPageSize" => 15,
        "MMUPageSize" => 16,
        "THPeligible" => 17,
        _ => 0,
    };
}
