using System;
using System.Collections.Generic;

namespace MmapTools.Procfs;

/// <summary>The smaps block of one VMA: its values, with the key names shared by all VMAs of the same layout.</summary>
internal sealed class SmapsDetail
{
    private readonly SmapsSchema _schema;
    private readonly long[] _values;

    internal SmapsDetail(SmapsSchema schema, long[] values, VmFlags? flags, string? flagsText)
    {
        _schema = schema;
        _values = values;
        Flags = flags;
        FlagsText = flagsText;
    }

    internal VmFlags? Flags { get; }

    internal string? FlagsText { get; }

    internal long? Get(int code)
    {
        int i = _schema.IndexOfCode[code];
        return i < 0 ? null : _values[i];
    }

    internal Dictionary<string, long> ToDictionary()
    {
        var d = new Dictionary<string, long>(_values.Length, StringComparer.Ordinal);
        for (int i = 0; i < _values.Length; i++)
        {
            d[_schema.Keys[i]] = _values[i];
        }

        return d;
    }
}

/// <summary>The keys of an smaps block in the kernel's order, and where the typed ones are.</summary>
internal sealed class SmapsSchema
{
    internal const int Codes = 18;

    internal SmapsSchema(string[] keys)
    {
        Keys = keys;
        Bytes = new byte[keys.Length][];
        IndexOfCode = new int[Codes];
        Array.Fill(IndexOfCode, -1);
        for (int i = 0; i < keys.Length; i++)
        {
            Bytes[i] = System.Text.Encoding.UTF8.GetBytes(keys[i]);
            int code = CodeOf(keys[i]);
            if (code > 0 && IndexOfCode[code] < 0)
            {
                IndexOfCode[code] = i;
            }
        }
    }

    internal string[] Keys { get; }

    internal byte[][] Bytes { get; }

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
