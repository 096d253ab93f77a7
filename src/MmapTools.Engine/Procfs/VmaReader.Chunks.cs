using System;
using System.Runtime.CompilerServices;
using System.Buffers;
using MmapTools.Interop;

namespace MmapTools.Procfs;

/// <summary>Reading the file: large chunks, split into lines in place; closing it at the end or on Dispose.</summary>
public sealed partial class VmaReader
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryNextLine(out int start, out int length)
    {
        while (true)
        {
            int nl = _buf.AsSpan(_pos, _len - _pos).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                start = _pos;
                length = nl;
                _pos += nl + 1;
                return true;
            }

            if (_eof)
            {
                start = _pos;
                length = _len - _pos;
                _pos = _len;
                return length > 0;
            }

            // Read-ahead chunks end at a line: this one is parsed.
            if (_ahead is not null)
            {
                NextChunk();
                continue;
            }

            if (ShouldReadAhead)
            {
                StartReadAhead();
                NextChunk();
                continue;
            }

            if (_pos > 0)
            {
                Buffer.BlockCopy(_buf, _pos, _buf, 0, _len - _pos);
                _len -= _pos;
                _pos = 0;
            }

            if (_len == _buf.Length)
            {
                Array.Resize(ref _buf, _buf.Length * 2);
                _pooled = false;
            }

            Fill();
        }
    }

    private unsafe void Fill()
    {
        while (true)
        {
            nint n;
            fixed (byte* p = &_buf[_len])
            {
                n = Libc.Read(_fd, p, (nuint)(_buf.Length - _len));
            }

            ReadCalls++;
            if (n > 0)
            {
                _len += (int)n;
                _bytesRead += n;
                return;
            }

            if (n == 0)
            {
                _eof = true;
                return;
            }

            int errno = Libc.LastErrno;
            if (errno == Errno.EINTR)
            {
                continue;
            }

            throw ReadFailed(errno);
        }
    }

    /// <summary>
    /// A read(2) of the file failed (here or on the read-ahead thread): the reader is closed and finished, and the
    /// error says so (ESRCH: the process exited while it was read).
    /// </summary>
    private MmapException ReadFailed(int errno)
    {
        Close();
        _finished = true;
        return errno == Errno.ESRCH
            ? ProcfsErrors.Exited(_pid, _file, Count)
            : ProcfsErrors.FromErrno(errno, _pid, _file, "read the memory map");
    }

    private void Finish()
    {
        _finished = true;
        Close();

        // A process that exits while it is read ends its maps early, exactly like one that is done: only
        // its state tells them apart. A kernel thread has no VMAs and that is no error.
        if (_live && ProcessMemory.HasExited(_pid))
        {
            throw ProcfsErrors.Exited(_pid, _file, Count);
        }
    }

    private void Close()
    {
        // The reader thread is joined before the descriptor is closed (and its number can be reused).
        StopReadAhead();
        if (_fd >= 0)
        {
            Libc.Close(_fd);
            _fd = -1;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Close();
        _finished = true;
        if (_pooled)
        {
            ArrayPool<byte>.Shared.Return(_buf);
            _pooled = false;
        }

        _buf = Array.Empty<byte>();
    }
}
