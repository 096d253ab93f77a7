using System;
using System.Collections.Generic;
using System.Text;

namespace MmapTools;

/// <summary>One row of a hex dump: 16 bytes (fewer on the last row), as Format-Hex shows them.</summary>
public sealed class HexDumpRow
{
    /// <summary>The offset of the row's first byte (in the file for file maps, else in the map).</summary>
    public long Offset { get; init; }
    /// <summary>The bytes of the row.</summary>
    public byte[] Bytes { get; init; } = Array.Empty<byte>();
    /// <summary>The bytes as "DE AD BE EF ...".</summary>
    public string Hex { get; init; } = string.Empty;
    /// <summary>The bytes as ASCII, with '.' for anything not printable.</summary>
    public string Ascii { get; init; } = string.Empty;
    /// <summary>The file (or map description) the bytes come from.</summary>
    public string? Source { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Offset:X16}  {Hex,-47}  {Ascii}";
}

/// <summary>Hex parsing and formatting.</summary>
public static class Hex
{
    /// <summary>Bytes per dump row.</summary>
    public const int RowWidth = 16;

    /// <summary>"DE AD BE EF".</summary>
    public static string Format(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }

        var sb = new StringBuilder(bytes.Length * 3);
        foreach (byte b in bytes)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <summary>The printable-ASCII view of bytes ('.' for the rest).</summary>
    public static string Ascii(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[i] = bytes[i] is >= 0x20 and < 0x7F ? (char)bytes[i] : '.';
        }

        return new string(chars);
    }

    /// <summary>
    /// Parses hex bytes: "DE AD BE EF", "DEADBEEF", "0xDE,0xAD", "de-ad:be". Pairs of hex digits,
    /// optionally separated by spaces, commas, '-' or ':', each group optionally prefixed with 0x.
    /// </summary>
    public static byte[] Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Invalid(text, "it holds no hex digits");
        }

        List<byte?> parsed = ParseGroups(text, wildcards: false, why => Invalid(text, why));
        var result = new byte[parsed.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = parsed[i]!.Value;
        }

        return result;
    }

    /// <summary>
    /// The hex reader behind <see cref="Parse"/> and <see cref="Search.BytePattern.FromHex"/>: groups of
    /// [0x]digit pairs separated by spaces, commas, '-' or ':'. With <paramref name="wildcards"/>, "??" stands for
    /// any byte (null in the result). A malformed group becomes <paramref name="invalid"/>(why).
    /// </summary>
    internal static List<byte?> ParseGroups(string text, bool wildcards, Func<string, MmapException> invalid)
    {
        var result = new List<byte?>(text.Length / 2);
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (IsSeparator(c))
            {
                i++;
                continue;
            }

            // One group: [0x]HEXDIGITS
            int start = i;
            if (c == '0' && i + 1 < text.Length && text[i + 1] is 'x' or 'X')
            {
                i += 2;
            }

            int digitsStart = i;
            while (i < text.Length && !IsSeparator(text[i]))
            {
                if (!char.IsAsciiHexDigit(text[i]) && !(wildcards && text[i] == '?'))
                {
                    throw invalid(wildcards
                        ? $"'{text[i]}' at position {i} is neither a hex digit nor the '??' wildcard"
                        : $"'{text[i]}' at position {i} is not a hex digit");
                }

                i++;
            }

            int digits = i - digitsStart;
            if (digits == 0)
            {
                throw invalid($"'0x' at position {start} has no digits after it");
            }

            if (digits % 2 != 0)
            {
                throw invalid(wildcards
                    ? $"the group '{text[start..i]}' at position {start} has an odd number of characters; write each byte as two digits (0F, not F) and a wildcard as '??'"
                    : $"the group '{text[start..i]}' at position {start} has an odd number of digits; write each byte as two digits (0F, not F)");
            }

            for (int d = digitsStart; d < i; d += 2)
            {
                char hi = text[d], lo = text[d + 1];
                if (hi == '?' && lo == '?')
                {
                    result.Add(null);
                }
                else if (hi == '?' || lo == '?')
                {
                    throw invalid($"'{hi}{lo}' at position {d} mixes a digit and '?'; a wildcard stands for a whole byte ('??')");
                }
                else
                {
                    result.Add((byte)((HexValue(hi) << 4) | HexValue(lo)));
                }
            }
        }

        return result;
    }

    private static bool IsSeparator(char c) => char.IsWhiteSpace(c) || c is ',' or '-' or ':';

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static MmapException Invalid(string? text, string why) =>
        MapErrors.Create(ErrorIds.HexInvalid, MapErrorCategory.InvalidArgument,
            $"The hex string '{text}' is not valid: {why}. Write bytes as 'DE AD BE EF'.", 0, null);

    /// <summary>Splits bytes into dump rows; <paramref name="baseOffset"/> is the offset of the first byte.</summary>
    public static IEnumerable<HexDumpRow> Dump(byte[] bytes, long baseOffset, string? source)
    {
        for (int i = 0; i < bytes.Length; i += RowWidth)
        {
            byte[] row = bytes.AsSpan(i, Math.Min(RowWidth, bytes.Length - i)).ToArray();
            yield return new HexDumpRow { Offset = baseOffset + i, Bytes = row, Hex = Format(row), Ascii = Ascii(row), Source = source };
        }
    }
}
