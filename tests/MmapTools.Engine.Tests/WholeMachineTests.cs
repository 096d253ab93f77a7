using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MmapTools.Interop;
using Xunit;

namespace MmapTools.Tests;

/// <summary>The whole-machine pieces of the engine: identities, the process list, accounting, stale files.</summary>
public sealed class WholeMachineTests
{
    private static readonly long Page = MemoryMap.PageSize;

    [Fact]
    public void Identity_OfThisProcess_IsItsCommAndEffectiveUid()
    {
        ProcessIdentity me = ProcessIdentity.Read(Environment.ProcessId);
        Assert.Equal(File.ReadAllText("/proc/self/comm").TrimEnd('\n'), me.Name);
        Assert.Equal(Libc.GetEUid(), me.Uid);
        Assert.Equal(ProcessIdentity.UserName(Libc.GetEUid()), me.User);
        Assert.False(me.HasNoMemory);
        Assert.Contains("MmapTools.Engine.Tests", ProcessIdentity.ReadCommandLine(Environment.ProcessId), StringComparison.Ordinal);
    }

    [Fact]
    public void UserName_ComesFromTheUserDatabase_OrIsTheUid()
    {
        Assert.Equal("root", ProcessIdentity.UserName(0));
        Assert.Equal("4242424", ProcessIdentity.UserName(4242424));
    }

    [Fact]
    public void Identity_OfAGoneProcess_IsProcessNotFound()
    {
        var e = Assert.Throws<MmapException>(() => ProcessIdentity.Read(int.MaxValue));
        Assert.Equal(ErrorIds.ProcessNotFound, e.ErrorId);
        Assert.Null(ProcessMemory.TryIdentity(int.MaxValue));
    }

    [Fact]
    public void ProcessIds_AreEveryNumericEntryOfProc_InOrder()
    {
        List<int> ids = SystemMemory.ProcessIds();
        Assert.Contains(Environment.ProcessId, ids);
        Assert.Contains(1, ids);
        Assert.Equal(ids.OrderBy(i => i), ids);
        Assert.True(SystemMemory.TotalBytes() > 0);
    }

    [Fact]
    public void Mapping_SumsEveryVmaOfAPath_AndCountsProcessesOnce()
    {
        using VmaReader r = ProcessMemory.ReadFile(VmaFixtureTests.Fixture("smaps-cat.txt"), detailed: true, processId: 7);
        List<ProcessVma> v = r.ToList();
        var acc = new MemoryAccounting(ProcessMemoryGrouping.Mapping, 1L << 34);
        foreach (ProcessVma x in v)
        {
            acc.Add(x);
        }

        IReadOnlyList<ProcessMemoryGroup> groups = acc.Groups();
        Assert.Equal(v.Count, groups.Sum(g => g.VmaCount));
        Assert.Equal(v.Sum(x => x.Rss), groups.Sum(g => g.Rss));
        Assert.Equal(v.Sum(x => x.Pss), groups.Sum(g => g.Pss));
        Assert.Equal(v.Sum(x => x.Private), groups.Sum(g => g.Uss));
        Assert.All(groups, g => Assert.Equal(new[] { 7 }, g.ProcessIds));
        Assert.Equal(groups.OrderByDescending(g => g.Pss).Select(g => g.Pss), groups.Select(g => g.Pss));
        ProcessMemoryGroup libc = groups.Single(g => g.Name == "/usr/lib/x86_64-linux-gnu/libc.so.6");
        Assert.Equal(v.Count(x => x.Path == libc.Name), libc.VmaCount);
        Assert.Equal(Math.Round(100.0 * libc.Pss / (1L << 34), 2), libc.PssPercent);
    }

    [Fact]
    public void ByUser_AddsProcessTotals()
    {
        var acc = new MemoryAccounting(ProcessMemoryGrouping.User, 1000);
        ProcessMemoryInfo Info(int pid, uint uid, long rss)
        {
            var i = new ProcessMemoryInfo { ProcessId = pid, Uid = uid, User = "u" + uid };
            i.Rss = rss;
            i.Pss = rss / 2;
            i.PrivateDirty = rss / 4;
            return i;
        }

        acc.Add(Info(1, 0, 100));
        acc.Add(Info(2, 0, 300));
        acc.Add(Info(3, 5, 40));
        IReadOnlyList<ProcessMemoryGroup> g = acc.Groups();
        Assert.Equal(2, g.Count);
        Assert.Equal(("u0", 0u, 2, 400L, 200L, 100L), (g[0].Name, g[0].Uid!.Value, g[0].ProcessCount, g[0].Rss, g[0].Pss, g[0].Uss));
        Assert.Equal(40.0, g[0].RssPercent);
        Assert.Equal(("u5", 1), (g[1].Name, g[1].ProcessCount));
        Assert.Throws<InvalidOperationException>(() => acc.Add(new ProcessVma()));
        Assert.Single(new MemoryAccounting(ProcessMemoryGrouping.Total, 0).Groups());
    }

    [Fact]
    public void StaleCheck_TellsCurrentDeletedAndReplacedFiles()
    {
        using var dir = new TempDir();
        string kept = dir.File("kept.bin", Bytes.Pattern((int)Page));
        string deleted = dir.File("deleted.bin", Bytes.Pattern((int)Page));
        string replaced = dir.File("replaced.bin", Bytes.Pattern((int)Page));
        using MemoryMap a = MemoryMap.OpenFile(kept);
        using MemoryMap b = MemoryMap.OpenFile(deleted);
        using MemoryMap c = MemoryMap.OpenFile(replaced);
        File.Delete(deleted);
        File.Move(dir.File("new.bin", Bytes.Pattern((int)Page)), replaced, overwrite: true);

        var check = new StaleFileCheck();
        List<ProcessVma> v;
        using (VmaReader r = ProcessMemory.GetVmas(Environment.ProcessId))
        {
            v = r.ToList();
        }

        Assert.Equal(VmaStaleReason.Current, check.Check(v.Single(x => x.Contains(a.Address))));
        Assert.Equal(VmaStaleReason.Deleted, check.Check(v.Single(x => x.Contains(b.Address))));
        // Renamed over: the kernel unhashes the old name, so maps says "(deleted)" too.
        Assert.Equal(VmaStaleReason.Deleted, check.Check(v.Single(x => x.Contains(c.Address))));
        Assert.Null(check.Check(v.First(x => x.Kind == VmaKind.Stack)));
        int lookups = check.Lookups;
        check.Check(v.Single(x => x.Contains(a.Address)));
        Assert.Equal(lookups, check.Lookups);
    }
}
