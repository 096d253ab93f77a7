using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace MmapTools.Bench;

/// <summary>
/// Find-MappedBytes' engine on a 1 GiB page-cached file, searching for a 9-byte pattern that is absent,
/// against `grep -c -F` on the same file and against plain copies of the mapped bytes, in the same run.
/// Targets: at least grep's speed, and at least 0.8x the memory-copy rate.
/// </summary>
public sealed class FindBenchmark : IBenchmark
{
    private const long Size = 1L << 30;
    private const string Needle = "MMAPTOOLS";     // 9 bytes, absent from the random data

    public string Name => "find";

    public string Description => "search a 1 GiB page-cached file for an absent 9-byte pattern vs grep -c -F and a memory copy";

    public void Run()
    {
        string dir = Directory.CreateTempSubdirectory("mmaptools-bench-").FullName;
        string path = Path.Combine(dir, "haystack.bin");
        try
        {
            Console.WriteLine($"Writing {Units.FormatBytes(Size)} of pseudo-random bytes to {path} ...");
            WriteRandom(path);
            BytePattern pattern = BytePattern.FromText(Needle, "ascii");

            // Warm the page cache and check that the pattern really is absent (by grep and by us).
            string grepCount = Grep(path);
            long ours = ByteSearch.InFile(path, pattern).LongCount();
            Console.WriteLine($"Pattern '{Needle}' ({pattern}): grep -c counts {grepCount} lines, ByteSearch finds {ours} matches.");
            if (grepCount != "0" || ours != 0)
            {
                Console.WriteLine("The pattern is not absent; the figures below are not what this benchmark means to measure.");
            }

            double grepMs = Measure.BestMs(() => Grep(path), 7);
            double memcpyMs = Measure.BestMs(() => RawCopy(path), 7);
            double guardedMs = Measure.BestMs(() => GuardedCopy(path), 7);
            double searchMs = Measure.BestMs(() => ByteSearch.InFile(path, pattern).LongCount(), 7);
            Console.WriteLine($"grep -c -F (LC_ALL=C)          {Measure.Ms(grepMs),12}  {Rate(grepMs)}");
            Console.WriteLine($"memcpy out of a fresh map       {Measure.Ms(memcpyMs),12}  {Rate(memcpyMs)}   (raw pointer copy, 1 MiB buffer: the ceiling)");
            Console.WriteLine($"guarded copy (process_vm_readv) {Measure.Ms(guardedMs),12}  {Rate(guardedMs)}   (MemoryMap.Read, 1 MiB chunks)");
            Console.WriteLine($"ByteSearch.InFile               {Measure.Ms(searchMs),12}  {Rate(searchMs)}");
            Measure.Compare("search vs grep", grepMs, "grep", searchMs, "ByteSearch", 1.0);
            Measure.Compare("search vs memcpy", memcpyMs, "memcpy", searchMs, "ByteSearch", 0.8);
            Measure.Compare("search vs guarded copy", guardedMs, "guarded copy", searchMs, "ByteSearch", 0.8);

            byte[] inCache = ReadHead(path);
            double indexOfMs = Measure.BestMs(() =>
            {
                for (int i = 0; i < 1024; i++)
                {
                    if (pattern.IndexOf(inCache, 0, inCache.Length) >= 0)
                    {
                        throw new InvalidOperationException("found");
                    }
                }
            }, 5);
            byte[] needle = System.Text.Encoding.ASCII.GetBytes(Needle);
            double spanMs = Measure.BestMs(() =>
            {
                for (int i = 0; i < 1024; i++)
                {
                    if (inCache.AsSpan().IndexOf(needle) >= 0)
                    {
                        throw new InvalidOperationException("found");
                    }
                }
            }, 5);
            Console.WriteLine($"search alone, 1 MiB in cache x 1024 {Measure.Ms(indexOfMs),9}  {Rate(indexOfMs)}   (BytePattern.IndexOf, no copy)");
            Console.WriteLine($"Span.IndexOf, 1 MiB in cache x 1024 {Measure.Ms(spanMs),9}  {Rate(spanMs)}   (.NET's own, for comparison)");
            Console.WriteLine("Chunk size sweep (ByteSearch.InFile):");
            foreach (int chunk in new[] { 64 << 10, 128 << 10, 256 << 10, 512 << 10, 1 << 20, 4 << 20 })
            {
                var options = new SearchOptions { ChunkSize = chunk };
                double ms = Measure.BestMs(() => ByteSearch.InFile(path, pattern, options).LongCount(), 4);
                Console.WriteLine($"  {Units.FormatBytes(chunk),8}: {Measure.Ms(ms),10}  {Rate(ms)}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            Console.WriteLine($"Removed {dir}.");
        }
    }

    private static byte[] ReadHead(string path)
    {
        byte[] head = new byte[1 << 20];
        using FileStream fs = File.OpenRead(path);
        fs.ReadExactly(head);
        return head;
    }

    private static string Rate(double ms) => (Size / (ms / 1000) / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB/s";

    private static void WriteRandom(string path)
    {
        byte[] block = new byte[4 << 20];
        ulong state = 0x9E3779B97F4A7C15;
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        for (long written = 0; written < Size; written += block.Length)
        {
            var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(block.AsSpan());
            for (int i = 0; i < words.Length; i++)
            {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                words[i] = state;
            }

            fs.Write(block);
        }
    }

    private static string Grep(string path)
    {
        var psi = new ProcessStartInfo("grep", new[] { "-c", "-F", "--", Needle, path }) { RedirectStandardOutput = true, UseShellExecute = false };
        psi.Environment["LC_ALL"] = "C";
        using Process p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }

    private static unsafe void RawCopy(string path)
    {
        using MemoryMap map = MemoryMap.OpenFile(path);
        byte[] buffer = new byte[1 << 20];
        byte* start = (byte*)map.Address;
        fixed (byte* dest = buffer)
        {
            for (long at = 0; at < map.Length; at += buffer.Length)
            {
                int n = (int)Math.Min(buffer.Length, map.Length - at);
                Buffer.MemoryCopy(start + at, dest, buffer.Length, n);
            }
        }

        GC.KeepAlive(buffer);
    }

    private static void GuardedCopy(string path)
    {
        using MemoryMap map = MemoryMap.OpenFile(path);
        byte[] buffer = new byte[1 << 20];
        for (long at = 0; at < map.Length; at += buffer.Length)
        {
            int n = (int)Math.Min(buffer.Length, map.Length - at);
            map.Read(at, buffer.AsSpan(0, n));
        }
    }
}
