using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace MmapTools.Bench;

/// <summary>
/// Page-cache residency against fincore (util-linux), in the same run on the same files: a 1 GiB file (sparse,
/// so it costs no disk, then loaded into the cache) and a folder of 10,000 small files. Target: at most 1.2× fincore's time.
/// MmapTools is timed in-process (as the cmdlet runs inside pwsh); fincore as the process a user starts.
/// </summary>
public sealed class PageCacheBench : IBenchmark
{
    private const double Target = 1 / 1.2;   // Compare() wants baseline/ours ≥ target

    public string Name => "pagecache";

    public string Description => "Residency of a 1 GiB file and of 10,000 small files vs fincore (target ≤ 1.2× fincore's time), and vmtouch where installed";

    public void Run()
    {
        if (!OnPath("fincore"))
        {
            Console.WriteLine("fincore (util-linux) is not on PATH; nothing to compare with.");
            return;
        }

        string root = DiskFolder();
        string dir = Directory.CreateDirectory(Path.Combine(root, "mmaptools-bench-" + Guid.NewGuid().ToString("N"))).FullName;
        Console.WriteLine($"Files in {dir} (cachestat: {(PageCache.HasCacheStat ? "yes" : "no")}; {FincoreVersion()})");
        try
        {
            BigFile(dir);
            SmallFiles(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void BigFile(string dir)
    {
        string big = Path.Combine(dir, "big.bin");
        using (var fs = new FileStream(big, FileMode.CreateNew))
        {
            fs.SetLength(1L << 30);     // sparse: no disk blocks; reading it still fills the page cache
        }

        foreach (string state in new[] { "resident", "half resident", "evicted" })
        {
            PageCache.Evict(big);
            if (state == "resident")
            {
                PageCache.Touch(big);
            }
            else if (state == "half resident")
            {
                for (long off = 0; off < 1L << 30; off += 2L << 20)
                {
                    PageCache.Touch(big, off, 1L << 20);
                }
            }

            PageCacheResidency check = PageCache.Measure(big);
            (long fincorePages, _) = ParseFincore(RunFincore(new[] { big }));
            Console.WriteLine($"1 GiB file, {state}: MmapTools {check.ResidentPages} pages ({check.Method}), fincore {fincorePages} pages{(check.ResidentPages == fincorePages ? string.Empty : "  MISMATCH")}");

            double fincore = Measure.BestMs(() => RunFincore(new[] { big }), 5);
            double ours = Measure.BestMs(() => PageCache.Measure(big), 5);
            double mincore = Measure.BestMs(() => PageCache.Measure(big, method: ResidencyMethod.MinCore), 5);
            double ranges = Measure.BestMs(() => PageCache.Measure(big, ranges: true), 5);
            Measure.Compare($"  1 GiB, {state}", fincore, "fincore", ours, "Measure (auto)", Target);
            Measure.Compare($"  1 GiB, {state}", fincore, "fincore", mincore, "Measure -Method MinCore", Target);
            Measure.Compare($"  1 GiB, {state}", fincore, "fincore", ranges, "Measure -Ranges", Target);
            if (HasVmtouch)
            {
                Console.WriteLine($"  1 GiB, {state}: vmtouch {Measure.Ms(Measure.BestMs(() => RunTool("vmtouch", big), 5))}");
            }
        }

        // Touch and evict, from cold: the kernel's work (zero-filling 1 GiB of sparse pages) dominates both.
        double oursTouch = Measure.BestMs(() => { PageCache.Evict(big); PageCache.Touch(big); }, 3);
        Console.WriteLine($"  1 GiB evict + touch: MmapTools {Measure.Ms(oursTouch)}" +
                          (HasVmtouch ? $", vmtouch -e + vmtouch -t {Measure.Ms(Measure.BestMs(() => { RunTool("vmtouch", "-q", "-e", big); RunTool("vmtouch", "-q", "-t", big); }, 3))}" : string.Empty));

        PageCache.Evict(big);

        // The worst case for runs: every other page resident.
        string frag = Path.Combine(dir, "fragmented.bin");
        using (var fs = new FileStream(frag, FileMode.CreateNew))
        {
            fs.SetLength(64L << 20);
        }

        for (long off = 0; off < 64L << 20; off += 2L * MemoryMap.PageSize)
        {
            PageCache.Touch(frag, off, MemoryMap.PageSize);
        }

        PageCacheResidency fr = PageCache.Measure(frag, ranges: true);
        Console.WriteLine($"64 MiB file, every other page resident: {fr.ResidentPages} pages in {fr.Ranges!.Count} runs");
        double fincoreFrag = Measure.BestMs(() => RunFincore(new[] { frag }), 5);
        Measure.Compare("  64 MiB, fragmented", fincoreFrag, "fincore", Measure.BestMs(() => PageCache.Measure(frag), 5), "Measure (auto)", Target);
        Measure.Compare("  64 MiB, fragmented", fincoreFrag, "fincore", Measure.BestMs(() => PageCache.Measure(frag, ranges: true), 5), "Measure -Ranges", Target);
    }

    private static void SmallFiles(string dir)
    {
        string folder = Directory.CreateDirectory(Path.Combine(dir, "small")).FullName;
        var files = new List<string>(10_000);
        byte[] buffer = new byte[16 * 1024];
        for (int i = 0; i < 10_000; i++)
        {
            string path = Path.Combine(folder, "f" + i.ToString("D5", CultureInfo.InvariantCulture) + ".bin");
            int size = 1024 + (i * 7919 % (15 * 1024));    // 1 to 16 KiB
            using (var fs = new FileStream(path, FileMode.CreateNew))
            {
                fs.Write(buffer, 0, size);
            }

            files.Add(path);
        }

        // Half of them evicted, so both tools see a mix.
        for (int i = 0; i < files.Count; i += 2)
        {
            PageCache.Evict(files[i]);
        }

        long oursResident = files.Sum(f => PageCache.Measure(f).ResidentPages);
        long theirsResident = RunFincore(files.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Sum(l => ParseFincore(l).Pages);
        Console.WriteLine($"10,000 files: MmapTools {oursResident} resident pages, fincore {theirsResident}{(oursResident == theirsResident ? string.Empty : "  MISMATCH")}");

        string[] args = files.ToArray();
        double fincore = Measure.BestMs(() => RunFincore(args), 5);
        double list = Measure.BestMs(() => MeasureEach(args), 5);
        double walk = Measure.BestMs(() => MeasureEach(Directory.EnumerateFiles(folder)), 5);
        Measure.Compare("  10,000 files, paths given", fincore, "fincore", list, "Measure each", Target);
        Measure.Compare("  10,000 files, folder walked", fincore, "fincore (paths given)", walk, "enumerate + Measure each", Target);
        if (HasVmtouch)
        {
            Console.WriteLine($"  10,000 files, folder walked: vmtouch {Measure.Ms(Measure.BestMs(() => RunTool("vmtouch", folder), 5))}");
        }
    }

    private static long MeasureEach(IEnumerable<string> files)
    {
        long resident = 0;
        foreach (string f in files)
        {
            resident += PageCache.Measure(f).ResidentPages;
        }

        return resident;
    }

    private static string RunFincore(string[] files)
    {
        var psi = new ProcessStartInfo("fincore") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in new[] { "--bytes", "--noheadings", "--raw", "--output", "PAGES,SIZE" })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (string f in files)
        {
            psi.ArgumentList.Add(f);
        }

        using Process p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    private static bool HasVmtouch => OnPath("vmtouch");

    /// <summary>Runs a tool to completion, its output read and dropped.</summary>
    private static void RunTool(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
    }

    private static (long Pages, long Size) ParseFincore(string line)
    {
        string[] w = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(w[0], CultureInfo.InvariantCulture), long.Parse(w[1], CultureInfo.InvariantCulture));
    }

    private static string FincoreVersion()
    {
        var psi = new ProcessStartInfo("fincore", "--version") { RedirectStandardOutput = true, UseShellExecute = false };
        using Process p = Process.Start(psi)!;
        string v = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return v;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(d => File.Exists(Path.Combine(d, tool)));

    /// <summary>A folder on a disk filesystem: tmpfs pages cannot be evicted, so it would measure something else.</summary>
    private static string DiskFolder()
    {
        foreach (string? candidate in new[] { Environment.GetEnvironmentVariable("TMPDIR"), "/var/tmp", "/tmp", Environment.CurrentDirectory })
        {
            if (!string.IsNullOrEmpty(candidate) && Directory.Exists(candidate) && !IsMemoryFileSystem(candidate))
            {
                return candidate;
            }
        }

        return Environment.CurrentDirectory;
    }

    private static bool IsMemoryFileSystem(string path)
    {
        string full = Path.GetFullPath(path);
        string best = string.Empty, type = string.Empty;
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] w = line.Split(' ');
            int dash = Array.IndexOf(w, "-");
            string mount = w[4];
            if ((full == mount || full.StartsWith(mount.TrimEnd('/') + "/", StringComparison.Ordinal)) && mount.Length >= best.Length)
            {
                best = mount;
                type = w[dash + 1];
            }
        }

        return type is "tmpfs" or "ramfs";
    }
}
