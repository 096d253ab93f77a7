using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Xunit;
using Xunit.Abstractions;

namespace MmapTools.Tests;

/// <summary>
/// A child process writes through a shared map and is killed with SIGKILL; the parent reads the file with plain I/O.
/// After a sync: 0 bytes lost (and, read from the kernel's page flags, the synced pages are clean: written to the
/// device, not only held in the page cache). Before a sync: every page is old or new, never torn or garbage.
/// </summary>
public sealed class DurabilityTests : IDisposable
{
    private const int Pages = 64;

    // Each generation is one 4 MiB write, so a kill lands inside one more often than between two.
    private const int GenerationPages = 1024;
    private readonly TempDir _dir = new();
    private readonly ITestOutputHelper _output;

    public DurabilityTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void KilledAfterSync_LosesNothing_Slice() => KilledAfterSync(rounds: 8, seed: 6201).ReportAndAssert(_output);

    [Fact]
    [Trait("Category", "Stress")]
    public void KilledAfterSync_LosesNothing_100Rounds() => KilledAfterSync(rounds: 100, seed: 6202).ReportAndAssert(_output);

    [Fact]
    public void KilledBeforeSync_EachPageOldOrNew_Slice() => KilledBeforeSync(rounds: 8, seed: 6203).ReportAndAssert(_output);

    [Fact]
    [Trait("Category", "Stress")]
    public void KilledBeforeSync_EachPageOldOrNew_100Rounds() => KilledBeforeSync(rounds: 100, seed: 6204).ReportAndAssert(_output);

    private StressCounts KilledAfterSync(int rounds, int seed)
    {
        int page = MemoryMap.PageSize;
        var counts = new StressCounts($"sigkill-after-sync ({Pages} pages a round, operations = pages checked, seed {seed})");
        var random = new Random(seed);
        long cleanChecked = 0;
        for (int round = 0; round < rounds; round++)
        {
            string path = _dir.File($"after-{round}.bin", new byte[Pages * page]);

            // Kill after page k's sync was reported; one round in four after every page (DONE).
            int k = round % 4 == 3 ? Pages : random.Next(0, Pages);
            using Process child = Process.Start(Child.StartInfo(false, null, "write-loop", path, Pages.ToString(System.Globalization.CultureInfo.InvariantCulture)))!;
            child.StandardInput.Close();
            int reported = -1;
            string? line;
            while ((line = child.StandardOutput.ReadLine()) is not null)
            {
                if (line.StartsWith("PAGE ", StringComparison.Ordinal))
                {
                    reported = int.Parse(line[5..], System.Globalization.CultureInfo.InvariantCulture);
                    if (reported == k)
                    {
                        break;
                    }
                }
                else if (line == "DONE")
                {
                    break;
                }
                else
                {
                    counts.Violation($"round {round}: the child said '{line}'");
                    break;
                }
            }

            child.Kill();
            child.WaitForExit();
            Assert.True(reported >= 0 || line is not null, $"the child ended without output: {child.StandardError.ReadToEnd()}");

            byte[] file = File.ReadAllBytes(path);
            Assert.Equal(Pages * page, file.Length);
            for (int i = 0; i < Pages; i++)
            {
                byte want = (byte)((i % 251) + 1);
                ReadOnlySpan<byte> p = file.AsSpan(i * page, page);
                bool isNew = p.IndexOfAnyExcept(want) < 0;
                bool isOld = p.IndexOfAnyExcept((byte)0) < 0;
                counts.Ok();
                if (i <= reported && !isNew)
                {
                    long lost = page - p.Count(want);
                    counts.Lost(lost);
                    counts.Violation($"round {round}: page {i} was synced (reported {reported}) but {lost} of its bytes are not what was written");
                }
                else if (i > reported && !isNew && !isOld)
                {
                    counts.Violation($"round {round}: page {i}, written after the last sync, is neither old nor new");
                }
            }

            if (line == "DONE")
            {
                // Every page was synced and nothing wrote since: none may still be dirty in the page cache.
                cleanChecked += PageFlags.CountDirty(path, counts, round);
            }

            counts.Round();
        }

        string flagsLine = $"sigkill-after-sync: {cleanChecked} synced pages read in /proc/kpageflags, none dirty or under writeback" + (PageFlags.Available ? string.Empty : " (skipped: /proc/kpageflags needs root)");
        _output.WriteLine(flagsLine);
        Figures.Append(flagsLine);
        return counts;
    }

    private StressCounts KilledBeforeSync(int rounds, int seed)
    {
        int page = MemoryMap.PageSize;
        var counts = new StressCounts($"sigkill-before-sync ({GenerationPages} pages a round, operations = pages checked, seed {seed})");
        int killedInsideAWrite = 0;
        var random = new Random(seed);
        for (int round = 0; round < rounds; round++)
        {
            string path = _dir.File($"before-{round}.bin", new byte[GenerationPages * page]);

            // Kill after generation k was reported (0: as soon as the child is ready, inside the first write).
            int k = random.Next(0, 4);
            using Process child = Process.Start(Child.StartInfo(false, null, "write-gens", path))!;
            child.StandardInput.Close();
            int reported = 0;
            string? line;
            bool ready = false;
            while ((line = child.StandardOutput.ReadLine()) is not null)
            {
                if (line == "READY")
                {
                    ready = true;
                    if (k == 0)
                    {
                        break;
                    }
                }
                else if (line.StartsWith("GEN ", StringComparison.Ordinal))
                {
                    reported = int.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
                    if (reported >= k)
                    {
                        break;
                    }
                }
                else if (line == "DONE")
                {
                    break;
                }
                else
                {
                    counts.Violation($"round {round}: the child said '{line}'");
                    break;
                }
            }

            // Vary where the kill lands inside the next generation's write (timing only varies the case; nothing
            // asserted depends on it).
            Thread.Sleep(random.Next(0, 4));
            child.Kill();
            child.WaitForExit();
            Assert.True(ready, $"the child never got ready: {child.StandardError.ReadToEnd()}");

            // Each page holds one generation's byte, never a mix; generations only go down from page 0 (each
            // generation is one write from low to high addresses), by at most one, and never below the last reported.
            byte[] file = File.ReadAllBytes(path);
            Assert.Equal(GenerationPages * page, file.Length);
            int previous = int.MaxValue;
            int newest = -1, oldest = int.MaxValue;
            for (int i = 0; i < GenerationPages; i++)
            {
                ReadOnlySpan<byte> p = file.AsSpan(i * page, page);
                byte first = p[0];
                if (p.IndexOfAnyExcept(first) >= 0)
                {
                    counts.Violation($"round {round}: page {i} is torn: it mixes 0x{first:X2} and 0x{p[p.IndexOfAnyExcept(first)]:X2}");
                    continue;
                }

                int generation = first; // generation g writes the byte g; 0 is the file as it was.
                if (generation > previous)
                {
                    counts.Violation($"round {round}: page {i} holds generation {generation}, newer than page {i - 1}'s {previous}");
                }

                if (generation < reported)
                {
                    long lost = page;
                    counts.Lost(lost);
                    counts.Violation($"round {round}: page {i} holds generation {generation}, but generation {reported} was written in full");
                }

                previous = generation;
                counts.Ok();
                newest = Math.Max(newest, generation);
                oldest = Math.Min(oldest, generation);
            }

            killedInsideAWrite += newest != oldest ? 1 : 0;
            if (newest - oldest > 1)
            {
                counts.Violation($"round {round}: pages span generations {oldest}..{newest}: more than one write was in flight");
            }

            counts.Round();
        }

        string killLine = $"sigkill-before-sync: the kill landed inside a write (pages of two generations) in {killedInsideAWrite} of {rounds} rounds; no page torn";
        _output.WriteLine(killLine);
        Figures.Append(killLine);
        return counts;
    }
}

/// <summary>
/// The kernel's flags for the page-cache pages of a file: maps it, touches each page, finds each page's frame in
/// /proc/self/pagemap and reads KPF_DIRTY / KPF_WRITEBACK from /proc/kpageflags (root only).
/// </summary>
internal static class PageFlags
{
    private const int KpfDirty = 4;
    private const int KpfWriteback = 8;

    public static bool Available => Environment.UserName == "root" && File.Exists("/proc/kpageflags");

    /// <summary>Counts the pages checked; records a violation for each page still dirty or under writeback.</summary>
    public static unsafe long CountDirty(string path, StressCounts counts, int round)
    {
        if (!Available)
        {
            return 0;
        }

        int page = MemoryMap.PageSize;
        using MemoryMap map = MemoryMap.OpenFile(path);
        // Unbuffered: a FileStream's buffer would return stale entries.
        using Microsoft.Win32.SafeHandles.SafeFileHandle pagemap = File.OpenHandle("/proc/self/pagemap");
        using Microsoft.Win32.SafeHandles.SafeFileHandle kpageflags = File.OpenHandle("/proc/kpageflags");
        byte[] entry = new byte[8];
        long pages = map.Length / page;
        for (long i = 0; i < pages; i++)
        {
            // A plain load faults the page into this process's page table (process_vm_readv need not);
            // the file is whole and nothing truncates it here, so the raw access is safe.
            _ = Volatile.Read(ref *(byte*)(map.Address + (ulong)(i * page)));
            Assert.Equal(8, RandomAccess.Read(pagemap, entry, (long)((map.Address / (ulong)page) + (ulong)i) * 8));
            ulong pm = BitConverter.ToUInt64(entry);
            ulong pfn = pm & ((1UL << 55) - 1);
            if ((pm >> 63) == 0 || pfn == 0)
            {
                counts.Violation($"round {round}: page {i} is not present after a read (pagemap 0x{pm:X})");
                continue;
            }

            Assert.Equal(8, RandomAccess.Read(kpageflags, entry, (long)pfn * 8));
            ulong flags = BitConverter.ToUInt64(entry);
            if ((flags & (1UL << KpfDirty)) != 0 || (flags & (1UL << KpfWriteback)) != 0)
            {
                counts.Violation($"round {round}: page {i} was synced but the kernel still holds it dirty or under writeback (flags 0x{flags:X})");
            }
        }

        return pages;
    }
}
