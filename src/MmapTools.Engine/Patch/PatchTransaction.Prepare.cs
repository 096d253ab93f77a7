using System;
using System.Collections.Generic;
using System.Linq;

namespace MmapTools.Patching;

/// <summary>Preparing a patch: opening its targets and checking every hit (overlaps, -Expect), writing nothing.</summary>
public sealed partial class PatchTransaction
{
    /// <summary>
    /// Opens the targets and checks everything, writing nothing. Returns the problems (empty when the patch can
    /// be committed); each says that nothing was written.
    /// </summary>
    public IReadOnlyList<MmapException> Prepare()
    {
        if (_prepared)
        {
            throw new InvalidOperationException("Prepare has run already.");
        }

        _prepared = true;
        var problems = new List<MmapException>();
        bool backup = _options.BackupPath is not null;
        if (backup && (System.IO.File.Exists(_options.BackupPath) || System.IO.Directory.Exists(_options.BackupPath)))
        {
            problems.Add(MapErrors.Create(ErrorIds.BackupExists, MapErrorCategory.ResourceExists,
                $"The backup record '{System.IO.Path.GetFullPath(_options.BackupPath!)}' exists already; MmapTools never overwrites one. Nothing was written. Give another -Backup path.", 0, _options.BackupPath));
        }

        // Group the hits by what they write to: a file (by device and inode, however it was named) or a map's private memory.
        var byKey = new Dictionary<string, Target>(StringComparer.Ordinal);
        var seen = new HashSet<HitKey>();
        foreach (PatchRequest r in _requests)
        {
            try
            {
                string identity = r.Map is not null ? MapKey(r.Map) : FileKey(r.Path!);
                if (!seen.Add(new HitKey(identity, r.Map?.Id ?? 0, r.Offset, r.Data, r.Expect)))
                {
                    continue;
                }

                string key = identity + (r.Map is not null ? "|map" + r.Map.Id : "|path");
                if (!byKey.TryGetValue(key, out Target? t))
                {
                    t = new Target { Key = identity, Map = r.Map, FilePath = r.Map is not null ? r.Map.Path : System.IO.Path.GetFullPath(r.Path!) };
                    byKey[key] = t;
                    _targets.Add(t);
                }

                var hit = new Hit { Request = r, Target = t, MapOffset = r.Offset };
                t.Hits.Add(hit);
                _hits.Add(hit);
            }
            catch (MmapException e)
            {
                problems.Add(e);
            }
        }

        foreach (Target t in _targets)
        {
            try
            {
                OpenTarget(t, backup);
            }
            catch (MmapException e)
            {
                problems.Add(e);
                continue;
            }

            foreach (Hit h in t.Hits)
            {
                try
                {
                    int span = Math.Max(h.Request.Data.Length, h.Request.Expect?.Length ?? 0);
                    t.Map!.CheckRange("write", h.MapOffset, span);
                    h.Old = t.Map.Read(h.MapOffset, span);
                }
                catch (MmapException e)
                {
                    problems.Add(e);
                }
            }
        }

        CheckOverlaps(problems);
        if (problems.Count == 0)
        {
            CheckExpected(problems);
        }

        return problems;
    }

    /// <summary>
    /// What makes two hits exact duplicates: the same place (target, map, offset), bytes and check. The bytes are
    /// compared as they are, not as hex text: a 40 KB write would otherwise build two 160 KB strings (the large-object
    /// heap, and a gen-2 collection every few writes).
    /// </summary>
    private readonly struct HitKey : IEquatable<HitKey>
    {
        private readonly string _identity;
        private readonly int _mapId;
        private readonly long _offset;
        private readonly byte[] _data;
        private readonly byte[]? _expect;
        private readonly int _hash;

        internal HitKey(string identity, int mapId, long offset, byte[] data, byte[]? expect)
        {
            _identity = identity;
            _mapId = mapId;
            _offset = offset;
            _data = data;
            _expect = expect;
            var hash = new HashCode();
            hash.Add(identity, StringComparer.Ordinal);
            hash.Add(mapId);
            hash.Add(offset);
            hash.AddBytes(data);
            hash.Add(expect is null);
            if (expect is not null)
            {
                hash.AddBytes(expect);
            }

            _hash = hash.ToHashCode();
        }

        public bool Equals(HitKey other) =>
            _hash == other._hash && _mapId == other._mapId && _offset == other._offset &&
            string.Equals(_identity, other._identity, StringComparison.Ordinal) &&
            _data.AsSpan().SequenceEqual(other._data) &&
            (_expect is null ? other._expect is null : other._expect is not null && _expect.AsSpan().SequenceEqual(other._expect));

        public override bool Equals(object? obj) => obj is HitKey other && Equals(other);

        public override int GetHashCode() => _hash;
    }

    private static string MapKey(MemoryMap map)
    {
        if (!map.IsOpen)
        {
            throw MapErrors.Closed(map);
        }

        // Writes through a shared file map reach the file; anything else stays in that map.
        if (map.Kind != MapKind.Anonymous && map.Access == MapAccess.ReadWrite && map.Path is not null &&
            FileStatus.TryGet(map.Path, followSymlink: true, out FileStatus st) == 0)
        {
            return $"file:{st.DevMajor}:{st.DevMinor}:{st.Inode}";
        }

        return "map:" + map.Id;
    }

    private static string FileKey(string path)
    {
        int errno = FileStatus.TryGet(path, followSymlink: true, out FileStatus st);
        if (errno != 0)
        {
            throw MapErrors.FromOpen(errno, path, write: true);
        }

        return $"file:{st.DevMajor}:{st.DevMinor}:{st.Inode}";
    }

    private void OpenTarget(Target t, bool backup)
    {
        if (t.Map is not null)
        {
            MemoryMap map = t.Map;
            map.CheckRange("write", 0, 0);
            map.CheckWritable();
            t.Backed = t.Key.StartsWith("file:", StringComparison.Ordinal);
            t.FileBase = map.Kind == MapKind.Anonymous ? 0 : map.Offset;
            if (backup && !t.Backed)
            {
                throw MapErrors.Create(ErrorIds.BackupNotSupported, MapErrorCategory.InvalidOperation,
                    $"Cannot back up a patch of map {map.Id} ({map.Describe()}): it is {(map.Kind == MapKind.Anonymous ? "anonymous memory" : "a " + map.Access + " map")}, " +
                    "so its bytes never reach a file that a backup could restore. Nothing was written. Leave out -Backup, or patch the file with -Path.", 0, map.Path);
            }

            return;
        }

        long lo = t.Hits.Min(h => h.Request.Offset);
        if (lo < 0)
        {
            throw MapErrors.NegativeOffset(lo, t.FilePath);
        }

        long hi = t.Hits.Max(h => h.Request.Offset + Math.Max(1, Math.Max(h.Request.Data.Length, h.Request.Expect?.Length ?? 0)));
        t.Map = MemoryMap.OpenFile(t.FilePath!, MapAccess.ReadWrite, lo, hi - lo);
        t.Owned = true;
        t.Backed = true;
        t.FileBase = lo;
        foreach (Hit h in t.Hits)
        {
            h.MapOffset = h.Request.Offset - lo;
        }
    }

    private void CheckOverlaps(List<MmapException> problems)
    {
        // One hit overlaps nothing (the common Write-MappedBytes call): no grouping and sorting for it.
        if (_hits.Count < 2)
        {
            return;
        }

        foreach (IGrouping<string, Hit> space in _hits.Where(h => h.Target.Map is not null).GroupBy(h => h.Target.Key))
        {
            Hit? previous = null;
            foreach (Hit h in space.Where(h => h.Request.Data.Length > 0).OrderBy(h => h.FileOffset))
            {
                if (previous is not null && previous.FileOffset + previous.Request.Data.Length > h.FileOffset)
                {
                    problems.Add(MapErrors.Create(ErrorIds.PatchOverlap, MapErrorCategory.InvalidArgument,
                        $"Two hits of the patch overlap in {Where(h)}: {previous.Request.Data.Length} bytes at 0x{previous.FileOffset:X} ({previous.FileOffset}) and {h.Request.Data.Length} bytes at 0x{h.FileOffset:X} ({h.FileOffset}). " +
                        "Nothing was written. Search with -NoOverlap, or patch the hits one at a time.", 0, h.Target.FilePath, h.FileOffset, h.Request.Data.Length));
                }

                if (previous is null || h.FileOffset + h.Request.Data.Length > previous.FileOffset + previous.Request.Data.Length)
                {
                    previous = h;
                }
            }
        }
    }

    private void CheckExpected(List<MmapException> problems)
    {
        var failed = _hits.Where(h => h.Request.Expect is byte[] e && !h.Old.AsSpan(0, e.Length).SequenceEqual(e)).ToList();
        foreach (Hit h in failed)
        {
            byte[] expect = h.Request.Expect!;
            int at = h.Old.AsSpan(0, expect.Length).CommonPrefixLength(expect);
            int show = Math.Min(16, expect.Length - at);
            string all = _hits.Count > 1 ? $" ({failed.Count} of {_hits.Count} hits failed the check; all or nothing)" : string.Empty;
            if (Restoring)
            {
                bool restored = h.Request.Data.Length == expect.Length && h.Old.AsSpan(0, expect.Length).SequenceEqual(h.Request.Data);
                problems.Add(MapErrors.Create(ErrorIds.RestoreMismatch, MapErrorCategory.InvalidData,
                    $"Nothing was restored{all}: at offset 0x{h.FileOffset + at:X} ({h.FileOffset + at}) {Where(h)} holds {Hex.Format(h.Old.AsSpan(at, show))} where the patch wrote {Hex.Format(expect.AsSpan(at, show))}. " +
                    (restored ? "The range already holds the bytes from before the patch: it has been restored already." : "The file has changed since it was patched; restoring would undo someone else's change."),
                    0, h.Target.FilePath, h.FileOffset, expect.Length));
            }
            else
            {
                problems.Add(MapErrors.Create(ErrorIds.ExpectMismatch, MapErrorCategory.InvalidData,
                    $"Nothing was written{all}: at offset 0x{h.FileOffset + at:X} ({h.FileOffset + at}) {Where(h)} holds {Hex.Format(h.Old.AsSpan(at, show))} where {Hex.Format(expect.AsSpan(at, show))} was expected.",
                    0, h.Target.FilePath, h.FileOffset, expect.Length));
            }
        }
    }

    private static string Where(Hit h) => h.Target.Map is { } m && !h.Target.Owned ? $"map {m.Id} ({m.Describe()})" : $"'{h.Target.FilePath}'";
}
