using System;
using System.IO;
using Xunit;

namespace MmapTools.Tests;

public sealed class AnonymousAndSharedMemoryTests : IDisposable
{
    private readonly string _name = "mmaptools-test-" + Guid.NewGuid().ToString("N");

    public void Dispose()
    {
        if (SharedMemory.Exists(_name))
        {
            SharedMemory.Remove(_name);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnonymousMemory_IsZeroed_AndWritable(bool shared)
    {
        using MemoryMap map = MemoryMap.CreateAnonymous(10_000, shared);
        Assert.Equal(MapKind.Anonymous, map.Kind);
        Assert.Equal(MapAccess.ReadWrite, map.Access);
        Assert.Equal(shared, map.IsShared);
        Assert.Null(map.Path);
        Assert.Equal(new byte[10_000], map.Read(0, 10_000));
        map.Write(9_996, 0x01020304);
        Assert.Equal(0x01020304, map.Read<int>(9_996));
        map.Sync();
        MapAssert.Fails(ErrorIds.AccessOutOfRange, () => map.Read(9_997, 4));
    }

    [Fact]
    public void SharedMemory_IsCreated0600_AndASecondProcessSeesTheSameBytes()
    {
        using MemoryMap map = MemoryMap.OpenSharedMemory("/" + _name, size: 8192);
        Assert.Equal(MapKind.SharedMemory, map.Kind);
        Assert.Equal(_name, map.Name);
        Assert.Equal("/dev/shm/" + _name, map.Path);
        Assert.Equal((UnixFileMode)Convert.ToInt32("600", 8), File.GetUnixFileMode(map.Path!));
        map.Write(4000, new byte[] { 0xAB, 0xCD });
        Assert.Equal("OK AB CD", Child.Run("read-shm", _name, "4000", "2"));
        Assert.Equal("OK", Child.Run("write-shm", _name, "10", "11 22"));
        Assert.Equal(new byte[] { 0x11, 0x22 }, map.Read(10, 2));
        Assert.Contains(SharedMemory.List(), s => s.Name == _name && s.Length == 8192 && s.Mode == "0600");
    }

    [Fact]
    public void SharedMemory_Remove_FreesTheName_ButOpenMapsStayValid()
    {
        using MemoryMap map = MemoryMap.OpenSharedMemory(_name, size: 4096);
        map.Write(0, new byte[] { 1 });
        SharedMemory.Remove(_name);
        Assert.False(SharedMemory.Exists(_name));
        Assert.Equal(1, map.Read<byte>(0));
        MapAssert.Fails(ErrorIds.SharedMemoryNotFound, () => SharedMemory.Remove(_name));
        MapAssert.Fails(ErrorIds.SharedMemoryNotFound, () => MemoryMap.OpenSharedMemory(_name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("../etc/passwd")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("..")]
    [InlineData("x\0y")]
    [InlineData("new\nline")]
    [InlineData("sp ace")]
    public void BadNames_AreSharedMemoryNameInvalid(string name)
    {
        MapAssert.Fails(ErrorIds.SharedMemoryNameInvalid, () => MemoryMap.OpenSharedMemory(name, size: 4096));
        MapAssert.Fails(ErrorIds.SharedMemoryNameInvalid, () => SharedMemory.Remove(name));
    }

    [Fact]
    public void OverlongName_IsSharedMemoryNameInvalid()
    {
        MapAssert.Fails(ErrorIds.SharedMemoryNameInvalid, () => MemoryMap.OpenSharedMemory(new string('a', 256), size: 4096));
    }

    [Fact]
    public void ASymlinkUnderDevShm_IsNeverFollowed()
    {
        string target = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(target, new byte[4096]);
            File.CreateSymbolicLink(SharedMemory.PathOf(_name), target);
            MmapException e = MapAssert.Fails(ErrorIds.SharedMemoryIsSymlink, () => MemoryMap.OpenSharedMemory(_name, MapAccess.ReadWrite, size: 8192));
            Assert.Equal("ELOOP", e.ErrnoName);
            Assert.Equal(4096, new FileInfo(target).Length);
        }
        finally
        {
            File.Delete(SharedMemory.PathOf(_name));
            File.Delete(target);
        }
    }

    [Fact]
    public void SharedMemory_AsAnotherUser_NeedsThePermissionTheKernelGives()
    {
        using MemoryMap map = MemoryMap.OpenSharedMemory(_name, size: 4096);
        Assert.Equal("ERR PermissionDenied EACCES", Child.RunAsNobody("open-shm", _name, "ReadOnly"));
    }
}
