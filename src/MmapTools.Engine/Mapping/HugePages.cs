using System;
using System.Globalization;
using System.IO;
using MmapTools.Interop;

namespace MmapTools.Mapping;

/// <summary>The hugetlb page pool (/proc/meminfo), for MapOptions.HugePages.</summary>
public static class HugePages
{
    /// <summary>The default huge page size in bytes (Hugepagesize), or 0 where the kernel has none.</summary>
    public static long Size => Read("Hugepagesize:") * 1024;

    /// <summary>Huge pages in the pool (vm.nr_hugepages).</summary>
    public static long Total => Read("HugePages_Total:");

    /// <summary>Huge pages in the pool not in use.</summary>
    public static long Free => Read("HugePages_Free:");

    /// <summary><paramref name="length"/> rounded up to whole huge pages: MAP_HUGETLB maps, and munmap needs, whole ones.</summary>
    internal static nuint RoundUp(long length)
    {
        long size = Size;
        return size <= 0 ? (nuint)length : (nuint)(((length + size - 1) / size) * size);
    }

    internal static MmapException Unavailable(int errno, long length)
    {
        long total = Total, free = Free, size = Size;
        string why = size <= 0 ? "this kernel has no hugetlb pages"
            : total == 0 ? "none are configured (vm.nr_hugepages is 0)"
            : $"{free} of {total} huge pages of {Units.FormatBytes(size)} are free, and {Units.FormatBytes((long)RoundUp(length))} were needed";
        return MapErrors.Create(ErrorIds.HugePagesUnavailable, MapErrorCategory.ResourceUnavailable,
            $"Cannot map {length} bytes of anonymous memory on huge pages: {Errno.Describe(errno)}; {why}. " +
            "An administrator reserves them with `sysctl vm.nr_hugepages=N`; or map without -HugePages (Set-MemoryMap -Advice HugePage asks for transparent huge pages instead).",
            errno, null, 0, length);
    }

    internal static MmapException Unsupported(string path) => MapErrors.Create(ErrorIds.HugePagesUnsupported, MapErrorCategory.InvalidArgument,
        $"Cannot map '{path}' on huge pages: MAP_HUGETLB backs anonymous memory (and hugetlbfs files), not files of ordinary filesystems or /dev/shm. " +
        "Map it without -HugePages; Set-MemoryMap -Advice HugePage asks for transparent huge pages.", Errno.EINVAL, path);

    private static long Read(string key)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    string value = line[key.Length..].Trim();
                    int space = value.IndexOf(' ', StringComparison.Ordinal);
                    return long.Parse(space < 0 ? value : value[..space], NumberStyles.Integer, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
