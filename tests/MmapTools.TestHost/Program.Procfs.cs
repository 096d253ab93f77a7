using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using MmapTools;

// Commands for the process address-space tests (ProcessVmaTests).
internal static partial class Program
{
    private const int PR_SET_VMA = 0x53564d41;
    private const int PR_SET_VMA_ANON_NAME = 0;

    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static extern int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, IntPtr arg5);

    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static extern IntPtr Mmap(IntPtr addr, nuint length, int prot, int flags, int fd, long offset);

    [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static extern int Munmap(IntPtr addr, nuint length);

    [DllImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static extern int Mprotect(IntPtr addr, nuint length, int prot);

    private static string X(ulong a) => a.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>
    /// vma-layout DIR: a known layout. Maps DIR/"layout file.bin" (3 pages, read-only), anonymous memory of 4 pages
    /// named "mmaptools-test" with prctl (where the kernel allows), a file DIR/gone.bin then deletes it, and
    /// 3 anonymous pages whose middle one is PROT_NONE. Prints
    /// "READY fileStart anonStart named(1|0) goneStart guardStart" (hex) and waits for EOF on stdin.
    /// </summary>
    private static int Cmd_vma_layout(string[] a)
    {
        long page = MemoryMap.PageSize;
        string file = Path.Combine(a[1], "layout file.bin");
        File.WriteAllBytes(file, new byte[3 * page]);
        using MemoryMap fileMap = MemoryMap.OpenFile(file, MapAccess.ReadOnly);

        using MemoryMap anon = MemoryMap.CreateAnonymous(4 * page);
        IntPtr name = Marshal.StringToCoTaskMemUTF8("mmaptools-test");
        int named = Prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (nuint)anon.Address, (nuint)(4 * page), name) == 0 ? 1 : 0;
        Marshal.FreeCoTaskMem(name);

        string gone = Path.Combine(a[1], "gone.bin");
        File.WriteAllBytes(gone, new byte[2 * page]);
        using MemoryMap goneMap = MemoryMap.OpenFile(gone, MapAccess.ReadOnly);
        File.Delete(gone);

        // PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS; then the middle page PROT_NONE.
        IntPtr guard = Mmap(IntPtr.Zero, (nuint)(3 * page), 3, 0x22, -1, 0);
        Mprotect(guard + (nint)page, (nuint)page, 0);

        Console.WriteLine($"READY {X(fileMap.Address)} {X(anon.Address)} {named} {X(goneMap.Address)} {X((ulong)guard)}");
        Console.Out.Flush();
        Console.In.ReadToEnd();
        Munmap(guard, (nuint)(3 * page));
        return 0;
    }

    /// <summary>
    /// vma-churn PAGES: maps PAGES pages, then until stdin closes keeps splitting and merging them (mprotect of
    /// alternating pages) and mapping/unmapping extra regions, so that the address space changes while it is read.
    /// </summary>
    private static int Cmd_vma_churn(string[] a)
    {
        int pages = int.Parse(a[1], CultureInfo.InvariantCulture);
        long page = MemoryMap.PageSize;
        IntPtr region = Mmap(IntPtr.Zero, (nuint)(pages * page), 3, 0x22, -1, 0);
        var stop = 0;
        var thread = new Thread(() =>
        {
            var extra = new List<IntPtr>();
            int round = 0;
            while (Volatile.Read(ref stop) == 0)
            {
                int prot = round % 2 == 0 ? 1 : 3;
                for (int i = 0; i < pages; i += 2)
                {
                    Mprotect(region + (nint)(i * page), (nuint)page, prot);
                }

                extra.Add(Mmap(IntPtr.Zero, (nuint)page, 1, 0x22, -1, 0));
                if (extra.Count > 64)
                {
                    foreach (IntPtr p in extra)
                    {
                        Munmap(p, (nuint)page);
                    }

                    extra.Clear();
                }

                round++;
            }
        }) { IsBackground = true };
        thread.Start();
        Console.WriteLine($"READY {X((ulong)region)}");
        Console.Out.Flush();
        Console.In.ReadToEnd();
        Volatile.Write(ref stop, 1);
        thread.Join();
        return 0;
    }

    /// <summary>
    /// vma-files DIR COUNT FILES: FILES files with long names (a 200-character directory and file name under DIR), each
    /// a page, mapped read-only COUNT times in all, round robin: COUNT file VMAs whose smaps header lines are long.
    /// Prints "READY" and waits for EOF on stdin.
    /// </summary>
    private static int Cmd_vma_files(string[] a)
    {
        int count = int.Parse(a[2], CultureInfo.InvariantCulture), files = int.Parse(a[3], CultureInfo.InvariantCulture);
        long page = MemoryMap.PageSize;
        string dir = Path.Combine(a[1], new string('d', 200));
        Directory.CreateDirectory(dir);
        var maps = new List<MemoryMap>();
        for (int f = 0; f < files; f++)
        {
            File.WriteAllBytes(Path.Combine(dir, new string('f', 200) + "-" + f.ToString(CultureInfo.InvariantCulture) + ".bin"), new byte[page]);
        }

        for (int i = 0; i < count; i++)
        {
            maps.Add(MemoryMap.OpenFile(Path.Combine(dir, new string('f', 200) + "-" + (i % files).ToString(CultureInfo.InvariantCulture) + ".bin"), MapAccess.ReadOnly));
        }

        Console.WriteLine("READY");
        Console.Out.Flush();
        Console.In.ReadToEnd();
        foreach (MemoryMap m in maps)
        {
            m.Dispose();
        }

        return 0;
    }

    /// <summary>vma-many COUNT: COUNT VMAs (alternating protection over one anonymous map); READY START END; waits for EOF.</summary>
    private static int Cmd_vma_many(string[] a)
    {
        int count = int.Parse(a[1], CultureInfo.InvariantCulture);
        long page = MemoryMap.PageSize;
        IntPtr region = Mmap(IntPtr.Zero, (nuint)(count * page), 3, 0x22, -1, 0);
        for (int i = 0; i < count; i += 2)
        {
            Mprotect(region + (nint)(i * page), (nuint)page, 1);
        }

        Console.WriteLine($"READY {X((ulong)region)} {X((ulong)region + (ulong)(count * page))}");
        Console.Out.Flush();
        Console.In.ReadToEnd();
        return 0;
    }

    /// <summary>vmas-message PID: reads another process's VMAs; prints "OK count" or "MSG id message".</summary>
    private static int Cmd_vmas_message(string[] a)
    {
        try
        {
            return Cmd_vmas_of(a);
        }
        catch (MmapException e)
        {
            Console.WriteLine($"MSG {e.ErrorId} {e.Message}");
            return 0;
        }
    }

    /// <summary>vmas-of PID [detailed]: reads another process's VMAs; prints "OK count" or "ERR id errno".</summary>
    private static int Cmd_vmas_of(string[] a)
    {
        int pid = int.Parse(a[1], CultureInfo.InvariantCulture);
        using VmaReader r = ProcessMemory.GetVmas(pid, a.Length > 2 && a[2] == "detailed");
        int n = 0;
        foreach (ProcessVma unused in r)
        {
            n++;
        }

        Console.WriteLine("OK " + n);
        return 0;
    }

    /// <summary>rollup-of PID: prints "OK source rss" or "ERR id errno".</summary>
    private static int Cmd_rollup_of(string[] a)
    {
        ProcessMemoryInfo info = ProcessMemory.GetMemoryInfo(int.Parse(a[1], CultureInfo.InvariantCulture));
        Console.WriteLine($"OK {info.Source} {info.Rss}");
        return 0;
    }
}
