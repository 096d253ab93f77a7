using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace MmapTools.Tests;

/// <summary>
/// Reading ahead on a second thread (VmaReader.ReadAhead.cs): chunks that cut lines anywhere, lines longer than a chunk,
/// a process with long paths read across chunk boundaries, a process killed mid-read, and the thread stopped and joined
/// when the reader is disposed early. In the serial collection: children with 20,000 VMAs, and timing-sensitive.
/// </summary>
[Collection(nameof(SerialCollection))]
public sealed class VmaReadAheadTests
{
    private static List<ProcessVma> ReadSaved(string name, bool detailed, int readAheadAfter, int chunk, out bool started, out System.Threading.Thread? thread)
    {
        using VmaReader r = ProcessMemory.ReadFile(VmaFixtureTests.Fixture(name), detailed, 42, ProcessMemory.ChunkSize, readAheadAfter, chunk);
        List<ProcessVma> list = r.ToList();
        started = r.ReadAheadStarted;
        thread = r.ReadAheadThread;
        return list;
    }

    private static string Describe(ProcessVma v) =>
        v + " | " + v.Rss + " " + v.Pss + " " + v.Swap + " " + v.VmFlagsText + " " + string.Join(",", v.Smaps.Select(kv => kv.Key + "=" + kv.Value));

    [Theory]
    [InlineData("smaps-cat.txt", true, 0, 64)]
    [InlineData("smaps-cat.txt", true, 0, 100)]
    [InlineData("smaps-cat.txt", true, 1000, 333)]
    [InlineData("smaps-cat.txt", true, 0, 4096)]
    [InlineData("maps-cat.txt", false, 0, 64)]
    [InlineData("maps-cat.txt", false, 200, 77)]
    public void ReadAhead_InChunksThatCutLinesAnywhere_GivesWhatOneThreadReads(string fixture, bool detailed, int after, int chunk)
    {
        List<ProcessVma> expected = ReadSaved(fixture, detailed, -1, chunk, out bool syncStarted, out _);
        List<ProcessVma> got = ReadSaved(fixture, detailed, after, chunk, out bool started, out System.Threading.Thread? thread);
        Assert.False(syncStarted);
        Assert.True(started, "the read-ahead thread did not start");
        Assert.NotEmpty(expected);

        // A 64-byte chunk is shorter than most header lines: the reader grows a chunk for a line that does not fit.
        Assert.Equal(expected.Select(Describe), got.Select(Describe));
        Assert.False(thread!.IsAlive, "the read-ahead thread outlived the reader");
    }

    [Fact]
    public void AProcessWithLongPaths_ReadAcrossChunks_HasEveryVmaAndItsPath()
    {
        using var dir = new TempDir();
        using var child = new HeldChild("vma-files", dir.Path, "3000", "50");
        string folder = Path.Combine(dir.Path, new string('d', 200));

        List<ProcessVma> maps, smaps;
        using (VmaReader r = ProcessMemory.GetVmas(child.Pid, detailed: false))
        {
            maps = r.ToList();
        }

        using (VmaReader r = ProcessMemory.GetVmas(child.Pid, detailed: true))
        {
            smaps = r.ToList();
            Assert.True(r.ReadAheadStarted, "smaps of 3,000 file VMAs (megabytes) should be read ahead");
        }

        List<ProcessVma> files = smaps.Where(v => v.Path is { } p && p.StartsWith(folder + "/", StringComparison.Ordinal)).ToList();
        Assert.Equal(3000, files.Count);
        Assert.All(files, v =>
        {
            Assert.Matches("^f{200}-[0-9]+\\.bin$", Path.GetFileName(v.Path));
            Assert.Equal(v.Path, Path.Combine(folder, v.Name!));
            Assert.Equal(4096, v.Smaps["Size"]);
            Assert.NotNull(v.VmFlags);
        });
        Assert.Equal(50, files.Select(v => v.Path).Distinct().Count());

        // The same file VMAs as maps gives (the runtime of the child may map other things meanwhile; these hold still).
        Assert.Equal(
            maps.Where(v => v.Path is { } p && p.StartsWith(folder + "/", StringComparison.Ordinal)).Select(v => (v.Start, v.End, v.Path)),
            files.Select(v => (v.Start, v.End, v.Path)));
    }

    [Fact]
    public void AProcessKilledWhileItsSmapsAreReadAhead_IsProcessExited_OrComplete_NeverTorn()
    {
        for (int round = 0; round < 3; round++)
        {
            var child = new HeldChild("vma-many", "20000");
            var seen = new List<ProcessVma>();
            int killAfter = 1000 + (round * 2500);
            MmapException? error = null;
            try
            {
                using VmaReader r = ProcessMemory.GetVmas(child.Pid, detailed: true);
                foreach (ProcessVma v in r)
                {
                    seen.Add(v);
                    if (seen.Count == killAfter)
                    {
                        Assert.True(r.ReadAheadStarted);
                        // Disposed here: a Process left to its finalizer closes a descriptor during a later test that counts them.
                        using Process victim = Process.GetProcessById(child.Pid);
                        victim.Kill();
                    }
                }
            }
            catch (MmapException e)
            {
                error = e;
            }

            Assert.True(seen.Count >= killAfter, $"round {round}: only {seen.Count} VMAs before the end");
            if (error is not null)
            {
                Assert.Equal(ErrorIds.ProcessExited, error.ErrorId);
                Assert.Contains(child.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
            }

            for (int k = 1; k < seen.Count; k++)
            {
                Assert.True(seen[k].Start >= seen[k - 1].End, $"round {round}: VMA {k} goes back");
            }

                try
            {
                child.Dispose();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    [Fact]
    public void DisposedEarly_TheReadAheadThreadIsStoppedAndJoined()
    {
        using var child = new HeldChild("vma-many", "20000");
        System.Threading.Thread? thread;
        using (VmaReader r = ProcessMemory.GetVmas(child.Pid, detailed: true))
        {
            // By hand: a foreach that breaks would dispose the reader itself.
            IEnumerator<ProcessVma> e = r.GetEnumerator();
            for (int n = 0; n < 500; n++)
            {
                Assert.True(e.MoveNext());
            }

            Assert.True(r.ReadAheadStarted);
            thread = r.ReadAheadThread;
            Assert.NotNull(thread);

            // It reads at most a few chunks ahead of the parser, then waits for one to be given back.
            Assert.True(thread!.IsAlive, "the read-ahead thread ended though 19,000 VMAs were left to read");
        }

        // Dispose stopped it and joined it.
        Assert.False(thread.IsAlive);

        // And a new reader reads the whole process.
        using VmaReader again = ProcessMemory.GetVmas(child.Pid, detailed: true);
        Assert.True(again.Count() >= 20000);
    }

    [Fact]
    public void SmapsFigures_TooLargeFor32Bits_AreKeptExactly()
    {
        // The figures are held compactly when they fit in 32 bits (kB); a 4 TiB VMA's do not.
        const string Text =
            "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \n" +
            "Size:                  4 kB\nRss:                   4 kB\nTHPeligible:           1\nVmFlags: rd wr mr mw me ac \n" +
            "7f0000001000-7f4000001000 rw-p 00000000 00:00 0 \n" +
            "Size:         4294967296 kB\nRss:         2147483648 kB\nTHPeligible:           0\nVmFlags: rd wr mr mw me ac \n";
        using var dir = new TempDir();
        string path = dir.File("smaps-huge.txt", System.Text.Encoding.ASCII.GetBytes(Text));
        using VmaReader r = ProcessMemory.ReadFile(path, detailed: true);
        List<ProcessVma> v = r.ToList();
        Assert.Equal(2, v.Count);
        Assert.Equal(4096L, v[0].Rss);
        Assert.Equal(true, v[0].ThpEligible);
        Assert.Equal(4294967296L * 1024, v[1].Smaps["Size"]);
        Assert.Equal(2147483648L * 1024, v[1].Rss);
        Assert.Equal(false, v[1].ThpEligible);
        Assert.Equal(1L, v[0].Smaps["THPeligible"]);
    }
}
