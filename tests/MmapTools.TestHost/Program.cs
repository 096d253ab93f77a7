using System;
using System.Globalization;
using System.Threading;
using MmapTools;

// A child process for the engine tests. Each command prints one line: "OK ..." or "ERR <ErrorId> <errno name>",
// then exits 0 (or 3 on an unexpected exception). Commands that hold a map print "READY" and wait for a line
// on standard input (or for SIGKILL).
internal static partial class Program
{
    private static int Main(string[] args)
    {
        try
        {
            return Run(args);
        }
        catch (MmapException e)
        {
            Console.WriteLine($"ERR {e.ErrorId} {e.ErrnoName ?? "-"}");
            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine($"EXC {e.GetType().Name} {e.Message}");
            return 3;
        }
    }

    private static long L(string s) => long.Parse(s, CultureInfo.InvariantCulture);

    private static int Run(string[] a)
    {
        switch (a[0])
        {
            // open PATH ACCESS: try to map the file and say how it went.
            case "open":
                using (MemoryMap m = MemoryMap.OpenFile(a[1], Enum.Parse<MapAccess>(a[2])))
                {
                    Console.WriteLine($"OK {m.Length}");
                }

                return 0;

            // open-shm NAME ACCESS [SIZE]
            case "open-shm":
                using (MemoryMap m = MemoryMap.OpenSharedMemory(a[1], Enum.Parse<MapAccess>(a[2]), 0, null, a.Length > 3 ? L(a[3]) : null))
                {
                    Console.WriteLine($"OK {m.Length}");
                }

                return 0;

            // read-shm NAME OFFSET COUNT: print the bytes as hex.
            case "read-shm":
                using (MemoryMap m = MemoryMap.OpenSharedMemory(a[1], MapAccess.ReadOnly))
                {
                    Console.WriteLine("OK " + Hex.Format(m.Read(L(a[2]), (int)L(a[3]))));
                }

                return 0;

            // write-shm NAME OFFSET HEX
            case "write-shm":
                using (MemoryMap m = MemoryMap.OpenSharedMemory(a[1], MapAccess.ReadWrite))
                {
                    m.Write(L(a[2]), Hex.Parse(a[3]));
                    Console.WriteLine("OK");
                }

                return 0;

            // read-file PATH OFFSET COUNT: map read-only and print the bytes as hex.
            case "read-file":
                using (MemoryMap m = MemoryMap.OpenFile(a[1], MapAccess.ReadOnly))
                {
                    Console.WriteLine("OK " + Hex.Format(m.Read(L(a[2]), (int)L(a[3]))));
                }

                return 0;

            // write-file PATH OFFSET HEX [nosync]: map shared read-write, write, msync (unless nosync).
            case "write-file":
                using (MemoryMap m = MemoryMap.OpenFile(a[1], MapAccess.ReadWrite))
                {
                    m.Write(L(a[2]), Hex.Parse(a[3]));
                    if (a.Length < 5 || a[4] != "nosync")
                    {
                        m.Sync();
                    }

                    Console.WriteLine("OK");
                }

                return 0;

            // hold-file PATH ACCESS: map the file, print READY, then answer "read OFFSET COUNT" lines until EOF.
            case "hold-file":
                using (MemoryMap m = MemoryMap.OpenFile(a[1], Enum.Parse<MapAccess>(a[2])))
                {
                    Console.WriteLine("READY " + m.Address.ToString("x", CultureInfo.InvariantCulture));
                    string? line;
                    while ((line = Console.ReadLine()) is not null)
                    {
                        string[] w = line.Split(' ');
                        if (w[0] == "read")
                        {
                            Console.WriteLine("OK " + Hex.Format(m.Read(L(w[1]), (int)L(w[2]))));
                        }
                    }
                }

                return 0;

            // write-loop PATH PAGES: write page i with byte (i % 251) + 1, msync each page, print "PAGE i" after its sync;
            // runs until killed once all pages are written.
            case "write-loop":
                using (MemoryMap m = MemoryMap.OpenFile(a[1], MapAccess.ReadWrite))
                {
                    int pages = (int)L(a[2]);
                    byte[] page = new byte[MemoryMap.PageSize];
                    for (int i = 0; i < pages; i++)
                    {
                        Array.Fill(page, (byte)((i % 251) + 1));
                        m.Write((long)i * page.Length, page);
                        m.Sync((long)i * page.Length, page.Length);
                        Console.WriteLine("PAGE " + i);
                    }

                    Console.WriteLine("DONE");
                    Thread.Sleep(Timeout.Infinite);
                }

                return 0;

            default:
                // Other areas add commands as `static int Cmd_<name>(string[] args)` in their own Program.*.cs file.
                System.Reflection.MethodInfo? command = typeof(Program).GetMethod("Cmd_" + a[0].Replace('-', '_'),
                    System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public);
                if (command is null)
                {
                    Console.WriteLine("EXC unknown command " + a[0]);
                    return 2;
                }

                try
                {
                    return (int)command.Invoke(null, new object[] { a })!;
                }
                catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                    throw;
                }
        }
    }
}
