using System;
using System.IO;
using System.Linq;
using Xunit;

namespace MmapTools.Tests;

/// <summary>
/// The page cache of real files on a real disk filesystem: what is resident after a read, an evict, a touch,
/// a lock; cachestat and mincore agree with each other and with fincore; the mincore trap is never believed.
/// </summary>
public sealed class PageCacheTests : IDisposable
{
    private static readonly int Page = MemoryMap.PageSize;
    private readonly DiskDir _dir = new();

    public void Dispose()
    {
        foreach (MemoryMap m in PageCache.LockedMaps.Where(m => m.Path?.StartsWith(_dir.Path, StringComparison.Ordinal) == true))
        {
            PageCache.Unlock(m);
        }

        _dir.Dispose();
    }

    [Fact]
    public void TheTestFolder_IsOnADiskFilesystem()
    {
        Assert.False(Mounts.IsMemoryFileSystem(_dir.Path));
        Assert.True(Mounts.IsMemoryFileSystem("/dev/shm"));
    }

    [Fact]
    public void CacheStatIsFound_ExactlyOnKernelsFrom65()
    {
        // cachestat came in Linux 6.5: the probe must find it there, and not claim it before.
        string[] release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim().Split('.', '-');
        var version = new Version(int.Parse(release[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(release[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(version >= new Version(6, 5), PageCache.HasCacheStat);
        string path = _dir.ColdFile("probe.bin", 4);
        Assert.Equal(PageCache.HasCacheStat ? ResidencyMethod.CacheStat : ResidencyMethod.MinCore, PageCache.Measure(path).Method);
    }

    [Theory]
    [InlineData(ResidencyMethod.Auto)]
    [InlineData(ResidencyMethod.CacheStat)]
    [InlineData(ResidencyMethod.MinCore)]
    public void ReadShowsResident_EvictShowsMostlyNot_TouchShowsResidentAgain(ResidencyMethod method)
    {
        const int pages = 1024;
        string path = _dir.ColdFile("cycle.bin", pages);

        PageCacheResidency cold = PageCache.Measure(path, method: method);
        Assert.Equal(pages, cold.Pages);
        Assert.Equal((long)pages * Page, cold.Size);
        Assert.True(cold.ResidentPages <= pages / 20, $"after evict {cold.ResidentPages} of {pages} pages resident");
        Assert.Equal(method == ResidencyMethod.MinCore ? ResidencyMethod.MinCore : ResidencyMethod.CacheStat, cold.Method);

        _ = File.ReadAllBytes(path);
        PageCacheResidency read = PageCache.Measure(path, method: method);
        Assert.True(read.ResidentPages >= pages * 95 / 100, $"after a read {read.ResidentPages} of {pages} pages resident");
        Assert.Equal(read.ResidentPages * Page, read.ResidentBytes);
        Assert.InRange(read.Percent, 95, 100);

        PageCache.Evict(path);
        PageCacheResidency evicted = PageCache.Measure(path, method: method);
        Assert.True(evicted.ResidentPages <= pages / 20, $"after evict {evicted.ResidentPages} of {pages} pages resident");

        PageCache.Touch(path);
        PageCacheResidency touched = PageCache.Measure(path, method: method);
        Assert.Equal(pages, touched.ResidentPages);
        Assert.Equal(100, touched.Percent);
    }

    [Fact]
    public void CacheStatReportsDirtyAndEvictedCounts_MinCoreLeavesThemNull()
    {
        string path = _dir.ColdFile("dirty.bin", 64);
        PageCacheResidency viaMinCore = PageCache.Measure(path, method: ResidencyMethod.MinCore);
        Assert.Null(viaMinCore.Dirty);
        Assert.Null(viaMinCore.Evicted);
        Assert.Null(viaMinCore.RecentlyEvicted);

        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            fs.Write(new byte[16 * Page]);
        }

        PageCacheResidency dirty = PageCache.Measure(path, method: ResidencyMethod.CacheStat);
        Assert.NotNull(dirty.Evicted);
        Assert.NotNull(dirty.RecentlyEvicted);
        Assert.True(dirty.Dirty + dirty.Writeback > 0, $"dirty {dirty.Dirty}, writeback {dirty.Writeback} after an unsynced write");
        Assert.True(dirty.ResidentPages >= 16);

        // Without the flush the dirty pages cannot go; with it (the default) they do.
        PageCache.Evict(path, flush: false);
        PageCacheResidency kept = PageCache.Measure(path);
        Assert.True(kept.ResidentPages >= 1 || kept.Dirty == 0, "dirty pages were dropped unwritten");
        PageCache.Evict(path);
        PageCacheResidency clean = PageCache.Measure(path);
        Assert.Equal(0, clean.Dirty);
        Assert.True(clean.ResidentPages <= 3, $"{clean.ResidentPages} pages resident after a flushing evict");
        Assert.Equal(new byte[16 * Page], File.ReadAllBytes(path).AsSpan(0, 16 * Page).ToArray());
    }

    [Fact]
    public void CacheStatAndMinCore_AgreePageForPage()
    {
        const int pages = 3000;
        string path = _dir.ColdFile("agree.bin", pages);
        PageCache.Touch(path, 100 * Page, 700 * Page);
        PageCache.Touch(path, 2000L * Page + 5, 10);
        for (int i = 0; i < 100; i++)
        {
            PageCache.Touch(path, (2500L + (2 * i)) * Page, Page);     // finely fragmented: every other page
        }

        PageCacheResidency a = PageCache.Measure(path, method: ResidencyMethod.CacheStat, ranges: true);
        PageCacheResidency b = PageCache.Measure(path, method: ResidencyMethod.MinCore, ranges: true);
        Assert.Equal(a.ResidentPages, b.ResidentPages);
        Assert.Equal(801, a.ResidentPages);
        Assert.Equal(5 + 100 + 99 + 1, a.Ranges!.Count);   // cold, hot, cold, page 2000, cold, then 100 hot pages with 99 gaps, cold tail
        Assert.Equal(a.Ranges!.Select(r => (r.FirstPage, r.Pages, r.Resident)), b.Ranges!.Select(r => (r.FirstPage, r.Pages, r.Resident)));
    }

    [Fact]
    public void Touch_WithOffsetAndLength_LoadsExactlyThosePages_AndRangesShowWhichPartsAreHot()
    {
        // read_ahead_kb is often large (8 MiB here): Touch must not read around the range.
        const int pages = 4096;
        string path = _dir.ColdFile("runs.bin", pages);
        PageCache.Touch(path, 1000L * Page + 123, 500L * Page);   // pages 1000..1500

        foreach (ResidencyMethod method in new[] { ResidencyMethod.CacheStat, ResidencyMethod.MinCore })
        {
            PageCacheResidency r = PageCache.Measure(path, method: method, ranges: true);
            Assert.Equal(501, r.ResidentPages);
            Assert.Equal(3, r.Ranges!.Count);
            Assert.Equal((0L, 1000L, false), (r.Ranges[0].FirstPage, r.Ranges[0].Pages, r.Ranges[0].Resident));
            Assert.Equal((1000L, 501L, true), (r.Ranges[1].FirstPage, r.Ranges[1].Pages, r.Ranges[1].Resident));
            Assert.Equal((1501L, pages - 1501L, false), (r.Ranges[2].FirstPage, r.Ranges[2].Pages, r.Ranges[2].Resident));
            Assert.Equal(1000L * Page, r.Ranges[1].Offset);
            Assert.Equal(501L * Page, r.Ranges[1].Length);
            Assert.Equal(r.Size, r.Ranges.Sum(x => x.Length));
            Assert.All(r.Ranges, x => Assert.Equal(path, x.Path));
        }
    }

    [Theory]
    [InlineData(0, 100, false)]
    [InlineData(20, 100, false)]
    [InlineData(20, 100, true)]
    [InlineData(3, 50, true)]
    public void TouchAndLock_OfALargeRange_LoadNothingPastIt(int offsetMiB, int lengthMiB, bool locked)
    {
        // Ranges far larger than read_ahead_kb (8 MiB here): neither the read-ahead of the load nor the read-around
        // of the faults (of MADV_POPULATE_READ, and of mlock) may reach a page outside the range, as fincore shows.
        const long MiB = 1L << 20;
        long size = 220 * MiB;
        string path = _dir.ColdFile("large.bin", (int)(size / Page));
        Assert.Equal(0, PageCache.Measure(path).ResidentPages);
        long offset = offsetMiB * MiB, length = lengthMiB * MiB;
        MemoryMap? map = locked ? PageCache.Lock(path, offset, length) : null;
        if (!locked)
        {
            PageCache.Touch(path, offset, length);
        }

        try
        {
            long firstPage = offset / Page, pages = length / Page;
            long before = offset == 0 ? 0 : PageCache.Measure(path, 0, offset).ResidentPages;
            long inside = PageCache.Measure(path, offset, length).ResidentPages;
            long after = PageCache.Measure(path, offset + length, size - offset - length).ResidentPages;
            Assert.Equal((0L, pages, 0L), (before, inside, after));
            PageCacheResidency r = PageCache.Measure(path, ranges: true);
            Assert.Contains(r.Ranges!, x => x.Resident && x.FirstPage == firstPage && x.Pages == pages);
            Assert.Equal(pages, r.Ranges!.Where(x => x.Resident).Sum(x => x.Pages));
            Assert.Equal((pages, size), Fincore.Of(path));
        }
        finally
        {
            if (map is not null)
            {
                PageCache.Unlock(map);
            }
        }
    }

    [Fact]
    public void OffsetAndLength_MeasureOnlyThatRange_AndALengthPastTheEndStopsThere()
    {
        string path = _dir.ColdFile("range.bin", 10);
        PageCache.Touch(path, 2L * Page, 2L * Page);       // pages 2 and 3

        PageCacheResidency r = PageCache.Measure(path, 2L * Page + 100, 3L * Page);   // touches pages 2..5
        Assert.Equal(2L * Page + 100, r.Offset);
        Assert.Equal(3L * Page, r.Length);
        Assert.Equal(4, r.Pages);
        Assert.Equal(2, r.ResidentPages);

        PageCacheResidency tail = PageCache.Measure(path, 10L * Page - 10, 1L << 40);
        Assert.Equal(10, tail.Length);
        Assert.Equal(1, tail.Pages);

        PageCacheResidency ranged = PageCache.Measure(path, 2L * Page + 100, 3L * Page, ranges: true);
        Assert.Equal(2L * Page + 100, ranged.Ranges![0].Offset);
        Assert.Equal(2L * Page - 100, ranged.Ranges[0].Length);
        Assert.True(ranged.Ranges[0].Resident);
        Assert.Equal(5L * Page + 100, ranged.Ranges[^1].Offset + ranged.Ranges[^1].Length);
    }

    [Fact]
    public void Residency_MatchesFincore_OnTheSameFiles()
    {
        string path = _dir.ColdFile("fincore.bin", 2048);
        string odd = _dir.File("odd.bin", Bytes.Pattern(5 * Page + 77));
        PageCache.Evict(odd);

        Assert.Equal(Fincore.Of(path), Pair(PageCache.Measure(path)));
        PageCache.Touch(path, 0, 512L * Page);
        PageCache.Touch(path, 1500L * Page, 3);
        PageCache.Touch(odd, 5L * Page, 1);
        Assert.Equal(513, PageCache.Measure(path).ResidentPages);
        Assert.Equal(Fincore.Of(path), Pair(PageCache.Measure(path)));
        Assert.Equal(Fincore.Of(path), Pair(PageCache.Measure(path, method: ResidencyMethod.MinCore)));
        Assert.Equal(Fincore.Of(odd), Pair(PageCache.Measure(odd)));
        PageCache.Touch(path);
        Assert.Equal(Fincore.Of(path), Pair(PageCache.Measure(path)));

        static (long, long) Pair(PageCacheResidency r) => (r.ResidentPages, r.Size);
    }

    [Fact]
    public void Lock_HoldsTheFileInRam_EvictCannotDropIt_UnlockLetsItGo()
    {
        const int pages = 256;
        string path = _dir.ColdFile("lock.bin", pages);
        MemoryMap map = PageCache.Lock(path);
        Assert.True(map.IsOpen);
        Assert.Contains(map, PageCache.LockedMaps);
        Assert.Contains(map, PageCache.LockedMapsOf(path));
        Assert.True(MapRegistry.TryGet(map.Id, out _));
        Assert.Equal(MapAccess.ReadOnly, map.Access);

        SmapsEntry vma = SmapsEntry.At(map.Address);
        Assert.Equal(pages * Page / 1024, vma.Kb["Locked"]);
        Assert.Contains("lo", vma.VmFlags);
        Assert.Equal(pages, PageCache.Measure(path).ResidentPages);

        PageCache.Evict(path);
        Assert.Equal(pages, PageCache.Measure(path).ResidentPages);

        PageCache.Unlock(map);
        Assert.False(map.IsOpen);
        Assert.DoesNotContain(map, PageCache.LockedMaps);
        Assert.False(MapRegistry.TryGet(map.Id, out _));
        PageCache.Evict(path);
        Assert.True(PageCache.Measure(path).ResidentPages <= pages / 20);
    }

    [Fact]
    public void Lock_OfARange_LocksOnlyThosePages()
    {
        string path = _dir.ColdFile("lockrange.bin", 64);
        MemoryMap map = PageCache.Lock(path, 8L * Page, 4L * Page);
        try
        {
            Assert.Equal(8L * Page, map.Offset);
            Assert.Equal(4L * Page, map.Length);
            Assert.Equal(4 * Page / 1024, SmapsEntry.At(map.Address).Kb["Locked"]);
            PageCacheResidency r = PageCache.Measure(path, ranges: true);
            Assert.Equal(4, r.ResidentPages);
            Assert.Contains(r.Ranges!, x => x.Resident && x.FirstPage == 8 && x.Pages == 4);
        }
        finally
        {
            PageCache.Unlock(map);
        }
    }

    [Fact]
    public void MeasureMap_AnonymousMemory_CountsThePagesWritten()
    {
        using MemoryMap map = MemoryMap.CreateAnonymous(16L * Page);
        Assert.Equal(0, PageCache.MeasureMap(map).ResidentPages);
        map.Write(0, new byte[] { 1 });
        map.Write(5L * Page, new byte[] { 1 });
        map.Write(6L * Page + 7, new byte[] { 1 });
        PageCacheResidency r = PageCache.MeasureMap(map, ranges: true);
        Assert.Equal(16, r.Pages);
        Assert.Equal(3, r.ResidentPages);
        Assert.Equal(ResidencyMethod.MinCore, r.Method);
        Assert.Equal(map.Id, r.MapId);
        Assert.Equal(new[] { (0L, 1L, true), (1L, 4L, false), (5L, 2L, true), (7L, 9L, false) }, r.Ranges!.Select(x => (x.FirstPage, x.Pages, x.Resident)));
        Assert.Equal(2, PageCache.MeasureMap(map, 4L * Page, 2L * Page + 1).ResidentPages);
    }

    [Fact]
    public void MeasureMap_FileMap_MeasuresTheFilesRange()
    {
        string path = _dir.ColdFile("mapped.bin", 32);
        PageCache.Touch(path, 10L * Page, 4L * Page);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadOnly, 8L * Page, 8L * Page);
        PageCacheResidency r = PageCache.MeasureMap(map);
        Assert.Equal(8, r.Pages);
        Assert.Equal(4, r.ResidentPages);
        Assert.Equal(path, r.Path);
        Assert.Equal(8L * Page, r.Offset);
        map.Dispose();
        MapAssert.Fails(ErrorIds.MapClosed, () => PageCache.MeasureMap(map));
    }

    [Fact]
    public void Errors_AreCleanPerFile()
    {
        string empty = _dir.File("empty.bin", Array.Empty<byte>());
        string fifo = _dir.Name("fifo");
        Shell.Run("mkfifo", fifo);
        string small = _dir.File("small.bin", Bytes.Pattern(100));

        MapAssert.Fails(ErrorIds.CacheFileEmpty, () => PageCache.Measure(empty));
        MapAssert.Fails(ErrorIds.CacheFileEmpty, () => PageCache.Touch(empty));
        MapAssert.Fails(ErrorIds.CacheFileEmpty, () => PageCache.Evict(empty));
        MapAssert.Fails(ErrorIds.CacheFileEmpty, () => PageCache.Lock(empty));
        MapAssert.Fails(ErrorIds.CacheFileEmpty, () => PageCache.Measure("/proc/self/status"));
        MapAssert.Fails(ErrorIds.CacheFileUnsupported, () => PageCache.Measure(fifo));    // and returns: O_NONBLOCK, never opened
        MapAssert.Fails(ErrorIds.CacheFileUnsupported, () => PageCache.Touch("/dev/null"));
        MapAssert.Fails(ErrorIds.PathIsDirectory, () => PageCache.Measure(_dir.Path));
        MapAssert.Fails(ErrorIds.PathNotFound, () => PageCache.Measure(_dir.Name("missing.bin")));
        MapAssert.Fails(ErrorIds.PathInvalid, () => PageCache.Measure("a\0b"));
        MapAssert.Fails(ErrorIds.OffsetInvalid, () => PageCache.Measure(small, -1));
        MapAssert.Fails(ErrorIds.LengthInvalid, () => PageCache.Measure(small, 0, 0));
        MapAssert.Fails(ErrorIds.RangeBeyondEndOfFile, () => PageCache.Measure(small, 100));
        Assert.Equal(1, PageCache.Measure(small).Pages);
    }

    [Fact]
    public void UnreadableFile_IsPermissionDenied_ForAnotherUser()
    {
        string secret = _dir.File("secret.bin", Bytes.Pattern(Page), mode: "600");
        Assert.Equal("ERR PermissionDenied EACCES", Child.RunAsNobody("residency", secret, "Auto"));
    }

    [Fact]
    public void MinCoreTrap_AnotherUsersReadOnlyFile_IsNeverReportedResident()
    {
        const int pages = 64;
        string path = _dir.ColdFile("trap.bin", pages);     // root's, 0644: nobody may read it, not write it

        // The trap is real: raw mincore as nobody reports every page of the evicted file resident.
        Assert.Equal($"OK {pages}/{pages}", Child.RunAsNobody("mincore-raw", path));

        // MmapTools believes neither method for such a file (cachestat refuses it; a kernel without cachestat
        // falls back to mincore, which is not trusted for it).
        bool cs = PageCache.HasCacheStat;
        Assert.Equal(cs ? "ERR CacheResidencyUnknown EPERM" : "ERR CacheResidencyUnknown -", Child.RunAsNobody("residency", path, "Auto"));
        Assert.Equal(cs ? "ERR CacheResidencyUnknown EPERM" : "ERR CacheStatFailed ENOSYS", Child.RunAsNobody("residency", path, "CacheStat"));
        Assert.Equal("ERR CacheResidencyUnknown -", Child.RunAsNobody("residency", path, "MinCore"));
        Assert.Equal($"OK 0/{pages} {(cs ? "CacheStat" : "MinCore")}", Child.Run("residency", path, "Auto"));
    }

    [Fact]
    public void MinCoreTrap_FilesTheUserOwnsOrMayWrite_AreMeasuredTruly()
    {
        const int pages = 64;
        string owned = _dir.ColdFile("owned.bin", pages);
        Shell.Run("chown", "65534:65534", owned);
        string writable = _dir.ColdFile("writable.bin", pages, mode: "666");
        PageCache.Touch(writable, 0, 10L * Page);

        foreach (string method in new[] { "Auto", "CacheStat", "MinCore" })
        {
            string expected = method == "MinCore" ? "MinCore" : "CacheStat";
            Assert.Equal($"OK 0/{pages} {expected}", Child.RunAsNobody("residency", owned, method));
            Assert.Equal($"OK 10/{pages} {expected}", Child.RunAsNobody("residency", writable, method));
        }
    }
}
