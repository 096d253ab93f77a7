using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace MmapTools.Tests;

/// <summary>A TestHost child that prints "READY ..." and holds its layout until its standard input closes.</summary>
public sealed class HeldChild : IDisposable
{
    private readonly Process _process;

    public HeldChild(bool asNobody, string? wrapper, params string[] args)
    {
        _process = Process.Start(Child.StartInfo(asNobody, wrapper, args))!;
        string? line = _process.StandardOutput.ReadLine();
        if (line is null || !line.StartsWith("READY", StringComparison.Ordinal))
        {
            string err = _process.StandardError.ReadToEnd();
            _process.Kill();
            throw new InvalidOperationException($"child did not get ready: {line}; {err}");
        }

        Ready = line.Split(' ');
    }

    public HeldChild(params string[] args)
        : this(false, null, args)
    {
    }

    public string[] Ready { get; }

    public int Pid => _process.Id;

    public ulong Hex(int i) => ulong.Parse(Ready[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(20_000))
            {
                _process.Kill();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}

/// <summary>Get-ProcessVma's engine against the real kernel: this process, children with known layouts, other users.</summary>
public sealed class ProcessVmaTests
{
    private static readonly long Page = MemoryMap.PageSize;

    private static List<ProcessVma> Vmas(int pid, bool detailed = false)
    {
        using VmaReader r = ProcessMemory.GetVmas(pid, detailed);
        return r.ToList();
    }

    private static ulong InodeOf(string path)
    {
        Assert.Equal(0, Interop.Libc.StatXPath(Interop.Libc.AT_FDCWD, path, 0, Interop.Libc.STATX_BASIC_STATS, out Interop.Libc.StatX st));
        return st.Inode;
    }

    private static void AssertAscending(IReadOnlyList<ProcessVma> v)
    {
        for (int i = 1; i < v.Count; i++)
        {
            Assert.True(v[i].Start >= v[i - 1].End, $"VMA {i} starts at {v[i].Start:x}, below the end {v[i - 1].End:x} of the one before");
            Assert.True(v[i].End > v[i].Start);
        }
    }

    [Fact]
    public void ThisProcess_MapsAFileWithASpaceAndANewlineInItsName_AndFindsIt()
    {
        using var dir = new TempDir();
        string path = dir.File("two words\nand a newline.bin", Bytes.Pattern((int)Page * 2));
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadOnly);

        List<ProcessVma> v = Vmas(Environment.ProcessId);
        AssertAscending(v);
        ProcessVma found = v.Single(x => x.Contains(map.Address));
        Assert.Equal(path, found.Path);
        Assert.Equal("two words\nand a newline.bin", found.Name);
        Assert.Equal(VmaKind.File, found.Kind);
        Assert.False(found.IsDeleted);
        Assert.Equal(map.Address, found.Start);
        Assert.Equal((ulong)(2 * Page), found.Size);
        Assert.Equal("r--s", found.Permissions);
        Assert.Equal(InodeOf(path), found.Inode);
        Assert.Equal(Environment.ProcessId, found.ProcessId);
        Assert.Equal(File.ReadAllText("/proc/self/comm").TrimEnd('\n'), found.ProcessName);

        // The kernel writes the newline as \012; the line formats back to exactly that.
        Assert.Contains("/two words\\012and a newline.bin", VmaFormat.FormatMapsLine(found), StringComparison.Ordinal);
        Assert.Contains(VmaFormat.FormatMapsLine(found) + "\n", File.ReadAllText("/proc/self/maps"), StringComparison.Ordinal);
    }

    [Fact]
    public void ALiteralBackslash012InAName_IsSettledByMapFiles()
    {
        using var dir = new TempDir();
        string path = dir.File("back\\012slash (deleted)", Bytes.Pattern((int)Page));
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadOnly);

        // The text alone is ambiguous: it reads as a newline and a deleted file.
        string line = File.ReadLines("/proc/self/maps").Single(l => l.StartsWith(map.Address.ToString("x", CultureInfo.InvariantCulture) + "-", StringComparison.Ordinal));
        ProcessVma naive = VmaFormat.ParseMapsLine(Encoding.UTF8.GetBytes(line))!;
        Assert.Equal(Path.Combine(dir.Path, "back\n"), naive.Path![..(dir.Path.Length + 6)]);
        Assert.True(naive.IsDeleted);

        // We are root, so /proc/self/map_files answers, and the reader uses it.
        ProcessVma found = Vmas(Environment.ProcessId).Single(x => x.Contains(map.Address));
        Assert.Equal(path, found.Path);
        Assert.False(found.IsDeleted);
    }

    [Fact]
    public void ANonUtf8Name_KeepsItsExactBytes()
    {
        using var dir = new TempDir();

        // .NET names files in UTF-8 only, so a shell makes "caf\xe9.bin" (Latin-1) and a UTF-8 link to it.
        using (Process sh = Process.Start(new ProcessStartInfo("sh", new[] { "-c", "cd \"$1\" && n=$(printf 'caf\\351.bin') && head -c 8192 /dev/zero > \"$n\" && ln -s \"$n\" link.bin", "sh", dir.Path }) { UseShellExecute = false })!)
        {
            sh.WaitForExit();
            Assert.Equal(0, sh.ExitCode);
        }

        using MemoryMap map = MemoryMap.OpenFile(Path.Combine(dir.Path, "link.bin"), MapAccess.ReadOnly);
        ProcessVma found = Vmas(Environment.ProcessId).Single(x => x.Contains(map.Address));
        byte[] expected = Encoding.UTF8.GetBytes(dir.Path + "/caf").Concat(new byte[] { 0xe9 }).Concat(Encoding.UTF8.GetBytes(".bin")).ToArray();
        Assert.Equal(expected, found.RawPath);
        Assert.Equal(dir.Path + "/caf\uFFFD.bin", found.Path);
        Assert.Equal(VmaKind.File, found.Kind);
    }

    [Fact]
    public void AChildWithAKnownLayout()
    {
        using var dir = new TempDir();
        using var child = new HeldChild("vma-layout", dir.Path);
        ulong fileStart = child.Hex(1), anonStart = child.Hex(2), goneStart = child.Hex(4), guard = child.Hex(5);
        bool named = child.Ready[3] == "1";

        List<ProcessVma> v = Vmas(child.Pid);
        AssertAscending(v);
        Assert.All(v, x => Assert.Equal(child.Pid, x.ProcessId));

        ProcessVma file = v.Single(x => x.Start == fileStart);
        Assert.Equal(Path.Combine(dir.Path, "layout file.bin"), file.Path);
        Assert.Equal((ulong)(3 * Page), file.Size);
        Assert.Equal("r--s", file.Permissions);
        Assert.Equal(VmaKind.File, file.Kind);

        ProcessVma gone = v.Single(x => x.Start == goneStart);
        Assert.True(gone.IsDeleted);
        Assert.Equal(Path.Combine(dir.Path, "gone.bin"), gone.Path);
        Assert.Equal(VmaKind.File, gone.Kind);

        ProcessVma anon = v.Single(x => x.Contains(anonStart));
        if (named)
        {
            Assert.Equal(VmaKind.NamedAnonymous, anon.Kind);
            Assert.Equal("mmaptools-test", anon.Name);
            Assert.Equal("[anon:mmaptools-test]", anon.Path);
            Assert.Equal(anonStart, anon.Start);
            Assert.Equal((ulong)(4 * Page), anon.Size);
        }
        else
        {
            Assert.Equal(VmaKind.Anonymous, anon.Kind);
        }

        ProcessVma hole = v.Single(x => x.Contains(guard + (ulong)Page));
        Assert.Equal("---p", hole.Permissions);
        Assert.Equal(VmaPermission.None, hole.Permission);
        Assert.Equal(guard + (ulong)Page, hole.Start);
        Assert.Equal((ulong)Page, hole.Size);
        Assert.Equal("rw-p", v.Single(x => x.Contains(guard)).Permissions);
        Assert.Equal("rw-p", v.Single(x => x.Contains(guard + (ulong)(2 * Page))).Permissions);

        // smaps: the same VMAs with their memory figures.
        List<ProcessVma> d = Vmas(child.Pid, detailed: true);
        AssertAscending(d);
        ProcessVma fileD = d.Single(x => x.Start == fileStart);
        Assert.True(fileD.IsDetailed);
        Assert.Equal((long)file.Size, fileD.Smaps["Size"]);
        Assert.NotNull(fileD.Rss);
        // A read-only MAP_SHARED file map: "s" in maps comes from VM_MAYSHARE; the kernel drops VM_SHARED ("sh").
        Assert.True((fileD.VmFlags & VmFlags.MayShare) != 0);
        Assert.True((fileD.VmFlags & VmFlags.Shared) == 0);
        Assert.True((fileD.VmFlags & VmFlags.Writeable) == 0);
        ProcessVma holeD = d.Single(x => x.Start == hole.Start);
        Assert.Equal(0, holeD.Rss);
        Assert.True(d.Sum(x => x.Rss!.Value) > 0);
    }

    [Fact]
    public void RollupMatchesTheSumOfSmaps_ForAQuietProcess()
    {
        using Process sleep = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            // Let the loader finish: sleep's maps stop changing once it is in nanosleep.
            SpinUntil(() => File.ReadAllText($"/proc/{sleep.Id}/wchan") is "hrtimer_nanosleep" or "do_nanosleep" || File.ReadAllText($"/proc/{sleep.Id}/stat").Contains(") S ", StringComparison.Ordinal));
            ProcessMemoryInfo rollup = ProcessMemory.GetMemoryInfo(sleep.Id);
            List<ProcessVma> d = Vmas(sleep.Id, detailed: true);
            Assert.Equal("smaps_rollup", rollup.Source);
            Assert.Equal("sleep", rollup.ProcessName);
            Assert.Equal(d.Sum(x => x.Rss!.Value), rollup.Rss);
            Assert.Equal(d.Sum(x => x.PrivateClean!.Value + x.PrivateDirty!.Value), rollup.Uss);
            Assert.Equal(d.Sum(x => x.Anonymous!.Value), rollup.Anonymous);
            Assert.Equal(d.Sum(x => x.Swap!.Value), rollup.Swap);
            Assert.InRange(rollup.Pss, d.Sum(x => x.Pss!.Value) - (d.Count * 1024), d.Sum(x => x.Pss!.Value) + (d.Count * 1024));
            Assert.True(rollup.Rss > 0 && rollup.Uss > 0 && rollup.Uss <= rollup.Pss && rollup.Pss <= rollup.Rss);

            // And maps formats back byte for byte.
            string text = File.ReadAllText($"/proc/{sleep.Id}/maps");
            Assert.Equal(text, string.Concat(Vmas(sleep.Id).Select(x => VmaFormat.FormatMapsLine(x) + "\n")));
        }
        finally
        {
            sleep.Kill();
            sleep.WaitForExit();
        }
    }

    private static void SpinUntil(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++)
        {
            System.Threading.Thread.Sleep(10);
        }
    }

    [Fact]
    public void AVanishedPid_IsProcessNotFound()
    {
        using Process p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        int pid = p.Id;
        p.WaitForExit();
        MmapException e = MapAssert.Fails(ErrorIds.ProcessNotFound, () => ProcessMemory.GetVmas(pid));
        Assert.Equal(MapErrorCategory.ObjectNotFound, e.Category);
        Assert.Contains(pid.ToString(CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        MapAssert.Fails(ErrorIds.ProcessNotFound, () => ProcessMemory.GetMemoryInfo(pid));
        MapAssert.Fails(ErrorIds.ProcessNotFound, () => ProcessMemory.GetVmas(-5));
    }

    [Fact]
    public void AKernelThread_HasNoVmas_AndNoError()
    {
        // kthreadd is pid 2 outside a pid namespace; else any visible kernel thread.
        int kthread = Directory.GetDirectories("/proc").Select(Path.GetFileName).Select(n => int.TryParse(n, out int id) ? id : 0)
            .Where(id => id > 0).OrderBy(id => id).FirstOrDefault(ProcessMemory.IsKernelThread);
        Assert.True(kthread > 0, "no kernel thread is visible");
        Assert.False(ProcessMemory.IsKernelThread(Environment.ProcessId));
        Assert.Empty(Vmas(kthread));
        Assert.Empty(Vmas(kthread, detailed: true));

        // smaps_rollup refuses a kernel thread (ESRCH); the sum of its (no) VMAs stands in.
        ProcessMemoryInfo info = ProcessMemory.GetMemoryInfo(kthread);
        Assert.Equal("smaps", info.Source);
        Assert.Equal(0, info.VmaCount);
        Assert.Equal(0, info.Rss);
    }

    [Fact]
    public void AZombie_IsProcessExited()
    {
        // sh forks a subshell that exits at once, then becomes sleep, which never reaps it: a zombie.
        using Process parent = Process.Start(new ProcessStartInfo("sh", new[] { "-c", "(exit 0) & exec sleep 60" }) { UseShellExecute = false })!;
        try
        {
            int zombie = 0;
            SpinUntil(() =>
            {
                string children = File.ReadAllText($"/proc/{parent.Id}/task/{parent.Id}/children").Trim();
                if (children.Length == 0)
                {
                    return false;
                }

                zombie = int.Parse(children.Split(' ')[0], CultureInfo.InvariantCulture);
                return File.ReadAllText($"/proc/{zombie}/stat").Contains(") Z ", StringComparison.Ordinal);
            });
            Assert.NotEqual(0, zombie);
            using VmaReader r = ProcessMemory.GetVmas(zombie);
            MmapException e = MapAssert.Fails(ErrorIds.ProcessExited, () => r.ToList());
            Assert.Equal(MapErrorCategory.ResourceUnavailable, e.Category);
        }
        finally
        {
            parent.Kill();
            parent.WaitForExit();
        }
    }

    [Fact]
    public void AnotherUsersProcess_IsAccessDenied_ForAnUnprivilegedUser()
    {
        string pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        Assert.Equal("ERR ProcessAccessDenied EACCES", Child.RunAsNobody("vmas-of", pid));
        Assert.Equal("ERR ProcessAccessDenied EACCES", Child.RunAsNobody("vmas-of", pid, "detailed"));
        Assert.Equal("ERR ProcessAccessDenied EACCES", Child.RunAsNobody("rollup-of", pid));
        string message = Child.RunAsNobody("vmas-message", pid);
        Assert.Contains("CAP_SYS_PTRACE", message, StringComparison.Ordinal);
        Assert.Contains("/proc/" + pid + "/maps", message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnderHidepidInvisible_AnotherUsersProcess_IsNotFound()
    {
        // A private mount namespace with its own /proc mounted hidepid=invisible; then setpriv to nobody.
        string pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        string wrapper = "unshare --mount --propagation private sh -c 'mount -t proc -o hidepid=invisible proc /proc && exec \"$@\"' sh";
        Assert.Equal("ERR ProcessNotFound ENOENT", Child.RunWith(true, wrapper, "vmas-of", pid));

        // The message says why the process may only look absent.
        string message = Child.RunWith(true, wrapper, "vmas-message", pid);
        Assert.StartsWith("MSG ProcessNotFound ", message, StringComparison.Ordinal);
        Assert.Contains("hidepid=invisible", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnprivilegedUser_ReadsItsOwnProcess()
    {
        using var child = new HeldChild(true, null, "vma-many", "40");
        Assert.Equal("ERR ProcessAccessDenied EACCES", Child.RunAsNobody("vmas-of", "1"));
        string answer = Child.RunAsNobody("vmas-of", child.Pid.ToString(CultureInfo.InvariantCulture), "detailed");
        Assert.StartsWith("OK ", answer, StringComparison.Ordinal);
        Assert.True(int.Parse(answer[3..], CultureInfo.InvariantCulture) >= 40);
    }

    [Fact]
    public void ManyVmas_AreReadInFewLargeReads()
    {
        using var child = new HeldChild("vma-many", "20000");
        ulong start = child.Hex(1), end = child.Hex(2);
        using VmaReader r = ProcessMemory.GetVmas(child.Pid);
        List<ProcessVma> v = r.ToList();
        AssertAscending(v);
        List<ProcessVma> ours = v.Where(x => x.Start >= start && x.End <= end).ToList();
        Assert.Equal(20000, ours.Count);
        Assert.All(ours, x => Assert.Equal((ulong)Page, x.Size));
        Assert.Equal(10000, ours.Count(x => x.Permissions == "r--p"));
        long bytes = v.Sum(x => VmaFormat.FormatMapsLine(x).Length + 1L);
        // procfs hands out at most one seq_file buffer (a page) per read(2), however large the buffer asked:
        // the reader never reads in smaller pieces than the kernel gives.
        Assert.True(r.ReadCalls <= (bytes / (Page / 2)) + 2, $"{r.ReadCalls} reads for {bytes} bytes");
    }

    [Fact]
    public void WhileTheAddressSpaceChurns_NoDuplicateOrBackwardsVma()
    {
        using var child = new HeldChild("vma-churn", "4000");
        for (int round = 0; round < 20; round++)
        {
            AssertAscending(Vmas(child.Pid));
            AssertAscending(Vmas(child.Pid, detailed: round % 4 == 0));
        }
    }

    [Fact]
    public void Objects_HoldNoLiveState_AndGroup()
    {
        List<ProcessVma> v = Vmas(Environment.ProcessId, detailed: true);
        List<ProcessVmaGroup> g = ProcessMemory.Group(v).ToList();
        Assert.Equal(v.Sum(x => x.Rss!.Value), g.Sum(x => x.Rss!.Value));
        Assert.Equal(v.Count, g.Sum(x => x.Count));
        Assert.Contains(g, x => x.Kind == VmaKind.Heap || x.Kind == VmaKind.Stack);

        // Every property is plain data (numbers, strings, enums, a dictionary): it serializes and reads back.
        string json = System.Text.Json.JsonSerializer.Serialize(v[0]);
        ProcessVma back = System.Text.Json.JsonSerializer.Deserialize<ProcessVma>(json)!;
        Assert.Equal(v[0].Start, back.Start);
        Assert.Equal(v[0].Path, back.Path);
        Assert.Contains("\"Smaps\":{", json, StringComparison.Ordinal);
    }
}
