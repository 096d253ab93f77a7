using System;

namespace MmapTools;

/// <summary>What Write-MappedBytes -PassThru reports: where, what was there, what is there now.</summary>
public sealed class WriteResult
{
    /// <summary>The file written (null for anonymous memory).</summary>
    public string? Path { get; init; }
    /// <summary>The map written through, or 0 for a transient map of -Path.</summary>
    public int MapId { get; init; }
    /// <summary>The offset written at (map offset; the file offset for -Path).</summary>
    public long Offset { get; init; }
    /// <summary>How many bytes were written.</summary>
    public int Length { get; init; }
    /// <summary>The bytes that were there before.</summary>
    public byte[] OldBytes { get; init; } = Array.Empty<byte>();
    /// <summary>The bytes written.</summary>
    public byte[] NewBytes { get; init; } = Array.Empty<byte>();
    /// <summary>True when msync(MS_SYNC) ran after the write, so the bytes are on disk.</summary>
    public bool Synced { get; init; }
    /// <summary><see cref="OldBytes"/> as hex, "DE AD".</summary>
    public string OldHex => Hex.Format(OldBytes);
    /// <summary><see cref="NewBytes"/> as hex, "BE EF".</summary>
    public string NewHex => Hex.Format(NewBytes);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Path ?? "map " + MapId} offset 0x{Offset:X}: {Hex.Format(OldBytes)} -> {Hex.Format(NewBytes)}{(Synced ? " (synced)" : string.Empty)}";
}
