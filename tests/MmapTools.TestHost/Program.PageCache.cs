using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using MmapTools;

// Commands for the page-cache tests (issue 4).
internal static partial class Program
{
    // residency PATH METHOD: "OK resident/pages Method" as PageCache.Measure sees it.
    private static int Cmd_residency(string[] a)
    {
        PageCacheResidency r = PageCache.Measure(a[1], method: Enum.Parse<ResidencyMethod>(a[2]));
        Console.WriteLine($"OK {r.ResidentPages}/{r.Pages} {r.Method}");
        return 0;
    }

    // mincore-raw PATH: what bare mincore(2) says about the file, with no permission check: "OK resident/pages".
    // The test process's own libc calls, to show the kernel's answer as vmtouch and fincore would get it.
    private static int Cmd_mincore_raw(string[] a)
    {
        long size = new FileInfo(a[1]).Length;
        using FileStream fs = File.OpenRead(a[1]);
        IntPtr address = RawMmap(IntPtr.Zero, (nuint)size, 1 /* PROT_READ */, 1 /* MAP_SHARED */, (int)fs.SafeFileHandle.DangerousGetHandle(), 0);
        if (address == new IntPtr(-1))
        {
            Console.WriteLine("ERR mmap " + Marshal.GetLastPInvokeError());
            return 0;
        }

        long pages = (size + Environment.SystemPageSize - 1) / Environment.SystemPageSize;
        byte[] vector = new byte[pages];
        if (RawMincore(address, (nuint)size, vector) != 0)
        {
            Console.WriteLine("ERR mincore " + Marshal.GetLastPInvokeError());
            return 0;
        }

        long resident = 0;
        foreach (byte b in vector)
        {
            resident += b & 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"OK {resident}/{pages}"));
        return 0;
    }

    [DllImport("libc.so.6", EntryPoint = "mmap", SetLastError = true)]
    private static extern IntPtr RawMmap(IntPtr address, nuint length, int prot, int flags, int fd, long offset);

    [DllImport("libc.so.6", EntryPoint = "mincore", SetLastError = true)]
    private static extern int RawMincore(IntPtr address, nuint length, byte[] vector);
}

internal static partial class Program
{
    // lock-anon LENGTH: map anonymous memory and mlock it (MapControl.Lock): "OK" or "ERR LockFailed ENOMEM".
    private static int Cmd_lock_anon(string[] a)
    {
        using MemoryMap map = MemoryMap.CreateAnonymous(L(a[1]));
        map.Lock();
        Console.WriteLine("OK");
        return 0;
    }
}
