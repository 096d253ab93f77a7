using System;
using System.IO;
using Microsoft.Win32.SafeHandles;

namespace MmapTools.Bench;

/// <summary>
/// The seed experiment: 10,000 ints read, incremented and written back, with read()/write() and through a map.
/// </summary>
public sealed class SeedIncrementBenchmark : IBenchmark
{
    private const int Ints = 10_000;

    public string Name => "seed";

    public string Description => "10,000 ints read, incremented, written back: pread/pwrite vs the engine's map";

    public void Run()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mmaptools-bench-seed-{Environment.ProcessId}.bin");
        File.WriteAllBytes(path, new byte[Ints * sizeof(int)]);
        try
        {
            using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
            var one = new byte[sizeof(int)];

            double syscalls = Measure.BestMs(() =>
            {
                for (int i = 0; i < Ints; i++)
                {
                    long at = (long)i * sizeof(int);
                    RandomAccess.Read(file, one, at);
                    BitConverter.TryWriteBytes(one, BitConverter.ToInt32(one) + 1);
                    RandomAccess.Write(file, one, at);
                }
            });

            double perInt = Measure.BestMs(() =>
            {
                for (int i = 0; i < Ints; i++)
                {
                    long at = (long)i * sizeof(int);
                    map.Write(at, map.Read<int>(at) + 1);
                }
            });

            var all = new int[Ints];
            double bulk = Measure.BestMs(() =>
            {
                Span<byte> bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(all.AsSpan());
                map.Read(0, bytes);
                for (int i = 0; i < all.Length; i++)
                {
                    all[i]++;
                }

                map.Write(0, bytes);
            });

            Measure.Compare("seed task, one int at a time", syscalls, "pread/pwrite", perInt, "map.Read<int>/Write<int>", 2.0);
            Measure.Compare("seed task, the whole range at once", syscalls, "pread/pwrite", bulk, "map.Read/Write of 40 KB", 2.0);
            Console.WriteLine("Every access to a map is a guarded copy (process_vm_readv/writev), one system call like pread, so the map wins by moving many bytes per call, not by avoiding calls.");
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>100,000 random 16-byte reads from a 1 GiB file: the engine vs FileStream seek+read.</summary>
public sealed class RandomReadBenchmark : IBenchmark
{
    private const long FileSize = 1L << 30;
    private const int Reads = 100_000;
    private const int Record = 16;

    public string Name => "random-read";

    public string Description => "100,000 random 16-byte reads from a 1 GiB file: FileStream seek+read vs the engine";

    public void Run()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mmaptools-bench-random-{Environment.ProcessId}.bin");
        try
        {
            using (var fs = new FileStream(path, FileMode.Create, FileAccess.Write))
            {
                var chunk = new byte[1 << 20];
                new Random(1).NextBytes(chunk);
                for (long written = 0; written < FileSize; written += chunk.Length)
                {
                    fs.Write(chunk);
                }
            }

            var random = new Random(7);
            long[] offsets = new long[Reads];
            for (int i = 0; i < Reads; i++)
            {
                offsets[i] = random.NextInt64(0, FileSize - Record);
            }

            using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadOnly, options: MapOptions.Populate);
            var record = new byte[Record];
            long sink = 0;

            double stream = Measure.BestMs(() =>
            {
                using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                foreach (long offset in offsets)
                {
                    fs.Seek(offset, SeekOrigin.Begin);
                    fs.ReadExactly(record);
                    sink += record[0];
                }
            }, repeat: 3);

            double single = Measure.BestMs(() =>
            {
                foreach (long offset in offsets)
                {
                    map.Read(offset, record);
                    sink += record[0];
                }
            }, repeat: 3);

            var gathered = new byte[Reads * Record];
            double many = Measure.BestMs(() =>
            {
                map.ReadMany(offsets, Record, gathered);
                sink += gathered[0];
            }, repeat: 3);

            Measure.Compare("random reads, one call each", stream, "FileStream seek+read", single, "map.Read", 3.0);
            Measure.Compare("random reads, gathered", stream, "FileStream seek+read", many, "map.ReadMany (1,024 per call)", 3.0);
            GC.KeepAlive(sink);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
