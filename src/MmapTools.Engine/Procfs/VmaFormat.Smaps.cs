using System;
using System.Runtime.CompilerServices;
using System.Text;

namespace MmapTools.Procfs;

/// <summary>The smaps side of <see cref="VmaFormat"/>: "Key: value kB" lines and the VmFlags mnemonics.</summary>
public static partial class VmaFormat
{
    /// <summary>Parses an smaps "Key:   123 kB" line: the key, the value in bytes (kB × 1024) or as printed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryParseKeyValue(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> key, out long value, out bool isKb)
    {
        key = default;
        value = 0;
        isKb = false;
        int colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        key = line[..colon];
        return TryParseValue(line, colon + 1, out value, out isKb);
    }

    /// <summary>The value of an smaps line after its colon at <paramref name="i"/> - 1: "   123 kB" in bytes, or as printed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryParseValue(ReadOnlySpan<byte> line, int i, out long value, out bool isKb)
    {
        value = 0;
        isKb = false;

        // The kernel pads the value to a column: skip the spaces vectorised.
        int pad = line[i..].IndexOfAnyExcept((byte)' ');
        i = pad < 0 ? line.Length : i + pad;
        if (!TryDecimal(line, ref i, out ulong v) || v > long.MaxValue / 1024)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = line[i..];
        if (rest.SequenceEqual(" kB"u8))
        {
            isKb = true;
            value = (long)v * 1024;
            return true;
        }

        value = (long)v;
        return rest.TrimEnd((byte)' ').IsEmpty;
    }

    /// <summary>
    /// The value of an smaps line as the kernel prints it, read from the end: spaces from <paramref name="from"/>,
    /// then 1 to 18 digits, then " kB" when <paramref name="kb"/> (nothing after the digits otherwise). A strict
    /// subset of what <see cref="TryParseValue"/> accepts, with the same value; anything else returns false and
    /// the caller asks TryParseValue.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryParseColumn(ReadOnlySpan<byte> line, int from, bool kb, out long value)
    {
        value = 0;
        int end = line.Length;
        if (kb)
        {
            if (end - from < 4 || line[end - 1] != (byte)'B' || line[end - 2] != (byte)'k' || line[end - 3] != (byte)' ')
            {
                return false;
            }

            end -= 3;
        }

        int d = end;
        while (d > from && unchecked((uint)(line[d - 1] - '0')) <= 9)
        {
            d--;
        }

        if (d == end || end - d > 18)
        {
            return false;
        }

        for (int i = from; i < d; i++)
        {
            if (line[i] != (byte)' ')
            {
                return false;
            }
        }

        long v = 0;
        for (int i = d; i < end; i++)
        {
            v = (v * 10) + (line[i] - '0');
        }

        if (v > long.MaxValue / 1024)
        {
            return false;
        }

        value = kb ? v * 1024 : v;
        return true;
    }

    private static readonly (string Mnemonic, VmFlags Flag)[] FlagTable =
    {
        ("rd", VmFlags.Readable), ("wr", VmFlags.Writeable), ("ex", VmFlags.Executable), ("sh", VmFlags.Shared),
        ("mr", VmFlags.MayRead), ("mw", VmFlags.MayWrite), ("me", VmFlags.MayExecute), ("ms", VmFlags.MayShare),
        ("gd", VmFlags.GrowsDown), ("pf", VmFlags.PurePfn), ("dw", VmFlags.DenyWrite), ("lo", VmFlags.Locked),
        ("io", VmFlags.Io), ("sr", VmFlags.SequentialRead), ("rr", VmFlags.RandomRead), ("dc", VmFlags.DontCopy),
        ("de", VmFlags.DontExpand), ("ac", VmFlags.Accountable), ("nr", VmFlags.NoReserve), ("ht", VmFlags.HugeTlb),
        ("sf", VmFlags.SyncFault), ("nl", VmFlags.NonLinear), ("ar", VmFlags.ArchSpecific), ("wf", VmFlags.WipeOnFork),
        ("dd", VmFlags.DontDump), ("sd", VmFlags.SoftDirty), ("mm", VmFlags.MixedMap), ("hg", VmFlags.HugePage),
        ("nh", VmFlags.NoHugePage), ("mg", VmFlags.Mergeable), ("bt", VmFlags.BtiGuarded), ("mt", VmFlags.MteTagged),
        ("um", VmFlags.UffdMissing), ("uw", VmFlags.UffdWriteProtect), ("ui", VmFlags.UffdMinor), ("ss", VmFlags.ShadowStack),
        ("sl", VmFlags.Sealed), ("lf", VmFlags.LockOnFault), ("dp", VmFlags.DropPages), ("gu", VmFlags.GuardRegions),
    };

    private static readonly VmFlags[] FlagByCode = BuildFlagCodes();

    private static VmFlags[] BuildFlagCodes()
    {
        var t = new VmFlags[26 * 26];
        foreach ((string m, VmFlags f) in FlagTable)
        {
            t[((m[0] - 'a') * 26) + (m[1] - 'a')] = f;
        }

        return t;
    }

    /// <summary>Parses the mnemonics of a VmFlags line ("rd wr mr mw me ac sd "); unknown ones set <see cref="VmFlags.Unknown"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static VmFlags ParseVmFlags(ReadOnlySpan<byte> text)
    {
        VmFlags flags = VmFlags.None;
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && text[i] == ' ')
            {
                i++;
            }

            int start = i;
            while (i < text.Length && text[i] != ' ')
            {
                i++;
            }

            if (i == start)
            {
                break;
            }

            VmFlags f = VmFlags.None;
            if (i - start == 2 && unchecked((uint)(text[start] - 'a')) < 26 && unchecked((uint)(text[start + 1] - 'a')) < 26)
            {
                f = FlagByCode[((text[start] - 'a') * 26) + (text[start + 1] - 'a')];
            }

            flags |= f == VmFlags.None ? VmFlags.Unknown : f;
        }

        return flags;
    }

    /// <summary>The mnemonics of <paramref name="flags"/>, in the kernel's order, space-separated.</summary>
    public static string FormatVmFlags(VmFlags flags)
    {
        var sb = new StringBuilder();
        foreach ((string m, VmFlags f) in FlagTable)
        {
            if ((flags & f) != 0)
            {
                sb.Append(m).Append(' ');
            }
        }

        return sb.ToString().TrimEnd();
    }
}
