using System;
using System.Diagnostics;
using System.IO;
using MmapTools.Interop;
using Xunit;

namespace MmapTools.Tests;

/// <summary>Every bad input is a clean MmapException with a stable id, the errno and the path; files stay as they were.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MissingFile_IsPathNotFound_WithErrnoAndPath()
    {
        string path = _dir.Name("missing.bin");
        MmapException e = MapAssert.Fails(ErrorIds.PathNotFound, () => MemoryMap.OpenFile(path));
        Assert.Equal(MapErrorCategory.ObjectNotFound, e.Category);
        Assert.Equal("ENOENT", e.ErrnoName);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("ENOENT", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void MissingDirectoryInPath_IsPathNotFound()
    {
        MapAssert.Fails(ErrorIds.PathNotFound, () => MemoryMap.OpenFile(_dir.File("f", new byte[1]) + "/x"));
    }

    [Theory]
    [InlineData(MapAccess.ReadOnly)]
    [InlineData(MapAccess.ReadWrite)]
    [InlineData(MapAccess.CopyOnWrite)]
    public void Directory_IsPathIsDirectory(MapAccess access)
    {
        MmapException e = MapAssert.Fails(ErrorIds.PathIsDirectory, () => MemoryMap.OpenFile(_dir.Path, access));
        Assert.Equal(MapErrorCategory.InvalidArgument, e.Category);
    }

    [Fact]
    public void ProcFile_IsFileNotMappable_ENODEV()
    {
        MmapException e = MapAssert.Fails(ErrorIds.FileNotMappable, () => MemoryMap.OpenFile("/proc/self/status"));
        Assert.Equal("ENODEV", e.ErrnoName);
    }

    [Fact]
    public void CharacterDevice_IsFileNotMappable()
    {
        MmapException e = MapAssert.Fails(ErrorIds.FileNotMappable, () => MemoryMap.OpenFile("/dev/null"));
        Assert.Contains("CharacterDevice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fifo_IsFileNotMappable_WithoutHanging()
    {
        string fifo = _dir.Name("fifo");
        using (Process p = Process.Start("mkfifo", fifo))
        {
            p.WaitForExit();
        }

        MapAssert.Fails(ErrorIds.FileNotMappable, () => MemoryMap.OpenFile(fifo));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\0b")]
    public void MalformedPath_IsPathInvalid(string path)
    {
        MapAssert.Fails(ErrorIds.PathInvalid, () => MemoryMap.OpenFile(path));
    }

    [Fact]
    public void OverlongPath_IsPathInvalid_ENAMETOOLONG()
    {
        MmapException e = MapAssert.Fails(ErrorIds.PathInvalid, () => MemoryMap.OpenFile("/tmp/" + new string('x', 5000)));
        Assert.Equal("ENAMETOOLONG", e.ErrnoName);
    }

    [Fact]
    public void EmptyFile_IsFileEmpty_UnlessGrown()
    {
        string path = _dir.File("empty.bin", Array.Empty<byte>());
        MmapException e = MapAssert.Fails(ErrorIds.FileEmpty, () => MemoryMap.OpenFile(path));
        // The advice to grow the file needs -Size, which only New-MemoryMap has: it is apart from the message.
        Assert.DoesNotContain("-Size", e.Message, StringComparison.Ordinal);
        Assert.Contains("-Access ReadWrite -Size", e.SizeAdvice, StringComparison.Ordinal);
        MapAssert.Fails(ErrorIds.FileEmpty, () => MemoryMap.OpenFile(path, MapAccess.ReadWrite));
        Assert.Equal(0, new FileInfo(path).Length);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite, size: 4096);
        Assert.Equal(4096, map.Length);
    }

    [Fact]
    public void NegativeOffset_IsOffsetInvalid()
    {
        string path = _dir.File("n.bin", new byte[100]);
        MapAssert.Fails(ErrorIds.OffsetInvalid, () => MemoryMap.OpenFile(path, MapAccess.ReadOnly, -1));
        using MemoryMap map = MemoryMap.OpenFile(path);
        MapAssert.Fails(ErrorIds.OffsetInvalid, () => map.Read(-5, 1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void NonPositiveLength_IsLengthInvalid(long length)
    {
        string path = _dir.File("l.bin", new byte[100]);
        MapAssert.Fails(ErrorIds.LengthInvalid, () => MemoryMap.OpenFile(path, MapAccess.ReadOnly, 0, length));
        MapAssert.Fails(ErrorIds.LengthInvalid, () => MemoryMap.CreateAnonymous(length));
    }

    [Fact]
    public void NegativeCount_IsCountInvalid()
    {
        using MemoryMap map = MemoryMap.OpenFile(_dir.File("c.bin", new byte[100]));
        MapAssert.Fails(ErrorIds.CountInvalid, () => map.Read(0, -1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-4096)]
    public void NonPositiveSize_IsSizeInvalid(long size)
    {
        string path = _dir.Name("size.bin");
        MapAssert.Fails(ErrorIds.SizeInvalid, () => MemoryMap.OpenFile(path, MapAccess.ReadWrite, size: size));
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData(MapAccess.ReadOnly)]
    [InlineData(MapAccess.CopyOnWrite)]
    public void SizeWithoutReadWrite_IsRefused(MapAccess access)
    {
        string path = _dir.Name("s.bin");
        MapAssert.Fails(ErrorIds.SizeRequiresReadWrite, () => MemoryMap.OpenFile(path, access, size: 4096));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void PastTheEnd_IsRangeBeyondEndOfFile()
    {
        string path = _dir.File("end.bin", new byte[100]);
        MapAssert.Fails(ErrorIds.RangeBeyondEndOfFile, () => MemoryMap.OpenFile(path, MapAccess.ReadOnly, 0, 101));
        MapAssert.Fails(ErrorIds.RangeBeyondEndOfFile, () => MemoryMap.OpenFile(path, MapAccess.ReadOnly, 100));
        MapAssert.Fails(ErrorIds.RangeBeyondEndOfFile, () => MemoryMap.OpenFile(path, MapAccess.ReadOnly, 50, 51));
        Assert.Equal(100, new FileInfo(path).Length);
    }

    [Fact]
    public void OverflowingRange_IsRangeOverflow()
    {
        string path = _dir.File("ovf.bin", new byte[100]);
        MapAssert.Fails(ErrorIds.RangeOverflow, () => MemoryMap.OpenFile(path, MapAccess.ReadOnly, 1, long.MaxValue));
        using MemoryMap map = MemoryMap.OpenFile(path);
        MapAssert.Fails(ErrorIds.AccessOutOfRange, () => map.Sync(50, long.MaxValue));
    }

    [Fact]
    public void WriteToAReadOnlyMap_IsMapReadOnly_AndChangesNothing()
    {
        byte[] content = Bytes.Pattern(100);
        string path = _dir.File("ro.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path);
        MmapException e = MapAssert.Fails(ErrorIds.MapReadOnly, () => map.Write(0, new byte[] { 1 }));
        Assert.Equal(MapErrorCategory.PermissionDenied, e.Category);
        MapAssert.Fails(ErrorIds.MapReadOnly, () => map.Copy(0, 10, 5));
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.Equal(content, map.Read(0, 100));
    }

    [Fact]
    public void AnyUseAfterDispose_IsMapClosed_AndDisposingTwiceIsHarmless()
    {
        using MemoryMap map = MemoryMap.OpenFile(_dir.File("closed.bin", new byte[100]), MapAccess.ReadWrite);
        map.Dispose();
        Assert.False(map.IsOpen);
        MapAssert.Fails(ErrorIds.MapClosed, () => map.Read(0, 1));
        MapAssert.Fails(ErrorIds.MapClosed, () => map.Write(0, new byte[] { 1 }));
        MapAssert.Fails(ErrorIds.MapClosed, () => map.Sync());
        MapAssert.Fails(ErrorIds.MapClosed, () => map.Copy(0, 1, 1));
        map.Dispose();
    }

    [Fact]
    public void HugeAnonymousLength_IsOutOfMemory_ENOMEM()
    {
        MmapException e = MapAssert.Fails(ErrorIds.OutOfMemory, () => MemoryMap.CreateAnonymous(1L << 60));
        Assert.Equal("ENOMEM", e.ErrnoName);
        Assert.Equal(MapErrorCategory.LimitsExceeded, e.Category);
    }

    [Fact]
    public void AsAnUnprivilegedUser_AForbiddenFile_IsPermissionDenied_EACCES()
    {
        string secret = _dir.File("secret.bin", new byte[100], "600");
        Assert.Equal("ERR PermissionDenied EACCES", Child.RunAsNobody("open", secret, "ReadOnly"));
        string readOnly = _dir.File("readonly.bin", new byte[100], "644");
        Assert.Equal("OK 100", Child.RunAsNobody("open", readOnly, "ReadOnly"));
        Assert.Equal("OK 100", Child.RunAsNobody("open", readOnly, "CopyOnWrite"));
        Assert.Equal("ERR PermissionDenied EACCES", Child.RunAsNobody("open", readOnly, "ReadWrite"));
    }

    [Fact]
    public void ReadWriteOnAReadOnlyFileSystem_IsReadOnlyFileSystem_EROFS()
    {
        string file = _dir.File("rofs.bin", Bytes.Pattern(100));
        string output = Child.RunWith(false, $"unshare -m sh -c 'mount -o bind,ro {_dir.Path} {_dir.Path} && exec \"$@\"' sh", "open", file, "ReadWrite");
        Assert.Equal("ERR ReadOnlyFileSystem EROFS", output);
        Assert.Equal(Bytes.Pattern(100), File.ReadAllBytes(file));
    }

    [Fact]
    public void ErrnoNames_AreKnownForTheCommonOnes()
    {
        Assert.Equal("ENOENT", Errno.NameOf(2));
        Assert.Equal("EFAULT", Errno.NameOf(14));
        Assert.Equal("errno 4000", Errno.NameOf(4000));
        Assert.StartsWith("EACCES (", Errno.Describe(13), StringComparison.Ordinal);
    }
}
