using System;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.Win32.SafeHandles;
using Xunit;
using Xunit.Abstractions;

namespace MmapTools.Tests;

/// <summary>
/// A file truncated to random sizes while another thread reads and writes through its map.
/// The worker is the only writer, so it keeps an exact model of the file. Claims checked on every operation:
/// <list type="bullet">
/// <item>a read that succeeds returns exactly the model's bytes;</item>
/// <item>while the size is settled (no truncation ran during the operation), a read, gathered read or write
///   succeeds if and only if it ends at or before the end of the file — bytes past the end are FileTruncated
///   even inside the last page, whatever earlier writes left there;</item>
/// <item>any failure is FileTruncated (nothing else, no crash);</item>
/// <item>after the round the file, read with plain I/O, is the model cut at its final size: a write that
///   failed wrote nothing, a write that succeeded is there (no byte lost).</item>
/// </list>
/// </summary>
public sealed class TruncationRaceTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ITestOutputHelper _output;

    public TruncationRaceTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TruncateWhileAThreadReadsAndWrites_Slice() => Run(rounds: 150, seed: 6001).ReportAndAssert(_output);

    [Fact]
    [Trait("Category", "Stress")]
    public void TruncateWhileAThreadReadsAndWrites_1000Rounds() => Run(rounds: 1000, seed: 6002).ReportAndAssert(_output);

    [Fact]
    public void ACopyOnWriteCopyOfTheLastPage_DoesNotShowBytesPastTheNewEnd()
    {
        // Truncation zeroes the page cache's tail of the last page, but a private (copy-on-write) copy of that
        // page keeps its old bytes: a read past the new end must still be FileTruncated.
        int page = MemoryMap.PageSize;
        byte[] content = Bytes.Pattern(2 * page, seed: 5);
        string path = _dir.File("cow-tail.bin", content);
        using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.CopyOnWrite);
        map.Write(0, new byte[] { 0x42 });
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            fs.SetLength(page / 2);
        }

        Assert.NotEqual(0, content[(page / 2) + 9]);
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.Read((page / 2) - 10, 20));
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.Read<byte>((page / 2) + 9));
        MapAssert.Fails(ErrorIds.FileTruncated, () => map.ReadMany(new long[] { 0, (page / 2) + 9 }, 1, new byte[2]));
        Assert.Equal(0x42, map.Read<byte>(0));
    }

    private sealed class Shared
    {
        // Even: the size is settled at Size. Odd: a truncation is in progress.
        public int Generation;
        public long Size;
        public long WorkerOps;
        public volatile bool Stop;
        public int Round;
    }

    internal StressCounts Run(int rounds, int seed)
    {
        int page = MemoryMap.PageSize;
        int fileLength = 16 * page;
        byte[] original = Bytes.Pattern(fileLength, seed: 3);
        string path = _dir.Name("race.bin");
        var counts = new StressCounts($"truncate-while-reading-and-writing (seed {seed})");
        var random = new Random(seed);
        using SafeFileHandle truncator = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite);
        for (int round = 0; round < rounds; round++)
        {
            RandomAccess.SetLength(truncator, 0);
            RandomAccess.Write(truncator, original, 0);
            byte[] model = (byte[])original.Clone();
            var shared = new Shared { Size = fileLength, Round = round };
            bool readOnly = round % 5 == 4;
            int workerSeed = random.Next();
            MemoryMap map = MemoryMap.OpenFile(path, readOnly ? MapAccess.ReadOnly : MapAccess.ReadWrite);
            var worker = new Thread(() => Worker(map, model, shared, readOnly, workerSeed, counts)) { IsBackground = true };
            worker.Start();

            // One to three truncations, each to a random smaller size, at random points of the worker's run.
            int truncations = random.Next(1, 4);
            long size = fileLength;
            for (int t = 0; t < truncations && size > 0; t++)
            {
                WaitForOps(shared, random.Next(0, 60));
                long next = random.Next(4) switch
                {
                    0 => random.NextInt64(0, size),                                   // anywhere
                    1 => Math.Max(0, (random.NextInt64(0, size) / page * page) - 1),  // just below a page boundary
                    2 => random.NextInt64(0, size) / page * page,                     // on a page boundary
                    _ => Math.Max(0, size - random.Next(1, 100)),                     // a few bytes off the end
                };
                Interlocked.Increment(ref shared.Generation);
                RandomAccess.SetLength(truncator, next);
                Volatile.Write(ref shared.Size, next);
                Interlocked.Increment(ref shared.Generation);
                size = next;
            }

            // Let the worker run against the settled size, aiming at the new end.
            WaitForOps(shared, 150);
            shared.Stop = true;
            worker.Join();
            map.Dispose();

            byte[] file = File.ReadAllBytes(path);
            if (file.Length != size)
            {
                counts.Violation($"round {round}: the file is {file.Length} bytes, truncated to {size}");
            }

            long lost = 0;
            for (int i = 0; i < Math.Min(file.Length, size); i++)
            {
                if (file[i] != model[i])
                {
                    lost++;
                }
            }

            if (lost > 0)
            {
                counts.Lost(lost);
                counts.Violation($"round {round}: {lost} bytes of the file differ from what was written (size {size})");
            }

            counts.Round();
        }

        return counts;
    }

    private static void WaitForOps(Shared shared, int more)
    {
        long target = Interlocked.Read(ref shared.WorkerOps) + more;
        var spin = new SpinWait();
        while (Interlocked.Read(ref shared.WorkerOps) < target)
        {
            spin.SpinOnce();
        }
    }

    private static void Worker(MemoryMap map, byte[] model, Shared shared, bool readOnly, int seed, StressCounts counts)
    {
        var random = new Random(seed);
        int page = MemoryMap.PageSize;
        long length = map.Length;
        var buffer = new byte[3 * page];
        long[] offsets = new long[8];
        var log = new System.Collections.Generic.List<string>();
        while (!shared.Stop)
        {
            int g1 = Volatile.Read(ref shared.Generation);
            long size = Volatile.Read(ref shared.Size);
            bool truncatedBefore = size < length;

            // Choose a range: after a truncation, mostly around the new end of the file.
            long offset;
            int count;
            if (truncatedBefore && random.Next(3) != 0)
            {
                offset = Math.Clamp(size - random.Next(0, 200), 0, length - 1);
                count = (int)Math.Min(random.Next(1, 300), length - offset);
            }
            else
            {
                count = random.Next(4) == 0 ? random.Next(page, 3 * page) : random.Next(1, 200);
                offset = random.NextInt64(0, length - count + 1);
            }

            int kind = readOnly ? random.Next(2) : random.Next(3); // 0 read, 1 gathered read, 2 write
            string? error = null;
            long end = offset + count;
            byte[]? data = null;
            try
            {
                switch (kind)
                {
                    case 0:
                        map.Read(offset, buffer.AsSpan(0, count));
                        CheckBytes(buffer.AsSpan(0, count), model.AsSpan((int)offset, count), $"round {shared.Round}: read", offset, counts);
                        break;
                    case 1:
                        int n = random.Next(1, offsets.Length + 1);
                        int each = Math.Max(1, count / n);
                        end = 0;
                        for (int i = 0; i < n; i++)
                        {
                            offsets[i] = i == 0 ? offset : random.NextInt64(0, length - each + 1);
                            end = Math.Max(end, offsets[i] + each);
                        }

                        byte[] gathered = new byte[n * each];
                        map.ReadMany(offsets.AsSpan(0, n), each, gathered);
                        for (int i = 0; i < n; i++)
                        {
                            CheckBytes(gathered.AsSpan(i * each, each), model.AsSpan((int)offsets[i], each), $"round {shared.Round}: gathered read", offsets[i], counts);
                        }

                        break;
                    default:
                        data = new byte[count];
                        random.NextBytes(data);
                        map.Write(offset, data);
                        data.CopyTo(model, offset);
                        break;
                }

                counts.Ok();
            }
            catch (MmapException e)
            {
                error = e.ErrorId;
                counts.Error(e.ErrorId);
                if (e.ErrorId != ErrorIds.FileTruncated)
                {
                    counts.Violation($"round {shared.Round}: {OpName(kind)} of {offset}..{end - 1}: {e.ErrorId}: {e.Message}");
                }
            }

            int g2 = Volatile.Read(ref shared.Generation);
            log.Add($"{OpName(kind)} {offset}..{end - 1} {error ?? "ok"} g{g1}-{g2} size {size}->{Volatile.Read(ref shared.Size)}");
            if (DebugLog && counts.ViolationCount > 0)
            {
                foreach (string l in log.TakeLast(40))
                {
                    Console.Error.WriteLine(l);
                }

                foreach (string v in counts.Violations)
                {
                    Console.Error.WriteLine("VIOLATION " + v);
                }

                Environment.Exit(9);
            }
            if (g1 == g2 && g1 % 2 == 0 && size == Volatile.Read(ref shared.Size))
            {
                // The size was settled for the whole operation: success exactly when the range is inside the file.
                bool inside = end <= size;
                if (inside && error is not null)
                {
                    counts.Violation($"round {shared.Round}: {OpName(kind)} of {offset}..{end - 1} inside the file ({size} bytes) failed with {error}");
                }
                else if (!inside && error is null)
                {
                    counts.Violation($"round {shared.Round}: {OpName(kind)} of {offset}..{end - 1} past the end of the file ({size} bytes) succeeded" +
                                     (kind == 2 ? string.Empty : ": bytes the file no longer has were shown"));
                }
            }

            Interlocked.Increment(ref shared.WorkerOps);
        }
    }

    private static readonly bool DebugLog = Environment.GetEnvironmentVariable("MMAPTOOLS_RACE_DEBUG") == "1";

    private static string OpName(int kind) => kind switch { 0 => "read", 1 => "gathered read", _ => "write" };

    private static void CheckBytes(ReadOnlySpan<byte> got, ReadOnlySpan<byte> want, string what, long offset, StressCounts counts)
    {
        if (!got.SequenceEqual(want))
        {
            int at = got.CommonPrefixLength(want);
            counts.Violation($"{what} at {offset} returned 0x{got[at]:X2} at byte {offset + at} where the file holds 0x{want[at]:X2}");
        }
    }
}
