using System;
using System.IO;
using System.Linq;
using Xunit;

namespace MmapTools.Tests;

/// <summary>A file truncated under a live map: an error on the bytes that are gone, never SIGBUS.</summary>
public sealed class TruncationTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void Truncate(string path, long length)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        fs.SetLength(length);
    }

    [Fact]
    public void ReadPastATruncatedEnd_IsFileTruncated_AndTheRestStillReads()
    {
        int page = MemoryMap.PageSize;
        byte[] content = Bytes.Pattern(4 * page);
        string path = _dir.File("t.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
        Truncate(path, page);

        MmapException e = MapAssert.Fails(ErrorIds.FileTruncated, () => map.Read(2 * page, 10));
        Assert.Equal("EFAULT", e.ErrnoName);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(MapErrorCategory.ResourceUnavailable, e.Category);
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.Read(0, 2 * page));
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.Read<long>(3 * page));
        Assert.Equal(content.Take(page).ToArray(), map.Read(0, page));
    }

    [Fact]
    public void WriteAcrossATruncatedEnd_WritesNothing()
    {
        int page = MemoryMap.PageSize;
        byte[] content = Bytes.Pattern(4 * page);
        string path = _dir.File("w.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
        Truncate(path, 2 * page);

        byte[] patch = Enumerable.Repeat((byte)0xAA, 2 * page).ToArray();
        MmapException e = MapAssert.Fails(ErrorIds.FileTruncated, () => map.Write(page, patch));
        Assert.Contains("Nothing was written", e.Message, StringComparison.Ordinal);
        map.Sync(0, 2 * page);
        Assert.Equal(content.Take(2 * page).ToArray(), File.ReadAllBytes(path));
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.Write(3 * page, new byte[] { 1 }));
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.Copy(0, 3 * page, 10));
    }

    [Fact]
    public void CopyOnWritePages_PastTheNewEnd_AreGoneToo()
    {
        // Truncation discards even the private copies of pages past the new end (the kernel's
        // unmap_mapping_range with even_cows): the map reports them gone instead of crashing.
        int page = MemoryMap.PageSize;
        byte[] content = Bytes.Pattern(3 * page);
        string path = _dir.File("cow.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.CopyOnWrite);
        map.Write(2 * page, new byte[] { 5 });
        Assert.Equal(5, map.Read<byte>(2 * page));
        Truncate(path, page + 10);
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.Read<byte>(2 * page));
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.Read<byte>(page + 10));
        Assert.Equal(content[page + 9], map.Read<byte>(page + 9));
    }

    [Fact]
    public void TheZeroTailOfTheLastPage_IsReportedGone_NotReadAsZeroes()
    {
        byte[] content = Bytes.Pattern(8192);
        string path = _dir.File("tail.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
        Truncate(path, 100);
        Assert.Equal(content.Take(100).ToArray(), map.Read(0, 100));
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.Read(50, 100));
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.Write(99, new byte[] { 1, 2 }));
        Assert.Equal(content[99], map.Read<byte>(99));
        Assert.Equal(content.Take(100).ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void RepeatedRandomTruncation_NeverCrashes_AndReadsAreCorrectOrClean()
    {
        int page = MemoryMap.PageSize;
        byte[] content = Bytes.Pattern(16 * page);
        string path = _dir.File("rnd.bin", content);
        var random = new Random(1234);
        int errors = 0, reads = 0;
        for (int round = 0; round < 200; round++)
        {
            File.WriteAllBytes(path, content);
            using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
            long size = random.NextInt64(0, content.Length);
            Truncate(path, size);
            long offset = random.NextInt64(0, content.Length - 64);
            try
            {
                byte[] got = map.Read(offset, 64);
                Assert.Equal(content.AsSpan((int)offset, 64).ToArray(), got);
                Assert.True(offset + 64 <= size, $"a read of bytes {offset}..{offset + 63} past the new end {size} succeeded");
                reads++;
            }
            catch (MmapException e)
            {
                Assert.Equal(ErrorIds.FileTruncated, e.ErrorId);
                errors++;
            }
        }

        Assert.True(errors > 0 && reads > 0, $"errors {errors}, reads {reads}: both paths should be exercised");
    }
}
