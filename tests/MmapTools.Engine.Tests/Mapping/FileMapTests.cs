using System;
using System.IO;
using System.Linq;
using Xunit;

namespace MmapTools.Tests;

/// <summary>Maps of real files: what the seeds claim about MAP_SHARED, MAP_PRIVATE and offsets holds.</summary>
public sealed class FileMapTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReadOnlyMap_ReadsTheFilesBytes()
    {
        byte[] content = Bytes.Pattern(3 * MemoryMap.PageSize + 123);
        string path = _dir.File("a.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path);
        Assert.Equal(content.Length, map.Length);
        Assert.Equal(MapKind.File, map.Kind);
        Assert.Equal(MapAccess.ReadOnly, map.Access);
        Assert.Equal(path, map.Path);
        Assert.Equal(content, map.Read(0, content.Length));
        Assert.Equal(content[4097], map.Read<byte>(4097));
        Assert.Equal(BitConverter.ToInt32(content, 100), map.Read<int>(100));
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(4095, 2)]
    [InlineData(4096, 4096)]
    [InlineData(5000, 3000)]
    [InlineData(12287, 1)]
    public void AnyOffsetAndLength_ShowTheFileFromThatOffset(int offset, int length)
    {
        byte[] content = Bytes.Pattern(3 * 4096);
        string path = _dir.File("o.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadOnly, offset, length);
        Assert.Equal(offset, map.Offset);
        Assert.Equal(length, map.Length);
        Assert.Equal(content.Skip(offset).Take(length).ToArray(), map.Read(0, length));
        Assert.Equal(0UL, (map.Address - (ulong)offset) % (ulong)MemoryMap.PageSize);
    }

    [Fact]
    public void LengthDefaultsToTheRestOfTheFile()
    {
        byte[] content = Bytes.Pattern(10_000);
        using MemoryMap map = MemoryMap.OpenFile(_dir.File("r.bin", content), MapAccess.ReadOnly, 6000);
        Assert.Equal(4000, map.Length);
        Assert.Equal(content.AsSpan(6000).ToArray(), map.Read(0, 4000));
    }

    [Fact]
    public void SharedWrite_IsInTheFileAfterSync_ReadWithPlainFileIo()
    {
        string path = _dir.File("s.bin", new byte[8192]);
        using (MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite))
        {
            map.Write(4100, new byte[] { 0xDE, 0xAD, 0xBE, 0xEF });
            map.Sync();
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[4];
            fs.Position = 4100;
            fs.ReadExactly(buffer);
            Assert.Equal(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }, buffer);
        }

        Assert.Equal(0xEF, File.ReadAllBytes(path)[4103]);
    }

    [Fact]
    public void PrivateWrite_NeverReachesTheFile()
    {
        byte[] content = Bytes.Pattern(8192);
        string path = _dir.File("p.bin", content);
        using (MemoryMap map = MemoryMap.OpenFile(path, MapAccess.CopyOnWrite))
        {
            Assert.False(map.IsShared);
            map.Write(0, new byte[] { 1, 2, 3 });
            map.Sync();
            Assert.Equal(new byte[] { 1, 2, 3 }, map.Read(0, 3));
            Assert.Equal(content, File.ReadAllBytes(path));
            using MemoryMap other = MemoryMap.OpenFile(path);
            Assert.Equal(content.Take(3).ToArray(), other.Read(0, 3));
        }

        Assert.Equal(content, File.ReadAllBytes(path));
    }

    [Fact]
    public void TwoMapsOfOneFile_SeeEachOthersSharedWrites()
    {
        string path = _dir.File("two.bin", new byte[3 * 4096]);
        using MemoryMap a = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
        using MemoryMap b = MemoryMap.OpenFile(path, MapAccess.ReadWrite, 4096, 4096);
        a.Write(4096 + 10, new byte[] { 42 });
        Assert.Equal(42, b.Read<byte>(10));
        b.Write(0, new byte[] { 7, 8 });
        Assert.Equal(new byte[] { 7, 8 }, a.Read(4096, 2));
    }

    [Fact]
    public void ASecondProcess_SeesSharedWrites_BothWays()
    {
        string path = _dir.File("proc.bin", new byte[8192]);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
        map.Write(5000, new byte[] { 0xCA, 0xFE });
        Assert.Equal("OK CA FE", Child.Run("read-file", path, "5000", "2"));
        Assert.Equal("OK", Child.Run("write-file", path, "100", "01 02 03", "nosync"));
        Assert.Equal(new byte[] { 1, 2, 3 }, map.Read(100, 3));
    }

    [Fact]
    public void TheLastPartialPage_ShowsOnlyTheFilesBytes()
    {
        byte[] content = Bytes.Pattern(5000);
        using MemoryMap map = MemoryMap.OpenFile(_dir.File("tail.bin", content));
        Assert.Equal(5000, map.Length);
        Assert.Equal(content[4999], map.Read<byte>(4999));
        MapAssert.Fails(ErrorIds.AccessOutOfRange, () => map.Read(4999, 2));
        MapAssert.Fails(ErrorIds.AccessOutOfRange, () => map.Read(5000, 1));
        MapAssert.Fails(ErrorIds.AccessOutOfRange, () => map.Read<int>(4998));
    }

    [Fact]
    public void Size_CreatesAMissingFile_WithMode0600_AndZeroes()
    {
        string path = _dir.Name("new.bin");
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite, size: 10_000);
        Assert.Equal(10_000, new FileInfo(path).Length);
        Assert.Equal((UnixFileMode)Convert.ToInt32("600", 8), File.GetUnixFileMode(path));
        Assert.Equal(new byte[10_000], map.Read(0, 10_000));
    }

    [Fact]
    public void Size_GrowsAFile_AndNeverShrinksOne()
    {
        byte[] content = Bytes.Pattern(100);
        string path = _dir.File("grow.bin", content);
        using (MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite, size: 5000))
        {
            Assert.Equal(5000, map.Length);
            Assert.Equal(content, map.Read(0, 100));
        }

        using (MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite, size: 10))
        {
            Assert.Equal(5000, map.Length);
        }

        Assert.Equal(5000, new FileInfo(path).Length);
    }

    [Fact]
    public void Options_PopulateLockNoReserve_Map()
    {
        byte[] content = Bytes.Pattern(3 * 4096);
        using MemoryMap map = MemoryMap.OpenFile(_dir.File("opt.bin", content), MapAccess.ReadOnly, 0, null, null, MapOptions.Populate | MapOptions.Lock | MapOptions.NoReserve);
        Assert.Equal(MapOptions.Populate | MapOptions.Lock | MapOptions.NoReserve, map.Options);
        Assert.Equal(content, map.Read(0, content.Length));
        string smaps = File.ReadAllText("/proc/self/smaps");
        string start = (map.Address & ~(ulong)(MemoryMap.PageSize - 1)).ToString("x");
        string block = smaps[smaps.IndexOf(start + "-", StringComparison.Ordinal)..];
        string locked = block.Split('\n').First(l => l.StartsWith("Locked:", StringComparison.Ordinal));
        Assert.Equal("12 kB", locked["Locked:".Length..].Trim());
    }

    [Fact]
    public void Expect_WritesOnlyWhenTheOldBytesMatch()
    {
        string path = _dir.File("exp.bin", new byte[] { 0xEB, 0x05, 0x00, 0x00 });
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
        MmapException e = MapAssert.Fails(ErrorIds.ExpectMismatch, () => map.Write(0, new byte[] { 0x90, 0x90 }, new byte[] { 0xEB, 0x06 }));
        Assert.Contains("05", e.Message, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 0xEB, 0x05 }, map.Read(0, 2));
        map.Write(0, new byte[] { 0x90, 0x90 }, new byte[] { 0xEB, 0x05 });
        map.Sync();
        Assert.Equal(new byte[] { 0x90, 0x90, 0, 0 }, File.ReadAllBytes(path));
    }

    [Fact]
    public void Copy_MovesBytesInsideTheMap_LikeMemmove()
    {
        byte[] content = Bytes.Pattern(4 * 4096);
        string path = _dir.File("copy.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
        map.Copy(0, 100, 10_000);
        byte[] expected = (byte[])content.Clone();
        Array.Copy(content, 0, expected, 100, 10_000);
        Assert.Equal(expected, map.Read(0, expected.Length));
        map.Copy(200, 50, 5000);
        Array.Copy((byte[])expected.Clone(), 200, expected, 50, 5000);
        Assert.Equal(expected, map.Read(0, expected.Length));
    }

    [Fact]
    public void Sync_AcceptsRangesAndModes()
    {
        string path = _dir.File("sync.bin", new byte[3 * 4096]);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite, 100);
        map.Write(5000, new byte[] { 9 });
        map.Sync(4999, 3);
        map.Sync(0, null, SyncOptions.Async);
        map.Sync(0, 1, SyncOptions.Invalidate);
        Assert.Equal(9, File.ReadAllBytes(path)[5100]);
        MapAssert.Fails(ErrorIds.AccessOutOfRange, () => map.Sync(0, map.Length + 1));
        MapAssert.Fails(ErrorIds.OffsetInvalid, () => map.Sync(-1, 1));
    }

    [Fact]
    public void Registry_ListsOpenMaps_AndForgetsRemovedOnes()
    {
        string path = _dir.File("reg.bin", new byte[10]);
        MemoryMap map = MemoryMap.OpenFile(path);
        Assert.True(MapRegistry.TryGet(map.Id, out MemoryMap? found));
        Assert.Same(map, found);
        Assert.Contains(map, MapRegistry.All);
        map.Dispose();
        Assert.False(MapRegistry.TryGet(map.Id, out _));
        Assert.False(map.IsOpen);
    }
}

/// <summary>Gathered reads: many small ranges in one system call.</summary>
public sealed class ReadManyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReadMany_GathersEachRange_InOrder()
    {
        byte[] content = Bytes.Pattern(64 * 1024);
        using MemoryMap map = MemoryMap.OpenFile(_dir.File("g.bin", content), MapAccess.ReadOnly, 100);
        var random = new Random(42);
        long[] offsets = Enumerable.Range(0, 3000).Select(_ => random.NextInt64(0, map.Length - 16)).ToArray();
        var destination = new byte[offsets.Length * 16];
        map.ReadMany(offsets, 16, destination);
        for (int i = 0; i < offsets.Length; i++)
        {
            Assert.Equal(content.AsSpan((int)(100 + offsets[i]), 16).ToArray(), destination.AsSpan(i * 16, 16).ToArray());
        }
    }

    [Fact]
    public void ReadMany_ChecksEveryRange_AndTheDestination()
    {
        using MemoryMap map = MemoryMap.OpenFile(_dir.File("b.bin", Bytes.Pattern(1000)));
        MapAssert.Fails(ErrorIds.AccessOutOfRange, () => map.ReadMany(new long[] { 0, 990 }, 16, new byte[32]));
        MapAssert.Fails(ErrorIds.OffsetInvalid, () => map.ReadMany(new long[] { -1 }, 4, new byte[4]));
        MapAssert.Fails(ErrorIds.AccessOutOfRange, () => map.ReadMany(new long[] { 0, 4 }, 4, new byte[7]));
        MapAssert.Fails(ErrorIds.CountInvalid, () => map.ReadMany(new long[] { 0 }, -1, new byte[7]));
    }

    [Fact]
    public void ReadMany_AfterTruncation_NamesTheRangeThatIsGone()
    {
        int page = MemoryMap.PageSize;
        string path = _dir.File("t.bin", Bytes.Pattern(8 * page));
        using MemoryMap map = MemoryMap.OpenFile(path);
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            fs.SetLength(2 * page + 10);
        }

        MmapException e = MapAssert.Fails(ErrorIds.FileTruncated, () => map.ReadMany(new long[] { 0, page, 5 * page }, 8, new byte[24]));
        Assert.Equal(5 * page, e.Offset);
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.ReadMany(new long[] { 0, 2 * page + 8 }, 8, new byte[16]));
        var ok = new byte[16];
        map.ReadMany(new long[] { 0, 2 * page }, 8, ok);
        Assert.Equal(Bytes.Pattern(8 * page).AsSpan(2 * page, 8).ToArray(), ok.AsSpan(8).ToArray());
    }
}
