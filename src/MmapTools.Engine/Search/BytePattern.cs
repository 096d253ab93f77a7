using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace MmapTools.Search;

/// <summary>
/// A byte pattern to search for: literal bytes with optional single-byte wildcards (<c>??</c> in hex).
/// Build one from bytes, from hex (<c>'DE AD ?? EF'</c>) or from text in an encoding.
/// The search looks for the longest run of literal bytes (the anchor) with a vectorised
/// <see cref="MemoryExtensions.IndexOf{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> and checks the rest around each candidate.
/// </summary>
public sealed class BytePattern
{
    private readonly byte[] _bytes;
    private readonly bool[]? _wild;

    private BytePattern(byte[] bytes, bool[]? wild)
    {
        _bytes = bytes;
        _wild = wild;
        if (bytes.Length == 0)
        {
            throw MapErrors.Create(ErrorIds.PatternEmpty, MapErrorCategory.InvalidArgument,
                "The search pattern is empty: give at least one byte to look for.");
        }

        // The anchor: the longest run of literal bytes (the first one of that length).
        int bestStart = 0, bestLength = 0;
        for (int i = 0; i < bytes.Length;)
        {
            if (IsWild(i))
            {
                i++;
                continue;
            }

            int start = i;
            while (i < bytes.Length && !IsWild(i))
            {
                i++;
            }

            if (i - start > bestLength)
            {
                bestStart = start;
                bestLength = i - start;
            }
        }

        if (bestLength == 0)
        {
            throw MapErrors.Create(ErrorIds.PatternEmpty, MapErrorCategory.InvalidArgument,
                $"The search pattern '{this}' is only wildcards, so it would match at every offset: give at least one literal byte.");
        }

        AnchorOffset = bestStart;
        AnchorLength = bestLength;
    }

    /// <summary>How many bytes a match covers (wildcards included).</summary>
    public int Length => _bytes.Length;

    /// <summary>True when the pattern has ?? wildcards.</summary>
    public bool HasWildcards => _wild is not null;

    /// <summary>How many bytes are wildcards.</summary>
    public int WildcardCount
    {
        get
        {
            if (_wild is null)
            {
                return 0;
            }

            int n = 0;
            foreach (bool w in _wild)
            {
                n += w ? 1 : 0;
            }

            return n;
        }
    }

    /// <summary>Where in the pattern the anchor (longest literal run) starts.</summary>
    internal int AnchorOffset { get; }

    /// <summary>How long the anchor is.</summary>
    internal int AnchorLength { get; }

    /// <summary>The anchor's bytes.</summary>
    internal ReadOnlySpan<byte> Anchor => _bytes.AsSpan(AnchorOffset, AnchorLength);

    /// <summary>True when byte <paramref name="index"/> of the pattern matches any byte.</summary>
    public bool IsWild(int index) => _wild is not null && _wild[index];

    /// <summary>The literal bytes (0 where the pattern has a wildcard).</summary>
    public byte[] GetBytes() => (byte[])_bytes.Clone();

    /// <summary>A pattern of literal bytes.</summary>
    public static BytePattern FromBytes(ReadOnlySpan<byte> bytes) => new(bytes.ToArray(), null);

    /// <summary>Text encoded with <paramref name="encoding"/> (utf8 by default, no byte-order mark); see <see cref="TextEncoding"/>.</summary>
    public static BytePattern FromText(string text, string? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new BytePattern(TextEncoding.Resolve(encoding).GetBytes(text), null);
    }

    /// <summary>
    /// Parses a hex pattern: pairs of hex digits or <c>??</c> (any byte), optionally separated by spaces,
    /// commas, '-' or ':', each group optionally prefixed with 0x: <c>'DE AD ?? EF'</c>, <c>'DEAD??EF'</c>, <c>'0xde,0xad'</c>.
    /// </summary>
    public static BytePattern FromHex(string hex)
    {
        if (string.IsNullOrWhiteSpace(hex))
        {
            throw MapErrors.Create(ErrorIds.PatternEmpty, MapErrorCategory.InvalidArgument,
                $"The hex pattern '{hex}' holds no bytes: write them as 'DE AD ?? EF'.");
        }

        var bytes = new List<byte>(hex.Length / 2);
        var wild = new List<bool>(hex.Length / 2);
        int i = 0;
        while (i < hex.Length)
        {
            char c = hex[i];
            if (IsSeparator(c))
            {
                i++;
                continue;
            }

            int start = i;
            if (c == '0' && i + 1 < hex.Length && hex[i + 1] is 'x' or 'X')
            {
                i += 2;
            }

            int digitsStart = i;
            while (i < hex.Length && !IsSeparator(hex[i]))
            {
                if (!char.IsAsciiHexDigit(hex[i]) && hex[i] != '?')
                {
                    throw InvalidHex(hex, $"'{hex[i]}' at position {i} is neither a hex digit nor the '??' wildcard");
                }

                i++;
            }

            int digits = i - digitsStart;
            if (digits == 0)
            {
                throw InvalidHex(hex, $"'0x' at position {start} has no digits after it");
            }

            if (digits % 2 != 0)
            {
                throw InvalidHex(hex, $"the group '{hex[start..i]}' at position {start} has an odd number of characters; write each byte as two digits (0F, not F) and a wildcard as '??'");
            }

            for (int d = digitsStart; d < i; d += 2)
            {
                char hi = hex[d], lo = hex[d + 1];
                if (hi == '?' && lo == '?')
                {
                    bytes.Add(0);
                    wild.Add(true);
                }
                else if (hi == '?' || lo == '?')
                {
                    throw InvalidHex(hex, $"'{hi}{lo}' at position {d} mixes a digit and '?'; a wildcard stands for a whole byte ('??')");
                }
                else
                {
                    bytes.Add((byte)((HexValue(hi) << 4) | HexValue(lo)));
                    wild.Add(false);
                }
            }
        }

        return new BytePattern(bytes.ToArray(), wild.Contains(true) ? wild.ToArray() : null);
    }

    private static bool IsSeparator(char c) => char.IsWhiteSpace(c) || c is ',' or '-' or ':';

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static MmapException InvalidHex(string hex, string why) =>
        MapErrors.Create(ErrorIds.PatternInvalid, MapErrorCategory.InvalidArgument,
            $"The hex pattern '{hex}' is not valid: {why}. Write it as 'DE AD ?? EF'.");

    /// <summary>True when the pattern matches <paramref name="data"/>[0..Length).</summary>
    public bool IsMatch(ReadOnlySpan<byte> data)
    {
        if (data.Length < _bytes.Length)
        {
            return false;
        }

        if (_wild is null)
        {
            return data[.._bytes.Length].SequenceEqual(_bytes);
        }

        for (int i = 0; i < _bytes.Length; i++)
        {
            if (!_wild[i] && data[i] != _bytes[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The first start offset s in [<paramref name="from"/>, <paramref name="startLimit"/>) at which the pattern
    /// matches <paramref name="buffer"/>, or -1. A match must fit in the buffer.
    /// </summary>
    public int IndexOf(ReadOnlySpan<byte> buffer, int from, int startLimit)
    {
        startLimit = Math.Min(startLimit, buffer.Length - _bytes.Length + 1);
        if (from < 0)
        {
            from = 0;
        }

        ReadOnlySpan<byte> anchor = Anchor;
        bool whole = _wild is null;
        while (from < startLimit)
        {
            // The anchor of a match starting at s lies at s + AnchorOffset; look for it among the starts left.
            int searchStart = from + AnchorOffset;
            ReadOnlySpan<byte> window = buffer.Slice(searchStart, startLimit - from + AnchorLength - 1);
            int hit = AnchorLength == 1 ? window.IndexOf(anchor[0]) : FindAnchor(window, anchor);
            if (hit < 0)
            {
                return -1;
            }

            int s = from + hit;
            if (whole || IsMatch(buffer[s..]))
            {
                return s;
            }

            from = s + 1;
        }

        return -1;
    }

    /// <summary>
    /// The first index of <paramref name="anchor"/> (2 bytes or more) in <paramref name="window"/>, or -1; as
    /// <c>window.IndexOf(anchor)</c>. Compares the anchor's first and last bytes at every position with the widest
    /// vectors the CPU has (512, 256 or 128 bits), and checks the whole anchor only where both agree.
    /// </summary>
    internal static int FindAnchor(ReadOnlySpan<byte> window, ReadOnlySpan<byte> anchor)
    {
        int gap = anchor.Length - 1;
        int positions = window.Length - gap;      // anchor starts examined: [0, positions)
        if (positions <= 0)
        {
            return -1;
        }

        ref byte w = ref MemoryMarshal.GetReference(window);
        byte first = anchor[0], last = anchor[gap];
        int i = 0;
        if (Vector512.IsHardwareAccelerated && positions >= Vector512<byte>.Count)
        {
            Vector512<byte> vf = Vector512.Create(first), vl = Vector512.Create(last);
            const int Step = 64;

            // Four vectors per step, tested together: candidates are rare, so the common case is one branch per 256 bytes.
            for (; i <= positions - (4 * Step); i += 4 * Step)
            {
                Vector512<byte> b0 = Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)i), vf) & Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + gap)), vl);
                Vector512<byte> b1 = Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + Step)), vf) & Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + Step + gap)), vl);
                Vector512<byte> b2 = Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + (2 * Step))), vf) & Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + (2 * Step) + gap)), vl);
                Vector512<byte> b3 = Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + (3 * Step))), vf) & Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + (3 * Step) + gap)), vl);
                if ((b0 | b1 | b2 | b3) != Vector512<byte>.Zero)
                {
                    int found = Verify(window, anchor, i, b0.ExtractMostSignificantBits());
                    found = found >= 0 ? found : Verify(window, anchor, i + Step, b1.ExtractMostSignificantBits());
                    found = found >= 0 ? found : Verify(window, anchor, i + (2 * Step), b2.ExtractMostSignificantBits());
                    found = found >= 0 ? found : Verify(window, anchor, i + (3 * Step), b3.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }

            for (; i <= positions - Step; i += Step)
            {
                Vector512<byte> both = Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)i), vf) & Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + gap)), vl);
                if (both != Vector512<byte>.Zero)
                {
                    int found = Verify(window, anchor, i, both.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated && positions >= Vector256<byte>.Count)
        {
            Vector256<byte> vf = Vector256.Create(first), vl = Vector256.Create(last);
            const int Step = 32;
            for (; i <= positions - (4 * Step); i += 4 * Step)
            {
                Vector256<byte> b0 = Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)i), vf) & Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + gap)), vl);
                Vector256<byte> b1 = Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + Step)), vf) & Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + Step + gap)), vl);
                Vector256<byte> b2 = Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + (2 * Step))), vf) & Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + (2 * Step) + gap)), vl);
                Vector256<byte> b3 = Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + (3 * Step))), vf) & Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + (3 * Step) + gap)), vl);
                if ((b0 | b1 | b2 | b3) != Vector256<byte>.Zero)
                {
                    int found = Verify(window, anchor, i, b0.ExtractMostSignificantBits());
                    found = found >= 0 ? found : Verify(window, anchor, i + Step, b1.ExtractMostSignificantBits());
                    found = found >= 0 ? found : Verify(window, anchor, i + (2 * Step), b2.ExtractMostSignificantBits());
                    found = found >= 0 ? found : Verify(window, anchor, i + (3 * Step), b3.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }

            for (; i <= positions - Step; i += Step)
            {
                Vector256<byte> both = Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)i), vf) & Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + gap)), vl);
                if (both != Vector256<byte>.Zero)
                {
                    int found = Verify(window, anchor, i, both.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }
        }
        else if (Vector128.IsHardwareAccelerated && positions >= Vector128<byte>.Count)
        {
            Vector128<byte> vf = Vector128.Create(first), vl = Vector128.Create(last);
            for (; i <= positions - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                Vector128<byte> both = Vector128.Equals(Vector128.LoadUnsafe(ref w, (nuint)i), vf) & Vector128.Equals(Vector128.LoadUnsafe(ref w, (nuint)(i + gap)), vl);
                if (both != Vector128<byte>.Zero)
                {
                    int found = Verify(window, anchor, i, both.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }
        }

        for (; i < positions; i++)
        {
            if (window[i] == first && window[i + gap] == last && window.Slice(i, anchor.Length).SequenceEqual(anchor))
            {
                return i;
            }
        }

        return -1;
    }

    private static int Verify(ReadOnlySpan<byte> window, ReadOnlySpan<byte> anchor, int at, ulong bits)
    {
        while (bits != 0)
        {
            int i = at + BitOperations.TrailingZeroCount(bits);
            if (window.Slice(i, anchor.Length).SequenceEqual(anchor))
            {
                return i;
            }

            bits &= bits - 1;
        }

        return -1;
    }

    /// <summary>The pattern as hex with ?? for wildcards: "DE AD ?? EF".</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(_bytes.Length * 3);
        for (int i = 0; i < _bytes.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            sb.Append(IsWild(i) ? "??" : _bytes[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}
