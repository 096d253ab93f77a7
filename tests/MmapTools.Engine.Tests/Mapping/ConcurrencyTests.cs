using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace MmapTools.Tests;

/// <summary>A map in use by one thread is never unmapped under it by another.</summary>
public sealed class ConcurrencyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task DisposeWhileEightThreadsUseTheMap_EachAccessSucceedsOrIsMapClosed()
    {
        byte[] content = Bytes.Pattern(64 * 1024);
        for (int round = 0; round < 20; round++)
        {
            string path = _dir.File($"c{round}.bin", content);
            MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadWrite);
            int ok = 0, closed = 0;
            using var start = new Barrier(9);
            Task[] workers = new Task[8];
            for (int w = 0; w < workers.Length; w++)
            {
                int worker = w;
                workers[w] = Task.Run(() =>
                {
                    start.SignalAndWait();
                    var buffer = new byte[4096];
                    for (int i = 0; i < 500; i++)
                    {
                        try
                        {
                            long offset = ((i * 7) + worker) % 15 * 4096;
                            if (i % 3 == 0)
                            {
                                map.Write(offset, content.AsSpan((int)offset, 4096));
                            }
                            else if (i % 3 == 1)
                            {
                                map.Read(offset, buffer);
                                Assert.Equal(content.AsSpan((int)offset, 4096).ToArray(), buffer);
                            }
                            else
                            {
                                map.Sync(offset, 4096);
                            }

                            Interlocked.Increment(ref ok);
                        }
                        catch (MmapException e) when (e.ErrorId == ErrorIds.MapClosed)
                        {
                            Interlocked.Increment(ref closed);
                        }
                    }
                });
            }

            start.SignalAndWait();
            Thread.SpinWait(1000 * round);
            map.Dispose();
            await Task.WhenAll(workers);
            Assert.Equal(8 * 500, ok + closed);
            Assert.False(map.IsOpen);
        }
    }
}
