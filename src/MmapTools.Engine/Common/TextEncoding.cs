using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace MmapTools;

/// <summary>Resolves encoding names the way PowerShell users write them (utf8, unicode, latin1, ...).</summary>
public static class TextEncoding
{
    /// <summary>The names offered for tab completion; any .NET encoding name or code page also works.</summary>
    public static IReadOnlyList<string> Names { get; } = new[]
    {
        "utf8", "utf8BOM", "unicode", "utf-16le", "bigendianunicode", "utf-16be", "utf32", "bigendianutf32", "ascii", "latin1",
    };

    /// <summary>Returns the encoding for a name or code page; no byte-order mark is ever written.</summary>
    public static Encoding Resolve(string? name)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case null or "" or "utf8" or "utf-8" or "utf8nobom" or "default":
                return new UTF8Encoding(false);
            case "utf8bom":
                return new UTF8Encoding(true);
            case "unicode" or "utf-16" or "utf16" or "utf-16le" or "utf16le":
                return new UnicodeEncoding(bigEndian: false, byteOrderMark: false);
            case "bigendianunicode" or "utf-16be" or "utf16be":
                return new UnicodeEncoding(bigEndian: true, byteOrderMark: false);
            case "utf32" or "utf-32" or "utf-32le" or "utf32le":
                return new UTF32Encoding(bigEndian: false, byteOrderMark: false);
            case "bigendianutf32" or "utf-32be" or "utf32be":
                return new UTF32Encoding(bigEndian: true, byteOrderMark: false);
            case "ascii" or "us-ascii":
                return Encoding.ASCII;
            case "latin1" or "iso-8859-1":
                return Encoding.Latin1;
        }

        try
        {
            return int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int codePage)
                ? Encoding.GetEncoding(codePage)
                : Encoding.GetEncoding(name!);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw MapErrors.Create(ErrorIds.EncodingInvalid, MapErrorCategory.InvalidArgument,
                $"'{name}' is not a known encoding. Use one of {string.Join(", ", Names)}, a .NET encoding name, or a code page number.", 0, null);
        }
    }
}
