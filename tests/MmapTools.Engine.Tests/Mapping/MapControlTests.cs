using System;
using System.IO;
using System.Linq;
using MmapTools.Interop;
using Xunit;

namespace MmapTools.Tests;

/// <summary>
/// Protection, advice and locking of live maps, with the effect read back from /proc/self/smaps:
/// permissions, VmFlags, Locked. An access the protection forbids is an error, never a crash.
/// </summary>
public sealed class MapControlTests : IDisposable
{
    private static readonly int Page = MemoryMap.PageSize;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ProtectNone_ThenReadAndWrite_AreErrorsNotCrashes_AndSmapsShowsNoAccess()
    {
        byte[] content = Bytes.Pattern(3 * Page);
        string path = _dir.File("none.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
        map.Protect(PageProtection.None);

        Assert.Equal(MapProtection.None, map.Protection);
        Assert.Equal("---s", SmapsEntry.At(map.Address).Perms);
        MmapException read = MapAssert.Fails(ErrorIds.MapAccessFault, () => map.Read(10, 4));
        Assert.Equal("EFAULT", read.ErrnoName);
        Assert.Contains("None", read.Message, StringComparison.Ordinal);
        MapAssert.Fails(ErrorIds.MapAccessFault, () => map.Write(0, new byte[] { 1, 2 }));

        map.Protect(PageProtection.ReadWrite);
        Assert.Equal(MapProtection.ReadWrite, map.Protection);
        Assert.Equal("rw-s", SmapsEntry.At(map.Address).Perms);
        Assert.Equal(content, map.Read(0, content.Length));
    }

    [Fact]
    public void ProtectReadOnly_OnAReadWriteMap_RefusesWrites_AndTheFileKeepsItsBytes()
    {
        byte[] content = Bytes.Pattern(2 * Page);
        string path = _dir.File("ro.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
        map.Protect(PageProtection.ReadOnly);
        Assert.Equal(MapProtection.Read, map.Protection);
        Assert.Equal("r--s", SmapsEntry.At(map.Address).Perms);
        MapAssert.Fails(ErrorIds.MapAccessFault, () => map.Write(100, new byte[] { 0xFF }));
        Assert.Equal(content[100], map.Read<byte>(100));
        map.Sync();
        Assert.Equal(content, File.ReadAllBytes(path));
    }

    [Fact]
    public void ProtectARange_ChangesOnlyThePagesItTouches_AndSplitsTheVma()
    {
        using MemoryMap map = MemoryMap.CreateAnonymous(4L * Page);
        map.Write(0, Bytes.Pattern(4 * Page));
        map.Protect(PageProtection.None, Page + 10, 5);     // page 1 only, aligned internally

        Assert.Equal(MapProtection.None, map.ProtectionAt(Page));
        Assert.Equal(MapProtection.None, map.ProtectionAt(2L * Page - 1));
        Assert.Equal(MapProtection.ReadWrite, map.ProtectionAt(0));
        Assert.Equal(MapProtection.ReadWrite, map.ProtectionAt(2L * Page));
        Assert.Equal(MapProtection.None, map.Protection);    // what every page has in common
        Assert.Equal(new[] { "rw-p", "---p", "rw-p" }, SmapsEntry.Of(map).Select(e => e.Perms));

        Assert.Equal(Bytes.Pattern(4 * Page).AsSpan(0, Page).ToArray(), map.Read(0, Page));
        Assert.Equal(Bytes.Pattern(4 * Page).AsSpan(2 * Page, 2 * Page).ToArray(), map.Read(2L * Page, 2 * Page));
        MapAssert.Fails(ErrorIds.MapAccessFault, () => map.Read(Page + 100, 1));
        MapAssert.Fails(ErrorIds.MapAccessFault, () => map.Read(Page - 2, 4));   // starts in a readable page

        map.Protect(PageProtection.ReadWrite, Page, Page);
        Assert.Equal(MapProtection.ReadWrite, map.Protection);
        Assert.Single(SmapsEntry.Of(map));
    }

    [Fact]
    public void ReadWrite_OnAMapOpenedReadOnly_IsRefusedCleanly()
    {
        string path = _dir.File("rdonly.bin", Bytes.Pattern(Page));
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadOnly);
        MmapException e = MapAssert.Fails(ErrorIds.ProtectionNotPermitted, () => map.Protect(PageProtection.ReadWrite));
        Assert.Equal("EACCES", e.ErrnoName);
        Assert.Equal(MapProtection.Read, map.Protection);
        Assert.Equal("r--s", SmapsEntry.At(map.Address).Perms);
    }

    [Fact]
    public void Execute_OnlyWhenExplicitlyAllowed()
    {
        using MemoryMap map = MemoryMap.CreateAnonymous(Page);
        MapAssert.Fails(ErrorIds.ProtectionExecuteNotAllowed, () => map.Protect(PageProtection.ReadExecute));
        Assert.Equal("rw-p", SmapsEntry.At(map.Address).Perms);
        map.Protect(PageProtection.ReadExecute, allowExecute: true);
        Assert.Equal("r-xp", SmapsEntry.At(map.Address).Perms);
        Assert.Equal(MapProtection.Read | MapProtection.Execute, map.Protection);
    }

    [Fact]
    public void RangesOutsideTheMap_AndRemovedMaps_AreErrors()
    {
        MemoryMap map = MemoryMap.CreateAnonymous(2L * Page);
        MapAssert.Fails(ErrorIds.AccessOutOfRange, () => map.Protect(PageProtection.ReadOnly, Page, 2L * Page));
        MapAssert.Fails(ErrorIds.OffsetInvalid, () => map.Advise(MapAdvice.Random, -1, 1));
        map.Dispose();
        MapAssert.Fails(ErrorIds.MapClosed, () => map.Protect(PageProtection.ReadOnly));
        MapAssert.Fails(ErrorIds.MapClosed, () => map.Advise(MapAdvice.Normal));
        MapAssert.Fails(ErrorIds.MapClosed, () => map.Lock());
        MapAssert.Fails(ErrorIds.MapClosed, () => map.Unlock());
    }

    public static TheoryData<MapAdvice, string> AdviceOnKinds()
    {
        var data = new TheoryData<MapAdvice, string>();
        foreach (MapAdvice advice in Enum.GetValues<MapAdvice>())
        {
            foreach (string kind in new[] { "anonymous", "file-readonly", "file-readwrite", "copy-on-write", "protected-none" })
            {
                data.Add(advice, kind);
            }
        }

        return data;
    }

    /// <summary>Each advice is accepted or refused as the kernel does it on an identical map: same outcome, same errno.</summary>
    [Theory]
    [MemberData(nameof(AdviceOnKinds))]
    public void Advice_IsAcceptedOrRefused_AsTheKernelDoes(MapAdvice advice, string kind)
    {
        string path = _dir.File(kind + ".bin", Bytes.Pattern(8 * Page));
        using MemoryMap ours = Open(kind, path);
        using MemoryMap twin = Open(kind, path);
        (IntPtr start, nuint length) = twin.PageRange(0, twin.Length);
        int kernel = Libc.MAdvise(start, length, Number(advice)) == 0 ? 0 : Libc.LastErrno;

        MmapException? e = Record.Exception(() => ours.Advise(advice)) as MmapException;
        if (kernel == 0)
        {
            Assert.Null(e);
        }
        else
        {
            Assert.NotNull(e);
            Assert.Equal(ErrorIds.AdviceRefused, e!.ErrorId);
            Assert.Equal(kernel, e.Errno);
        }

        static MemoryMap Open(string kind, string path)
        {
            switch (kind)
            {
                case "anonymous": return MemoryMap.CreateAnonymous(8L * Page);
                case "file-readonly": return MemoryMap.OpenFile(path);
                case "file-readwrite": return MemoryMap.OpenFile(path, MapAccess.ReadWrite);
                case "copy-on-write": return MemoryMap.OpenFile(path, MapAccess.CopyOnWrite);
                default:
                    MemoryMap m = MemoryMap.CreateAnonymous(8L * Page);
                    m.Protect(PageProtection.None);
                    return m;
            }
        }

        static int Number(MapAdvice a) => a switch
        {
            MapAdvice.Normal => 0, MapAdvice.Random => 1, MapAdvice.Sequential => 2, MapAdvice.WillNeed => 3, MapAdvice.DontNeed => 4,
            MapAdvice.Cold => 20, MapAdvice.PageOut => 21, MapAdvice.HugePage => 14, MapAdvice.NoHugePage => 15,
            MapAdvice.PopulateRead => 22, MapAdvice.PopulateWrite => 23, _ => -1,
        };
    }

    [Fact]
    public void PopulateWrite_OnAReadOnlyMap_IsRefused()
    {
        using MemoryMap map = MemoryMap.OpenFile(_dir.File("pw.bin", Bytes.Pattern(Page)));
        MmapException e = MapAssert.Fails(ErrorIds.AdviceRefused, () => map.Advise(MapAdvice.PopulateWrite));
        Assert.Equal("EINVAL", e.ErrnoName);
        Assert.Contains("PopulateWrite", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MapAdvice.Random, "rr")]
    [InlineData(MapAdvice.Sequential, "sr")]
    [InlineData(MapAdvice.HugePage, "hg")]
    [InlineData(MapAdvice.NoHugePage, "nh")]
    public void Advice_ShowsInVmFlags(MapAdvice advice, string flag)
    {
        using MemoryMap map = MemoryMap.CreateAnonymous(4L * Page);
        Assert.DoesNotContain(flag, SmapsEntry.At(map.Address).VmFlags);
        map.Advise(advice);
        Assert.Contains(flag, SmapsEntry.At(map.Address).VmFlags);
        if (advice is MapAdvice.Random or MapAdvice.Sequential)
        {
            map.Advise(MapAdvice.Normal);
            Assert.DoesNotContain(flag, SmapsEntry.At(map.Address).VmFlags);
        }
    }

    [Fact]
    public void PopulateRead_RaisesRss_DontNeed_OnPrivateMemory_DiscardsIt()
    {
        using MemoryMap map = MemoryMap.CreateAnonymous(16L * Page);
        map.Advise(MapAdvice.PopulateWrite);
        Assert.Equal(16 * Page / 1024, SmapsEntry.At(map.Address).Kb["Rss"]);
        map.Write(0, new byte[] { 42 });
        map.Advise(MapAdvice.DontNeed, 0, Page);
        Assert.Equal(0, map.Read<byte>(0));   // the kernel's documented semantics for private anonymous memory

        string path = _dir.File("pop.bin", Bytes.Pattern(16 * Page));
        using MemoryMap file = MemoryMap.OpenFile(path);
        file.Advise(MapAdvice.PopulateRead);
        Assert.Equal(16 * Page / 1024, SmapsEntry.At(file.Address).Kb["Rss"]);
        file.Advise(MapAdvice.DontNeed);
        Assert.Equal(0, SmapsEntry.At(file.Address).Kb["Rss"]);
        Assert.Equal(Bytes.Pattern(16 * Page), file.Read(0, 16 * Page));   // a shared file map reads the file again
    }

    [Fact]
    public void Lock_RaisesLockedInSmaps_UnlockDropsIt()
    {
        string path = _dir.File("lock.bin", Bytes.Pattern(8 * Page));
        using MemoryMap map = MemoryMap.OpenFile(path);
        Assert.Equal(0, SmapsEntry.At(map.Address).Kb["Locked"]);
        map.Lock();
        SmapsEntry locked = SmapsEntry.At(map.Address);
        Assert.Equal(8 * Page / 1024, locked.Kb["Locked"]);
        Assert.Equal(8 * Page / 1024, locked.Kb["Rss"]);
        Assert.Contains("lo", locked.VmFlags);
        map.Unlock();
        Assert.Equal(0, SmapsEntry.At(map.Address).Kb["Locked"]);
        Assert.DoesNotContain("lo", SmapsEntry.At(map.Address).VmFlags);
    }

    [Fact]
    public void Lock_OfARange_LocksThePagesItTouches()
    {
        using MemoryMap map = MemoryMap.CreateAnonymous(8L * Page);
        map.Lock(2L * Page + 1, Page);     // touches pages 2 and 3
        Assert.Equal(2 * Page / 1024, SmapsEntry.Of(map).Sum(e => e.Kb["Locked"]));
        Assert.Equal(new[] { false, true, false }, SmapsEntry.Of(map).Select(e => e.VmFlags.Contains("lo")));
        map.Unlock();
        Assert.Equal(0, SmapsEntry.Of(map).Sum(e => e.Kb["Locked"]));
    }

    [Fact]
    public void Lock_AsAnUnprivilegedUserPastTheLimit_IsLockFailed()
    {
        // nobody without CAP_IPC_LOCK and RLIMIT_MEMLOCK of 64 KiB, locking 1 MiB.
        Assert.Equal("ERR LockFailed ENOMEM", Child.RunWith(true, "prlimit --memlock=65536:65536", "lock-anon", (1 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void HugePages_WhereNoneAreConfigured_IsACleanError_AndFilesAreRefused()
    {
        if (HugePages.Total == 0)
        {
            MmapException e = MapAssert.Fails(ErrorIds.HugePagesUnavailable, () => MemoryMap.CreateAnonymous(1 << 20, options: MapOptions.HugePages));
            Assert.Contains("nr_hugepages", e.Message, StringComparison.Ordinal);
        }
        else
        {
            using MemoryMap map = MemoryMap.CreateAnonymous(1 << 20, options: MapOptions.HugePages);
            map.Write(0, new byte[] { 1 });
            Assert.Equal(HugePages.Size / 1024, SmapsEntry.At(map.Address).Kb["KernelPageSize"]);
        }

        string path = _dir.File("huge.bin", Bytes.Pattern(Page));
        MapAssert.Fails(ErrorIds.HugePagesUnsupported, () => MemoryMap.OpenFile(path, MapAccess.ReadOnly, 0, null, null, MapOptions.HugePages));
        MapAssert.Fails(ErrorIds.HugePagesUnsupported, () => MemoryMap.OpenSharedMemory("mmaptools-huge-" + Guid.NewGuid().ToString("N"), MapAccess.ReadWrite, 0, null, Page, MapOptions.HugePages));
        Assert.Empty(Directory.GetFiles("/dev/shm", "mmaptools-huge-*"));
    }
}
