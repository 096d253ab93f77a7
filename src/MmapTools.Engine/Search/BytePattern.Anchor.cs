using System;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MmapTools.Search;

/// <summary>The search side of <see cref="BytePattern"/>: finding the anchor (its longest literal run) with vectors.</summary>
public sealed partial class BytePattern
{
    /// <summary>
    /// The first index of <paramref name="anchor"/> (2 bytes or more) in <paramref name="window"/>, or -1; as
    /// <c>window.IndexOf(anchor)</c>. Compares the anchor's first and last bytes at every position with the widest
    /// vectors the CPU has (512, 256 or 128 bits), and checks the whole anchor only where both agree.
    /// </summary>
    /// <remarks>
    /// The three branches are the same loop written once per vector width on purpose: Vector512, Vector256 and
    /// Vector128 are distinct types with no common interface the JIT can specialise, and a generic helper over
    /// ISimdVector is not available on net8.0. Keep them in step when changing one.
    /// </remarks>
    internal static int FindAnchor(ReadOnlySpan<byte> window, ReadOnlySpan<byte> anchor)
    {
        int gap = anchor.Length - 1;
        int positions = window.Length - gap;      // anchor starts examined: [0, positions)
        if (positions <= 0)
        {
            return -1;
        }

        ref byte w = ref MemoryMarshal.GetReference(window);
        byte first = anchor[0], last = anchor[gap];
        int i = 0;
        if (Vector512.IsHardwareAccelerated && positions >= Vector512<byte>.Count)
        {
            Vector512<byte> vf = Vector512.Create(first), vl = Vector512.Create(last);
            const int Step = 64;

            // Four vectors per step, tested together: candidates are rare, so the common case is one branch per 256 bytes.
            for (; i <= positions - (4 * Step); i += 4 * Step)
            {
                Vector512<byte> b0 = Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)i), vf) & Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + gap)), vl);
                Vector512<byte> b1 = Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + Step)), vf) & Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + Step + gap)), vl);
                Vector512<byte> b2 = Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + (2 * Step))), vf) & Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + (2 * Step) + gap)), vl);
                Vector512<byte> b3 = Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + (3 * Step))), vf) & Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + (3 * Step) + gap)), vl);
                if ((b0 | b1 | b2 | b3) != Vector512<byte>.Zero)
                {
                    int found = Verify(window, anchor, i, b0.ExtractMostSignificantBits());
                    found = found >= 0 ? found : Verify(window, anchor, i + Step, b1.ExtractMostSignificantBits());
                    found = found >= 0 ? found : Verify(window, anchor, i + (2 * Step), b2.ExtractMostSignificantBits());
                    found = found >= 0 ? found : Verify(window, anchor, i + (3 * Step), b3.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }

            for (; i <= positions - Step; i += Step)
            {
                Vector512<byte> both = Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)i), vf) & Vector512.Equals(Vector512.LoadUnsafe(ref w, (nuint)(i + gap)), vl);
                if (both != Vector512<byte>.Zero)
                {
                    int found = Verify(window, anchor, i, both.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated && positions >= Vector256<byte>.Count)
        {
            Vector256<byte> vf = Vector256.Create(first), vl = Vector256.Create(last);
            const int Step = 32;
            for (; i <= positions - (4 * Step); i += 4 * Step)
            {
                Vector256<byte> b0 = Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)i), vf) & Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + gap)), vl);
                Vector256<byte> b1 = Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + Step)), vf) & Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + Step + gap)), vl);
                Vector256<byte> b2 = Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + (2 * Step))), vf) & Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + (2 * Step) + gap)), vl);
                Vector256<byte> b3 = Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + (3 * Step))), vf) & Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + (3 * Step) + gap)), vl);
                if ((b0 | b1 | b2 | b3) != Vector256<byte>.Zero)
                {
                    int found = Verify(window, anchor, i, b0.ExtractMostSignificantBits());
                    found = found >= 0 ? found : Verify(window, anchor, i + Step, b1.ExtractMostSignificantBits());
                    found = found >= 0 ? found : Verify(window, anchor, i + (2 * Step), b2.ExtractMostSignificantBits());
                    found = found >= 0 ? found : Verify(window, anchor, i + (3 * Step), b3.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }

            for (; i <= positions - Step; i += Step)
            {
                Vector256<byte> both = Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)i), vf) & Vector256.Equals(Vector256.LoadUnsafe(ref w, (nuint)(i + gap)), vl);
                if (both != Vector256<byte>.Zero)
                {
                    int found = Verify(window, anchor, i, both.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }
        }
        else if (Vector128.IsHardwareAccelerated && positions >= Vector128<byte>.Count)
        {
            Vector128<byte> vf = Vector128.Create(first), vl = Vector128.Create(last);
            for (; i <= positions - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                Vector128<byte> both = Vector128.Equals(Vector128.LoadUnsafe(ref w, (nuint)i), vf) & Vector128.Equals(Vector128.LoadUnsafe(ref w, (nuint)(i + gap)), vl);
                if (both != Vector128<byte>.Zero)
                {
                    int found = Verify(window, anchor, i, both.ExtractMostSignificantBits());
                    if (found >= 0)
                    {
                        return found;
                    }
                }
            }
        }

        for (; i < positions; i++)
        {
            if (window[i] == first && window[i + gap] == last && window.Slice(i, anchor.Length).SequenceEqual(anchor))
            {
                return i;
            }
        }

        return -1;
    }

    private static int Verify(ReadOnlySpan<byte> window, ReadOnlySpan<byte> anchor, int at, ulong bits)
    {
        while (bits != 0)
        {
            int i = at + BitOperations.TrailingZeroCount(bits);
            if (window.Slice(i, anchor.Length).SequenceEqual(anchor))
            {
                return i;
            }

            bits &= bits - 1;
        }

        return -1;
    }
}
