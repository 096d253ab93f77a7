using System;
using System.IO;
using System.Linq;
using MmapTools.Commands;
using Xunit;

namespace MmapTools.Module.Tests;

/// <summary>What the argument completers offer (CompletionSource; the IArgumentCompleter classes only wrap it).</summary>
public sealed class CompletionTests
{
    [Fact]
    public void MapIds_OfferTheOpenMaps_WithATooltip_AndFilterByIdOrPath()
    {
        using MemoryMap a = MemoryMap.CreateAnonymous(4096);
        using MemoryMap b = MemoryMap.CreateAnonymous(8192);
        var all = CompletionSource.MapIds(string.Empty).ToList();
        Assert.Contains(all, c => c.Value == a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("8 KiB", all.Single(c => c.Value == b.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToolTip, StringComparison.Ordinal);
        Assert.All(CompletionSource.MapIds(a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), c => Assert.StartsWith(a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Value, StringComparison.Ordinal));
        Assert.Contains(CompletionSource.MapIds("[anon*"), c => c.Value == b.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        b.Dispose();
        Assert.DoesNotContain(CompletionSource.MapIds(string.Empty), c => c.Value == b.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Encodings_OfferTheKnownNames_ByPrefix_AndEveryOneResolves()
    {
        Assert.Equal(TextEncoding.Names, CompletionSource.Encodings(null).Select(c => c.Value));
        var utf = CompletionSource.Encodings("'UTF").Select(c => c.Value).ToList();
        Assert.Contains("utf8", utf);
        Assert.Contains("utf-16be", utf);
        Assert.DoesNotContain("latin1", utf);
        Assert.All(CompletionSource.Encodings(null), c => Assert.NotNull(TextEncoding.Resolve(c.Value)));
    }

    [Fact]
    public void ProcessIds_AndNames_FindThisProcess()
    {
        string pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string comm = File.ReadAllText("/proc/self/comm").TrimEnd('\n');
        var byPid = CompletionSource.ProcessIds(pid).ToList();
        Assert.Contains(byPid, c => c.Value == pid && c.ToolTip.StartsWith(pid + " ", StringComparison.Ordinal));
        Assert.All(byPid, c => Assert.StartsWith(pid, c.Value, StringComparison.Ordinal));
        Assert.Contains(CompletionSource.ProcessIds(comm[..Math.Min(4, comm.Length)]), c => c.Value == pid);
        // The tooltip lists the first ten pids of a name; many processes may share this one (dotnet).
        var names = CompletionSource.ProcessNames(comm[..Math.Min(4, comm.Length)]).ToList();
        Assert.Contains(names, c => CompletionSource.Unquote(c.Value).StartsWith(comm, StringComparison.Ordinal) && c.ToolTip.Contains(": pid ", StringComparison.Ordinal));
        Assert.Equal(names.Count, names.Select(c => c.Value).Distinct().Count());
    }

    [Fact]
    public void SharedMemoryNames_OfferTheObjectsInDevShm()
    {
        string name = "mmaptools-complete-" + Guid.NewGuid().ToString("N");
        using MemoryMap shm = MemoryMap.OpenSharedMemory(name, size: 4096);
        try
        {
            var found = CompletionSource.SharedMemoryNames("mmaptools-complete-").ToList();
            Assert.Contains(found, c => c.Value == name && c.ToolTip.Contains("4 KiB", StringComparison.Ordinal));
            Assert.Contains(CompletionSource.SharedMemoryNames("/" + name[..25]), c => c.Value == name);
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("Web Content", "'Web Content'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("a$b", "'a$b'")]
    public void Values_AreQuotedWhenPowerShellWouldSplitThem(string value, string expected) => Assert.Equal(expected, CompletionSource.Quote(value));

    [Theory]
    [InlineData("pwsh", "pw", true)]
    [InlineData("pwsh", "PW", true)]
    [InlineData("pwsh", "*sh", true)]
    [InlineData("pwsh", "sh", false)]
    [InlineData("pwsh", "p?sh", true)]
    [InlineData("a.b", "a.", true)]
    [InlineData("axb", "a.", false)]
    public void Matching_IsPrefixOrWildcard(string candidate, string word, bool expected) => Assert.Equal(expected, CompletionSource.Matches(candidate, word));
}
