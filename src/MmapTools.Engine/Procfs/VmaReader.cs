using System;
using System.Runtime.CompilerServices;
using System.Buffers;
using System.Collections;
using System.Collections.Generic;
using System.Text;

namespace MmapTools.Procfs;

/// <summary>
/// Streams the VMAs of a maps or smaps file as it reads it in large chunks. Never yields a VMA that starts
/// below the end of the previous one: when the address space changes between two reads (a torn read), the
/// kernel may repeat or go back. A line wholly below the previous end is dropped (<see cref="DroppedLines"/>);
/// from maps, a line that reaches past it is clipped to start there (<see cref="ClippedLines"/>), so a region that
/// merged or split across the tear shows no hole; from smaps, whose figures cover the whole line, it is dropped.
/// Enumerate it once; dispose it (or enumerate to the end) to close the file.
/// </summary>
/// <remarks>This part parses lines into VMAs; VmaReader.Chunks.cs reads the file and splits it into lines.</remarks>
public sealed partial class VmaReader : IEnumerable<ProcessVma>, IEnumerator<ProcessVma>
{
    private readonly string _file;
    private readonly int _pid;
    private readonly string? _processName;
    private readonly bool _detailed;
    private readonly bool _live;
    private int _fd;
    private byte[] _buf;
    private bool _pooled;
    private int _pos;
    private int _len;
    private bool _eof;
    private bool _finished;
    private bool _started;
    private long _lineNumber;
    private ulong _lastEnd;
    private bool _any;
    private ProcessVma? _current;

    // The name of the previous VMA: consecutive VMAs of a file share it, and so share its strings.
    private byte[] _lastRaw = new byte[256];
    private int _lastRawLength = -1;
    private ulong _lastInode;
    private VmaFormat.NameInfo? _lastName;

    // smaps: the VMA whose block is being read.
    private VmaFormat.Header _pending;
    private VmaFormat.NameInfo? _pendingName;
    private bool _hasPending;
    private bool _skipBlock;
    private SmapsSchema? _schema;
    private readonly SmapsSlab _slab = new();
    private VmaOwner? _owner;
    private string[] _tmpKeys = new string[40];
    private long[] _tmpValues = new long[40];
    private bool[] _tmpIsKb = new bool[40];
    private int _keyCount;

    // True once _tmpKeys/_tmpIsKb hold this block's keys so far: the fast path of AddKey leaves them to the schema
    // (a reference store per line, with its GC write barrier) until a block departs from it.
    private bool _keysStored;
    private bool _schemaMismatch;
    private VmFlags? _flags;
    private string? _flagsText;

    internal VmaReader(int fd, string file, int pid, string? processName, bool detailed, bool live, int chunkSize = ProcessMemory.ChunkSize)
    {
        _fd = fd;
        _file = file;
        _pid = pid;
        _processName = processName;
        _detailed = detailed;
        _live = live;
        _pooled = chunkSize == ProcessMemory.ChunkSize;
        _buf = _pooled ? ArrayPool<byte>.Shared.Rent(chunkSize) : new byte[chunkSize];
    }

    /// <summary>The process.</summary>
    public int ProcessId => _pid;

    /// <summary>The process's name, or null.</summary>
    public string? ProcessName => _processName;

    /// <summary>How many VMAs have been yielded.</summary>
    public int Count { get; private set; }

    /// <summary>The process's name and user, when read; the VMAs carry them.</summary>
    public ProcessIdentity? Identity { get; init; }

    /// <summary>How many read(2) calls were made.</summary>
    public int ReadCalls { get; private set; }

    /// <summary>How many lines were dropped because they repeated or went back (torn reads).</summary>
    public int DroppedLines { get; private set; }

    /// <summary>How many maps lines began below the previous end and were clipped to start there (torn reads).</summary>
    public int ClippedLines { get; private set; }

    /// <inheritdoc />
    public ProcessVma Current => _current ?? throw new InvalidOperationException("Enumeration has not started.");

    object IEnumerator.Current => Current;

    /// <inheritdoc />
    public IEnumerator<ProcessVma> GetEnumerator()
    {
        if (_started)
        {
            throw new InvalidOperationException("A VmaReader is enumerated once; read the process again.");
        }

        _started = true;
        return this;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public void Reset() => throw new NotSupportedException();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool MoveNext()
    {
        if (_finished)
        {
            return false;
        }

        while (true)
        {
            if (!TryNextLine(out int start, out int length))
            {
                if (_hasPending)
                {
                    _hasPending = false;
                    return Yield(FinishPending());
                }

                Finish();
                return false;
            }

            ReadOnlySpan<byte> line = _buf.AsSpan(start, length);
            _lineNumber++;
            if (line.IsEmpty)
            {
                continue;
            }

            if (!_detailed)
            {
                if (!VmaFormat.TryParseHeader(line, out VmaFormat.Header h))
                {
                    throw Invalid(line);
                }

                if (Accept(ref h))
                {
                    return Yield(Build(in h, NameOf(in h, line)));
                }

                continue;
            }

            if (VmaFormat.IsHeaderLine(line))
            {
                if (!VmaFormat.TryParseHeader(line, out VmaFormat.Header h))
                {
                    throw Invalid(line);
                }

                ProcessVma? ready = _hasPending ? FinishPending() : null;
                _hasPending = false;
                _skipBlock = !Accept(ref h);
                if (!_skipBlock)
                {
                    _pending = h;
                    _pendingName = NameOf(in h, line);
                    _hasPending = true;
                    _keyCount = 0;
                    _keysStored = false;
                    _schemaMismatch = false;
                    _flags = null;
                    _flagsText = null;
                    if (_schema is { } schema)
                    {
                        ReadFixedLines(schema);
                    }
                }

                if (ready is not null)
                {
                    return Yield(ready);
                }

                continue;
            }

            if (!_hasPending)
            {
                if (_skipBlock)
                {
                    continue;
                }

                throw Invalid(line);
            }

            AddKey(line);
        }
    }

    private bool Yield(ProcessVma vma)
    {
        _current = vma;
        Count++;
        return true;
    }

    private MmapException Invalid(ReadOnlySpan<byte> line)
    {
        Close();
        _finished = true;
        return ProcfsErrors.InvalidLine(_file, _lineNumber, line);
    }

    private bool Accept(ref VmaFormat.Header h)
    {
        if (_any && h.Start < _lastEnd)
        {
            if (_detailed || h.End <= _lastEnd)
            {
                DroppedLines++;
                return false;
            }

            // The kernel resumed after the address space changed: keep the part not shown yet. The offset moves
            // with the start, as the kernel's own (vm_pgoff) would for a VMA that began there.
            h.Offset += _lastEnd - h.Start;
            h.Start = _lastEnd;
            ClippedLines++;
        }

        _any = true;
        _lastEnd = h.End;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private VmaFormat.NameInfo NameOf(in VmaFormat.Header h, ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> raw = line.Slice(h.NameStart, h.NameLength);
        if (_live && VmaFormat.IsAmbiguous(raw) && ProcessMemory.ReadMapFile(_pid, h.Start, h.End, out bool deleted) is { } exact)
        {
            var resolved = new VmaFormat.NameInfo { IsDeleted = deleted };
            VmaFormat.SetPath(resolved, exact, h.Inode);
            return resolved;
        }

        if (_lastName is not null && raw.Length == _lastRawLength && h.Inode == _lastInode && raw.SequenceEqual(_lastRaw.AsSpan(0, _lastRawLength)))
        {
            return _lastName;
        }

        VmaFormat.NameInfo info = VmaFormat.DecodeName(raw, h.Inode);
        if (raw.Length > _lastRaw.Length)
        {
            _lastRaw = new byte[Math.Max(raw.Length, _lastRaw.Length * 2)];
        }

        raw.CopyTo(_lastRaw);
        _lastRawLength = raw.Length;
        _lastInode = h.Inode;
        _lastName = info;
        return info;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ProcessVma Build(in VmaFormat.Header h, VmaFormat.NameInfo n) =>
        _detailed ? Build<DetailedProcessVma>(in h, n) : Build<ProcessVma>(in h, n);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private T Build<T>(in VmaFormat.Header h, VmaFormat.NameInfo n)
        where T : ProcessVma, new()
    {
        var vma = new T
        {
            Start = h.Start,
            End = h.End,
            Permission = h.Permission,
            Permissions = VmaFormat.PermissionText(h.Permission),
            Offset = h.Offset,
            DeviceMajor = h.Major,
            DeviceMinor = h.Minor,
            Inode = h.Inode,
        };
        vma.Attach(_owner ??= new VmaOwner(_pid, _processName, Identity?.User, Identity?.Uid), n);
        return vma;
    }

    // A kB line exactly as the kernel prints it: 16 bytes of key and padding, 8 of right-aligned number, " kB\n".
    private const int FixedLineLength = SmapsSchema.KeyColumn + 8 + 4;

    /// <summary>
    /// The fixed-line path: right after a header, takes the block's kB lines straight from the buffer while each is
    /// exactly the line the kernel prints for the layout's next key (its 16-byte start, a number right-aligned in 8
    /// bytes, " kB\n"): two 8-byte compares and <see cref="VmaFormat.TryParseColumn"/>, no search for the line's
    /// end. It stops at the first line that is anything else (THPeligible, VmFlags, a value wider than the column, a
    /// changed layout, the end of the buffer), which the general path then reads from where this one stopped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadFixedLines(SmapsSchema schema)
    {
        ReadOnlySpan<byte> rest = _buf.AsSpan(_pos, _len - _pos);
        ulong[] prefix = schema.LinePrefix;
        bool[] hasPrefix = schema.HasLinePrefix;
        int n = schema.Keys.Length;
        int p = 0;
        int k = 0;
        while (k < n && hasPrefix[k] && rest.Length - p >= FixedLineLength)
        {
            ReadOnlySpan<byte> line = rest.Slice(p, FixedLineLength);
            if (System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(line) != prefix[2 * k] ||
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(line[8..]) != prefix[(2 * k) + 1] ||
                line[FixedLineLength - 1] != (byte)'\n' ||
                !VmaFormat.TryParseColumn(line[..(FixedLineLength - 1)], SmapsSchema.KeyColumn, kb: true, out long value))
            {
                break;
            }

            _tmpValues[k] = value;
            k++;
            p += FixedLineLength;
        }

        _keyCount = k;
        _pos += p;
        _lineNumber += k;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddKey(ReadOnlySpan<byte> line)
    {
        // The key the block's layout has next (every block of a process has the same keys in the same order):
        // compared in place, its name shared, the value parsed after the colon.
        if (!_schemaMismatch && _schema is not null && _keyCount < _schema.Keys.Length)
        {
            byte[] expected = _schema.Bytes[_keyCount];
            bool expectKb = _schema.IsKb[_keyCount];
            if (line.Length > expected.Length && line[expected.Length] == (byte)':' && line.StartsWith(expected) &&
                (VmaFormat.TryParseColumn(line, expected.Length + 1, expectKb, out long known) ||
                 (VmaFormat.TryParseValue(line, expected.Length + 1, out known, out bool kb) && kb == expectKb)))
            {
                if (_keysStored)
                {
                    _tmpKeys[_keyCount] = _schema.Keys[_keyCount];
                    _tmpIsKb[_keyCount] = expectKb;
                }

                _tmpValues[_keyCount] = known;
                _keyCount++;
                return;
            }
        }

        if (line.StartsWith("VmFlags:"u8))
        {
            ReadOnlySpan<byte> text = line[8..].Trim((byte)' ');
            // A process has a handful of distinct VmFlags lines (neighbours often differ: r--p, r-xp, rw-p): a few are
            // kept, so their text and flags are parsed once and their string is shared.
            int hit = -1;
            for (int i = 0; i < _flagsCount; i++)
            {
                if (text.SequenceEqual(_flagsRaw[i]))
                {
                    hit = i;
                    break;
                }
            }

            if (hit < 0)
            {
                hit = _flagsCount < FlagsCacheSize ? _flagsCount++ : _flagsNext++ % FlagsCacheSize;
                _flagsRaw[hit] = text.ToArray();
                _flagsTexts[hit] = Encoding.ASCII.GetString(text);
                _flagsParsed[hit] = VmaFormat.ParseVmFlags(text);
            }

            _flagsText = _flagsTexts[hit];
            _flags = _flagsParsed[hit];
            return;
        }

        if (!VmaFormat.TryParseKeyValue(line, out ReadOnlySpan<byte> key, out long value, out bool isKb))
        {
            throw Invalid(line);
        }

        StoreKeys();

        string name;
        if (!_schemaMismatch && _schema is not null && _keyCount < _schema.Keys.Length && key.SequenceEqual(_schema.Bytes[_keyCount]) && isKb == _schema.IsKb[_keyCount])
        {
            name = _schema.Keys[_keyCount];
        }
        else
        {
            _schemaMismatch = true;
            name = Encoding.UTF8.GetString(key);
        }

        if (_keyCount == _tmpKeys.Length)
        {
            Array.Resize(ref _tmpKeys, _tmpKeys.Length * 2);
            Array.Resize(ref _tmpValues, _tmpValues.Length * 2);
            Array.Resize(ref _tmpIsKb, _tmpIsKb.Length * 2);
        }

        _tmpKeys[_keyCount] = name;
        _tmpValues[_keyCount] = value;
        _tmpIsKb[_keyCount] = isKb;
        _keyCount++;
    }

    private const int FlagsCacheSize = 16;
    private readonly byte[][] _flagsRaw = new byte[FlagsCacheSize][];
    private readonly string[] _flagsTexts = new string[FlagsCacheSize];
    private readonly VmFlags[] _flagsParsed = new VmFlags[FlagsCacheSize];
    private int _flagsCount;
    private int _flagsNext;

    /// <summary>Fills _tmpKeys/_tmpIsKb with the keys the fast path took from the schema, once per block.</summary>
    private void StoreKeys()
    {
        if (_keysStored)
        {
            return;
        }

        if (_schema is not null)
        {
            int n = Math.Min(_keyCount, _schema.Keys.Length);
            Array.Copy(_schema.Keys, _tmpKeys, n);
            Array.Copy(_schema.IsKb, _tmpIsKb, n);
        }

        _keysStored = true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ProcessVma FinishPending()
    {
        ProcessVma vma = Build(in _pending, _pendingName!);
        if (_schema is null || _schemaMismatch || _keyCount != _schema.Keys.Length)
        {
            StoreKeys();
            _schema = new SmapsSchema(_tmpKeys.AsSpan(0, _keyCount).ToArray(), _tmpIsKb.AsSpan(0, _keyCount).ToArray());
        }

        ((DetailedProcessVma)vma).SetDetail(new SmapsDetail(_schema, _tmpValues.AsSpan(0, _keyCount), _flags, _flagsText, _slab));
        return vma;
    }
}
