using System;
using System.Buffers;
using System.Collections.Generic;
using System.Security.Cryptography;

namespace MmapTools.Patching;

/// <summary>One change to apply to a stream of file bytes: at file offset <see cref="Offset"/>, these bytes instead.</summary>
internal readonly record struct Substitution(long Offset, byte[] Bytes);

/// <summary>
/// SHA-256 of a file, read through read-only maps (guarded, windowed) — and in the same pass the SHA-256
/// the file would have with some ranges replaced, so a patch's "after" hash costs no second read.
/// </summary>
internal static class FileHasher
{
    private const long Window = 1L << 30;
    private const int Chunk = 1 << 20;

    /// <summary>Returns (size, sha256 now, sha256 with <paramref name="substitutions"/> applied), hashes as lowercase hex.</summary>
    internal static (long Size, string Now, string Substituted) Hash(string path, IReadOnlyList<Substitution> substitutions)
    {
        long size = ByteSearch.SizeOf(path);
        using var now = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var then = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        byte[] changed = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            for (long ws = 0; ws < size; ws += Window)
            {
                long wl = Math.Min(Window, size - ws);
                using MemoryMap map = MemoryMap.OpenFile(path, MapAccess.ReadOnly, ws, wl);
                for (long cs = 0; cs < wl; cs += Chunk)
                {
                    int n = (int)Math.Min(Chunk, wl - cs);
                    Span<byte> span = buffer.AsSpan(0, n);
                    map.Read(cs, span);
                    now.AppendData(span);
                    long abs = ws + cs;
                    bool any = false;
                    foreach (Substitution sub in substitutions)
                    {
                        long from = Math.Max(abs, sub.Offset);
                        long to = Math.Min(abs + n, sub.Offset + sub.Bytes.Length);
                        if (from >= to)
                        {
                            continue;
                        }

                        if (!any)
                        {
                            span.CopyTo(changed);
                            any = true;
                        }

                        sub.Bytes.AsSpan((int)(from - sub.Offset), (int)(to - from)).CopyTo(changed.AsSpan((int)(from - abs)));
                    }

                    then.AppendData(any ? changed.AsSpan(0, n) : span);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(changed);
        }

        return (size, Convert.ToHexString(now.GetHashAndReset()).ToLowerInvariant(), Convert.ToHexString(then.GetHashAndReset()).ToLowerInvariant());
    }
}
