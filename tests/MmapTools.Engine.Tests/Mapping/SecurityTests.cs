using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using MmapTools.Interop;
using Xunit;
using Xunit.Abstractions;

namespace MmapTools.Tests;

/// <summary>
/// What the module creates is private (0600 whatever the umask), every descriptor is close-on-exec, a read-only request
/// never yields a writable mapping, no symbolic link is followed for a shared-memory name, and another user's file
/// opens exactly when the kernel lets that user open it: nothing assumed, nothing raised.
/// </summary>
public sealed class SecurityTests : IDisposable
{
    private const int O_ACCMODE = 3;
    private const int O_CLOEXEC = 0x80000;
    private readonly TempDir _dir = new();
    private readonly ITestOutputHelper _output;

    public SecurityTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AFileCreatedWithSize_Is0600_EvenUnderUmask000()
    {
        string path = _dir.Name("created.bin");
        Assert.Equal("OK 600", Child.RunWith(false, "umask 000;", "open-create", path, "4096"));
        Assert.Equal((UnixFileMode)Convert.ToInt32("600", 8), File.GetUnixFileMode(path));
        Assert.Equal(4096, new FileInfo(path).Length);
    }

    [Fact]
    public void SharedMemoryCreatedWithSize_Is0600_EvenUnderUmask000()
    {
        string name = $"mmaptools-security-{Environment.ProcessId}";
        try
        {
            Assert.Equal("OK 600", Child.RunWith(false, "umask 000;", "open-create", "shm:" + name, "4096"));
            Assert.Equal("0600", SharedMemory.List().Single(s => s.Name == name).Mode);
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    [Fact]
    public void GrowingAnExistingFile_KeepsItsMode()
    {
        string path = _dir.File("grown.bin", Bytes.Pattern(10), "640");
        using (MemoryMap.OpenFile(path, MapAccess.ReadWrite, size: 8192))
        {
        }

        Assert.Equal((UnixFileMode)Convert.ToInt32("640", 8), File.GetUnixFileMode(path));
    }

    [Theory]
    [InlineData(MapAccess.ReadOnly, 0)]
    [InlineData(MapAccess.CopyOnWrite, 0)]
    [InlineData(MapAccess.ReadWrite, 2)]
    public void TheMapsDescriptor_IsCloseOnExec_WithTheAccessAsked(MapAccess access, int accessMode)
    {
        string path = _dir.File($"fd-{access}.bin", Bytes.Pattern(5000));
        using MemoryMap map = MemoryMap.OpenFile(path, access);
        int fd = Assert.Single(ProcSelf.FdsOf(path));
        int flags = ProcSelf.FdFlags(fd);
        Assert.True((flags & O_CLOEXEC) != 0, $"fd {fd} flags {Convert.ToString(flags, 8)}: no O_CLOEXEC");
        Assert.Equal(accessMode, flags & O_ACCMODE);
    }

    [Fact]
    public void SharedMemorysDescriptor_IsCloseOnExec()
    {
        string name = $"mmaptools-security-fd-{Environment.ProcessId}";
        try
        {
            using MemoryMap map = MemoryMap.OpenSharedMemory(name, size: 4096);
            int fd = Assert.Single(ProcSelf.FdsOf(map.Path!));
            Assert.True((ProcSelf.FdFlags(fd) & O_CLOEXEC) != 0);
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    [Fact]
    public void AChildProcess_InheritsNoDescriptorOfAMap()
    {
        string path = _dir.File("inherit.bin", Bytes.Pattern(5000));
        using MemoryMap a = MemoryMap.OpenFile(path);
        using MemoryMap b = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
        Assert.Equal(2, ProcSelf.FdsOf(path).Count);
        using Process p = Process.Start(new ProcessStartInfo("sh", new[] { "-c", "ls -l /proc/$$/fd" }) { RedirectStandardOutput = true })!;
        string fds = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Contains("->", fds, StringComparison.Ordinal);
        Assert.DoesNotContain(path, fds, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MapAccess.ReadOnly, "r--s")]
    [InlineData(MapAccess.ReadWrite, "rw-s")]
    [InlineData(MapAccess.CopyOnWrite, "rw-p")]
    public void TheKernelsMapping_HasExactlyTheProtectionAsked(MapAccess access, string perms)
    {
        string path = _dir.File($"prot-{access}.bin", Bytes.Pattern(3 * 4096));
        using MemoryMap map = MemoryMap.OpenFile(path, access, offset: 100);
        string line = ProcSelf.MapsLineFor(map.Address)!;
        Assert.NotNull(line);
        Assert.Equal(perms, line.Split(' ')[1]);
        Assert.EndsWith(" " + path, line, StringComparison.Ordinal);
    }

    [Fact]
    public void AReadOnlyMap_CannotBeMadeWritable_NorWrittenThroughTheKernel()
    {
        byte[] content = Bytes.Pattern(2 * 4096);
        string path = _dir.File("ro.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path);

        // The descriptor is O_RDONLY, so the kernel refuses PROT_WRITE on the shared mapping (EACCES).
        (IntPtr start, nuint length) = map.PageRange(0, map.Length);
        Assert.Equal(-1, Libc.MProtect(start, length, Libc.Prot.Read | Libc.Prot.Write));
        Assert.Equal(Errno.EACCES, Libc.LastErrno);
        Assert.Equal("r--s", ProcSelf.MapsLineFor(map.Address)!.Split(' ')[1]);

        // process_vm_writev honours the protection (no FOLL_FORCE): not a byte goes in.
        using (var use = new MemoryMap.Use(map))
        {
            Assert.Equal(0, map.GuardedCopy(0, new byte[] { 1, 2, 3 }, write: true));
        }

        MapAssert.Fails(ErrorIds.MapReadOnly, () => map.Write(0, new byte[] { 1 }));
        Assert.Equal(content, File.ReadAllBytes(path));
    }

    [Fact]
    public void ReadOnlySharedMemory_IsMappedReadOnly()
    {
        string name = $"mmaptools-security-ro-{Environment.ProcessId}";
        try
        {
            using (MemoryMap.OpenSharedMemory(name, size: 4096))
            {
            }

            using MemoryMap map = MemoryMap.OpenSharedMemory(name, MapAccess.ReadOnly);
            Assert.Equal("r--s", ProcSelf.MapsLineFor(map.Address)!.Split(' ')[1]);
            Assert.Equal(0, Assert.Single(ProcSelf.FdsOf(map.Path!).Select(ProcSelf.FdFlags)) & O_ACCMODE);
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    [Fact]
    public void ASharedMemoryNameThatIsASymlink_IsNeverFollowed_ForOpenExistsListOrRemove()
    {
        byte[] secret = Bytes.Pattern(4096, seed: 99);
        string target = _dir.File("target.bin", secret, "600");
        string name = $"mmaptools-security-link-{Environment.ProcessId}";
        string link = SharedMemory.PathOf(name);
        File.CreateSymbolicLink(link, target);
        try
        {
            foreach (MapAccess access in Enum.GetValues<MapAccess>())
            {
                MmapException e = MapAssert.Fails(ErrorIds.SharedMemoryIsSymlink, () => MemoryMap.OpenSharedMemory(name, access));
                Assert.Equal("ELOOP", e.ErrnoName);
                Assert.Equal(MapErrorCategory.SecurityError, e.Category);
            }

            MapAssert.Fails(ErrorIds.SharedMemoryIsSymlink, () => MemoryMap.OpenSharedMemory(name, MapAccess.ReadWrite, size: 1 << 20));
            Assert.True(SharedMemory.Exists(name));
            Assert.DoesNotContain(SharedMemory.List(), s => s.Name == name);
            Assert.Equal(secret, File.ReadAllBytes(target));
            Assert.Equal(4096, new FileInfo(target).Length);

            // Removing the name removes the link, never the file it points to.
            SharedMemory.Remove(name);
            Assert.False(File.Exists(link) || new FileInfo(link).LinkTarget is not null);
            Assert.Equal(secret, File.ReadAllBytes(target));
        }
        finally
        {
            File.Delete(link);
        }
    }

    [Fact]
    public void AnotherUsersFile_OpensExactlyWhenTheKernelLetsThatUserOpenIt()
    {
        // As uid 65534 (setpriv, no capabilities) and as root, for files owned by root with each mode: the engine's
        // answer must match a plain open(2) of the same file with the same access by the same process.
        string[] modes = { "000", "400", "600", "640", "604", "644", "606", "666" };
        string[] paths = modes.Select(mode => _dir.File($"mode-{mode}.bin", Bytes.Pattern(100), mode)).ToArray();
        int checkedCases = 0, denied = 0;
        foreach (bool asNobody in new[] { true, false })
        {
            string[] lines = Child.RunWith(asNobody, null, new[] { "access" }.Concat(paths).ToArray()).Split('\n');
            Assert.Equal(paths.Length * 3, lines.Length);
            foreach (string line in lines)
            {
                string[] halves = line.Split(" | ");
                string engine = halves[0][(halves[0].IndexOf(" ENGINE ", StringComparison.Ordinal) + 1)..];
                string context = $"{(asNobody ? "nobody" : "root")}: {line}";
                if (halves[1] == "KERNEL OK")
                {
                    Assert.True(engine == "ENGINE OK", context);
                }
                else
                {
                    Assert.True(engine == "ENGINE ERR PermissionDenied EACCES" && halves[1] == "KERNEL EACCES", context);
                    denied++;
                }

                checkedCases++;
            }
        }

        _output.WriteLine($"{checkedCases} user/mode/access cases, {denied} denied by the kernel and by the engine alike");
        Assert.True(denied > 0 && denied < checkedCases);
        Assert.Equal(Bytes.Pattern(100), File.ReadAllBytes(_dir.Name("mode-666.bin")));
    }

    [Fact]
    public void AnotherUsersProcess_IsReadExactlyWhenTheKernelLetsThatUserReadIt()
    {
        // Processes of root (pid 1, this test process, a root child) and of uid 65534 (a child), and a kernel thread,
        // read as uid 65534 (no capabilities) and as root: the engine succeeds exactly when a plain read of
        // /proc/PID/maps (smaps) by the same process does, and a refusal is ProcessAccessDenied.
        using var nobodyChild = new HeldChild(true, null, "vma-many", "10");
        using var rootChild = new HeldChild("vma-many", "10");
        int kthread = Directory.GetDirectories("/proc").Select(Path.GetFileName).Select(n => int.TryParse(n, out int id) ? id : 0)
            .Where(id => id > 0).OrderBy(id => id).FirstOrDefault(ProcessMemory.IsKernelThread);
        string[] pids = new[] { 1, Environment.ProcessId, rootChild.Pid, nobodyChild.Pid, kthread }
            .Where(p => p > 0).Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        int cases = 0, denied = 0;
        foreach (bool asNobody in new[] { true, false })
        {
            string[] lines = Child.RunWith(asNobody, null, new[] { "proc-access" }.Concat(pids).ToArray()).Split('\n');
            Assert.Equal(pids.Length * 2, lines.Length);
            foreach (string line in lines)
            {
                string[] halves = line.Split(" | ");
                string engine = halves[0][(halves[0].IndexOf(" ENGINE ", StringComparison.Ordinal) + 1)..];
                string context = $"{(asNobody ? "nobody" : "root")}: {line}";
                if (halves[1] == "KERNEL OK")
                {
                    Assert.True(engine == "ENGINE OK", context);
                }
                else
                {
                    // (Root too may be refused, e.g. pid 1 of a container started without CAP_SYS_PTRACE: the kernel decides.)
                    Assert.True(engine == "ENGINE ERR ProcessAccessDenied" && halves[1] == "KERNEL EACCES", context);
                    denied++;
                }

                cases++;
            }
        }

        _output.WriteLine($"{cases} user/process/file cases, {denied} refused by the kernel and by the engine alike");
        Assert.True(denied > 0 && denied < cases);
    }
}
