using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// Collecting the hits: each match, file or map offset is checked, read, described for -WhatIf/-Confirm, and kept
/// for EndProcessing to write all together.
/// </summary>
public sealed partial class WriteMappedBytesCommand
{
    /// <summary>One match from Find-MappedBytes: the map it was found in (MapId), else the file (Path).</summary>
    private void CollectMatch(MappedBytesMatch match)
    {
        string? refusal = null;
        if (match.Length != _data.Length && !AllowLengthChange)
        {
            refusal = $"the replacement is {_data.Length} byte(s) but the match at offset {match.Offset} of {(match.Path is null ? "map " + match.MapId : "'" + match.Path + "'")} is {match.Length}: " +
                (_data.Length > match.Length ? $"the {_data.Length - match.Length} byte(s) after the match would be overwritten" : $"{match.Length - _data.Length} byte(s) of the match would be left as they are") +
                ".";
            if (!WhatIfActive)
            {
                ThrowTerminatingError(NewError(ErrorIds.PatchLengthMismatch, ErrorCategory.InvalidArgument,
                    $"Cannot patch: {refusal} Nothing was written. Give a replacement of the same length, or -AllowLengthChange if that is what you mean.", match));
            }
        }

        if (match.MapId is int id)
        {
            MemoryMap? map = FindMap(id);
            if (map is null)
            {
                _failed = true;
                return;
            }

            CollectMap(map, new[] { match.MapOffset ?? match.Offset }, refusal);
        }
        else if (match.Path is not null)
        {
            List<string> files = ResolveFileSystemPaths(new[] { match.Path }, literal: true);
            _failed |= files.Count == 0;
            foreach (string file in files)
            {
                CollectFile(file, new[] { match.Offset }, refusal);
            }
        }
        else
        {
            _failed = true;
            WriteError(NewError(ErrorIds.MapNotFound, ErrorCategory.ObjectNotFound,
                "The match names neither a map (MapId) nor a file (Path), so there is nothing to patch.", match));
        }
    }

    private void CollectFile(string file, IReadOnlyList<long> offsets, string? refusal)
    {
        try
        {
            int span = Span;
            // One offset of bytes: a map of just that range. Typed writes and many offsets: the whole file, so each
            // offset is checked and named.
            bool whole = IsTypedWrite || offsets.Count != 1;
            using MemoryMap transient = whole ? MemoryMap.OpenFile(file, MapAccess.ReadWrite)
                : MemoryMap.OpenFile(file, MapAccess.ReadWrite, offsets[0], Math.Max(1, span));
            for (int i = 0; i < offsets.Count; i++)
            {
                long at = offsets[i] + FieldShift;
                Collect(transient, whole ? at : 0, new PatchRequest { Path = file, Offset = at, Data = DataFor(i, offsets.Count), Expect = _expect }, refusal);
            }
        }
        catch (MmapException e)
        {
            _failed = true;
            WriteMapError(e, file);
        }
    }

    private void CollectMap(MemoryMap map, IReadOnlyList<long> offsets, string? refusal)
    {
        try
        {
            for (int i = 0; i < offsets.Count; i++)
            {
                long at = offsets[i] + FieldShift;
                Collect(map, at, new PatchRequest { Map = map, Offset = at, Data = DataFor(i, offsets.Count), Expect = _expect }, refusal);
            }
        }
        catch (MmapException e)
        {
            _failed = true;
            WriteMapError(e, map);
        }
    }

    private bool? _silentShouldProcess;

    /// <summary>True when ShouldProcess will show nothing (no -WhatIf, -Confirm, -Verbose or -Debug in effect); asked once per call.</summary>
    private bool SilentShouldProcess => _silentShouldProcess ??= ShouldProcessText.IsSilent(this, ConfirmImpact.Medium);

    /// <summary>True under -WhatIf (or $WhatIfPreference).</summary>
    private bool WhatIfActive => ShouldProcessText.IsWhatIf(this);

    private void Collect(MemoryMap map, long offset, PatchRequest request, string? refusal)
    {
        CheckFieldRange(map, offset);
        byte[] old;
        if (Add is not null)
        {
            request = AddRequest(map, offset, request, out old);
        }
        else
        {
            old = ReadOld(map, offset, Math.Max(request.Data.Length, _expect?.Length ?? 0));
        }

        string where = map.Kind == MapKind.Anonymous || request.Map is { Access: MapAccess.CopyOnWrite }
            ? $"map {map.Id} ({map.Describe()}) offset 0x{offset:X} ({offset})"
            : $"'{map.Path}' offset 0x{map.Offset + offset:X} ({map.Offset + offset})";
        if (refusal is null && SilentShouldProcess)
        {
            // Nothing will show the old and new values: ask without building them (ShouldProcess still decides).
            if (ShouldProcess(where, "Write"))
            {
                _requests.Add(request);
            }

            return;
        }

        string check = _expect is null ? string.Empty
            : old.AsSpan(0, _expect.Length).SequenceEqual(_expect) ? " (-Expect matches)"
            : $" (-Expect does NOT match: {Shown(_expect)} expected; nothing will be written)";
        byte[] data = request.Data;
        string action = TypedAction(old, check, data) ?? $"Write {data.Length} bytes: {Shown(old.AsSpan(0, Math.Min(old.Length, data.Length)))} -> {Shown(data)}{check}" +
            (refusal is null ? string.Empty : $" (would be refused, PatchLengthMismatch: {refusal} Give -AllowLengthChange to write it anyway.)") +
            (_backupPath is null ? string.Empty : $" (undo record: {_backupPath})");
        if (ShouldProcess(where, action) && refusal is null)
        {
            _requests.Add(request);
        }
    }

    /// <summary>
    /// The data for offset <paramref name="index"/> of <paramref name="count"/>: all of it, or with -Raw its part
    /// (RawLengthMismatch when it does not split into equal parts, each whole elements with -As).
    /// </summary>
    private byte[] DataFor(int index, int count)
    {
        if (!Raw)
        {
            return _data;
        }

        int unit = AsGiven ? ElementTypes.SizeOf(As) : 1;
        if (_data.Length % count != 0 || (_data.Length / count) % unit != 0)
        {
            throw new MmapException(ErrorIds.RawLengthMismatch, MapErrorCategory.InvalidArgument,
                $"-Raw splits the data into one part per offset, but {_data.Length} bytes{(AsGiven ? $" ({_data.Length / unit} {As})" : string.Empty)} do not make {count} equal parts{(AsGiven ? $" of whole {As}" : string.Empty)}. Nothing was written.", 0, null);
        }

        int part = _data.Length / count;
        return count == 1 ? _data : _data.AsSpan(index * part, part).ToArray();
    }

    /// <summary>The bytes at <paramref name="offset"/> before the write, read for -WhatIf, -Expect and the undo record.</summary>
    private static byte[] ReadOld(MemoryMap map, long offset, int span)
    {
        if (map.Access == MapAccess.ReadWrite && map.IsOpen)
        {
            // Holes that need more than the free space: the write's own error now, before the preview read allocates any.
            map.CheckSpace(offset, CheckedLength(map, offset, span));
        }

        try
        {
            return map.Read(offset, CheckedLength(map, offset, span));
        }
        catch (MmapException e) when (e.ErrorId == ErrorIds.MapStorageFull)
        {
            // Reading a hole of a full tmpfs faults: this is a write, so say so (Reserve throws the write's error),
            // or, if room has appeared since, read again with the holes reserved.
            map.Reserve(offset, span);
            return map.Read(offset, CheckedLength(map, offset, span));
        }
    }

    /// <summary>Hex of at most <see cref="ShownBytes"/> bytes, so a large write costs no more to describe than a small one.</summary>
    private static string Shown(ReadOnlySpan<byte> bytes) => bytes.Length <= ShownBytes
        ? MmapTools.Hex.Format(bytes)
        : $"{MmapTools.Hex.Format(bytes[..ShownBytes])} ... ({bytes.Length} bytes)";

    private static int CheckedLength(MemoryMap map, long offset, int span)
    {
        map.CheckRange("write", offset, span);
        return span;
    }
}
