using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Xunit;

namespace MmapTools.Tests;

/// <summary>ByteSearch and BytePattern against real files and maps.</summary>
public sealed class FindTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static long[] Offsets(IEnumerable<MappedBytesMatch> matches) => matches.Select(m => m.Offset).ToArray();

    /// <summary>Every start offset where <paramref name="pattern"/> matches, by brute force.</summary>
    private static long[] Reference(byte[] data, BytePattern pattern, long lo, long hi, bool noOverlap)
    {
        var result = new List<long>();
        long next = lo;
        for (long s = lo; s + pattern.Length <= hi; s++)
        {
            if (s >= next && pattern.IsMatch(data.AsSpan((int)s, pattern.Length)))
            {
                result.Add(s);
                next = noOverlap ? s + pattern.Length : s + 1;
            }
        }

        return result.ToArray();
    }

    [Fact]
    public void FindsAMatchAtOffsetZeroAndOneEndingAtTheLastByte_InAFileAndInAMap()
    {
        byte[] data = new byte[10_000];
        data[0] = 0xDE; data[1] = 0xAD; data[2] = 0xBE;
        data[^3] = 0xDE; data[^2] = 0xAD; data[^1] = 0xBE;
        string path = _dir.File("edges.bin", data);
        BytePattern p = BytePattern.FromHex("DE AD BE");
        Assert.Equal(new long[] { 0, 9_997 }, Offsets(ByteSearch.InFile(path, p)));
        using MemoryMap map = MemoryMap.OpenFile(path);
        Assert.Equal(new long[] { 0, 9_997 }, Offsets(ByteSearch.InMap(map, p)));

        // The last byte alone, and a pattern one byte longer than what is left, which cannot match.
        Assert.Equal(new long[] { 2, 9_999 }, Offsets(ByteSearch.InFile(path, BytePattern.FromHex("BE"))));
        Assert.Empty(ByteSearch.InFile(path, BytePattern.FromHex("DE AD BE 00"), new SearchOptions { Offset = 9_997 }));
    }

    [Fact]
    public void FindsAPatternPlacedAtEveryOffset_ExactlyOnce_ForEveryWindowAndChunkSize()
    {
        byte[] pattern = { 0xAB, 0xCD, 0xEF, 0x12 };
        var p = BytePattern.FromBytes(pattern);
        var wild = BytePattern.FromHex("AB ?? EF 12");
        const int Size = 48;
        string path = _dir.Name("every.bin");
        int checks = 0;
        for (int at = 0; at <= Size - pattern.Length; at++)
        {
            byte[] data = new byte[Size];
            pattern.CopyTo(data, at);
            File.WriteAllBytes(path, data);
            foreach (long window in new long[] { 1, 2, 3, 4, 5, 7, 16, Size })
            {
                foreach (int chunk in new[] { 1, 2, 3, 5, 64 })
                {
                    var options = new SearchOptions { WindowSize = window, ChunkSize = chunk };
                    Assert.Equal(new long[] { at }, Offsets(ByteSearch.InFile(path, p, options)));
                    Assert.Equal(new long[] { at }, Offsets(ByteSearch.InFile(path, wild, options)));
                    checks++;
                }
            }

            using MemoryMap map = MemoryMap.OpenFile(path);
            foreach (int chunk in new[] { 1, 2, 3, 4, 5, 64 })
            {
                Assert.Equal(new long[] { at }, Offsets(ByteSearch.InMap(map, p, new SearchOptions { ChunkSize = chunk })));
            }
        }

        Assert.Equal(45 * 8 * 5, checks);
    }

    [Fact]
    public void MatchesTheBruteForceReference_OnDenseData_AcrossWindowsChunksRangesAndWildcards()
    {
        var random = new Random(12345);
        byte[] data = new byte[3000];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)random.Next(3);     // three symbols: many matches, many overlapping
        }

        string path = _dir.File("dense.bin", data);
        using MemoryMap map = MemoryMap.OpenFile(path);
        long total = 0;
        for (int round = 0; round < 300; round++)
        {
            int length = random.Next(1, 7);
            var hex = new StringBuilder();
            bool literal = false;
            for (int i = 0; i < length; i++)
            {
                bool wildcard = random.Next(4) == 0 && (literal || i < length - 1);
                hex.Append(wildcard ? "?? " : $"{random.Next(3):X2} ");
                literal |= !wildcard;
            }

            BytePattern p = BytePattern.FromHex(hex.ToString());
            long lo = random.Next(4) == 0 ? random.Next(data.Length) : 0;
            long? len = random.Next(3) == 0 ? random.Next(data.Length - (int)lo + 1) : null;
            bool noOverlap = random.Next(2) == 0;
            var options = new SearchOptions
            {
                Offset = lo,
                Length = len,
                NoOverlap = noOverlap,
                WindowSize = random.Next(3) == 0 ? random.Next(1, 40) : random.Next(1, 4000),
                ChunkSize = random.Next(2) == 0 ? random.Next(1, 20) : random.Next(1, 5000),
            };
            long[] expected = Reference(data, p, lo, lo + (len ?? data.Length - lo), noOverlap);
            total += expected.Length;
            Assert.Equal(expected, Offsets(ByteSearch.InFile(path, p, options)));
            Assert.Equal(expected, Offsets(ByteSearch.InMap(map, p, options)));
        }

        Assert.True(total > 10_000, $"only {total} matches: the test data is not dense enough to test edges");
    }

    [Fact]
    public void TheVectorisedAnchorSearch_AgreesWithSpanIndexOf_AtEveryLengthAndPosition()
    {
        var random = new Random(99);
        for (int round = 0; round < 4000; round++)
        {
            int length = random.Next(0, 700);
            byte[] window = new byte[length];
            int symbols = random.Next(1, 4);
            for (int i = 0; i < length; i++)
            {
                window[i] = (byte)random.Next(symbols);
            }

            byte[] anchor = new byte[random.Next(2, 12)];
            for (int i = 0; i < anchor.Length; i++)
            {
                anchor[i] = (byte)random.Next(symbols);
            }

            if (round % 3 == 0 && length > anchor.Length)
            {
                anchor.CopyTo(window, random.Next(length - anchor.Length + 1));
            }

            Assert.Equal(window.AsSpan().IndexOf(anchor), BytePattern.FindAnchor(window, anchor));
        }
    }

    [Fact]
    [Trait("Category", "Stress")]
    public void AMatchStraddlingTheDefaultOneGibWindowEdge_IsFoundOnce_InASparseFile()
    {
        // A sparse file of 1 GiB + 8 KiB searched from 4096: the first 1 GiB window holds the starts up to
        // edge - 1, with edge = 4096 + 1 GiB. One needle starts 4 bytes before the edge (its bytes cross it),
        // one starts just after it (second window only), one ends at the last byte.
        string path = _dir.Name("sparse.bin");
        long edge = 4096 + SearchOptions.DefaultWindowSize;
        byte[] needle = System.Text.Encoding.ASCII.GetBytes("MMAPTOOLS");
        long[] at = { edge - 4, edge + 10, edge + 4096 - 9 };
        using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            fs.SetLength(edge + 4096);
            foreach (long a in at)
            {
                fs.Position = a;
                fs.Write(needle);
            }
        }

        var found = ByteSearch.InFile(path, BytePattern.FromBytes(needle), new SearchOptions { Offset = 4096 }).ToList();
        Assert.Equal(at, Offsets(found));
        Assert.All(found, m => Assert.Equal(needle, m.Bytes));
    }

    [Fact]
    public void ReportsOverlappingMatchesByDefault_AndNotWithNoOverlap()
    {
        string path = _dir.File("aa.bin", new byte[] { 0xAA, 0xAA, 0xAA, 0xAA, 0x00, 0xAA, 0xAA, 0xAA });
        BytePattern p = BytePattern.FromHex("AA AA");
        Assert.Equal(new long[] { 0, 1, 2, 5, 6 }, Offsets(ByteSearch.InFile(path, p)));
        Assert.Equal(new long[] { 0, 2, 5 }, Offsets(ByteSearch.InFile(path, p, new SearchOptions { NoOverlap = true })));
        Assert.Equal(new long[] { 0, 2, 5 }, Offsets(ByteSearch.InFile(path, p, new SearchOptions { NoOverlap = true, WindowSize = 1, ChunkSize = 1 })));
    }

    [Fact]
    public void WildcardsMatchAnyByte_AndTheMatchCarriesTheBytesFound()
    {
        string path = _dir.File("w.bin", new byte[] { 1, 0xDE, 0xAD, 0x00, 0xEF, 0xDE, 0x11, 0x22, 0xEF, 0xDE, 0xAD, 0xBE, 0xEE });
        var matches = ByteSearch.InFile(path, BytePattern.FromHex("DE ?? ?? EF")).ToList();
        Assert.Equal(new long[] { 1, 5 }, Offsets(matches));
        Assert.Equal(new byte[] { 0xDE, 0xAD, 0x00, 0xEF }, matches[0].Bytes);
        Assert.Equal("DE 11 22 EF", matches[1].Hex);
        Assert.Equal("DE ?? ?? EF", matches[1].Pattern);
        Assert.Equal(4, matches[1].Length);
        Assert.Equal(path, matches[1].Path);
        Assert.Null(matches[1].MapId);
        Assert.Equal(new long[] { 0 }, Offsets(ByteSearch.InFile(path, BytePattern.FromHex("??DE")).Take(1)));
    }

    [Theory]
    [InlineData("utf8")]
    [InlineData("utf-16le")]
    [InlineData("unicode")]
    [InlineData("utf-16be")]
    [InlineData("latin1")]
    public void FindsTextInTheEncodingAsked(string encoding)
    {
        Encoding e = TextEncoding.Resolve(encoding);
        byte[] prefix = e.GetBytes("xx héllo wörld ");
        byte[] content = prefix.Concat(e.GetBytes("héllo")).ToArray();
        string path = _dir.File("text-" + encoding + ".bin", content);
        long[] found = Offsets(ByteSearch.InFile(path, BytePattern.FromText("héllo", encoding)));
        Assert.Equal(new long[] { e.GetByteCount("xx "), prefix.Length }, found);
        if (encoding != "utf8")
        {
            // The UTF-8 bytes of the text are not in a UTF-16 or Latin-1 file.
            Assert.Empty(ByteSearch.InFile(path, BytePattern.FromText("héllo", "utf8")));
        }
    }

    [Fact]
    public void FirstContextAndRange_BehaveAsDocumented()
    {
        byte[] data = Enumerable.Range(0, 100).Select(i => (byte)(i % 10 == 0 ? 0x7F : i)).ToArray();
        string path = _dir.File("ctx.bin", data);
        BytePattern p = BytePattern.FromHex("7F");
        Assert.Equal(new long[] { 0, 10, 20 }, Offsets(ByteSearch.InFile(path, p, new SearchOptions { First = 3, WindowSize = 7 })));
        Assert.Equal(new long[] { 30, 40 }, Offsets(ByteSearch.InFile(path, p, new SearchOptions { Offset = 21, Length = 20 })));
        Assert.Equal(new long[] { 30 }, Offsets(ByteSearch.InFile(path, p, new SearchOptions { Offset = 21, Length = 19 })));
        Assert.Empty(ByteSearch.InFile(path, p, new SearchOptions { Offset = 5000 }));
        Assert.Empty(ByteSearch.InFile(path, p, new SearchOptions { Length = 0 }));

        var m = ByteSearch.InFile(path, p, new SearchOptions { Context = 3, WindowSize = 4, ChunkSize = 2 }).ToList();
        Assert.Empty(m[0].Before);                                    // clamped at the start of the file
        Assert.Equal(new byte[] { 1, 2, 3 }, m[0].After);
        Assert.Equal(new byte[] { 47, 48, 49 }, m[5].Before);
        Assert.Equal(new byte[] { 51, 52, 53 }, m[5].After);
        Assert.Equal(new byte[] { 91, 92, 93 }, m[9].After);
        var last = ByteSearch.InFile(path, BytePattern.FromHex("63"), new SearchOptions { Context = 3 }).Single();
        Assert.Equal(new byte[] { 96, 97, 98 }, last.Before);
        Assert.Empty(last.After);                                     // clamped at the end of the file
    }

    [Fact]
    public void InAMapAtAFileOffset_OffsetIsTheFileOffset_AndMapOffsetTheMapOne()
    {
        byte[] data = new byte[3 * 4096];
        data[5000] = 0x42;
        data[9000] = 0x42;
        string path = _dir.File("mapoff.bin", data);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadOnly, 4000, 6000);
        var found = ByteSearch.InMap(map, BytePattern.FromHex("42"), new SearchOptions { Context = 2 }).ToList();
        Assert.Equal(new long[] { 5000, 9000 }, Offsets(found));
        Assert.Equal(new long?[] { 1000, 5000 }, found.Select(f => f.MapOffset).ToArray());
        Assert.All(found, f => Assert.Equal(map.Id, f.MapId));
        Assert.Equal(path, found[0].Path);

        using MemoryMap anon = MemoryMap.CreateAnonymous(8192);
        anon.Write(8190, new byte[] { 0x42, 0x43 });
        var a = ByteSearch.InMap(anon, BytePattern.FromHex("42 43")).Single();
        Assert.Null(a.Path);
        Assert.Equal(8190, a.Offset);

        MapAssert.Fails(ErrorIds.AccessOutOfRange, () => ByteSearch.InMap(map, BytePattern.FromHex("42"), new SearchOptions { Offset = 5000, Length = 1001 }));
        MapAssert.Fails(ErrorIds.OffsetInvalid, () => ByteSearch.InMap(map, BytePattern.FromHex("42"), new SearchOptions { Offset = -1 }));
    }

    [Fact]
    public void AnEmptyFileHasNoMatches_AndBadTargetsAreTheUsualErrors()
    {
        string empty = _dir.File("empty.bin", Array.Empty<byte>());
        Assert.Empty(ByteSearch.InFile(empty, BytePattern.FromHex("00")));
        MapAssert.Fails(ErrorIds.PathNotFound, () => ByteSearch.InFile(_dir.Name("missing.bin"), BytePattern.FromHex("00")));
        MapAssert.Fails(ErrorIds.PathIsDirectory, () => ByteSearch.InFile(_dir.Path, BytePattern.FromHex("00")));
        MapAssert.Fails(ErrorIds.FileNotMappable, () => ByteSearch.InFile("/proc/self/status", BytePattern.FromHex("00")));
    }

    [Theory]
    [InlineData("", ErrorIds.PatternEmpty)]
    [InlineData("   ", ErrorIds.PatternEmpty)]
    [InlineData("?? ??", ErrorIds.PatternEmpty)]
    [InlineData("DE A", ErrorIds.PatternInvalid)]
    [InlineData("D? AD", ErrorIds.PatternInvalid)]
    [InlineData("DE XY", ErrorIds.PatternInvalid)]
    [InlineData("0x", ErrorIds.PatternInvalid)]
    [InlineData("DE ? AD", ErrorIds.PatternInvalid)]
    public void BadPatternsAreRefused(string hex, string id) => MapAssert.Fails(id, () => BytePattern.FromHex(hex));

    [Fact]
    public void PatternsParseInTheUsualHexSpellings()
    {
        Assert.Equal("DE AD ?? EF", BytePattern.FromHex("DEAD??EF").ToString());
        Assert.Equal("DE AD ?? EF", BytePattern.FromHex("0xde,0xad,??,0xef").ToString());
        Assert.Equal("DE AD ?? EF", BytePattern.FromHex("de-ad:??  ef").ToString());
        Assert.Equal(1, BytePattern.FromHex("DE AD ?? EF").WildcardCount);
        MapAssert.Fails(ErrorIds.PatternEmpty, () => BytePattern.FromBytes(ReadOnlySpan<byte>.Empty));
        MapAssert.Fails(ErrorIds.PatternEmpty, () => BytePattern.FromText(string.Empty));
        MapAssert.Fails(ErrorIds.EncodingInvalid, () => BytePattern.FromText("x", "no-such-encoding"));
    }

    [Theory]
    [InlineData(0L, null, 0, 1L, 1)]
    [InlineData(null, -1L, 0, 1L, 1)]
    [InlineData(null, null, -1, 1L, 1)]
    [InlineData(null, null, 0, 0L, 1)]
    [InlineData(null, null, 0, 1L, 0)]
    public void BadOptionsAreRefused(long? first, long? length, int context, long window, int chunk)
    {
        string path = _dir.File("o.bin", new byte[] { 1, 2, 3 });
        var options = new SearchOptions { First = first, Length = length, Context = context, WindowSize = window, ChunkSize = chunk };
        MmapException e = Assert.Throws<MmapException>(() => ByteSearch.InFile(path, BytePattern.FromHex("01"), options));
        Assert.Contains(e.ErrorId, new[] { ErrorIds.SearchOptionInvalid, ErrorIds.CountInvalid });
    }

    [Fact]
    public void AFileTruncatedUnderTheSearch_IsFileTruncated_NotSigbus()
    {
        string path = _dir.File("shrink.bin", new byte[1 << 20]);
        var options = new SearchOptions { ChunkSize = 64 * 1024 };
        bool truncated = false;
        MmapException e = Assert.Throws<MmapException>(() => ByteSearch.InFile(path, BytePattern.FromHex("01 02 03"), options, progress =>
        {
            if (!truncated)
            {
                truncated = true;
                using var fs = new FileStream(path, FileMode.Open, FileAccess.Write);
                fs.SetLength(100_000);
            }
        }).ToList());
        Assert.Equal(ErrorIds.FileTruncated, e.ErrorId);
        Assert.True(truncated);
    }

    [Fact]
    public void CancellationStopsTheSearchBeforeTheNextChunk()
    {
        string path = _dir.File("cancel.bin", new byte[1 << 20]);
        using var cts = new CancellationTokenSource();
        var seen = new List<long>();
        Assert.ThrowsAny<OperationCanceledException>(() => ByteSearch.InFile(path, BytePattern.FromHex("01 02"), new SearchOptions { ChunkSize = 4096 }, p =>
        {
            seen.Add(p.Done);
            cts.Cancel();
        }, cts.Token).ToList());
        Assert.Equal(new long[] { 4096 }, seen.ToArray());

        using var before = new CancellationTokenSource();
        before.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ByteSearch.InFile(path, BytePattern.FromHex("01"), null, null, before.Token).ToList());
    }

    [Fact]
    public void ProgressCountsEveryStartOffsetOnce_AndEndsAtTheTotal()
    {
        string path = _dir.File("progress.bin", new byte[100_000]);
        var reports = new List<SearchProgress>();
        _ = ByteSearch.InFile(path, BytePattern.FromHex("01 02 03"), new SearchOptions { WindowSize = 30_000, ChunkSize = 7_000 }, reports.Add).ToList();
        Assert.Equal(99_998, reports[^1].Total);
        Assert.Equal(99_998, reports[^1].Done);
        Assert.True(reports.Count > 10);
        Assert.Equal(reports.Select(r => r.Done).OrderBy(d => d), reports.Select(r => r.Done));
    }

    [Fact]
    public void ASecondProcessFindsTheSameOffsets()
    {
        byte[] data = Bytes.Pattern(50_000);
        string path = _dir.File("child.bin", data);
        BytePattern p = BytePattern.FromBytes(data.AsSpan(777, 5));
        string expected = "OK " + string.Join(' ', Offsets(ByteSearch.InFile(path, p)));
        Assert.Contains(" 777 ", expected + " ", StringComparison.Ordinal);
        Assert.Equal(expected, Child.Run("find", path, p.ToString().Replace(" ", string.Empty, StringComparison.Ordinal), "1000"));
    }
}
