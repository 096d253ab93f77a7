using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using Xunit;

namespace MmapTools.Tests;

/// <summary>PatchTransaction, PatchBackup and PatchRestore against real files, maps and a second process.</summary>
public sealed class PatchTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Sha(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

    private static IReadOnlyList<WriteResult> Apply(PatchOptions? options, params PatchRequest[] requests)
    {
        using var tx = new PatchTransaction(options);
        foreach (PatchRequest r in requests)
        {
            tx.Add(r);
        }

        var problems = tx.Prepare();
        if (problems.Count > 0)
        {
            throw problems[0];
        }

        return tx.Commit();
    }

    private static IReadOnlyList<MmapException> Problems(params PatchRequest[] requests)
    {
        using var tx = new PatchTransaction();
        foreach (PatchRequest r in requests)
        {
            tx.Add(r);
        }

        return tx.Prepare();
    }

    [Fact]
    public void PatchWithBackup_ThenRestore_GivesTheFileBackByteForByte_SizeModeAndOwnerUnchanged()
    {
        byte[] content = Bytes.Pattern(3 * 4096 + 123);
        string path = _dir.File("app.bin", content, "640");
        var before = new FileInfo(path);
        UnixFileMode mode = before.UnixFileMode;
        string owner = GetOwner(path);
        string hashBefore = Sha(path);
        string backup = _dir.Name("app.patch.json");

        // Every hit of a search, patched in one go.
        BytePattern p = BytePattern.FromBytes(content.AsSpan(100, 3));
        var hits = ByteSearch.InFile(path, p, new SearchOptions { NoOverlap = true }).ToList();
        Assert.True(hits.Count > 10);
        var results = Apply(new PatchOptions { BackupPath = backup }, hits.Select(h => new PatchRequest { Path = h.Path, Offset = h.Offset, Data = new byte[] { 0x90, 0x90, 0x90 }, Expect = h.Bytes }).ToArray());
        Assert.Equal(hits.Count, results.Count);
        Assert.All(results, r => Assert.True(r.Synced));
        Assert.All(results, r => Assert.Equal(p.GetBytes(), r.OldBytes));
        Assert.Empty(ByteSearch.InFile(path, p));
        Assert.NotEqual(hashBefore, Sha(path));
        Assert.Equal(content.Length, new FileInfo(path).Length);

        // The record: JSON with the hashes before and after, mode 0600.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup));
        using (JsonDocument doc = JsonDocument.Parse(File.ReadAllText(backup)))
        {
            JsonElement f = doc.RootElement.GetProperty("files")[0];
            Assert.Equal(PatchBackup.FormatName, doc.RootElement.GetProperty("format").GetString());
            Assert.Equal(path, f.GetProperty("path").GetString());
            Assert.Equal(hashBefore, f.GetProperty("sha256Before").GetString());
            Assert.Equal(Sha(path), f.GetProperty("sha256After").GetString());
            Assert.Equal(hits.Count, f.GetProperty("ranges").GetArrayLength());
            Assert.Equal("90 90 90", f.GetProperty("ranges")[0].GetProperty("new").GetString());
        }

        RestoreResult restored = PatchRestore.Restore(PatchBackup.Read(backup)).Single();
        Assert.True(restored.Identical);
        Assert.False(restored.ChangedElsewhere);
        Assert.True(restored.Synced);
        Assert.Equal(hits.Count, restored.Ranges);
        Assert.Equal(hashBefore, Sha(path));
        Assert.Equal(hashBefore, restored.Sha256);
        Assert.Equal(content, File.ReadAllBytes(path));
        var after = new FileInfo(path);
        Assert.Equal(content.Length, after.Length);
        Assert.Equal(mode, after.UnixFileMode);
        Assert.Equal(owner, GetOwner(path));

        // A second restore finds the old bytes there already and refuses, writing nothing.
        MmapException again = MapAssert.Fails(ErrorIds.RestoreMismatch, () => PatchRestore.Restore(PatchBackup.Read(backup)));
        Assert.Contains("restored already", again.Message, StringComparison.Ordinal);
        Assert.Equal(hashBefore, Sha(path));
    }

    private static string GetOwner(string path)
    {
        using Process p = Process.Start(new ProcessStartInfo("stat", new[] { "-c", "%u:%g:%a:%s", path }) { RedirectStandardOutput = true })!;
        string s = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return s;
    }

    [Fact]
    public void HitsAtEveryWindowEdge_FoundWithSmallWindows_ArePatchedAndRestored()
    {
        const int Window = 4096;
        byte[] content = new byte[10 * Window + 3];
        var planted = new List<long>();
        for (int k = 1; k < 10; k++)
        {
            foreach (int delta in new[] { -5, -1, 3 })
            {
                long at = (k * Window) + delta;      // windows start at 0, so their edges are at k * 4096
                content[at] = 0xEB;
                content[at + 1] = 0x05;
                content[at + 2] = 0x77;
                planted.Add(at);
            }
        }

        content[^3] = 0xEB; content[^2] = 0x05; content[^1] = 0x77;
        planted.Add(content.Length - 3);
        content[0] = 0xEB; content[1] = 0x05; content[2] = 0x77;
        planted.Insert(0, 0);
        string path = _dir.File("edges.bin", content);
        string hash = Sha(path);

        var hits = ByteSearch.InFile(path, BytePattern.FromHex("EB 05 77"), new SearchOptions { WindowSize = Window, ChunkSize = 1000 }).ToList();
        Assert.Equal(planted.ToArray(), hits.Select(h => h.Offset).ToArray());
        string backup = _dir.Name("edges.json");
        Apply(new PatchOptions { BackupPath = backup }, hits.Select(h => new PatchRequest { Path = h.Path, Offset = h.Offset, Data = new byte[] { 0x90, 0x90, 0x90 }, Expect = h.Bytes }).ToArray());
        Assert.Empty(ByteSearch.InFile(path, BytePattern.FromHex("EB 05 77")));
        Assert.Equal(planted.Count, ByteSearch.InFile(path, BytePattern.FromHex("90 90 90"), new SearchOptions { NoOverlap = true }).Count());
        Assert.True(PatchRestore.Restore(PatchBackup.Read(backup)).Single().Identical);
        Assert.Equal(hash, Sha(path));
    }

    [Fact]
    public void OwnerModeAndSizeAreTheSameAfterAPatchAsBefore()
    {
        string path = _dir.File("own.bin", Bytes.Pattern(5000), "604");
        string before = GetOwner(path);
        Apply(null, new PatchRequest { Path = path, Offset = 4998, Data = new byte[] { 1, 2 } });
        Assert.Equal(before, GetOwner(path));
        Assert.Equal(new byte[] { 1, 2 }, File.ReadAllBytes(path)[4998..]);
    }

    [Fact]
    public void OneFailedExpect_AmongManyHits_WritesNothing()
    {
        byte[] content = Bytes.Pattern(20_000);
        string path = _dir.File("many.bin", content);
        string other = _dir.File("other.bin", content);
        string hash = Sha(path);
        var requests = Enumerable.Range(0, 50).Select(i => new PatchRequest
        {
            Path = i % 2 == 0 ? path : other,
            Offset = i * 300,
            Data = new byte[] { 0xCC, 0xCC },
            Expect = i == 37 ? new byte[] { 0x00, 0x00 } : content.AsSpan(i * 300, 2).ToArray(),
        }).ToArray();
        var problems = Problems(requests);
        MmapException e = Assert.Single(problems);
        Assert.Equal(ErrorIds.ExpectMismatch, e.ErrorId);
        Assert.Contains("1 of 50 hits", e.Message, StringComparison.Ordinal);
        Assert.Equal(37 * 300, e.Offset);

        MapAssert.Fails(ErrorIds.ExpectMismatch, () => Apply(new PatchOptions { BackupPath = _dir.Name("never.json") }, requests));
        Assert.Equal(hash, Sha(path));
        Assert.Equal(content, File.ReadAllBytes(other));
        Assert.False(File.Exists(_dir.Name("never.json")));
    }

    [Fact]
    public void OverlappingHitsAreRefused_DuplicatesCountOnce()
    {
        byte[] content = new byte[] { 0xAA, 0xAA, 0xAA, 0xAA, 0x00 };
        string path = _dir.File("ov.bin", content);
        var hits = ByteSearch.InFile(path, BytePattern.FromHex("AA AA")).Select(m => new PatchRequest { Path = m.Path, Offset = m.Offset, Data = new byte[] { 0x90, 0x90 }, Expect = m.Bytes }).ToArray();
        Assert.Equal(3, hits.Length);
        MapAssert.Fails(ErrorIds.PatchOverlap, () => Apply(null, hits));
        Assert.Equal(content, File.ReadAllBytes(path));

        // The same hit twice (as from two identical searches) is one hit; -NoOverlap hits patch fine.
        var once = new PatchRequest { Path = path, Offset = 0, Data = new byte[] { 1 } };
        Assert.Single(Apply(null, once, once, new PatchRequest { Path = path, Offset = 0, Data = new byte[] { 1 } }));
        var apart = ByteSearch.InFile(path, BytePattern.FromHex("AA"), new SearchOptions { NoOverlap = true }).Select(m => new PatchRequest { Path = m.Path, Offset = m.Offset, Data = new byte[] { 2 } }).ToArray();
        Assert.Equal(3, Apply(null, apart).Count);
        Assert.Equal(new byte[] { 1, 2, 2, 2, 0 }, File.ReadAllBytes(path));
    }

    [Fact]
    public void AnExistingBackupIsNeverOverwritten_AndNothingIsWritten()
    {
        string path = _dir.File("b.bin", Bytes.Pattern(100));
        string backup = _dir.File("b.json", new byte[] { (byte)'{', (byte)'}' });
        MapAssert.Fails(ErrorIds.BackupExists, () => Apply(new PatchOptions { BackupPath = backup }, new PatchRequest { Path = path, Offset = 0, Data = new byte[] { 9 } }));
        Assert.Equal(Bytes.Pattern(100), File.ReadAllBytes(path));
        Assert.Equal("{}", File.ReadAllText(backup));

        MapAssert.Fails(ErrorIds.BackupWriteFailed, () => Apply(new PatchOptions { BackupPath = _dir.Name("no/such/dir/b.json") }, new PatchRequest { Path = path, Offset = 0, Data = new byte[] { 9 } }));
        Assert.Equal(Bytes.Pattern(100), File.ReadAllBytes(path));
    }

    [Fact]
    public void RestoreRefusesWhenThePatchedBytesChanged_AndWarnsWhenOtherBytesChanged()
    {
        byte[] content = Bytes.Pattern(10_000);
        string path = _dir.File("r.bin", content);
        string backup = _dir.Name("r.json");
        Apply(new PatchOptions { BackupPath = backup }, new PatchRequest { Path = path, Offset = 10, Data = new byte[] { 1, 2, 3 } }, new PatchRequest { Path = path, Offset = 9000, Data = new byte[] { 4 } });

        // Someone else changes one patched byte: refuse, all or nothing (the other range stays patched too).
        Apply(null, new PatchRequest { Path = path, Offset = 9000, Data = new byte[] { 5 } });
        string hash = Sha(path);
        MmapException e = MapAssert.Fails(ErrorIds.RestoreMismatch, () => PatchRestore.Restore(PatchBackup.Read(backup)));
        Assert.Contains("changed since it was patched", e.Message, StringComparison.Ordinal);
        Assert.Equal(hash, Sha(path));

        // Put that byte back as the patch left it, change a byte elsewhere: restore works but is not identical.
        Apply(null, new PatchRequest { Path = path, Offset = 9000, Data = new byte[] { 4 } }, new PatchRequest { Path = path, Offset = 5000, Data = new byte[] { 0xEE } });
        RestoreResult r = PatchRestore.Restore(PatchBackup.Read(backup)).Single();
        Assert.True(r.ChangedElsewhere);
        Assert.False(r.Identical);
        byte[] now = File.ReadAllBytes(path);
        Assert.Equal(content.AsSpan(10, 3).ToArray(), now[10..13]);
        Assert.Equal(content[9000], now[9000]);
        Assert.Equal(0xEE, now[5000]);
        Assert.Equal(r.Sha256, Sha(path));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"format\":\"something-else\",\"version\":1}")]
    [InlineData("{\"format\":\"mmaptools-patch-backup\",\"version\":2,\"created\":\"2026-01-01T00:00:00Z\",\"files\":[]}")]
    [InlineData("{\"format\":\"mmaptools-patch-backup\",\"version\":1,\"created\":\"2026-01-01T00:00:00Z\",\"files\":[]}")]
    [InlineData("{\"format\":\"mmaptools-patch-backup\",\"version\":1,\"created\":\"2026-01-01T00:00:00Z\",\"files\":[{\"path\":\"/x\",\"size\":1,\"sha256Before\":\"\",\"sha256After\":\"\",\"ranges\":[{\"offset\":0,\"length\":2,\"old\":\"00\",\"new\":\"01 02\"}]}]}")]
    [InlineData("{\"format\":\"mmaptools-patch-backup\",\"version\":1,\"created\":\"2026-01-01T00:00:00Z\",\"files\":[{\"path\":\"/x\",\"size\":1,\"sha256Before\":\"\",\"sha256After\":\"\",\"ranges\":[{\"offset\":0,\"length\":1,\"old\":\"ZZ\",\"new\":\"01\"}]}]}")]
    public void AMalformedRecordIsBackupInvalid(string text)
    {
        string backup = _dir.File("bad.json", System.Text.Encoding.UTF8.GetBytes(text));
        MapAssert.Fails(ErrorIds.BackupInvalid, () => PatchBackup.Read(backup));
    }

    [Fact]
    public void AMissingOrUnreadableRecordIsReported()
    {
        MapAssert.Fails(ErrorIds.PathNotFound, () => PatchBackup.Read(_dir.Name("missing.json")));
        string backup = _dir.File("locked.json", new byte[] { (byte)'{', (byte)'}' }, "000");
        if (Environment.UserName != "root" && Libc_GetUid() != 0)
        {
            MapAssert.Fails(ErrorIds.BackupReadFailed, () => PatchBackup.Read(backup));
        }

        MapAssert.Fails(ErrorIds.BackupReadFailed, () => PatchBackup.Read(_dir.Path));
    }

    private static uint Libc_GetUid() => uint.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void BackupIsRefusedForMemoryThatNeverReachesAFile()
    {
        using MemoryMap anon = MemoryMap.CreateAnonymous(4096);
        string path = _dir.File("cow.bin", Bytes.Pattern(4096));
        using MemoryMap cow = MemoryMap.OpenFile(path, MapAccess.CopyOnWrite);
        foreach (MemoryMap map in new[] { anon, cow })
        {
            using var tx = new PatchTransaction(new PatchOptions { BackupPath = _dir.Name("x.json") });
            tx.Add(new PatchRequest { Map = map, Offset = 0, Data = new byte[] { 7 } });
            Assert.Equal(ErrorIds.BackupNotSupported, Assert.Single(tx.Prepare()).ErrorId);
        }

        // Without -Backup both are patched in memory; the file is untouched.
        Apply(null, new PatchRequest { Map = anon, Offset = 1, Data = new byte[] { 7 } }, new PatchRequest { Map = cow, Offset = 1, Data = new byte[] { 7 } });
        Assert.Equal(7, anon.Read(1, 1)[0]);
        Assert.Equal(7, cow.Read(1, 1)[0]);
        Assert.Equal(Bytes.Pattern(4096), File.ReadAllBytes(path));
    }

    [Fact]
    public void PatchThroughAnOpenMap_AtAFileOffset_IsBackedUpInFileOffsets()
    {
        byte[] content = Bytes.Pattern(4 * 4096);
        string path = _dir.File("m.bin", content);
        string backup = _dir.Name("m.json");
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite, 5000, 6000);
        var r = Apply(new PatchOptions { BackupPath = backup }, new PatchRequest { Map = map, Offset = 10, Data = new byte[] { 0xAB }, Expect = new[] { content[5010] } }).Single();
        Assert.Equal(map.Id, r.MapId);
        Assert.Equal(10, r.Offset);
        Assert.True(r.Synced);
        Assert.Equal(0xAB, File.ReadAllBytes(path)[5010]);
        Assert.Equal(5010, PatchBackup.Read(backup).Files[0].Ranges[0].Offset);
        Assert.True(PatchRestore.Restore(PatchBackup.Read(backup)).Single().Identical);
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.Equal(content[5010], map.Read(10, 1)[0]);

        using MemoryMap ro = MemoryMap.OpenFile(path);
        MapAssert.Fails(ErrorIds.MapReadOnly, () => Apply(null, new PatchRequest { Map = ro, Offset = 0, Data = new byte[] { 1 } }));
        MapAssert.Fails(ErrorIds.AccessOutOfRange, () => Apply(null, new PatchRequest { Map = map, Offset = 5999, Data = new byte[] { 1, 2 } }));
        MapAssert.Fails(ErrorIds.RangeBeyondEndOfFile, () => Apply(null, new PatchRequest { Path = path, Offset = content.Length - 1, Data = new byte[] { 1, 2 } }));
        MapAssert.Fails(ErrorIds.PathNotFound, () => Apply(null, new PatchRequest { Path = _dir.Name("nope.bin"), Offset = 0, Data = new byte[] { 1 } }));
        Assert.Equal(content, File.ReadAllBytes(path));
    }

    [Fact]
    public void AHitThatFaultsPartWay_PutsTheEarlierHitsBack()
    {
        byte[] content = Bytes.Pattern(3 * 4096);
        string path = _dir.File("fault.bin", content);
        using var tx = new PatchTransaction();
        tx.Add(new PatchRequest { Path = path, Offset = 10, Data = new byte[] { 1, 1, 1 } });
        tx.Add(new PatchRequest { Path = path, Offset = 9000, Data = new byte[] { 2, 2, 2 } });
        Assert.Empty(tx.Prepare());
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            fs.SetLength(4096);     // between the check and the write, the second hit's page goes away
        }

        MmapException e = MapAssert.Fails(ErrorIds.FileTruncated, () => tx.Commit());
        Assert.Contains("put back", e.Message, StringComparison.Ordinal);
        Assert.Equal(content.AsSpan(0, 4096).ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void PatchAFileAnotherProcessHasMapped_TheOtherProcessSeesTheChange()
    {
        byte[] content = Bytes.Pattern(8192);
        string path = _dir.File("held.bin", content);
        using Process child = Process.Start(Child.StartInfo(false, null, "hold-file", path, "ReadOnly"))!;
        try
        {
            Assert.StartsWith("READY", child.StandardOutput.ReadLine(), StringComparison.Ordinal);
            child.StandardInput.WriteLine("read 4096 4");
            Assert.Equal("OK " + Hex.Format(content.AsSpan(4096, 4)), child.StandardOutput.ReadLine());

            string backup = _dir.Name("held.json");
            Apply(new PatchOptions { BackupPath = backup }, new PatchRequest { Path = path, Offset = 4096, Data = new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }, Expect = content.AsSpan(4096, 4).ToArray() });
            child.StandardInput.WriteLine("read 4096 4");
            Assert.Equal("OK DE AD BE EF", child.StandardOutput.ReadLine());

            PatchRestore.Restore(PatchBackup.Read(backup));
            child.StandardInput.WriteLine("read 4096 4");
            Assert.Equal("OK " + Hex.Format(content.AsSpan(4096, 4)), child.StandardOutput.ReadLine());
        }
        finally
        {
            child.StandardInput.Close();
            Assert.True(child.WaitForExit(60_000));
        }
    }

    [Fact]
    public void AnotherProcessPatchesAFileWeHaveMapped_WeSeeIt_AndItsExpectIsChecked()
    {
        byte[] content = Bytes.Pattern(8192);
        string path = _dir.File("theirs.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path);
        Assert.Equal("ERR ExpectMismatch -", Child.Run("patch", path, "100", "CAFE", "0000"));
        Assert.Equal(content.AsSpan(100, 2).ToArray(), map.Read(100, 2));
        Assert.Equal("OK", Child.Run("patch", path, "100", "CAFE", Hex.Format(content.AsSpan(100, 2)).Replace(" ", string.Empty, StringComparison.Ordinal)));
        Assert.Equal(new byte[] { 0xCA, 0xFE }, map.Read(100, 2));
    }

    [Fact]
    public void ANobodyChildCannotPatchARootFile_AndNothingChanges()
    {
        if (Libc_GetUid() != 0)
        {
            return;
        }

        byte[] content = Bytes.Pattern(100);
        string path = _dir.File("rootonly.bin", content, "644");
        Assert.Equal("ERR PermissionDenied EACCES", Child.RunAsNobody("patch", path, "0", "00"));
        Assert.Equal(content, File.ReadAllBytes(path));
    }
}
