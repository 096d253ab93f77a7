using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.Win32.SafeHandles;
using MmapTools.Interop;
using Xunit;

namespace MmapTools.Tests;

/// <summary>A tmpfs of a given size on a new folder (root only, as CI runs), unmounted and removed afterwards.</summary>
public sealed class TmpfsMount : IDisposable
{
    public TmpfsMount(string size)
    {
        Path = Directory.CreateTempSubdirectory("mmaptools-tmpfs-").FullName;
        Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Fills the filesystem to its last byte with one file.</summary>
    public void Fill()
    {
        using var filler = new FileStream(File("filler"), FileMode.CreateNew);
        var page = new byte[4096];
        try
        {
            while (true)
            {
                filler.Write(page);
                filler.Flush();
            }
        }
        catch (IOException)
        {
        }

        Assert.Equal(0, FileSystemSpace.Of(Path)!.Free);
    }

    public void Dispose()
    {
        MapRegistry.All.Where(m => m.Path?.StartsWith(Path + "/", StringComparison.Ordinal) == true).ToList().ForEach(m => m.Dispose());
        Run("umount", Path);
        Directory.Delete(Path, recursive: true);
    }

    internal static void Run(params string[] words)
    {
        using Process p = Process.Start(new ProcessStartInfo(words[0], words[1..]) { UseShellExecute = false, RedirectStandardError = true })!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{string.Join(' ', words)} failed: {err}");
    }
}

/// <summary>Issue 15 in the engine: holes, reservation, free space, and the cause of a fault, against real tmpfs mounts.</summary>
public sealed class StorageTests
{
    private static readonly int Page = MemoryMap.PageSize;

    private static SafeFileHandle Open(string path, FileMode mode = FileMode.Open) =>
        System.IO.File.OpenHandle(path, mode, FileAccess.ReadWrite);

    private static long Allocated(string path)
    {
        Assert.Equal(0, FileStatus.TryGet(path, followSymlink: false, out FileStatus st));
        return st.Allocated;
    }

    [Fact]
    public void Holes_AreTheRangesWithoutData_ClippedToTheRangeAndTheEndOfTheFile()
    {
        using var fs = new TmpfsMount("1m");
        using SafeFileHandle fd = Open(fs.File("sparse.bin"), FileMode.CreateNew);
        RandomAccess.SetLength(fd, 10 * Page);
        RandomAccess.Write(fd, new byte[] { 1 }, 2 * Page + 5);
        RandomAccess.Write(fd, new byte[] { 2 }, 7 * Page);

        Assert.Equal(new[] { (0L, 2L * Page), (3L * Page, 7L * Page), (8L * Page, 10L * Page) }, SpaceReservation.Holes(fd, 0, 10 * Page));
        Assert.Equal(new[] { (100L, 2L * Page), (3L * Page, 4L * Page + 1) }, SpaceReservation.Holes(fd, 100, 4 * Page + 1));
        Assert.Empty(SpaceReservation.Holes(fd, 2 * Page, 3 * Page));
        Assert.Equal(new[] { (8L * Page, 10L * Page) }, SpaceReservation.Holes(fd, 8 * Page, 50 * Page));
        Assert.Empty(SpaceReservation.Holes(fd, 10 * Page, 12 * Page));
        Assert.True(SpaceReservation.IsHole(fd, 0));
        Assert.False(SpaceReservation.IsHole(fd, 2 * Page));
        Assert.True(SpaceReservation.IsHole(fd, 9 * Page));
    }

    [Fact]
    public void ReserveHoles_AllocatesExactlyTheHolePagesOfTheRange_AndKeepsTheSize()
    {
        using var fs = new TmpfsMount("1m");
        string path = fs.File("sparse.bin");
        using SafeFileHandle fd = Open(path, FileMode.CreateNew);
        RandomAccess.SetLength(fd, 16 * Page);
        RandomAccess.Write(fd, new byte[] { 9 }, 3 * Page);

        (int errno, long needed, long first) = SpaceReservation.ReserveHoles(fd, 2 * Page + 10, 5 * Page - 10, Page);
        Assert.Equal(0, errno);
        Assert.Equal(2L * Page, needed);   // pages 2 and 4; page 3 has data
        Assert.Equal(2L * Page, first);
        Assert.Equal(3L * Page, Allocated(path));
        Assert.Equal(16L * Page, new FileInfo(path).Length);
        Assert.Equal(0, SpaceReservation.ReserveHoles(fd, 2 * Page, 5 * Page, Page).Errno);
        Assert.Equal(3L * Page, Allocated(path));
    }

    [Fact]
    public void ReserveHoles_OnAFullFilesystem_IsENOSPC_AndAllocatesNothing()
    {
        using var fs = new TmpfsMount("64k");
        string path = fs.File("sparse.bin");
        using SafeFileHandle fd = Open(path, FileMode.CreateNew);
        RandomAccess.SetLength(fd, 256 * 1024);
        (int errno, long needed, _) = SpaceReservation.ReserveHoles(fd, 0, 128 * 1024, Page);
        Assert.Equal(Errno.ENOSPC, errno);
        Assert.Equal(128L * 1024, needed);
        Assert.Equal(0, Allocated(path));
        Assert.Equal(64L * 1024, FileSystemSpace.Of(fs.Path)!.Free);
    }

    [Fact]
    public void ReservedUnwritten_CountsSpaceReservedButNeverWritten()
    {
        using var fs = new TmpfsMount("1m");
        using SafeFileHandle fd = Open(fs.File("f.bin"), FileMode.CreateNew);
        RandomAccess.SetLength(fd, 8 * Page);
        Assert.Equal(0, SpaceReservation.Allocate(fd, 0, 0, 8 * Page));
        RandomAccess.Write(fd, new byte[] { 1 }, 0);
        Assert.Equal(7L * Page, SpaceReservation.ReservedUnwritten(fd));
    }

    [Fact]
    public void FileSystemSpace_NamesTheMountPointTypeAndSizes()
    {
        using var fs = new TmpfsMount("1m");
        System.IO.File.WriteAllBytes(fs.File("a.bin"), new byte[3 * Page]);
        FileSystemSpace space = FileSystemSpace.Of(fs.File("a.bin"))!;
        Assert.Equal(fs.Path, space.MountPoint);
        Assert.Equal("tmpfs", space.FileSystemType);
        Assert.Equal(1L << 20, space.Size);
        Assert.Equal(3L * Page, space.Used);
        Assert.Equal((1L << 20) - (3L * Page), space.Free);
        Assert.Contains($"free of 1048576 (1 MiB) on {fs.Path} (tmpfs)", space.DescribeFree(), StringComparison.Ordinal);
        Assert.Equal("/dev/shm", FileSystemSpace.Of("/dev/shm")!.MountPoint);
    }

    [Fact]
    public void OpenFile_WithASizeBeyondTheFreeSpace_IsFileSystemFull_AndLeavesNothing()
    {
        using var fs = new TmpfsMount("64k");
        string path = fs.File("big.bin");
        MmapException e = MapAssert.Fails(ErrorIds.FileSystemFull, () => MemoryMap.OpenFile(path, MapAccess.ReadWrite, size: 1 << 20));
        Assert.Equal(MapErrorCategory.ResourceUnavailable, e.Category);
        Assert.Equal(Errno.ENOSPC, e.Errno);
        Assert.Contains("Cannot reserve 1048576 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains($"65536 bytes (64 KiB) free of 65536 (64 KiB) on {fs.Path} (tmpfs)", e.Message, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(path));
        Assert.Equal(65536, FileSystemSpace.Of(fs.Path)!.Free);

        // What fits is reserved at once; -Sparse reserves nothing.
        using (MemoryMap fits = MemoryMap.OpenFile(fs.File("fits.bin"), MapAccess.ReadWrite, size: 16 * 1024))
        {
            Assert.Equal(16L * 1024, Allocated(fs.File("fits.bin")));
        }

        using MemoryMap sparse = MemoryMap.OpenFile(path, MapAccess.ReadWrite, size: 1 << 20, options: MapOptions.Sparse);
        Assert.Equal(0, Allocated(path));
    }

    [Fact]
    public void OpenFile_GrowingWhenTheGrowthDoesNotFit_ShrinksBack_BytesUnchanged()
    {
        using var fs = new TmpfsMount("64k");
        string path = fs.File("grow.bin");
        byte[] content = Bytes.Pattern(5000);
        System.IO.File.WriteAllBytes(path, content);
        MmapException e = MapAssert.Fails(ErrorIds.FileSystemFull, () => MemoryMap.OpenFile(path, MapAccess.ReadWrite, size: 200 * 1024));
        Assert.Contains("shrunk back to 5000 bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal(content, System.IO.File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_IntoAHoleOfAFullFilesystem_IsMapStorageFull_NothingWritten()
    {
        using var fs = new TmpfsMount("64k");
        string path = fs.File("sparse.bin");
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite, size: 1 << 20, options: MapOptions.Sparse);
        map.Write(0, new byte[] { 1, 2, 3 });
        fs.Fill();

        MmapException e = MapAssert.Fails(ErrorIds.MapStorageFull, () => map.Write(3 * Page - 1, new byte[] { 7, 7 }));
        Assert.Equal(MapErrorCategory.ResourceUnavailable, e.Category);
        Assert.Equal(Errno.ENOSPC, e.Errno);
        Assert.StartsWith("Cannot write 2 bytes at offset " + (3 * Page - 1), e.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was written", e.Message, StringComparison.Ordinal);
        Assert.Equal((long)Page, Allocated(path));
        Assert.Equal(new byte[2], System.IO.File.ReadAllBytes(path).AsSpan(3 * Page - 1, 2).ToArray());

        // Over data already stored, a full filesystem needs nothing: the write goes through.
        map.Write(1, new byte[] { 9, 9 });
        Assert.Equal(new byte[] { 1, 9, 9 }, map.Read(0, 3));
        MapAssert.Fails(ErrorIds.MapStorageFull, () => map.Reserve(Page, 1));
        MapAssert.Fails(ErrorIds.MapStorageFull, () => map.CheckSpace(Page, 1));
        MapAssert.Fails(ErrorIds.MapStorageFull, () => map.Copy(0, 5 * Page, 3));
    }

    [Fact]
    public void Write_IntoSpaceReservedBySize_OnAFullFilesystem_Succeeds()
    {
        using var fs = new TmpfsMount("64k");
        using MemoryMap map = MemoryMap.OpenFile(fs.File("reserved.bin"), MapAccess.ReadWrite, size: 8 * Page);
        fs.Fill();
        byte[] data = Bytes.Pattern(8 * Page);
        map.Write(0, data);
        Assert.Equal(data, map.Read(0, data.Length));
    }

    [Fact]
    public void Read_OfTmpfsHolesBeyondTheFreeSpace_IsMapStorageFull_AndAllocatesNothing()
    {
        using var fs = new TmpfsMount("64k");
        string path = fs.File("sparse.bin");
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite, size: 1 << 20, options: MapOptions.Sparse);
        MmapException e = MapAssert.Fails(ErrorIds.MapStorageFull, () => map.Read(0, 256 * 1024));
        Assert.StartsWith("Cannot read 262144 bytes at offset 0", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, Allocated(path));

        // A read-only map of the same file is refused the same way (its descriptor cannot reserve).
        using MemoryMap ro = MemoryMap.OpenFile(path);
        MapAssert.Fails(ErrorIds.MapStorageFull, () => ro.Read(0, 256 * 1024));
        Assert.Equal(new byte[16], ro.Read(0, 16));
    }

    [Fact]
    public void Fault_NamesTheCause_SpaceProtectionTruncationOrUnavailable()
    {
        using var fs = new TmpfsMount("64k");
        string path = fs.File("sparse.bin");
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite, size: 64 * Page, options: MapOptions.Sparse);
        map.Write(0, new byte[] { 1 });

        // A page with data and room to spare: no cause is found.
        Assert.Equal(ErrorIds.MapPageUnavailable, map.Fault(0, 0, 1, write: false).ErrorId);

        // A hole with no room: the read fault the kernel gives (it allocates on read) is MapStorageFull, as a read.
        fs.Fill();
        MmapException full = map.Fault(5 * Page, 0, 1, write: false);
        Assert.Equal(ErrorIds.MapStorageFull, full.ErrorId);
        Assert.StartsWith($"Cannot read 1 bytes at offset {5 * Page}", full.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorIds.MapStorageFull, map.Fault(5 * Page, 0, 1, write: true).ErrorId);

        // The page with data, protected apart from the rest (the map's recorded protection is still ReadWrite): not a space problem.
        (IntPtr start, _) = map.PageRange(0, Page);
        Assert.Equal(0, Libc.MProtect(start, (nuint)Page, Libc.Prot.Read));
        MmapException prot = MapAssert.Fails(ErrorIds.MapAccessFault, () => map.Write(0, new byte[] { 5 }));
        Assert.Equal(MapErrorCategory.PermissionDenied, prot.Category);
        Assert.Contains("protection is Read, which forbids a write", prot.Message, StringComparison.Ordinal);
        Assert.Equal(0, Libc.MProtect(start, (nuint)Page, Libc.Prot.Read | Libc.Prot.Write));

        // Truncation keeps its own id.
        using (SafeFileHandle fd = Open(path))
        {
            RandomAccess.SetLength(fd, Page);
        }

        Assert.Equal(ErrorIds.FileTruncated, map.Fault(3 * Page, 0, 1, write: true).ErrorId);
    }

    [Fact]
    public void SharedMemoryUsage_MeasuresDevShm_AndEachObjectCarriesItsAllocation()
    {
        string name = $"mmaptools-usage-{Environment.ProcessId}-{Guid.NewGuid():n}";
        using (MemoryMap shm = MemoryMap.OpenSharedMemory(name, size: 1 << 20, options: MapOptions.Sparse))
        {
            shm.Write(0, new byte[] { 1 });
            SharedMemoryUsage usage = SharedMemory.Usage()!;
            Assert.Equal("/dev/shm", usage.Path);
            Assert.Equal("tmpfs", usage.FileSystemType);
            Assert.True(usage.Size > 0 && usage.Free <= usage.Size && usage.Objects >= 1);
            SharedMemoryInfo info = SharedMemory.List().Single(s => s.Name == name);
            Assert.Equal(1L << 20, info.Length);
            Assert.Equal((long)Page, info.Allocated);
            Assert.Equal("/dev/shm", info.FileSystem!.MountPoint);
        }

        SharedMemory.Remove(name);
    }
}
