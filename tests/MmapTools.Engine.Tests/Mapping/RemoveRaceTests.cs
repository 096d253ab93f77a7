using System;
using System.IO;
using System.Threading;
using MmapTools.Interop;
using Xunit;
using Xunit.Abstractions;

namespace MmapTools.Tests;

/// <summary>
/// A map removed while 8 threads read, write, sync and gather-read it. Claims checked on every operation:
/// <list type="bullet">
/// <item>nothing crashes, and every failure is MapClosed;</item>
/// <item>no access after unmap: a read that succeeds returns exactly the file's bytes (the writes put the
///   file's own bytes back, so the content never changes), and right after the map is removed its address range
///   is mapped again with a decoy of 0xEE bytes, so a copy from the old address would return 0xEE, and a write
///   there would change the decoy, which is checked after every round;</item>
/// <item>an operation that starts after Dispose has returned never succeeds.</item>
/// </list>
/// </summary>
public sealed class RemoveRaceTests : IDisposable
{
    private const int Threads = 8;
    private readonly TempDir _dir = new();
    private readonly ITestOutputHelper _output;

    public RemoveRaceTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RemoveWhileEightThreadsUseTheMap_Slice() => Run(rounds: 6, opsPerThread: 1_000, seed: 6101).ReportAndAssert(_output);

    [Fact]
    [Trait("Category", "Stress")]
    public void RemoveWhileEightThreadsUseTheMap_10000OpsEach() => Run(rounds: 10, opsPerThread: 10_000, seed: 6102).ReportAndAssert(_output);

    internal StressCounts Run(int rounds, int opsPerThread, int seed)
    {
        int page = MemoryMap.PageSize;
        int length = 16 * page;
        byte[] content = Bytes.Pattern(length, seed: 11);
        var counts = new StressCounts($"remove-while-8-threads-use-it ({Threads} threads x {opsPerThread:N0} operations x {rounds} rounds, seed {seed})");
        var random = new Random(seed);
        for (int round = 0; round < rounds; round++)
        {
            // Even rounds: a file on disk (msync does real work); odd rounds: named shared memory (tmpfs).
            string? shmName = round % 2 == 1 ? $"mmaptools-remove-race-{Environment.ProcessId}-{round}" : null;
            MemoryMap map;
            string path;
            if (shmName is null)
            {
                path = _dir.File($"remove-{round}.bin", content);
                map = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
            }
            else
            {
                map = MemoryMap.OpenSharedMemory(shmName, MapAccess.ReadWrite, size: length);
                map.Write(0, content);
                path = map.Path!;
            }

            ulong oldAddress = map.Address;
            long totalOps = 0;
            int disposed = 0;
            long removeAfter = random.NextInt64(0, (long)Threads * opsPerThread);
            using var start = new Barrier(Threads + 1);
            var workers = new Thread[Threads];
            for (int w = 0; w < Threads; w++)
            {
                int workerSeed = random.Next();
                workers[w] = new Thread(() =>
                {
                    var rnd = new Random(workerSeed);
                    var buffer = new byte[2 * page];
                    long[] offsets = new long[16];
                    byte[] gathered = new byte[16 * 64];
                    start.SignalAndWait();
                    for (int i = 0; i < opsPerThread; i++)
                    {
                        bool afterDispose = Volatile.Read(ref disposed) == 1;
                        int kind = rnd.Next(4);
                        try
                        {
                            switch (kind)
                            {
                                case 0:
                                {
                                    int count = rnd.Next(1, buffer.Length);
                                    long offset = rnd.NextInt64(0, length - count + 1);
                                    map.Read(offset, buffer.AsSpan(0, count));
                                    if (!buffer.AsSpan(0, count).SequenceEqual(content.AsSpan((int)offset, count)))
                                    {
                                        counts.Violation($"round {round}: a read at {offset} returned bytes the file does not hold" +
                                                         (buffer[0] == 0xEE ? " (the decoy's: an access after unmap)" : string.Empty));
                                    }

                                    break;
                                }

                                case 1:
                                {
                                    int count = rnd.Next(1, buffer.Length);
                                    long offset = rnd.NextInt64(0, length - count + 1);
                                    map.Write(offset, content.AsSpan((int)offset, count));
                                    break;
                                }

                                case 2:
                                {
                                    long offset = rnd.NextInt64(0, length);
                                    map.Sync(offset, Math.Min(page, length - offset), rnd.Next(8) == 0 ? SyncOptions.None : SyncOptions.Async);
                                    break;
                                }

                                default:
                                {
                                    for (int k = 0; k < offsets.Length; k++)
                                    {
                                        offsets[k] = rnd.NextInt64(0, length - 64 + 1);
                                    }

                                    map.ReadMany(offsets, 64, gathered);
                                    for (int k = 0; k < offsets.Length; k++)
                                    {
                                        if (!gathered.AsSpan(k * 64, 64).SequenceEqual(content.AsSpan((int)offsets[k], 64)))
                                        {
                                            counts.Violation($"round {round}: a gathered read at {offsets[k]} returned bytes the file does not hold");
                                        }
                                    }

                                    break;
                                }
                            }

                            counts.Ok();
                            if (afterDispose)
                            {
                                counts.Violation($"round {round}: an operation ({kind}) that started after Dispose returned succeeded");
                            }
                        }
                        catch (MmapException e)
                        {
                            counts.Error(e.ErrorId);
                            if (e.ErrorId != ErrorIds.MapClosed)
                            {
                                counts.Violation($"round {round}: {e.ErrorId}: {e.Message}");
                            }
                        }
                        catch (Exception e)
                        {
                            counts.Error(e.GetType().Name);
                            counts.Violation($"round {round}: an unexpected {e.GetType().Name}: {e.Message}");
                        }

                        Interlocked.Increment(ref totalOps);
                    }
                })
                { IsBackground = true };
                workers[w].Start();
            }

            start.SignalAndWait();
            var spin = new SpinWait();
            while (Interlocked.Read(ref totalOps) < removeAfter)
            {
                spin.SpinOnce();
            }

            map.Dispose();
            Volatile.Write(ref disposed, 1);

            // Dispose has returned, so the range is unmapped: map a decoy of 0xEE bytes exactly there at once
            // (MAP_FIXED_NOREPLACE fails with EEXIST if anything is still mapped there).
            (bool over, bool stillMapped) = Decoy.MapOver(oldAddress, (nuint)length, path, out IntPtr decoy);
            if (stillMapped)
            {
                counts.Violation($"round {round}: the map's range is still mapped after Dispose returned");
            }

            foreach (Thread t in workers)
            {
                t.Join();
            }

            if (map.IsOpen || MapRegistry.TryGet(map.Id, out _))
            {
                counts.Violation($"round {round}: the map is still open or registered after Dispose");
            }

            if (decoy != IntPtr.Zero)
            {
                if (!Decoy.Intact(decoy, length))
                {
                    counts.Violation($"round {round}: the decoy mapped after the removal was written to (a write after unmap)");
                }

                Decoy.Unmap(decoy, (nuint)length);
            }

            byte[] file = File.ReadAllBytes(path);
            long lost = 0;
            for (int i = 0; i < length; i++)
            {
                lost += file[i] == content[i] ? 0 : 1;
            }

            counts.Lost(lost);
            _output.WriteLine($"round {round}: removed after {removeAfter:N0} operations; decoy {(over ? "mapped over the old range" : "not placed (another thread took the range)")}");
            if (shmName is not null)
            {
                SharedMemory.Remove(shmName);
            }

            counts.Round();
        }

        return counts;
    }
}

/// <summary>Maps anonymous 0xEE bytes exactly over a range that has just been unmapped.</summary>
internal static class Decoy
{
    private const int MAP_FIXED_NOREPLACE = 0x100000;
    private const int EEXIST = 17;

    public static unsafe (bool Over, bool StillMapped) MapOver(ulong address, nuint length, string path, out IntPtr decoy)
    {
        decoy = IntPtr.Zero;
        IntPtr got = Libc.MMapAnonymous((IntPtr)(long)address, length, Libc.Prot.Read | Libc.Prot.Write,
            Libc.MapFlags.Private | Libc.MapFlags.Anonymous | (Libc.MapFlags)MAP_FIXED_NOREPLACE, -1, 0);
        if (got == Libc.MAP_FAILED)
        {
            int errno = Libc.LastErrno;
            Assert.Equal(EEXIST, errno);

            // Something is there: the old map (a violation), or another test's mapping that took the hole.
            string? line = ProcSelf.MapsLineFor(address);
            return (false, line is not null && line.EndsWith(" " + path, StringComparison.Ordinal));
        }

        Assert.Equal((IntPtr)(long)address, got);
        new Span<byte>((void*)got, (int)length).Fill(0xEE);
        decoy = got;
        return (true, false);
    }

    public static unsafe bool Intact(IntPtr decoy, int length) =>
        new ReadOnlySpan<byte>((void*)decoy, length).IndexOfAnyExcept((byte)0xEE) < 0;

    public static void Unmap(IntPtr decoy, nuint length) => Assert.Equal(0, Libc.MUnmap(decoy, length));
}
