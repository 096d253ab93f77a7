using System;
using System.Collections.Generic;
using System.Linq;

namespace MmapTools.Patching;

/// <summary>One hit of a patch: write <see cref="Data"/> at <see cref="Offset"/> of an open map or of a file.</summary>
public sealed class PatchRequest
{
    /// <summary>Write through this open map (then <see cref="Offset"/> is a map offset).</summary>
    public MemoryMap? Map { get; init; }

    /// <summary>Or patch this file through a read-write map made for the patch (then <see cref="Offset"/> is a file offset).</summary>
    public string? Path { get; init; }

    /// <summary>Where to write.</summary>
    public long Offset { get; init; }

    /// <summary>The bytes to write.</summary>
    public byte[] Data { get; init; } = Array.Empty<byte>();

    /// <summary>The bytes that must be there first, or null for no check.</summary>
    public byte[]? Expect { get; init; }
}

/// <summary>How a patch is applied.</summary>
public sealed class PatchOptions
{
    /// <summary>msync(MS_SYNC) what was written before returning (default true).</summary>
    public bool Sync { get; init; } = true;

    /// <summary>Write an undo record here (JSON, see <see cref="PatchBackup"/>) before any byte is changed; it must not exist.</summary>
    public string? BackupPath { get; init; }
}

/// <summary>
/// A patch of many hits, all or nothing. <see cref="Prepare"/> opens every target, checks every range and
/// every expected-bytes check, and reads the old bytes, writing nothing; <see cref="Commit"/> then writes the
/// backup record (if asked), writes every hit (putting earlier hits back if a later one faults), and msyncs.
/// A file's size, mode and owner never change: files are opened without O_TRUNC and never resized.
/// </summary>
public sealed partial class PatchTransaction : IDisposable
{
    private sealed class Target
    {
        internal string Key = string.Empty;
        internal MemoryMap? Map;
        internal bool Owned;
        internal string? FilePath;
        internal long FileBase;          // the file offset of map offset 0 (for a file target, of the map we open)
        internal bool Backed;            // writes reach a file
        internal readonly List<Hit> Hits = new();
    }

    private sealed class Hit
    {
        internal PatchRequest Request = null!;
        internal Target Target = null!;
        internal long MapOffset;
        internal byte[] Old = Array.Empty<byte>();
        internal bool Written;
        internal long FileOffset => Target.FileBase + MapOffset;
    }

    private readonly PatchOptions _options;
    private readonly List<PatchRequest> _requests = new();
    private readonly List<Target> _targets = new();
    private readonly List<Hit> _hits = new();
    private bool _prepared;
    private bool _committed;

    /// <summary>A transaction with these options (default: sync, no backup).</summary>
    public PatchTransaction(PatchOptions? options = null) => _options = options ?? new PatchOptions();

    /// <summary>Restoring from a backup: a failed check is RestoreMismatch instead of ExpectMismatch.</summary>
    internal bool Restoring { get; init; }

    /// <summary>How many hits have been added.</summary>
    public int Count => _requests.Count;

    /// <summary>Adds a hit. Exact duplicates (same place, bytes and check) count once.</summary>
    public void Add(PatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((request.Map is null) == (request.Path is null))
        {
            throw new ArgumentException("A patch request names either a map or a path.", nameof(request));
        }

        if (_prepared)
        {
            throw new InvalidOperationException("The patch has been prepared; add every hit first.");
        }

        _requests.Add(request);
    }

    /// <summary>
    /// Writes the backup record (if asked), then every hit, then msyncs (unless <see cref="PatchOptions.Sync"/> is false).
    /// If a hit fails, the hits already written are put back and the error says so; if that fails too, PatchIncomplete.
    /// </summary>
    public IReadOnlyList<WriteResult> Commit()
    {
        if (!_prepared || _committed)
        {
            throw new InvalidOperationException("Commit needs a successful Prepare, once.");
        }

        _committed = true;
        if (_options.BackupPath is not null)
        {
            MakeBackup().Write(_options.BackupPath);
        }

        var ordered = _hits.Where(h => h.Request.Data.Length > 0).ToList();
        foreach (Hit h in ordered)
        {
            try
            {
                h.Target.Map!.Write(h.MapOffset, h.Request.Data, h.Old.AsSpan(0, h.Request.Data.Length));
                h.Written = true;
            }
            catch (MmapException e)
            {
                throw RollBack(e, ordered);
            }
        }

        var synced = new HashSet<Target>();
        foreach (Target t in _targets)
        {
            var written = t.Hits.Where(h => h.Written).ToList();
            if (_options.Sync && written.Count > 0 && t.Map!.Access == MapAccess.ReadWrite && t.Map.Kind != MapKind.Anonymous)
            {
                long lo = written.Min(h => h.MapOffset);
                long hi = written.Max(h => h.MapOffset + h.Request.Data.Length);
                t.Map.Sync(lo, hi - lo);
                synced.Add(t);
            }
        }

        return _hits.Select(h => new WriteResult
        {
            Path = h.Target.FilePath,
            MapId = h.Target.Owned ? 0 : h.Target.Map!.Id,
            Offset = h.Request.Offset,
            Length = h.Request.Data.Length,
            OldBytes = h.Old.AsSpan(0, h.Request.Data.Length).ToArray(),
            NewBytes = h.Request.Data,
            Synced = synced.Contains(h.Target),
        }).ToList();
    }

    private MmapException RollBack(MmapException cause, List<Hit> ordered)
    {
        var stuck = new List<Hit>();
        int putBack = 0;
        foreach (Hit h in ordered.Where(h => h.Written))
        {
            try
            {
                h.Target.Map!.Write(h.MapOffset, h.Old.AsSpan(0, h.Request.Data.Length), h.Request.Data);
                h.Written = false;
                putBack++;
            }
            catch (MmapException)
            {
                stuck.Add(h);
            }
        }

        if (stuck.Count == 0)
        {
            string note = putBack > 0 ? $" The {putBack} hit(s) written before it were put back: nothing was changed." : " Nothing was changed.";
            return new MmapException(cause.ErrorId, cause.Category, cause.Message + note, cause.Errno, cause.Path, cause) { Offset = cause.Offset, Length = cause.Length };
        }

        string list = string.Join(", ", stuck.Select(h => $"'{h.Target.FilePath}' 0x{h.FileOffset:X} ({h.Request.Data.Length} bytes)"));
        return MapErrors.Create(ErrorIds.PatchIncomplete, MapErrorCategory.WriteError,
            $"The patch failed part-way ({cause.Message}) and {stuck.Count} hit(s) could not be put back: {list} still hold the new bytes. " +
            (_options.BackupPath is not null ? $"Restore-MappedBytes -Path '{_options.BackupPath}' undoes them once the file is usable." : "Write the old bytes back by hand (see the ranges above)."),
            cause.Errno, cause.Path);
    }

    private PatchBackup MakeBackup()
    {
        var files = new List<PatchBackupFile>();
        foreach (IGrouping<string, Hit> file in _hits.Where(h => h.Request.Data.Length > 0).GroupBy(h => h.Target.Key))
        {
            string path = file.First().Target.FilePath!;
            var ranges = file.OrderBy(h => h.FileOffset)
                .Select(h => new PatchBackupRange { Offset = h.FileOffset, Old = h.Old.AsSpan(0, h.Request.Data.Length).ToArray(), New = h.Request.Data })
                .ToList();
            (long size, string before, string after) = FileHasher.Hash(path, ranges.Select(r => new Substitution(r.Offset, r.New)).ToList());
            files.Add(new PatchBackupFile { Path = path, Size = size, Sha256Before = before, Sha256After = after, Ranges = ranges });
        }

        return new PatchBackup { Created = DateTime.UtcNow, Files = files };
    }

    /// <summary>Closes the maps the transaction opened (never the caller's).</summary>
    public void Dispose()
    {
        foreach (Target t in _targets)
        {
            if (t.Owned)
            {
                t.Map?.Dispose();
            }
        }
    }
}
