using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace MmapTools.Tests;

/// <summary>
/// Reading processes that do not hold still: an address space that changes constantly (read 1,000 times in the
/// Stress tier), a process killed while its maps are read, a pid that exits and is reused by another process while
/// a reader holds it open. Kernel threads, zombies, vanished pids and pid 1 as an unprivileged user are in
/// ProcessVmaTests.
/// </summary>
public sealed class ProcessRaceTests
{
    private readonly ITestOutputHelper _output;

    public ProcessRaceTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void AConstantlyChangingProcess_ReadAgainAndAgain_Slice() => ReadWhileChurning(100).ReportAndAssert(_output);

    [Fact]
    [Trait("Category", "Stress")]
    public void AConstantlyChangingProcess_Read1000Times() => ReadWhileChurning(1000).ReportAndAssert(_output);

    [Fact]
    public void AProcessKilledWhileItsMapsAreRead_Slice() => KillWhileReading(5, seed: 6501).ReportAndAssert(_output);

    [Fact]
    [Trait("Category", "Stress")]
    public void AProcessKilledWhileItsMapsAreRead_100Rounds() => KillWhileReading(100, seed: 6502).ReportAndAssert(_output);

    [Fact]
    public void APidReusedWhileAReaderHoldsIt_IsProcessExited_NeverTheNewProcess()
    {
        string output = Child.RunWith(false, "unshare --pid --fork --mount-proc sh -c 'exec \"$@\"' sh", "pid-reuse");
        _output.WriteLine(output);
        Assert.False(output.StartsWith("SKIP", StringComparison.Ordinal), output);
        Assert.Equal("OK " + ErrorIds.ProcessExited, output);
    }

    private static StressCounts ReadWhileChurning(int reads)
    {
        var counts = new StressCounts($"read-a-churning-process ({reads:N0} reads of a process mapping, unmapping and splitting ~4,000 VMAs; every 10th read smaps)");
        using var child = new HeldChild("vma-churn", "4000");
        long vmas = 0, dropped = 0, clipped = 0, holes = 0, mapsHoles = 0;
        ulong regionStart = child.Hex(1), regionEnd = regionStart + (4000UL * (ulong)MemoryMap.PageSize);
        for (int i = 0; i < reads; i++)
        {
            bool detailed = i % 10 == 9;
            try
            {
                using VmaReader r = ProcessMemory.GetVmas(child.Pid, detailed);
                List<ProcessVma> v = r.ToList();
                vmas += v.Count;
                dropped += r.DroppedLines;
                clipped += r.ClippedLines;
                var starts = new HashSet<ulong>();
                for (int k = 0; k < v.Count; k++)
                {
                    if (!starts.Add(v[k].Start))
                    {
                        counts.Violation($"read {i}: the VMA at {v[k].Start:x} appears twice");
                    }

                    if (v[k].End <= v[k].Start)
                    {
                        counts.Violation($"read {i}: the VMA at {v[k].Start:x} ends at {v[k].End:x}");
                    }

                    if (k > 0 && v[k].Start < v[k - 1].End)
                    {
                        counts.Violation($"read {i}: the VMA at {v[k].Start:x} starts below the end {v[k - 1].End:x} of the one before (backwards)");
                    }
                }

                // The churned region is always mapped (only its protections change). A VMA that merged or split across
                // the point where the kernel resumed its text comes out starting below the previous end: from maps it is
                // clipped (no hole), from smaps dropped (its figures cover the whole line): count the reads with a hole.
                ulong covered = 0;
                foreach (ProcessVma x in v)
                {
                    ulong a0 = Math.Max(x.Start, regionStart), a1 = Math.Min(x.End, regionEnd);
                    covered += a1 > a0 ? a1 - a0 : 0;
                }

                bool hole = covered < regionEnd - regionStart;
                holes += hole ? 1 : 0;
                mapsHoles += hole && !detailed ? 1 : 0;

                counts.Ok();
            }
            catch (MmapException e)
            {
                counts.Error(e.ErrorId);
                counts.Violation($"read {i}: {e.ErrorId}: {e.Message}");
            }
            catch (Exception e)
            {
                counts.Error(e.GetType().Name);
                counts.Violation($"read {i}: unhandled {e.GetType().Name}: {e.Message}");
            }

            counts.Round();
        }

        counts.Note($"{vmas:N0} VMAs read, {dropped:N0} torn lines dropped (repeated or backwards as the kernel's snapshot moved), {clipped:N0} clipped, " +
                    $"{holes:N0} reads with a hole in the always-mapped region ({mapsHoles:N0} of them from maps, the rest from smaps)");
        return counts;
    }

    private static StressCounts KillWhileReading(int rounds, int seed)
    {
        var counts = new StressCounts($"kill-a-process-while-its-maps-are-read ({rounds} rounds, 20,000 VMAs each, seed {seed})");
        var random = new Random(seed);
        int complete = 0, exited = 0;
        for (int round = 0; round < rounds; round++)
        {
            var child = new HeldChild("vma-many", "20000");
            int pid = child.Pid;
            bool detailed = round % 3 == 2;
            int killAfter = random.Next(0, 15000);
            var seen = new List<ProcessVma>();
            try
            {
                using VmaReader r = ProcessMemory.GetVmas(pid, detailed);
                foreach (ProcessVma v in r)
                {
                    seen.Add(v);
                    if (seen.Count == killAfter)
                    {
                        Process.GetProcessById(pid).Kill();
                    }
                }

                complete++;
                counts.Ok();
                if (seen.Count < killAfter)
                {
                    counts.Violation($"round {round}: the read ended after {seen.Count} VMAs, without error, before the kill");
                }
            }
            catch (MmapException e)
            {
                counts.Error(e.ErrorId);
                exited += e.ErrorId == ErrorIds.ProcessExited ? 1 : 0;
                if (e.ErrorId is not (ErrorIds.ProcessExited or ErrorIds.ProcessNotFound))
                {
                    counts.Violation($"round {round}: {e.ErrorId}: {e.Message}");
                }
            }
            catch (Exception e)
            {
                counts.Error(e.GetType().Name);
                counts.Violation($"round {round}: unhandled {e.GetType().Name}: {e.Message}");
            }
            finally
            {
                try
                {
                    child.Dispose();
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }

            for (int k = 1; k < seen.Count; k++)
            {
                if (seen[k].Start < seen[k - 1].End)
                {
                    counts.Violation($"round {round}: VMA {k} goes backwards");
                    break;
                }
            }

            counts.Round();
        }

        counts.Note($"{complete} reads completed before the process was gone, {exited} ended with ProcessExited");
        return counts;
    }
}
