using System;
using System.Globalization;
using MmapTools;

// Commands for the reliability tests (tests/MmapTools.Engine.Tests/*RaceTests.cs, DurabilityTests.cs, SecurityTests.cs).
internal static partial class Program
{
    /// <summary>
    /// write-gens PATH: map the file read-write and, for generation g = 1 to 200, write every page with the byte g,
    /// never syncing: odd generations in one write of the whole map, even ones page by page, from low to high; print "GEN g" after each, then "DONE", and wait to be killed.
    /// </summary>
    private static int Cmd_write_gens(string[] a)
    {
        using MemoryMap m = MemoryMap.OpenFile(a[1], MapAccess.ReadWrite);
        byte[] all = new byte[m.Length];
        Console.WriteLine("READY");
        for (int g = 1; g <= 200; g++)
        {
            Array.Fill(all, (byte)g);
            if (g % 2 == 1)
            {
                m.Write(0, all);
            }
            else
            {
                for (long at = 0; at < all.Length; at += MemoryMap.PageSize)
                {
                    m.Write(at, all.AsSpan((int)at, MemoryMap.PageSize));
                }
            }

            Console.WriteLine("GEN " + g.ToString(CultureInfo.InvariantCulture));
        }

        Console.WriteLine("DONE");
        System.Threading.Thread.Sleep(System.Threading.Timeout.Infinite);
        return 0;
    }

    /// <summary>
    /// open-create PATH|shm:NAME SIZE: create the file (or shared-memory object) with -Size through the engine,
    /// print "OK" and its mode in octal. Run under "umask 000" to show the mode does not come from the umask.
    /// </summary>
    private static int Cmd_open_create(string[] a)
    {
        long size = long.Parse(a[2], CultureInfo.InvariantCulture);
        using MemoryMap m = a[1].StartsWith("shm:", StringComparison.Ordinal)
            ? MemoryMap.OpenSharedMemory(a[1][4..], MapAccess.ReadWrite, size: size)
            : MemoryMap.OpenFile(a[1], MapAccess.ReadWrite, size: size);
        Console.WriteLine("OK " + Convert.ToString((int)System.IO.File.GetUnixFileMode(m.Path!), 8));
        return 0;
    }

    /// <summary>
    /// access PATH...: for each path and each access (ReadOnly, ReadWrite, CopyOnWrite), one line
    /// "PATH ACCESS ENGINE OK|ERR id errno | KERNEL OK|EACCES|...": what the engine says, and what a plain
    /// open(2) of the same path with the matching access says, in this same process.
    /// </summary>
    private static int Cmd_access(string[] a)
    {
        foreach (string path in a[1..])
        {
            foreach (MapAccess access in Enum.GetValues<MapAccess>())
            {
                string engine;
                try
                {
                    using MemoryMap m = MemoryMap.OpenFile(path, access);
                    engine = "OK";
                }
                catch (MmapException e)
                {
                    engine = $"ERR {e.ErrorId} {e.ErrnoName}";
                }

                string kernel;
                try
                {
                    using var h = System.IO.File.OpenHandle(path, System.IO.FileMode.Open,
                        access == MapAccess.ReadWrite ? System.IO.FileAccess.ReadWrite : System.IO.FileAccess.Read, System.IO.FileShare.ReadWrite);
                    kernel = "OK";
                }
                catch (UnauthorizedAccessException)
                {
                    kernel = "EACCES";
                }
                catch (System.IO.IOException e)
                {
                    kernel = "IOERR " + e.HResult.ToString(CultureInfo.InvariantCulture);
                }

                Console.WriteLine($"{path} {access} ENGINE {engine} | KERNEL {kernel}");
            }
        }

        return 0;
    }

    /// <summary>open-lock PATH: map the file read-only with -Lock (mlock) and say how it went.</summary>
    private static int Cmd_open_lock(string[] a)
    {
        using MemoryMap m = MemoryMap.OpenFile(a[1], MapAccess.ReadOnly, options: MapOptions.Lock);
        Console.WriteLine("OK " + m.Length.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>
    /// pid-reuse: run as pid 1 of a new pid namespace (unshare --pid --fork --mount-proc). Starts "sleep" (A), opens
    /// its maps (ProcessMemory.GetVmas), kills and reaps A, sets ns_last_pid so that the next process, "cat" (B),
    /// gets A's pid, then reads the reader opened for A. Prints "SKIP ..." when B did not get the pid, "BUG ..."
    /// when A's reader shows B's memory or ends as if A were alive, else "OK id" (the error A's reader gave).
    /// </summary>
    private static int Cmd_pid_reuse(string[] a)
    {
        using var sleep = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "1000") { UseShellExecute = false })!;
        int pid = sleep.Id;
        VmaReader reader = ProcessMemory.GetVmas(pid);
        sleep.Kill();
        sleep.WaitForExit();
        System.IO.File.WriteAllText("/proc/sys/kernel/ns_last_pid", (pid - 1).ToString(CultureInfo.InvariantCulture));
        using var cat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("cat") { UseShellExecute = false, RedirectStandardInput = true })!;
        try
        {
            if (cat.Id != pid)
            {
                Console.WriteLine($"SKIP pid {pid} went to {cat.Id}");
                return 0;
            }

            try
            {
                var vmas = new System.Collections.Generic.List<ProcessVma>(reader);
                string? catPath = vmas.Find(v => v.Path is not null && v.Path.EndsWith("/cat", StringComparison.Ordinal))?.Path;
                Console.WriteLine(catPath is not null
                    ? $"BUG the reader opened for sleep (pid {pid}) shows cat's memory: {catPath}"
                    : $"BUG the reader opened for sleep (pid {pid}) ended as if sleep were alive, with {vmas.Count} VMAs");
            }
            catch (MmapException e)
            {
                Console.WriteLine($"OK {e.ErrorId}");
            }

            return 0;
        }
        finally
        {
            cat.Kill();
            cat.WaitForExit();
            reader.Dispose();
        }
    }

    /// <summary>
    /// proc-access PID...: for each pid, maps and smaps, one line "PID FILE ENGINE OK|ERR id | KERNEL OK|errno": what
    /// the engine says, and what a plain read of /proc/PID/FILE by this same process says.
    /// </summary>
    private static int Cmd_proc_access(string[] a)
    {
        foreach (string arg in a[1..])
        {
            int pid = int.Parse(arg, CultureInfo.InvariantCulture);
            foreach (bool detailed in new[] { false, true })
            {
                string engine;
                try
                {
                    using VmaReader r = ProcessMemory.GetVmas(pid, detailed);
                    _ = new System.Collections.Generic.List<ProcessVma>(r);
                    engine = "OK";
                }
                catch (MmapException e)
                {
                    engine = "ERR " + e.ErrorId;
                }

                string kernel;
                try
                {
                    _ = System.IO.File.ReadAllBytes($"/proc/{pid}/{(detailed ? "smaps" : "maps")}");
                    kernel = "OK";
                }
                catch (UnauthorizedAccessException)
                {
                    kernel = "EACCES";
                }
                catch (System.IO.IOException e)
                {
                    kernel = e is System.IO.FileNotFoundException or System.IO.DirectoryNotFoundException ? "ENOENT" : "IOERR " + e.Message;
                }

                Console.WriteLine($"{pid} {(detailed ? "smaps" : "maps")} ENGINE {engine} | KERNEL {kernel}");
            }
        }

        return 0;
    }
}
