using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace MmapTools.Bench;

/// <summary>
/// Get-ProcessVma's engine against cat and pmap on a helper process with ~60,000 VMAs (the TestHost's vma-many:
/// alternating mprotect over one anonymous map). All figures in the same run, best of 5 after a warm-up.
/// The engine is timed in this process (open, read, parse, one object per VMA); pwsh is not involved.
/// </summary>
public sealed class ProcessVmaBenchmark : IBenchmark
{
    private const int Vmas = 60_000;

    public string Name => "vma";

    public string Description => $"Get-ProcessVma engine vs cat /proc/PID/maps, pmap, pmap -x on {Vmas:N0} VMAs";

    public void Run()
    {
        string host = Path.Combine(AppContext.BaseDirectory, "MmapTools.TestHost.dll");
        var psi = new ProcessStartInfo(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(host);
        psi.ArgumentList.Add("vma-many");
        psi.ArgumentList.Add(Vmas.ToString(CultureInfo.InvariantCulture));
        using Process helper = Process.Start(psi)!;
        try
        {
            string? ready = helper.StandardOutput.ReadLine();
            if (ready is null || !ready.StartsWith("READY", StringComparison.Ordinal))
            {
                Console.WriteLine("The helper did not start: " + ready);
                return;
            }

            int pid = helper.Id;
            int count = 0;
            using (VmaReader r = ProcessMemory.GetVmas(pid))
            {
                foreach (ProcessVma unused in r)
                {
                    count++;
                }

                Console.WriteLine($"helper pid {pid}: {count:N0} VMAs; the engine made {r.ReadCalls} read(2) calls for its maps (procfs gives about a page per call)");
            }

            // Interleaved rounds, best of each: the machine's load hits every contender alike.
            double[] best = Interleaved(
                7,
                () => Shell($"exec cat /proc/{pid}/maps > /dev/null"),
                () => Enumerate(pid, detailed: false),
                () => Shell($"exec pmap {pid} > /dev/null"),
                () => Shell("exec true"),
                () => RawRead($"/proc/{pid}/maps"));
            double cat = best[0], maps = best[1], pmap = best[2], shell = best[3], rawMaps = best[4];
            best = Interleaved(
                3,
                () => Shell($"exec pmap -x {pid} > /dev/null"),
                () => Enumerate(pid, detailed: true),
                () => Group(pid),
                () => RawRead($"/proc/{pid}/smaps"));
            double pmapX = best[0], smaps = best[1], grouped = best[2], rawSmaps = best[3];

            Console.WriteLine($"(process start of `sh -c 'exec true'` alone: {Measure.Ms(shell)}; it is included in cat's and pmap's times)");
            Measure.Compare("maps", cat, "cat /proc/PID/maps", maps, "engine maps parse", 1 / 1.3);
            Measure.Compare("maps", pmap, "pmap PID", maps, "engine maps parse", 1.0);
            Measure.Compare("smaps", pmapX, "pmap -x PID", smaps, "engine smaps parse (-Detailed)", 2.0);
            Console.WriteLine($"grouped (-Detailed -Grouped): {Measure.Ms(grouped)}");
            Console.WriteLine($"the kernel's share: read(2) of maps to EOF without parsing {Measure.Ms(rawMaps)}, of smaps {Measure.Ms(rawSmaps)}");
        }
        finally
        {
            helper.StandardInput.Close();
            if (!helper.WaitForExit(10_000))
            {
                helper.Kill();
            }
        }
    }

    private static void Enumerate(int pid, bool detailed)
    {
        using VmaReader r = ProcessMemory.GetVmas(pid, detailed);
        long sum = 0;
        foreach (ProcessVma v in r)
        {
            sum += (long)v.Size + (v.Rss ?? 0);
        }

        GC.KeepAlive(sum);
    }

    private static unsafe void RawRead(string file)
    {
        int fd = Interop.Libc.Open(file, Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC, 0);
        byte[] buffer = new byte[256 * 1024];
        fixed (byte* p = buffer)
        {
            while (Interop.Libc.Read(fd, p, (nuint)buffer.Length) > 0)
            {
            }
        }

        Interop.Libc.Close(fd);
    }

    private static double[] Interleaved(int rounds, params Action[] actions)
    {
        var best = new double[actions.Length];
        Array.Fill(best, double.MaxValue);
        foreach (Action a in actions)
        {
            a();
        }

        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < actions.Length; i++)
            {
                var sw = Stopwatch.StartNew();
                actions[i]();
                best[i] = Math.Min(best[i], sw.Elapsed.TotalMilliseconds);
            }
        }

        return best;
    }

    private static void Group(int pid)
    {
        using VmaReader r = ProcessMemory.GetVmas(pid, true);
        int n = 0;
        foreach (ProcessVmaGroup unused in ProcessMemory.Group(r))
        {
            n++;
        }

        GC.KeepAlive(n);
    }

    private static void Shell(string command)
    {
        using Process p = Process.Start(new ProcessStartInfo("sh", new[] { "-c", command }) { UseShellExecute = false })!;
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' failed with exit code {p.ExitCode}");
        }
    }
}
