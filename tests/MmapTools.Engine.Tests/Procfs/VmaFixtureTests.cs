using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace MmapTools.Tests;

/// <summary>
/// The maps/smaps parser on files: lines captured from this machine (Fixtures/*-cat.txt, from `cat /proc/self/...`)
/// and synthetic lines for the edge cases (Fixtures/maps-edge.txt, maps-torn.txt, maps-bad.txt).
/// </summary>
public sealed class VmaFixtureTests
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static List<ProcessVma> Read(string name, bool detailed = false)
    {
        using VmaReader r = ProcessMemory.ReadFile(Fixture(name), detailed, 42);
        return r.ToList();
    }

    private static string[] Lines(string name) =>
        File.ReadAllText(Fixture(name), Encoding.Latin1).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void RealMaps_ParseEveryLine_AndFormatBackByteForByte()
    {
        List<ProcessVma> vmas = Read("maps-cat.txt");
        string[] lines = Lines("maps-cat.txt");
        Assert.Equal(lines.Length, vmas.Count);
        Assert.Equal(38, vmas.Count);
        for (int i = 0; i < lines.Length; i++)
        {
            Assert.Equal(lines[i], VmaFormat.FormatMapsLine(vmas[i]));
            Assert.Equal(42, vmas[i].ProcessId);
        }
    }

    [Fact]
    public void RealMaps_KindsNamesAndFields()
    {
        List<ProcessVma> v = Read("maps-cat.txt");
        ProcessVma first = v[0];
        Assert.Equal(0x55d5e2f05000UL, first.Start);
        Assert.Equal(0x55d5e2f07000UL, first.End);
        Assert.Equal(0x2000UL, first.Size);
        Assert.Equal("r--p", first.Permissions);
        Assert.Equal(VmaPermission.Read, first.Permission);
        Assert.Equal("fe:00", first.Device);
        Assert.Equal(0xfeu, first.DeviceMajor);
        Assert.Equal(247270UL, first.Inode);
        Assert.Equal("/usr/bin/cat", first.Path);
        Assert.Equal("cat", first.Name);
        Assert.Equal(VmaKind.File, first.Kind);
        Assert.False(first.IsDeleted);

        ProcessVma text = v[1];
        Assert.Equal(VmaPermission.Read | VmaPermission.Execute, text.Permission);
        Assert.Equal(0x2000UL, text.Offset);

        Assert.Equal(VmaKind.Heap, v.Single(x => x.Path == "[heap]").Kind);
        Assert.Equal(VmaKind.Stack, v.Single(x => x.Path == "[stack]").Kind);
        Assert.Equal(VmaKind.Vdso, v.Single(x => x.Path == "[vdso]").Kind);
        Assert.Equal(2, v.Count(x => x.Kind == VmaKind.Vvar));
        Assert.True(v.Single(x => x.Path == "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache").IsShared);

        ProcessVma vsyscall = v[^1];
        Assert.Equal(VmaKind.Vsyscall, vsyscall.Kind);
        Assert.Equal(0xffffffffff600000UL, vsyscall.Start);
        Assert.Equal(0xffffffffff601000UL, vsyscall.End);
        Assert.Equal(VmaPermission.Execute, vsyscall.Permission);

        List<ProcessVma> anon = v.Where(x => x.Kind == VmaKind.Anonymous).ToList();
        Assert.Equal(4, anon.Count);
        Assert.All(anon, a => { Assert.Null(a.Path); Assert.Null(a.Name); Assert.Equal(0UL, a.Inode); });

        // Consecutive VMAs of one file share their strings (one string per name, not per line).
        List<ProcessVma> libc = v.Where(x => x.Name == "libc.so.6").ToList();
        Assert.Equal(5, libc.Count);
        Assert.All(libc, l => Assert.Same(libc[0].Path, l.Path));
    }

    [Fact]
    public void EdgeCases_SpacesNewlinesDeletedNonUtf8SharedMemoryNamedAnonymous()
    {
        Dictionary<ulong, ProcessVma> v = Read("maps-edge.txt").ToDictionary(x => x.Start);
        Assert.Equal(16, v.Count);

        Assert.Equal("/opt/my app/bin/server", v[0x400000].Path);
        Assert.Equal("server", v[0x400000].Name);

        Assert.Equal("/tmp/new\nline.bin", v[0x401000].Path);
        Assert.Equal("new\nline.bin", v[0x401000].Name);
        Assert.False(v[0x401000].IsDeleted);

        Assert.Equal("/var/log/old.log", v[0x402000].Path);
        Assert.True(v[0x402000].IsDeleted);
        Assert.Equal(VmaKind.File, v[0x402000].Kind);

        ProcessVma latin = v[0x403000];
        Assert.Equal("/data/caf\uFFFD-latin1.bin", latin.Path);
        Assert.Equal(Encoding.Latin1.GetBytes("/data/caf\u00e9-latin1.bin"), latin.RawPath);
        Assert.Null(v[0x400000].RawPath);

        Assert.Equal(VmaKind.SharedMemory, v[0x404000].Kind);
        Assert.Equal("SYSV0000162e", v[0x404000].Name);
        Assert.True(v[0x404000].IsDeleted);
        Assert.Equal(VmaKind.SharedMemory, v[0x405000].Kind);
        Assert.Equal("pulse-shm-1", v[0x405000].Name);
        Assert.Equal(VmaKind.SharedMemory, v[0x406000].Kind);
        Assert.Equal("wayland-cursor", v[0x406000].Name);
        Assert.Equal("/memfd:wayland-cursor", v[0x406000].Path);
        Assert.True(v[0x406000].IsDeleted);

        Assert.Equal(VmaKind.Anonymous, v[0x407000].Kind);
        Assert.True(v[0x407000].IsShared);

        Assert.Equal(VmaKind.NamedAnonymous, v[0x408000].Kind);
        Assert.Equal("dalvik heap", v[0x408000].Name);
        Assert.Equal("[anon:dalvik heap]", v[0x408000].Path);
        Assert.Equal(VmaKind.NamedAnonymous, v[0x409000].Kind);
        Assert.Equal("ring", v[0x409000].Name);

        Assert.Equal(VmaKind.ThreadStack, v[0x40a000].Kind);
        Assert.Equal(VmaKind.Other, v[0x40b000].Kind);
        Assert.Equal("anon_inode:[perf_event]", v[0x40b000].Name);
        Assert.Equal(VmaKind.Other, v[0x40c000].Kind);
        Assert.Equal("uprobes", v[0x40c000].Name);

        Assert.Equal(VmaKind.Anonymous, v[0x40d000].Kind);
        Assert.Equal(VmaPermission.None, v[0x40d000].Permission);

        ProcessVma big = v[0x40e000];
        Assert.Equal(ulong.MaxValue, big.Inode);
        Assert.Equal(0x103u, big.DeviceMajor);
        Assert.Equal("/mnt/big inode  two  spaces ", big.Path);

        Assert.Equal(VmaKind.Vsyscall, v[0xffffffffff600000].Kind);
    }

    [Fact]
    public void EdgeCases_FormatBackAsTheKernelPrints()
    {
        string[] lines = Lines("maps-edge.txt");
        List<ProcessVma> v = Read("maps-edge.txt");
        for (int i = 0; i < lines.Length; i++)
        {
            if (v[i].RawPath is null)
            {
                Assert.Equal(lines[i], VmaFormat.FormatMapsLine(v[i]));
            }
        }
    }

    [Fact]
    public void TornRead_NeverYieldsADuplicateOrABackwardsVma_AndClipsAnOverlap()
    {
        using VmaReader r = ProcessMemory.ReadFile(Fixture("maps-torn.txt"), false);
        List<ProcessVma> v = r.ToList();
        // Line 3 repeats line 2 and line 6 goes back: dropped. Line 4 began below the previous end but reaches past
        // it: clipped to start there, its offset moved with it, so 0x4000-0x5000 is not left as a hole.
        Assert.Equal(new ulong[] { 0x1000, 0x3000, 0x4000, 0x5000, 0x7000 }, v.Select(x => x.Start));
        Assert.Equal(new ulong[] { 0x3000, 0x4000, 0x5000, 0x6000, 0x8000 }, v.Select(x => x.End));
        Assert.Equal(0x2000UL, v[2].Offset);
        Assert.Equal(2, r.DroppedLines);
        Assert.Equal(1, r.ClippedLines);
        Assert.Equal(5, r.Count);
    }

    [Fact]
    public void MalformedLine_IsAParseErrorWithItsLineNumber()
    {
        using VmaReader r = ProcessMemory.ReadFile(Fixture("maps-bad.txt"), false);
        var seen = new List<ProcessVma>();
        MmapException e = MapAssert.Fails(ErrorIds.ProcfsLineInvalid, () =>
        {
            foreach (ProcessVma x in r)
            {
                seen.Add(x);
            }
        });
        Assert.Equal(MapErrorCategory.ParserError, e.Category);
        Assert.Equal(3, e.Offset);
        Assert.Contains("Line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("rwzp", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, seen.Count);
    }

    [Theory]
    [InlineData("00001000-00002000 rw-p 00000000 00:00")]
    [InlineData("00001000-00002000 rw-p 00000000 00:00 x")]
    [InlineData("00002000-00001000 rw-p 00000000 00:00 0 ")]
    [InlineData("00001000 00002000 rw-p 00000000 00:00 0 ")]
    [InlineData("00001000-00002000 rw-pp 00000000 00:00 0 ")]
    [InlineData("00001000-00002000 rw-p 00000000 0000 0 ")]
    [InlineData("10000000000000000-00002000 rw-p 00000000 00:00 0 ")]
    [InlineData("00001000-00002000 rw-p 00000000 00:00 18446744073709551616 ")]
    [InlineData("00001000-00002000 rw-p 00000000 00:00 0x")]
    public void MalformedHeaders_AreRejected(string line)
    {
        Assert.Null(VmaFormat.ParseMapsLine(Encoding.ASCII.GetBytes(line)));
    }

    [Fact]
    public void RealSmaps_EveryKeyTypedAndInTheDictionary()
    {
        List<ProcessVma> v = Read("smaps-cat.txt", detailed: true);
        Assert.Equal(38, v.Count);
        string[] lines = Lines("smaps-cat.txt");

        // An independent reading of the file: each block's "Key: N kB" lines.
        var blocks = new List<Dictionary<string, long>>();
        var flags = new List<string>();
        foreach (string l in lines)
        {
            if (VmaFormat.IsHeaderLine(Encoding.ASCII.GetBytes(l)))
            {
                blocks.Add(new Dictionary<string, long>());
            }
            else if (l.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                flags.Add(l.Substring(8).Trim());
            }
            else
            {
                string[] kv = l.Split(':', 2);
                string[] w = kv[1].Trim().Split(' ');
                blocks[^1][kv[0]] = long.Parse(w[0]) * (w.Length > 1 && w[1] == "kB" ? 1024 : 1);
            }
        }

        for (int i = 0; i < v.Count; i++)
        {
            ProcessVma x = v[i];
            Assert.True(x.IsDetailed);
            Assert.Equal(blocks[i], x.Smaps);
            Assert.Equal(23, x.Smaps.Count);
            Assert.Equal((long)x.Size, x.Smaps["Size"]);
            Assert.Equal(blocks[i]["Rss"], x.Rss);
            Assert.Equal(blocks[i]["Pss"], x.Pss);
            Assert.Equal(blocks[i]["Pss_Dirty"], x.PssDirty);
            Assert.Equal(blocks[i]["Private_Clean"] + blocks[i]["Private_Dirty"], x.Private);
            Assert.Equal(blocks[i]["Shared_Dirty"] + blocks[i]["Private_Dirty"], x.Dirty);
            Assert.Equal(blocks[i]["Swap"], x.Swap);
            Assert.Equal(blocks[i]["Locked"], x.Locked);
            Assert.Equal(4096, x.KernelPageSize);
            Assert.Equal(blocks[i]["THPeligible"] != 0, x.ThpEligible);
            Assert.Equal(flags[i], x.VmFlagsText);
            Assert.Equal(flags[i], VmaFormat.FormatVmFlags(x.VmFlags!.Value));
            Assert.True((x.VmFlags & VmFlags.Readable) != 0 == ((x.Permission & VmaPermission.Read) != 0));
            Assert.Equal(0, (long)(x.VmFlags & VmFlags.Unknown));
        }

        // The same VMAs as the maps capture of the same process kind, line for line in their fixed fields.
        Assert.Equal("/usr/bin/cat", v[0].Path);
        Assert.Equal(VmaKind.Vsyscall, v[^1].Kind);
    }

    [Fact]
    public void Smaps_UnknownKeysAndFlags_AreKept()
    {
        using var dir = new TempDir();
        string path = dir.File("smaps-new.txt", Encoding.ASCII.GetBytes(
            "00400000-00401000 r-xp 00000000 fe:00 5                                  /bin/x\n" +
            "Size:                  4 kB\nRss:                   4 kB\nFutureKey:            12 kB\nProtectionKey:         3\n" +
            "VmFlags: rd ex mr mw me zz \n" +
            "00401000-00402000 rw-p 00000000 00:00 0 \n" +
            "Size:                  4 kB\nRss:                   0 kB\nVmFlags: rd wr mr mw me ac \n"));
        using VmaReader r = ProcessMemory.ReadFile(path, true);
        List<ProcessVma> v = r.ToList();
        Assert.Equal(2, v.Count);
        Assert.Equal(12 * 1024, v[0].Smaps["FutureKey"]);
        Assert.Equal(3, v[0].Smaps["ProtectionKey"]);
        Assert.Equal(4096, v[0].Rss);
        Assert.True((v[0].VmFlags & VmFlags.Unknown) != 0);
        Assert.Equal("rd ex mr mw me zz", v[0].VmFlagsText);
        Assert.Equal(2, v[1].Smaps.Count);
        Assert.False(v[1].Smaps.ContainsKey("FutureKey"));
        Assert.Equal(0, v[1].Rss);
        Assert.Null(v[1].Pss);
        Assert.Equal(VmFlags.Readable | VmFlags.Writeable | VmFlags.MayRead | VmFlags.MayWrite | VmFlags.MayExecute | VmFlags.Accountable, v[1].VmFlags);
    }

    [Fact]
    public void Smaps_KeysThatChangeFromBlockToBlock_KeepTheirNamesAndValues()
    {
        // Block 1 sets the layout; block 2 matches it for two keys, then differs (a new key, then a known key out of
        // place); block 3 stops early; block 4 pads differently and adds spaces after a plain number; block 5 has a
        // value too wide for the kernel's column. Each block's keys must come out with their own values.
        using var dir = new TempDir();
        string path = dir.File("smaps-shifting.txt", Encoding.ASCII.GetBytes(
            "00400000-00401000 r-xp 00000000 fe:00 5 /bin/x\n" +
            "Size:                  4 kB\nRss:                   4 kB\nPss:                   2 kB\nProtectionKey:         3\nVmFlags: rd ex \n" +
            "00401000-00402000 rw-p 00000000 00:00 0 \n" +
            "Size:                  8 kB\nRss:                   8 kB\nNewKey:                5 kB\nPss:                   6 kB\nProtectionKey:         1\nVmFlags: rd wr \n" +
            "00402000-00403000 rw-p 00000000 00:00 0 \n" +
            "Size:                 12 kB\nRss:                  12 kB\nVmFlags: rd wr \n" +
            "00403000-00404000 rw-p 00000000 00:00 0 \n" +
            "Size: 16 kB\nRss:   16 kB\nPss:16 kB\nProtectionKey:         7   \nVmFlags: rd wr \n" +
            "00404000-00405000 rw-p 00000000 00:00 0 \n" +
            "Size:            1234567890123 kB\nRss:                   0 kB\nPss:                   0 kB\nProtectionKey:         0\nVmFlags: rd \n"));
        using VmaReader r = ProcessMemory.ReadFile(path, true);
        List<ProcessVma> v = r.ToList();
        Assert.Equal(5, v.Count);
        Assert.Equal(new[] { "Size", "Rss", "Pss", "ProtectionKey" }, v[0].Smaps.Keys.ToArray());
        Assert.Equal((2048L, 3L), (v[0].Pss!.Value, v[0].Smaps["ProtectionKey"]));
        Assert.Equal(new[] { "Size", "Rss", "NewKey", "Pss", "ProtectionKey" }, v[1].Smaps.Keys.ToArray());
        Assert.Equal((8192L, 8192L, 5120L, 6144L, 1L), (v[1].Smaps["Size"], v[1].Rss!.Value, v[1].Smaps["NewKey"], v[1].Pss!.Value, v[1].Smaps["ProtectionKey"]));
        Assert.Equal(new[] { "Size", "Rss" }, v[2].Smaps.Keys.ToArray());
        Assert.Equal((12288L, 12288L), (v[2].Smaps["Size"], v[2].Rss!.Value));
        Assert.Null(v[2].Pss);
        Assert.Equal((16384L, 16384L, 16384L, 7L), (v[3].Smaps["Size"], v[3].Rss!.Value, v[3].Pss!.Value, v[3].Smaps["ProtectionKey"]));
        Assert.Equal(1234567890123L * 1024, v[4].Smaps["Size"]);
        Assert.Equal(0L, v[4].Rss);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(61)]
    [InlineData(4093)]
    [InlineData(65536)]
    public void Smaps_ManyBlocks_EachKeepsItsOwnValues_WhateverTheLinesAndChunks(int chunk)
    {
        // 5,000 blocks in the kernel's fixed columns: far more than one storage array holds (the values of about
        // 1,300 VMAs), every value distinct, some of exactly 8 digits (the column's width, no space before them),
        // some wider than the column or too large for 32 bits, some lines padded otherwise, a block with an extra
        // key, read whole or in chunks that cut lines anywhere. Every VMA, read after all are parsed, must give
        // back exactly its own block.
        var text = new StringBuilder();
        var expected = new List<Dictionary<string, long>>();
        string[] keys = { "Size", "KernelPageSize", "MMUPageSize", "Rss", "Pss", "Pss_Dirty", "Shared_Clean", "Shared_Dirty",
            "Private_Clean", "Private_Dirty", "Referenced", "Anonymous", "KSM", "LazyFree", "AnonHugePages", "ShmemPmdMapped",
            "FilePmdMapped", "Shared_Hugetlb", "Private_Hugetlb", "Swap", "SwapPss", "Locked" };
        for (int b = 0; b < 5000; b++)
        {
            ulong start = 0x10000000UL + (ulong)b * 0x2000;
            text.Append(CultureInfo.InvariantCulture, $"{start:x8}-{start + 0x1000:x8} rw-p 00000000 00:00 0 \n");
            var d = new Dictionary<string, long>();
            foreach (string key in b % 997 == 5 ? keys.Append("Extra").ToArray() : keys)
            {
                long kb = (b % 1499, key) switch
                {
                    (7, "Swap") => 3_000_000_000_000L,
                    (8, "Rss") => 99_999_999L,
                    (9, "Pss") => 123_456_789L,
                    _ => (b * 31L + key.Length * 7L + key[0]) % 100_000,
                };
                text.Append(b % 613 == 11 && key == "Pss" ? FormattableString.Invariant($"{key}: {kb} kB\n") : FormattableString.Invariant($"{key + ":",-16}{kb,8} kB\n"));
                d[key] = kb * 1024;
            }

            text.Append(CultureInfo.InvariantCulture, $"THPeligible:    {b & 1}\nVmFlags: rd wr mr mw me ac \n");
            d["THPeligible"] = b & 1;
            expected.Add(d);
        }

        using var dir = new TempDir();
        string path = dir.File("smaps-many.txt", Encoding.ASCII.GetBytes(text.ToString()));
        using VmaReader r = chunk == 0 ? ProcessMemory.ReadFile(path, true) : ProcessMemory.ReadFile(path, true, 1, chunk);
        List<ProcessVma> v = r.ToList();
        Assert.Equal(expected.Count, v.Count);
        for (int i = 0; i < v.Count; i++)
        {
            Assert.Equal(expected[i], v[i].Smaps);
            Assert.Equal(expected[i]["Rss"], v[i].Rss);
            Assert.Equal(expected[i]["Swap"], v[i].Swap);
            Assert.Equal((i & 1) == 1, v[i].ThpEligible);
            Assert.Equal("rd wr mr mw me ac", v[i].VmFlagsText);
        }
    }

    [Fact]
    public void RealRollup_Parses()
    {
        byte[] content = File.ReadAllBytes(Fixture("smaps_rollup-cat.txt"));
        ProcessMemoryInfo info = ProcessMemory.ParseRollup(content, "smaps_rollup", 7, "cat");
        var expected = new Dictionary<string, long>();
        foreach (string l in Lines("smaps_rollup-cat.txt").Skip(1))
        {
            string[] kv = l.Split(':', 2);
            expected[kv[0]] = long.Parse(kv[1].Trim().Split(' ')[0]) * 1024;
        }

        Assert.Equal(expected, info.Values);
        Assert.Equal(expected["Rss"], info.Rss);
        Assert.Equal(expected["Pss"], info.Pss);
        Assert.Equal(expected["Pss_Anon"], info.PssAnon);
        Assert.Equal(expected["Private_Clean"] + expected["Private_Dirty"], info.Uss);
        Assert.Equal(expected["Swap"], info.Swap);
        Assert.Equal("smaps_rollup", info.Source);
        Assert.Null(info.VmaCount);
    }

    [Fact]
    public void Group_SumsPerPathAndPerKindForUnnamedMemory()
    {
        List<ProcessVma> v = Read("maps-cat.txt");
        List<ProcessVmaGroup> g = ProcessMemory.Group(v).ToList();
        Assert.Equal((ulong)v.Sum(x => (decimal)x.Size), (ulong)g.Sum(x => (decimal)x.Size));
        Assert.Equal(v.Count, g.Sum(x => x.Count));
        ProcessVmaGroup libc = g.Single(x => x.Name == "libc.so.6");
        Assert.Equal(5, libc.Count);
        Assert.Equal(VmaPermission.Read | VmaPermission.Write | VmaPermission.Execute, libc.Permission);
        Assert.Equal(0x7fdb0804b000UL, libc.Start);
        ProcessVmaGroup anon = g.Single(x => x.Path is null);
        Assert.Equal(VmaKind.Anonymous, anon.Kind);
        Assert.Equal(4, anon.Count);
        Assert.Equal(g.Count, g.Select(x => x.Path).Distinct().Count());
    }
}
