using System;
using System.Globalization;
using System.Numerics;

namespace MmapTools.Procfs;

/// <summary>
/// A -Permission filter: letters of "rwxsp" that must all hold ("w", "rx"; "s" shared, "p" private), a
/// four-character pattern matched position by position as the kernel prints it ("rw-p", "r?xp"), or the names
/// the Permission property shows ("Read, Execute", "None"), which match exactly those permissions.
/// </summary>
public sealed class VmaPermissionFilter
{
    private readonly string? _pattern;
    private readonly VmaPermission _required;
    private readonly VmaPermission _forbidden;

    private readonly VmaPermission? _exact;

    private VmaPermissionFilter(string? pattern, VmaPermission required, VmaPermission forbidden, VmaPermission? exact = null)
    {
        _exact = exact;
        _pattern = pattern;
        _required = required;
        _forbidden = forbidden;
    }

    /// <summary>Parses a filter; false when it is neither form (or asks for both "s" and "p").</summary>
    public static bool TryParse(string? text, out VmaPermissionFilter? filter)
    {
        filter = null;
        string f = (text ?? string.Empty).Trim();
        if (f.Length == 0)
        {
            return false;
        }

        if (f.Length == 4 && f[0] is 'r' or '-' or '?' && f[1] is 'w' or '-' or '?' && f[2] is 'x' or '-' or '?' && f[3] is 's' or 'p' or '?')
        {
            filter = new VmaPermissionFilter(f, 0, 0);
            return true;
        }

        if (char.IsAsciiLetterUpper(f[0]) || f.Contains(',', StringComparison.Ordinal))
        {
            // The names of the Permission property: "Read, Execute", "Read,Write,Shared", "None" (case does not matter).
            VmaPermission exact = 0;
            foreach (string part in f.Split(',', StringSplitOptions.TrimEntries))
            {
                if (part.Length == 0 || !char.IsAsciiLetter(part[0]) || !Enum.TryParse(part, ignoreCase: true, out VmaPermission flag) || !Enum.IsDefined(flag))
                {
                    return false;
                }

                exact |= flag;
            }

            filter = new VmaPermissionFilter(null, 0, 0, exact);
            return true;
        }

        VmaPermission required = 0, forbidden = 0;
        foreach (char c in f)
        {
            switch (c)
            {
                case 'r': required |= VmaPermission.Read; break;
                case 'w': required |= VmaPermission.Write; break;
                case 'x': required |= VmaPermission.Execute; break;
                case 's': required |= VmaPermission.Shared; break;
                case 'p': forbidden |= VmaPermission.Shared; break;
                default: return false;
            }
        }

        if ((required & forbidden) != 0)
        {
            return false;
        }

        filter = new VmaPermissionFilter(null, required, forbidden);
        return true;
    }

    /// <summary>Whether the VMA's permissions pass the filter.</summary>
    public bool Matches(ProcessVma vma)
    {
        if (_exact is { } exact)
        {
            return vma.Permission == exact;
        }

        if (_pattern is not null)
        {
            for (int i = 0; i < 4; i++)
            {
                if (_pattern[i] != '?' && _pattern[i] != vma.Permissions[i])
                {
                    return false;
                }
            }

            return true;
        }

        return (vma.Permission & _required) == _required && (vma.Permission & _forbidden) == 0;
    }
}

/// <summary>
/// Addresses as users give them: numbers of any integer type, or strings in hex as the kernel and this module
/// print them, with or without "0x" ("0x7f3a12340000", "7f3a12340000", "0x00007f3a12340000").
/// </summary>
public static class VmaAddress
{
    /// <summary>
    /// Reads an address. A negative Int64 is taken as its unsigned bits (PowerShell reads 0xffffffffff600000 as
    /// a negative Int64); other negative numbers, fractions and text that is not a hex number are refused.
    /// A string is always hex ("140000000" is 0x140000000), as in /proc/PID/maps, pmap and this module's views.
    /// </summary>
    public static bool TryParse(object? value, out ulong address)
    {
        address = 0;
        switch (value)
        {
            case ulong u: address = u; return true;
            case long l: address = unchecked((ulong)l); return true;
            case int i when i >= 0: address = (ulong)i; return true;
            case uint ui: address = ui; return true;
            case short s when s >= 0: address = (ulong)s; return true;
            case ushort us: address = us; return true;
            case byte b: address = b; return true;
            case sbyte sb when sb >= 0: address = (ulong)sb; return true;
            case decimal d when d >= 0 && d <= ulong.MaxValue && decimal.Truncate(d) == d: address = (ulong)d; return true;
            case double db when db >= 0 && db < 18446744073709551616.0 && Math.Floor(db) == db: address = (ulong)db; return true;
            case BigInteger bi when bi >= 0 && bi <= ulong.MaxValue: address = (ulong)bi; return true;
            case string str:
                string t = str.Trim().Replace("_", string.Empty, StringComparison.Ordinal);
                ReadOnlySpan<char> digits = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? t.AsSpan(2) : t.AsSpan();
                return digits.Length > 0 && ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out address);
            default:
                return false;
        }
    }
}
