using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.Win32.SafeHandles;
using Xunit;
using Xunit.Abstractions;

namespace MmapTools.Tests;

/// <summary>
/// Direct reads (MemoryMap.Direct.cs): a read-only map of a file this process owns, on a local filesystem, is read
/// straight from memory under a read lease. These tests check that the fast path is really taken, that it gives the
/// same bytes, that it steps aside where it must (a writer, an mprotect), and that truncations racing with it, by
/// path from another thread or by another process, end as FileTruncated errors or right bytes, never as a crash.
/// </summary>
public sealed class DirectReadTests : IDisposable
{
    private const int Size = 8 << 20;
    private readonly TempDir _dir = new();
    private readonly ITestOutputHelper _output;

    public DirectReadTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ALargeRead_OfAReadOnlyMap_IsDirect_AndGivesTheFileBytes()
    {
        byte[] content = Bytes.Pattern(Size, seed: 11);
        string path = _dir.File("direct.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path);
        byte[] got = map.Read(12345, 5 << 20);
        Assert.True(got.AsSpan().SequenceEqual(content.AsSpan(12345, 5 << 20)));
        Assert.True(map.DirectWindows >= 2, $"direct windows {map.DirectWindows}, guarded {map.GuardedWindows}");
        Assert.Equal(0, map.GuardedWindows);
    }

    [Fact]
    public void AGatheredRead_OfManyOffsets_IsDirect_AndMatchesEachRange()
    {
        byte[] content = Bytes.Pattern(Size, seed: 12);
        string path = _dir.File("gather.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path);
        var random = new Random(5);
        long[] offsets = Enumerable.Range(0, 5000).Select(_ => random.NextInt64(0, Size - 16)).ToArray();
        byte[] got = new byte[offsets.Length * 16];
        map.ReadMany(offsets, 16, got);
        for (int i = 0; i < offsets.Length; i++)
        {
            Assert.True(got.AsSpan(i * 16, 16).SequenceEqual(content.AsSpan((int)offsets[i], 16)), $"range {i} at {offsets[i]}");
        }

        Assert.Equal(1, map.DirectWindows);
    }

    [Fact]
    public void ASearch_IsDirect_AndFindsEveryMatch_AcrossWindowEdges()
    {
        byte[] content = new byte[Size];
        byte[] needle = "NEEDLE"u8.ToArray();
        long[] planted = { 0, (4 << 20) - 3, (4 << 20) - 12, (4 << 20) + 3, Size - needle.Length, 777777 };
        foreach (long at in planted)
        {
            needle.CopyTo(content, at);
        }

        string path = _dir.File("search.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path);
        long[] found = ByteSearch.InMap(map, BytePattern.FromText("NEEDLE", "ascii")).Select(m => m.Offset).ToArray();
        Assert.Equal(planted.Order().ToArray(), found);
        Assert.True(map.DirectWindows >= 2);
        Assert.Equal(planted.Order().ToArray(), ByteSearch.InFile(path, BytePattern.FromText("NEEDLE", "ascii")).Select(m => m.Offset).ToArray());
    }

    [Fact]
    public void MoreMatchesThanOneStepHolds_AreAllReported_Once()
    {
        // 8 MiB of one byte value: every offset matches a one-byte pattern; steps hand matches out 4,096 at a time.
        string path = _dir.File("dense.bin", Enumerable.Repeat((byte)0xAB, 1 << 20).ToArray());
        using MemoryMap map = MemoryMap.OpenFile(path);
        var pattern = BytePattern.FromHex("AB AB");
        Assert.Equal((1 << 20) - 1, ByteSearch.InMap(map, pattern).LongCount());
        Assert.Equal((1 << 20) / 2, ByteSearch.InMap(map, pattern, new SearchOptions { NoOverlap = true }).LongCount());
        Assert.Equal(10000, ByteSearch.InMap(map, pattern, new SearchOptions { First = 10000 }).LongCount());
    }

    [Fact]
    public void AFileOpenForWriting_GetsNoLease_AndIsReadThroughTheGuardedCopy()
    {
        byte[] content = Bytes.Pattern(Size, seed: 13);
        string path = _dir.File("written.bin", content);
        using SafeFileHandle writer = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        using MemoryMap map = MemoryMap.OpenFile(path);
        Assert.True(map.Read(0, 1 << 20).AsSpan().SequenceEqual(content.AsSpan(0, 1 << 20)));
        Assert.Equal(0, map.DirectWindows);
    }

    [Fact]
    public void AReadWriteMap_IsNeverReadDirectly()
    {
        byte[] content = Bytes.Pattern(Size, seed: 14);
        string path = _dir.File("rw.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
        Assert.True(map.Read(0, 1 << 20).AsSpan().SequenceEqual(content.AsSpan(0, 1 << 20)));
        Assert.Equal(0, map.DirectWindows);
    }

    [Fact]
    public void AnAnonymousMap_IsReadDirectly_WithoutALease()
    {
        using MemoryMap map = MemoryMap.CreateAnonymous(Size);
        map.Write(5 << 20, "hello"u8);
        Assert.Equal("hello"u8.ToArray(), map.Read(5 << 20, 1 << 20)[..5]);
        Assert.True(map.DirectWindows >= 1);
    }

    [Fact]
    public void AFileTruncatedBeforeTheRead_IsFileTruncated_NotADirectRead()
    {
        string path = _dir.File("shrunk.bin", Bytes.Pattern(Size, seed: 15));
        using MemoryMap map = MemoryMap.OpenFile(path);
        using (SafeFileHandle h = File.OpenHandle(path, FileMode.Open, FileAccess.Write))
        {
            RandomAccess.SetLength(h, 1 << 20);
        }

        Assert.Equal((1 << 20) - 10, map.Read(0, (1 << 20) - 10).Length);
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.Read(0, 2 << 20));
        MapAssert.Fails(ErrorIds.FileTruncated, () => ByteSearch.InMap(map, BytePattern.FromText("absent!", "ascii")).ToList());
        var offsets = Enumerable.Range(0, 100).Select(i => (long)i * 60000).ToArray();
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.ReadMany(offsets, 16, new byte[1600]));
    }

    [Fact]
    public void AnOpenForWriting_WaitsForTheLease_AndGoesThroughOnceItIsReleased()
    {
        string path = _dir.File("lease.bin", Bytes.Pattern(Size, seed: 16));
        using MemoryMap map = MemoryMap.OpenFile(path);
        Assert.True(map.EnterDirect());
        long waited = -1;
        var opener = new Thread(() =>
        {
            var sw = Stopwatch.StartNew();
            using SafeFileHandle h = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
            RandomAccess.SetLength(h, 4096);
            Volatile.Write(ref waited, sw.ElapsedMilliseconds);
        });
        try
        {
            Assert.True(map.DirectReady(0, 1 << 20));
            opener.Start();

            // The open is held up by the lease; the break shows at the next window check (and the SIGURG it sends is harmless).
            Assert.True(SpinWait.SpinUntil(() => !map.DirectReady(0, 1 << 20), 5000), "no lease break was seen");
            Assert.Equal(-1, Volatile.Read(ref waited));
            Assert.False(map.DirectReady(0, 1 << 20));
        }
        finally
        {
            map.ExitDirect();
        }

        Assert.True(opener.Join(10000), "the open for writing did not go through after the lease was released");
        _output.WriteLine($"open for writing waited {waited} ms");
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.Read(0, 1 << 20));
    }

    [Fact]
    public void ProtectNone_WhileAnotherThreadScans_StopsDirectReads_WithoutAFault()
    {
        using MemoryMap map = MemoryMap.CreateAnonymous(64 << 20);
        var pattern = BytePattern.FromText("absent!", "ascii");
        int faults = 0;
        var scanner = new Thread(() =>
        {
            for (int i = 0; i < 20; i++)
            {
                try
                {
                    _ = ByteSearch.InMap(map, pattern).Count();
                }
                catch (MmapException e) when (e.ErrorId == ErrorIds.MapAccessFault)
                {
                    faults++;
                }
            }
        });
        scanner.Start();
        Thread.Sleep(20);
        map.Protect(PageProtection.None);
        Assert.True(scanner.Join(60000));
        Assert.True(faults > 0);
        MapAssert.Fails(ErrorIds.MapAccessFault, () => map.Read(0, 1 << 20));
    }

    [Fact]
    public void TruncationsByPathAndByAnotherProcess_WhileThreadsReadDirectly_AreErrorsOrRightBytes_Slice() =>
        RaceTruncations(rounds: 12, seed: 21).ReportAndAssert(_output);

    [Fact]
    [Trait("Category", "Stress")]
    public void TruncationsByPathAndByAnotherProcess_WhileThreadsReadDirectly_200Rounds() =>
        RaceTruncations(rounds: 200, seed: 22).ReportAndAssert(_output);

    /// <summary>
    /// Each round: a read-only map of an 8 MiB file; two threads read big ranges, gather thousands of ranges and
    /// search, all directly where the lease allows; meanwhile the file is truncated (by path from this process, or
    /// by `truncate` in another process) and written back. Every successful read must return the file's bytes,
    /// every failure must be FileTruncated, and the process must survive.
    /// </summary>
    private StressCounts RaceTruncations(int rounds, int seed)
    {
        var counts = new StressCounts($"truncate-while-reading-directly (seed {seed})");
        byte[] content = Bytes.Pattern(Size, seed: 17);
        string path = _dir.File("race-direct.bin", content);
        var random = new Random(seed);
        long direct = 0;
        for (int round = 0; round < rounds; round++)
        {
            File.WriteAllBytes(path, content);
            using MemoryMap map = MemoryMap.OpenFile(path);
            bool stop = false;
            Thread[] readers = Enumerable.Range(0, 2).Select(t => new Thread(() => Reader(map, content, random.Next() + t, () => Volatile.Read(ref stop), counts, round))).ToArray();
            foreach (Thread r in readers)
            {
                r.Start();
            }

            Thread.Sleep(random.Next(1, 15));
            long to = random.NextInt64(0, Size);
            if (round % 2 == 0)
            {
                using SafeFileHandle h = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
                RandomAccess.SetLength(h, to);
            }
            else
            {
                using var p = Process.Start(new ProcessStartInfo("truncate", new[] { "-s", to.ToString(System.Globalization.CultureInfo.InvariantCulture), path }) { RedirectStandardError = true })!;
                string err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0)
                {
                    // coreutils opens with O_NONBLOCK: a held lease makes it fail with EAGAIN, which is the barrier working.
                    Assert.Contains("Resource temporarily unavailable", err);
                }
            }

            Thread.Sleep(random.Next(1, 15));
            Volatile.Write(ref stop, true);
            foreach (Thread r in readers)
            {
                r.Join();
            }

            direct += map.DirectWindows;
            counts.Round();
        }

        _output.WriteLine($"direct windows over all rounds: {direct}");
        Assert.True(direct > 0, "no read was direct: the race did not test the direct path");
        return counts;
    }

    private static void Reader(MemoryMap map, byte[] content, int seed, Func<bool> stop, StressCounts counts, int round)
    {
        var random = new Random(seed);
        var pattern = BytePattern.FromText("absent!", "ascii");
        long[] offsets = new long[2000];
        byte[] gathered = new byte[offsets.Length * 16];
        while (!stop())
        {
            int kind = random.Next(3);
            try
            {
                switch (kind)
                {
                    case 0:
                        long offset = random.NextInt64(0, Size - (1 << 20));
                        byte[] got = map.Read(offset, 1 << 20);
                        if (!got.AsSpan().SequenceEqual(content.AsSpan((int)offset, 1 << 20)))
                        {
                            counts.Violation($"round {round}: a read at {offset} returned bytes that are not the file's");
                        }

                        break;
                    case 1:
                        for (int i = 0; i < offsets.Length; i++)
                        {
                            offsets[i] = random.NextInt64(0, Size - 16);
                        }

                        map.ReadMany(offsets, 16, gathered);
                        for (int i = 0; i < offsets.Length; i++)
                        {
                            if (!gathered.AsSpan(i * 16, 16).SequenceEqual(content.AsSpan((int)offsets[i], 16)))
                            {
                                counts.Violation($"round {round}: gathered range {offsets[i]} is not the file's bytes");
                                break;
                            }
                        }

                        break;
                    default:
                        if (ByteSearch.InMap(map, pattern).Any())
                        {
                            counts.Violation($"round {round}: a search found an absent pattern");
                        }

                        break;
                }

                counts.Ok();
            }
            catch (MmapException e)
            {
                counts.Error(e.ErrorId);
                if (e.ErrorId != ErrorIds.FileTruncated)
                {
                    counts.Violation($"round {round}: {e.ErrorId}: {e.Message}");
                }
            }
        }
    }
}
