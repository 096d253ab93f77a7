using System.Globalization;

namespace MmapTools;

/// <summary>Formatting helpers the format views call, so sizes read as people write them.</summary>
public static class Units
{
    private static readonly string[] Suffixes = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

    /// <summary>1536 → "1.5 KiB"; 4096 → "4 KiB"; 100 → "100 B".</summary>
    public static string FormatBytes(long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (System.Math.Abs(value) >= 1024 && unit < Suffixes.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        string number = unit == 0 || value >= 100 || value == System.Math.Floor(value)
            ? value.ToString("0", CultureInfo.InvariantCulture)
            : value.ToString("0.#", CultureInfo.InvariantCulture);
        return number + " " + Suffixes[unit];
    }

    /// <summary>An address as "0x00007f3a12340000".</summary>
    public static string FormatAddress(ulong address) => "0x" + address.ToString("x16", CultureInfo.InvariantCulture);
}
