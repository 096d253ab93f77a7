using System;
using System.Buffers;
using System.Collections.Generic;
using System.Threading;
using MmapTools.Interop;

namespace MmapTools.Procfs;

/// <summary>
/// Reading ahead on a second thread. The kernel writes maps and smaps text at read(2) time, one VMA after another on the
/// reading thread; for a large file a background thread does those reads, in chunks that end at a line, while the
/// enumerating thread parses the chunks before it and hands out VMAs: the parsing hides behind the kernel's work.
/// The enumerating thread keeps everything else (VMAs, errors, the process's exit); the reader thread only reads.
/// </summary>
public sealed partial class VmaReader
{
    /// <summary>Read ahead on a thread once this many bytes have been read without reaching EOF (small files never start one).</summary>
    internal const int DefaultReadAheadAfter = 128 * 1024;

    /// <summary>The size of a read-ahead chunk, and how many may be full at once.</summary>
    internal const int ReadAheadChunk = 128 * 1024;
    internal const int ReadAheadDepth = 4;

    /// <summary>The reader thread's name (also its comm in /proc/self/task, which keeps 15 bytes).</summary>
    internal const string ReadAheadThreadName = "vma-read-ahead";

    private ReadAhead? _ahead;
    private ReadAhead.Chunk? _chunk;
    private byte[]? _own;
    private long _bytesRead;

    /// <summary>Bytes read synchronously after which a read-ahead thread takes over; -1 never (set before enumerating).</summary>
    internal int ReadAheadAfter { get; init; } = -1;

    /// <summary>The size of the read-ahead chunks (tests make them small to cut lines across them).</summary>
    internal int ReadAheadChunkSize { get; init; } = ReadAheadChunk;

    /// <summary>True once a read-ahead thread has been started for this reader.</summary>
    public bool ReadAheadStarted { get; private set; }

    /// <summary>The read-ahead thread, once started (kept after it is joined, for tests).</summary>
    internal Thread? ReadAheadThread { get; private set; }

    private bool ShouldReadAhead => _ahead is null && ReadAheadAfter >= 0 && _bytesRead >= ReadAheadAfter && !_eof && _fd >= 0;

    /// <summary>Hands the file to a reader thread, with the partial line not parsed yet as the start of its first chunk.</summary>
    private void StartReadAhead()
    {
        _ahead = new ReadAhead(_fd, Math.Max(ReadAheadChunkSize, 64), _buf.AsSpan(_pos, _len - _pos));
        _own = _buf;
        _pos = _len = 0;
        ReadAheadStarted = true;
        ReadAheadThread = _ahead.Start();
    }

    /// <summary>The next chunk from the reader thread in place of the one parsed; throws the error it met.</summary>
    private void NextChunk()
    {
        ReadAhead.Chunk next = _ahead!.Take(_chunk);
        _chunk = next;
        if (next.Errno != 0)
        {
            throw ReadFailed(next.Errno);
        }

        _buf = next.Buffer;
        _pos = 0;
        _len = next.Length;
        _eof = next.Eof;
    }

    /// <summary>Stops and joins the reader thread, and gives its buffers back; the file is still open afterwards.</summary>
    private void StopReadAhead()
    {
        if (_ahead is null)
        {
            return;
        }

        ReadCalls += _ahead.Stop();
        _ahead = null;
        _chunk = null;
        if (_own is not null)
        {
            _buf = _own;
            _own = null;
            _pos = _len = 0;
        }
    }

    /// <summary>The reader thread and the chunks between it and the parser.</summary>
    private sealed class ReadAhead
    {
        private readonly int _fd;
        private readonly int _chunkSize;
        private readonly object _lock = new();
        private readonly Queue<Chunk> _full = new();
        private readonly Stack<Chunk> _free = new();
        private readonly Thread _thread;
        private byte[] _carry;
        private int _carryLength;
        private int _allocated;
        private bool _stop;
        private bool _stopped;
        private int _readCalls;

        internal ReadAhead(int fd, int chunkSize, ReadOnlySpan<byte> carry)
        {
            _fd = fd;
            _chunkSize = chunkSize;
            _carry = new byte[Math.Max(carry.Length, 256)];
            carry.CopyTo(_carry);
            _carryLength = carry.Length;
            _thread = new Thread(Run, 256 * 1024) { IsBackground = true, Name = ReadAheadThreadName };
        }

        internal Thread Start()
        {
            _thread.Start();
            return _thread;
        }

        /// <summary>Gives <paramref name="done"/> back and waits for the next full chunk.</summary>
        internal Chunk Take(Chunk? done)
        {
            lock (_lock)
            {
                if (done is not null)
                {
                    _free.Push(done);
                    Monitor.PulseAll(_lock);
                }

                while (_full.Count == 0)
                {
                    Monitor.Wait(_lock);
                }

                return _full.Dequeue();
            }
        }

        /// <summary>Stops the thread (it finishes the read(2) it is in), joins it and returns the buffers; returns its read count.</summary>
        internal int Stop()
        {
            lock (_lock)
            {
                _stop = true;
                Monitor.PulseAll(_lock);
            }

            if (!_stopped)
            {
                _thread.Join();
                _stopped = true;
                lock (_lock)
                {
                    foreach (Chunk c in _full)
                    {
                        c.Return();
                    }

                    foreach (Chunk c in _free)
                    {
                        c.Return();
                    }

                    _full.Clear();
                    _free.Clear();
                }
            }

            return _readCalls;
        }

        private Chunk? Rent()
        {
            lock (_lock)
            {
                while (!_stop && _free.Count == 0 && _allocated >= ReadAheadDepth)
                {
                    Monitor.Wait(_lock);
                }

                if (_stop)
                {
                    return null;
                }

                if (_free.Count > 0)
                {
                    return _free.Pop();
                }

                _allocated++;
                return new Chunk(ArrayPool<byte>.Shared.Rent(_chunkSize), pooled: true);
            }
        }

        private bool Publish(Chunk c)
        {
            lock (_lock)
            {
                if (_stop)
                {
                    c.Return();
                    return false;
                }

                _full.Enqueue(c);
                Monitor.PulseAll(_lock);
                return true;
            }
        }

        private void Run()
        {
            try
            {
                Loop();
            }
            catch (Exception)
            {
                // Never leave the parser waiting: an unexpected failure reads as an I/O error.
                lock (_lock)
                {
                    _full.Enqueue(new Chunk(Array.Empty<byte>(), pooled: false) { Errno = Errno.EIO });
                    Monitor.PulseAll(_lock);
                }
            }
        }

        private unsafe void Loop()
        {
            while (true)
            {
                Chunk? c = Rent();
                if (c is null)
                {
                    return;
                }

                c.Reset();
                if (_carryLength > c.Buffer.Length)
                {
                    c.Grow(_carryLength * 2);
                }

                _carry.AsSpan(0, _carryLength).CopyTo(c.Buffer);
                int len = _carryLength;
                _carryLength = 0;

                // Fill the chunk; it ends at the last newline in it, the rest is carried to the next one.
                while (true)
                {
                    if (len == c.Buffer.Length)
                    {
                        if (c.Buffer.AsSpan(0, len).LastIndexOf((byte)'\n') >= 0)
                        {
                            break;
                        }

                        // One line longer than the chunk: a larger buffer for it.
                        c.Grow(c.Buffer.Length * 2);
                    }

                    nint n;
                    fixed (byte* p = &c.Buffer[len])
                    {
                        n = Libc.Read(_fd, p, (nuint)(c.Buffer.Length - len));
                    }

                    _readCalls++;
                    if (n > 0)
                    {
                        len += (int)n;
                        continue;
                    }

                    if (n == 0)
                    {
                        c.Length = len;
                        c.Eof = true;
                        Publish(c);
                        return;
                    }

                    int errno = Libc.LastErrno;
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }

                    // The lines read so far first, then the error, where a read on the enumerating thread would have met it.
                    int cut = c.Buffer.AsSpan(0, len).LastIndexOf((byte)'\n') + 1;
                    c.Length = cut;
                    if (!Publish(c))
                    {
                        return;
                    }

                    Chunk? e = Rent();
                    if (e is null)
                    {
                        return;
                    }

                    e.Reset();
                    e.Errno = errno;
                    Publish(e);
                    return;
                }

                int end = c.Buffer.AsSpan(0, len).LastIndexOf((byte)'\n') + 1;
                _carryLength = len - end;
                if (_carryLength > _carry.Length)
                {
                    _carry = new byte[_carryLength * 2];
                }

                c.Buffer.AsSpan(end, _carryLength).CopyTo(_carry);
                c.Length = end;
                if (!Publish(c))
                {
                    return;
                }
            }
        }

        /// <summary>A buffer of whole lines (the last may lack its newline at EOF), or an errno.</summary>
        internal sealed class Chunk
        {
            private bool _pooled;

            internal Chunk(byte[] buffer, bool pooled)
            {
                Buffer = buffer;
                _pooled = pooled;
            }

            internal byte[] Buffer { get; private set; }

            internal int Length { get; set; }

            internal bool Eof { get; set; }

            internal int Errno { get; set; }

            internal void Reset()
            {
                Length = 0;
                Eof = false;
                Errno = 0;
            }

            internal void Grow(int size)
            {
                byte[] bigger = new byte[size];
                Buffer.CopyTo(bigger, 0);
                Return();
                Buffer = bigger;
            }

            internal void Return()
            {
                if (_pooled)
                {
                    ArrayPool<byte>.Shared.Return(Buffer);
                    _pooled = false;
                }
            }
        }
    }
}
