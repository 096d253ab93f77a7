using System;
using System.Buffers;
using System.Collections.Generic;
using System.Threading;

namespace MmapTools;

/// <summary>How a search runs. The defaults search everything and report every match, overlapping ones included.</summary>
public sealed class SearchOptions
{
    /// <summary>The default number of bytes mapped at once when searching a file: 1 GiB.</summary>
    public const long DefaultWindowSize = 1L << 30;

    /// <summary>
    /// The default number of bytes copied out of the map and searched at a time: 512 KiB, small enough that
    /// the copy is still in the CPU's L2 cache when it is scanned (the benchmark's chunk sweep measures this).
    /// </summary>
    public const int DefaultChunkSize = 512 << 10;

    /// <summary>Where to start (map offset for a map, file offset for a file).</summary>
    public long Offset { get; init; }

    /// <summary>How many bytes from <see cref="Offset"/> to search; null for the rest. A match lies wholly inside the range.</summary>
    public long? Length { get; init; }

    /// <summary>Stop after this many matches (per map or file); null for all.</summary>
    public long? First { get; init; }

    /// <summary>Bytes of context to return before and after each match (clamped to the map or file).</summary>
    public int Context { get; init; }

    /// <summary>
    /// False (default): every offset where the pattern occurs is a match, so 'AA AA' is found twice in 'AA AA AA'.
    /// True: the search resumes after the end of each match, as grep -o does, and finds it once.
    /// </summary>
    public bool NoOverlap { get; init; }

    /// <summary>Files are mapped this many bytes at a time (plus pattern length - 1 of overlap, so no match is lost at a window edge).</summary>
    public long WindowSize { get; init; } = DefaultWindowSize;

    /// <summary>
    /// Bytes examined per step (plus pattern length - 1 of overlap): copied out of the map, or, where a read lease
    /// lets the search read the map itself (MemoryMap.Direct.cs), scanned in place. With the default the in-place
    /// steps are 4 MiB; a size given explicitly is used for both (progress and cancellation come once per step).
    /// </summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;

    internal void Validate()
    {
        if (Offset < 0)
        {
            throw MapErrors.NegativeOffset(Offset, null);
        }

        if (Length is < 0)
        {
            throw MapErrors.NegativeCount(Length.Value, null);
        }

        if (First is < 1)
        {
            throw Invalid($"First {First} is not valid: give 1 or more, or leave it out to find every match.");
        }

        if (Context < 0 || Context > 1 << 20)
        {
            throw Invalid($"Context {Context} is not valid: give 0 to 1048576 bytes.");
        }

        if (WindowSize < 1 || WindowSize > 1L << 46)
        {
            throw Invalid($"WindowSize {WindowSize} is not valid: give 1 byte to 64 TiB.");
        }

        if (ChunkSize < 1 || ChunkSize > 1 << 28)
        {
            throw Invalid($"ChunkSize {ChunkSize} is not valid: give 1 byte to 256 MiB.");
        }
    }

    private static MmapException Invalid(string message) =>
        MapErrors.Create(ErrorIds.SearchOptionInvalid, MapErrorCategory.InvalidArgument, message);
}

/// <summary>How far a search has got: <see cref="Done"/> of <see cref="Total"/> start offsets examined.</summary>
public readonly record struct SearchProgress(string? Path, long Done, long Total, long Found);

/// <summary>
/// One match. <see cref="Path"/> and <see cref="Offset"/> name its place in the file (for anonymous memory,
/// Path is null and Offset is the map offset), so matches pipe straight into Write-MappedBytes.
/// </summary>
public sealed class MappedBytesMatch
{
    /// <summary>The file (for shared memory its /dev/shm path); null for anonymous memory.</summary>
    public string? Path { get; init; }

    /// <summary>The offset of the match's first byte in the file (in the map for anonymous memory).</summary>
    public long Offset { get; init; }

    /// <summary>How many bytes matched (the pattern length).</summary>
    public int Length { get; init; }

    /// <summary>The bytes that matched (what is there, wildcards included).</summary>
    public byte[] Bytes { get; init; } = Array.Empty<byte>();

    /// <summary>The map searched, or null when a file was searched by path.</summary>
    public int? MapId { get; init; }

    /// <summary>The offset in the map searched, or null when a file was searched by path.</summary>
    public long? MapOffset { get; init; }

    /// <summary>Up to Context bytes before the match.</summary>
    public byte[] Before { get; init; } = Array.Empty<byte>();

    /// <summary>Up to Context bytes after the match.</summary>
    public byte[] After { get; init; } = Array.Empty<byte>();

    /// <summary>The pattern, as hex with ?? wildcards.</summary>
    public string Pattern { get; init; } = string.Empty;

    /// <summary>The matched bytes as hex: "EB 05".</summary>
    public string Hex => MmapTools.Hex.Format(Bytes);

    /// <inheritdoc />
    public override string ToString() => $"{Path ?? "[map " + MapId + "]"}:0x{Offset:X} {Hex}";
}

/// <summary>
/// Searches maps and files for a <see cref="BytePattern"/>. Every byte is copied out of the map by
/// <see cref="MemoryMap.Read(long, Span{byte})"/> (guarded: a file truncated under the search is a
/// FileTruncated error, never SIGBUS) a chunk at a time, and searched in the copy with a vectorised IndexOf.
/// Chunks, and the windows a file is mapped in, overlap by the pattern length - 1, and each start offset
/// is examined exactly once, so no match is lost or reported twice at an edge.
/// Results stream: enumerate lazily, stop whenever; the token is checked before each chunk.
/// </summary>
public static class ByteSearch
{
    private sealed class State
    {
        internal long NextStart;
        internal long Found;
        internal long Done;
        internal long Total;
    }

    /// <summary>Searches an open map; <see cref="SearchOptions.Offset"/>/<see cref="SearchOptions.Length"/> are map offsets and must lie in the map.</summary>
    public static IEnumerable<MappedBytesMatch> InMap(MemoryMap map, BytePattern pattern, SearchOptions? options = null, Action<SearchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(pattern);
        options ??= new SearchOptions();
        options.Validate();
        long length = map.CheckRange("search", options.Offset, options.Length);
        return InMapCore(map, pattern, options, options.Offset, options.Offset + length, progress, cancellationToken);
    }

    private static IEnumerable<MappedBytesMatch> InMapCore(MemoryMap map, BytePattern pattern, SearchOptions options, long lo, long hi, Action<SearchProgress>? progress, CancellationToken ct)
    {
        long startsEnd = hi - pattern.Length + 1;
        var state = new State { NextStart = lo, Total = Math.Max(0, startsEnd - lo) };
        long fileBase = map.Kind == MapKind.Anonymous ? 0 : map.Offset;
        foreach (MappedBytesMatch m in Scan(map, pattern, options, lo, startsEnd, fileBase, fromPath: false, state, progress, ct))
        {
            yield return m;
        }

        progress?.Invoke(new SearchProgress(map.Path, state.Total, state.Total, state.Found));
    }

    /// <summary>
    /// Searches a file by path, mapping it read-only <see cref="SearchOptions.WindowSize"/> bytes at a time.
    /// The range is clamped to the file: an empty file, or an offset past its end, simply has no matches.
    /// </summary>
    public static IEnumerable<MappedBytesMatch> InFile(string path, BytePattern pattern, SearchOptions? options = null, Action<SearchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(pattern);
        options ??= new SearchOptions();
        options.Validate();
        long size = SizeOf(path);
        return InFileCore(path, size, pattern, options, progress, cancellationToken);
    }

    /// <summary>The size of a file to search; 0 for an empty regular file. Errors as New-MemoryMap gives them.</summary>
    internal static long SizeOf(string path)
    {
        int errno = FileStatus.TryGet(path, followSymlink: true, out FileStatus st);
        if (errno != 0)
        {
            throw MapErrors.FromOpen(errno, path, write: false);
        }

        if (st.Kind == FileKind.Regular && st.Size > 0)
        {
            return st.Size;
        }

        if (st.Kind == FileKind.Regular)
        {
            // Empty, or a procfs/sysfs file that only claims to be: the mapping code tells them apart.
            try
            {
                using MemoryMap tried = MemoryMap.OpenFile(path, MapAccess.ReadOnly);
                return tried.Length;
            }
            catch (MmapException e) when (e.ErrorId == ErrorIds.FileEmpty)
            {
                return 0;
            }
        }

        // Directories, devices and the like: let the mapping code give its error (or, for a block device, its size).
        using MemoryMap probe = MemoryMap.OpenFile(path, MapAccess.ReadOnly);
        return probe.Length;
    }

    private static IEnumerable<MappedBytesMatch> InFileCore(string path, long size, BytePattern pattern, SearchOptions options, Action<SearchProgress>? progress, CancellationToken ct)
    {
        long lo = Math.Min(options.Offset, size);
        long hi = options.Length is long n && n < size - lo ? lo + n : size;
        long startsEnd = hi - pattern.Length + 1;
        var state = new State { NextStart = lo, Total = Math.Max(0, startsEnd - lo) };
        long window = options.WindowSize;
        int context = options.Context;
        for (long ws = lo; ws < startsEnd; ws += window)
        {
            ct.ThrowIfCancellationRequested();
            long we = Math.Min(startsEnd - ws, window) + ws;     // starts [ws, we)
            long mapLo = Math.Max(0, ws - context);
            long mapHi = Math.Min(size, we + pattern.Length - 1 + context);
            using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadOnly, mapLo, mapHi - mapLo);
            foreach (MappedBytesMatch m in Scan(map, pattern, options, ws - mapLo, we - mapLo, mapLo, fromPath: true, state, progress, ct))
            {
                yield return m;
            }

            if (options.First is long first && state.Found >= first)
            {
                break;
            }
        }

        progress?.Invoke(new SearchProgress(path, state.Total, state.Total, state.Found));
    }

    /// <summary>At most this many matches are collected in one step before they are handed out (bounds memory).</summary>
    private const int MaxHitsPerStep = 4096;

    /// <summary>
    /// Examines start offsets [<paramref name="startLo"/>, <paramref name="startHi"/>) of <paramref name="map"/>, a step
    /// at a time: a direct window of the map itself where a barrier allows (MemoryMap.Direct.cs), else a guarded copy
    /// of a chunk. Each step's matches are collected first (with the lease, if any, released) and only then yielded,
    /// so no lease is held while the pipeline runs.
    /// </summary>
    private static IEnumerable<MappedBytesMatch> Scan(MemoryMap map, BytePattern pattern, SearchOptions options, long startLo, long startHi, long fileBase, bool fromPath, State state, Action<SearchProgress>? progress, CancellationToken ct)
    {
        if (startHi <= startLo || (options.First is long f && state.Found >= f))
        {
            yield break;
        }

        int length = pattern.Length;
        int chunk = (int)Math.Min(options.ChunkSize, startHi - startLo);
        string patternText = pattern.ToString();
        var hits = new List<(int Start, int Resume, byte[] Bytes)>();

        byte[] buffer = ArrayPool<byte>.Shared.Rent(checked(chunk + length - 1));
        try
        {
            long cs = startLo;
            while (cs < startHi)
            {
                ct.ThrowIfCancellationRequested();
                int from = (int)Math.Clamp(state.NextStart - (fileBase + cs), 0, int.MaxValue);
                long wanted = options.First is long first ? first - state.Found : long.MaxValue;
                int maxHits = (int)Math.Min(MaxHitsPerStep, wanted);
                int window = options.ChunkSize == SearchOptions.DefaultChunkSize ? MemoryMap.DirectWindow : chunk;
                int starts = Step(map, pattern, buffer, cs, startHi, chunk, window, from, options.NoOverlap, maxHits, hits);
                foreach ((int s, int resume, byte[] bytes) in hits)
                {
                    state.NextStart = fileBase + cs + resume;
                    state.Found++;
                    yield return MakeMatch(map, pattern, patternText, bytes, cs + s, fileBase, fromPath, options.Context);
                    if (options.First is long firstAgain && state.Found >= firstAgain)
                    {
                        yield break;
                    }
                }

                if (hits.Count == maxHits && maxHits == MaxHitsPerStep)
                {
                    // Stopped at the cap: the rest of this step is examined next time round, from after the last match.
                    continue;
                }

                state.Done += starts;
                cs += starts;
                progress?.Invoke(new SearchProgress(map.Path, state.Done, state.Total, state.Found));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// One step from start offset <paramref name="cs"/>: fills <paramref name="hits"/> with up to
    /// <paramref name="maxHits"/> matches at starts [from, n) and returns n, the number of starts the step covers.
    /// Directly in the map (a window of <paramref name="window"/> starts) when it can be, else in a guarded copy of one chunk.
    /// </summary>
    private static unsafe int Step(MemoryMap map, BytePattern pattern, byte[] buffer, long cs, long startHi, int chunk, int window, int from, bool noOverlap, int maxHits, List<(int Start, int Resume, byte[] Bytes)> hits)
    {
        hits.Clear();
        int length = pattern.Length;
        using var use = new MemoryMap.Use(map);
        int directStarts = (int)Math.Min(window, startHi - cs);
        bool allocationChecked = false;
        if (directStarts + length - 1 >= MemoryMap.DirectReadMinimum && map.EnterDirect())
        {
            try
            {
                int bytes = directStarts + length - 1;
                map.CheckReadAllocation(cs, bytes);
                allocationChecked = true;
                if (map.DirectReady(cs, bytes))
                {
                    Collect(pattern, new ReadOnlySpan<byte>(map.DirectPointer(cs), bytes), from, directStarts, noOverlap, maxHits, hits);
                    return directStarts;
                }
            }
            finally
            {
                map.ExitDirect();
            }
        }

        // The guarded copy of one chunk. Not map.Read: it would try the direct path (lease, populate) a second time.
        int starts = (int)Math.Min(chunk, startHi - cs);
        Span<byte> copy = buffer.AsSpan(0, starts + length - 1);
        if (!allocationChecked)
        {
            map.CheckReadAllocation(cs, copy.Length);
        }

        map.ReadGuarded(cs, copy);
        Collect(pattern, copy, from, starts, noOverlap, maxHits, hits);
        return starts;
    }

    private static void Collect(BytePattern pattern, ReadOnlySpan<byte> bytes, int from, int starts, bool noOverlap, int maxHits, List<(int Start, int Resume, byte[] Bytes)> hits)
    {
        int length = pattern.Length;
        while (from < starts && hits.Count < maxHits)
        {
            int s = pattern.IndexOf(bytes, from, starts);
            if (s < 0)
            {
                break;
            }

            from = noOverlap ? s + length : s + 1;
            hits.Add((s, from, bytes.Slice(s, length).ToArray()));
        }
    }

    private static MappedBytesMatch MakeMatch(MemoryMap map, BytePattern pattern, string patternText, byte[] matched, long at, long fileBase, bool fromPath, int context)
    {
        byte[] before = Array.Empty<byte>(), after = Array.Empty<byte>();
        if (context > 0)
        {
            long b0 = Math.Max(0, at - context);
            before = map.Read(b0, (int)(at - b0));
            long a0 = at + pattern.Length;
            after = map.Read(a0, (int)(Math.Min(map.Length, a0 + context) - a0));
        }

        return new MappedBytesMatch
        {
            Path = map.Path,
            Offset = fileBase + at,
            Length = pattern.Length,
            Bytes = matched,
            MapId = fromPath ? null : map.Id,
            MapOffset = fromPath ? null : at,
            Before = before,
            After = after,
            Pattern = patternText,
        };
    }
}
