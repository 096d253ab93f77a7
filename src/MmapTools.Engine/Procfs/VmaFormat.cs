using System;
using System.Runtime.CompilerServices;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace MmapTools.Procfs;

/// <summary>
/// Parsing and formatting of /proc/PID/maps and smaps lines, from bytes: no string per field, only the
/// name column becomes a string (and repeated names reuse the previous one). This file reads a maps line (the
/// fixed fields and the name column); VmaFormat.Smaps.cs reads smaps "Key: value" and VmFlags lines;
/// VmaFormat.Print.cs writes a VMA back as the kernel prints it.
/// </summary>
public static partial class VmaFormat
{
    /// <summary>The column the name starts at on 64-bit kernels: seq_setwidth(25 + 6 * sizeof(void *) - 1), then one space.</summary>
    internal const int NameColumn = 73;

    private static readonly byte[] DeletedSuffix = " (deleted)"u8.ToArray();
    private static readonly byte[] NewlineEscape = "\\012"u8.ToArray();
    private static readonly string[] PermissionStrings = BuildPermissionStrings();

    /// <summary>The fixed fields of a maps line; the name is a slice of the line.</summary>
    internal struct Header
    {
        public ulong Start;
        public ulong End;
        public VmaPermission Permission;
        public ulong Offset;
        public uint Major;
        public uint Minor;
        public ulong Inode;
        public int NameStart;
        public int NameLength;
    }

    /// <summary>The decoded name column.</summary>
    internal sealed class NameInfo
    {
        /// <summary>No name (what a ProcessVma made with new() has).</summary>
        internal static readonly NameInfo None = new();

        public string? Path;
        public byte[]? RawPath;
        public string? Name;
        public VmaKind Kind;
        public bool IsDeleted;

        /// <summary>A copy with one change: a NameInfo attached to a VMA may be shared, so it is never changed.</summary>
        internal NameInfo With(Action<NameInfo> change)
        {
            var copy = (NameInfo)MemberwiseClone();
            change(copy);
            return copy;
        }
    }

    private static string[] BuildPermissionStrings()
    {
        var s = new string[16];
        for (int i = 0; i < 16; i++)
        {
            s[i] = string.Concat((i & 1) != 0 ? "r" : "-", (i & 2) != 0 ? "w" : "-", (i & 4) != 0 ? "x" : "-", (i & 8) != 0 ? "s" : "p");
        }

        return s;
    }

    /// <summary>"r-xp" for Read|Execute.</summary>
    public static string PermissionText(VmaPermission permission) => PermissionStrings[(int)permission & 15];

    /// <summary>True when the line starts like a VMA header ("hex-hex"), as opposed to an smaps "Key: value" line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool IsHeaderLine(ReadOnlySpan<byte> line)
    {
        int i = 0;
        while (i < line.Length && IsHex(line[i]))
        {
            i++;
        }

        return i > 0 && i < line.Length && line[i] == (byte)'-';
    }

    private static bool IsHex(byte c) => unchecked((uint)(c - '0') <= 9 || (uint)((c | 0x20) - 'a') <= 5);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryHex(ReadOnlySpan<byte> s, ref int i, byte terminator, out ulong value)
    {
        unchecked
        {
            value = 0;
            int start = i;
            int limit = Math.Min(s.Length, start + 17);
            int j = start;
            while (j < limit)
            {
                uint c = s[j];
                uint d = c - '0';
                if (d > 9)
                {
                    d = (c | 0x20) - 'a';
                    if (d > 5)
                    {
                        break;
                    }

                    d += 10;
                }

                value = (value << 4) | d;
                j++;
            }

            // 1 to 16 digits, then the terminator.
            if (j == start || j - start > 16 || j >= s.Length || s[j] != terminator)
            {
                return false;
            }

            i = j + 1;
            return true;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryDecimal(ReadOnlySpan<byte> s, ref int i, out ulong value)
    {
        unchecked
        {
            value = 0;
            int start = i;
            int j = i;
            while (j < s.Length)
            {
                uint d = (uint)(s[j] - '0');
                if (d > 9)
                {
                    break;
                }

                if (j - start >= 19 && value > (ulong.MaxValue - d) / 10)
                {
                    return false;
                }

                value = (value * 10) + d;
                j++;
            }

            i = j;
            return j > start;
        }
    }

    /// <summary>Parses the fixed fields of a maps line (also the header line of an smaps block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryParseHeader(ReadOnlySpan<byte> line, out Header h)
    {
        h = default;
        int i = 0;
        if (!TryHex(line, ref i, (byte)'-', out h.Start) || !TryHex(line, ref i, (byte)' ', out h.End) || h.End < h.Start)
        {
            return false;
        }

        if (i + 5 > line.Length)
        {
            return false;
        }

        byte r = line[i], w = line[i + 1], x = line[i + 2], s = line[i + 3];
        if ((r != 'r' && r != '-') || (w != 'w' && w != '-') || (x != 'x' && x != '-') || (s != 's' && s != 'p') || line[i + 4] != ' ')
        {
            return false;
        }

        h.Permission = (r == 'r' ? VmaPermission.Read : 0) | (w == 'w' ? VmaPermission.Write : 0) |
                       (x == 'x' ? VmaPermission.Execute : 0) | (s == 's' ? VmaPermission.Shared : 0);
        i += 5;
        if (!TryHex(line, ref i, (byte)' ', out h.Offset) || !TryHex(line, ref i, (byte)':', out ulong major) || !TryHex(line, ref i, (byte)' ', out ulong minor)
            || major > uint.MaxValue || minor > uint.MaxValue || !TryDecimal(line, ref i, out h.Inode))
        {
            return false;
        }

        h.Major = (uint)major;
        h.Minor = (uint)minor;
        if (i == line.Length)
        {
            h.NameStart = i;
            return true;
        }

        if (line[i] != ' ')
        {
            return false;
        }

        while (i < line.Length && line[i] == ' ')
        {
            i++;
        }

        h.NameStart = i;
        h.NameLength = line.Length - i;
        return true;
    }

    /// <summary>
    /// Decodes the name column: the kernel's "\012" becomes a newline, " (deleted)" is removed and sets
    /// IsDeleted (not for bracketed labels), and the kind is told from the name and inode.
    /// </summary>
    internal static NameInfo DecodeName(ReadOnlySpan<byte> raw, ulong inode)
    {
        var info = new NameInfo();
        if (raw.IsEmpty)
        {
            info.Kind = VmaKind.Anonymous;
            return info;
        }

        if (raw[0] == '[' && raw[^1] == ']')
        {
            string label = Encoding.UTF8.GetString(raw);
            info.Path = label;
            string inner = label.Substring(1, label.Length - 2);
            (info.Kind, info.Name) = inner switch
            {
                "heap" => (VmaKind.Heap, inner),
                "stack" => (VmaKind.Stack, inner),
                "vdso" => (VmaKind.Vdso, inner),
                "vsyscall" => (VmaKind.Vsyscall, inner),
                _ when inner == "vvar" || inner.StartsWith("vvar_", StringComparison.Ordinal) => (VmaKind.Vvar, inner),
                _ when inner.StartsWith("stack:", StringComparison.Ordinal) => (VmaKind.ThreadStack, inner),
                _ when inner.StartsWith("anon:", StringComparison.Ordinal) => (VmaKind.NamedAnonymous, inner.Substring(5)),
                _ when inner.StartsWith("anon_shmem:", StringComparison.Ordinal) => (VmaKind.NamedAnonymous, inner.Substring(11)),
                _ => (VmaKind.Other, inner),
            };
            return info;
        }

        ReadOnlySpan<byte> name = raw;
        if (name.EndsWith(DeletedSuffix))
        {
            info.IsDeleted = true;
            name = name[..^DeletedSuffix.Length];
        }

        byte[]? unescaped = null;
        if (name.IndexOf(NewlineEscape) >= 0)
        {
            unescaped = Unescape(name);
            name = unescaped;
        }

        SetPath(info, name, inode);
        return info;
    }

    /// <summary>Sets Path, RawPath, Name and Kind from the exact bytes of a path (already unescaped, suffix removed).</summary>
    internal static void SetPath(NameInfo info, ReadOnlySpan<byte> name, ulong inode)
    {
        info.Path = Encoding.UTF8.GetString(name);
        info.RawPath = System.Text.Unicode.Utf8.IsValid(name) ? null : name.ToArray();
        string path = info.Path;
        if (path.Length > 0 && path[0] == '/')
        {
            int slash = path.LastIndexOf('/');
            info.Name = path.Substring(slash + 1);
            if (path.StartsWith("/SYSV", StringComparison.Ordinal) && slash == 0)
            {
                info.Kind = VmaKind.SharedMemory;
            }
            else if (path.StartsWith("/dev/shm/", StringComparison.Ordinal))
            {
                info.Kind = VmaKind.SharedMemory;
            }
            else if (path.StartsWith("/memfd:", StringComparison.Ordinal) && slash == 0)
            {
                info.Kind = VmaKind.SharedMemory;
                info.Name = path.Substring(7);
            }
            else if (info.IsDeleted && inode != 0 && (path == "/dev/zero" || path == "/anon_hugepage"))
            {
                // MAP_SHARED|MAP_ANONYMOUS is shmem that the kernel names after /dev/zero.
                info.Kind = VmaKind.Anonymous;
            }
            else
            {
                info.Kind = VmaKind.File;
            }
        }
        else
        {
            // anon_inode:[perf_event], anon_inode:i915.gem, ...
            info.Kind = VmaKind.Other;
            info.Name = path;
        }
    }

    private static byte[] Unescape(ReadOnlySpan<byte> name)
    {
        var result = new List<byte>(name.Length);
        for (int i = 0; i < name.Length; i++)
        {
            if (name[i] == '\\' && name.Slice(i).StartsWith(NewlineEscape))
            {
                result.Add((byte)'\n');
                i += NewlineEscape.Length - 1;
            }
            else
            {
                result.Add(name[i]);
            }
        }

        return result.ToArray();
    }

    /// <summary>True when the textual name may not say the truth: a backslash (a literal "\012" in a file name
    /// reads like an escaped newline) or a " (deleted)" suffix (a file may be named so). map_files settles those.</summary>
    internal static bool IsAmbiguous(ReadOnlySpan<byte> raw) =>
        raw.Length > 0 && raw[0] != '[' && (raw.IndexOf((byte)'\\') >= 0 || raw.EndsWith(DeletedSuffix));

    /// <summary>Parses one maps line (no newline) into a VMA, as the reader does, without map_files.</summary>
    internal static ProcessVma? ParseMapsLine(ReadOnlySpan<byte> line, int pid = 0)
    {
        if (!TryParseHeader(line, out Header h))
        {
            return null;
        }

        NameInfo n = DecodeName(line.Slice(h.NameStart, h.NameLength), h.Inode);
        var vma = new ProcessVma
        {
            Start = h.Start, End = h.End, Permission = h.Permission, Permissions = PermissionText(h.Permission),
            Offset = h.Offset, DeviceMajor = h.Major, DeviceMinor = h.Minor, Inode = h.Inode,
        };
        vma.Attach(VmaOwner.None with { ProcessId = pid }, n);
        return vma;
    }
}
