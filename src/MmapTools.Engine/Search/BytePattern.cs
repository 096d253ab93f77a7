using System;
using System.Collections.Generic;
using System.Text;

namespace MmapTools.Search;

/// <summary>
/// A byte pattern to search for: literal bytes with optional single-byte wildcards (<c>??</c> in hex).
/// Build one from bytes, from hex (<c>'DE AD ?? EF'</c>) or from text in an encoding.
/// The search looks for the longest run of literal bytes (the anchor) with a vectorised
/// <see cref="MemoryExtensions.IndexOf{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> and checks the rest around each candidate.
/// </summary>
public sealed partial class BytePattern
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

        List<byte?> parsed = Hex.ParseGroups(hex, wildcards: true, why => InvalidHex(hex, why));
        var bytes = new byte[parsed.Count];
        bool[]? wild = null;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (parsed[i] is { } b)
            {
                bytes[i] = b;
            }
            else
            {
                wild ??= new bool[bytes.Length];
                wild[i] = true;
            }
        }

        return new BytePattern(bytes, wild);
    }

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
