using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using MmapTools.Interop;

namespace MmapTools.Procfs;

/// <summary>Who a process is: its name, its user, its command line (from /proc/PID/status and /proc/PID/cmdline).</summary>
public sealed class ProcessIdentity
{
    private static readonly ConcurrentDictionary<uint, string?> UserNames = new();

    /// <summary>The process.</summary>
    public int ProcessId { get; init; }

    /// <summary>Its name (the comm, as Get-Process and ps show it).</summary>
    public string? Name { get; init; }

    /// <summary>The effective uid (ps's USER), or null when status could not be read.</summary>
    public uint? Uid { get; init; }

    /// <summary>The user name of <see cref="Uid"/>, or the uid as text when the user database has no entry.</summary>
    public string? User { get; init; }

    /// <summary>True when the process has no address space: a kernel thread (or a zombie).</summary>
    public bool HasNoMemory { get; init; }

    /// <summary>
    /// Reads /proc/PID/status. Throws ProcessNotFound when the process is gone; an unreadable status (not
    /// expected: it is world-readable) gives an identity with only the id.
    /// </summary>
    public static ProcessIdentity Read(int pid)
    {
        byte[] status = ProcessMemory.ReadSmall(ProcessMemory.ProcPath(pid, "status"), pid, "read the status");
        string? name = null;
        uint? uid = null;
        bool hasVm = false, kthread = false;
        ReadOnlySpan<byte> rest = status;
        while (!rest.IsEmpty)
        {
            int nl = rest.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = nl < 0 ? rest : rest[..nl];
            rest = nl < 0 ? default : rest[(nl + 1)..];
            if (line.StartsWith("Name:\t"u8))
            {
                name = Unescape(line[6..]);
            }
            else if (line.StartsWith("Uid:\t"u8))
            {
                // Real, effective, saved, filesystem: ps's USER is the effective one.
                ReadOnlySpan<byte> f = line[5..];
                int tab = f.IndexOf((byte)'\t');
                if (tab >= 0)
                {
                    f = f[(tab + 1)..];
                    int end = f.IndexOf((byte)'\t');
                    if (uint.TryParse(end < 0 ? f : f[..end], NumberStyles.None, CultureInfo.InvariantCulture, out uint u))
                    {
                        uid = u;
                    }
                }
            }
            else if (line.StartsWith("VmSize:"u8))
            {
                hasVm = true;
            }
            else if (line.StartsWith("Kthread:\t1"u8))
            {
                kthread = true;
            }
        }

        return new ProcessIdentity
        {
            ProcessId = pid, Name = name, Uid = uid, User = uid is { } x ? UserName(x) : null, HasNoMemory = kthread || !hasVm,
        };
    }

    /// <summary>The command line, arguments joined by spaces (as ps and smem show it), or null when it cannot be read; empty for kernel threads.</summary>
    public static string? ReadCommandLine(int pid)
    {
        byte[] b;
        try
        {
            b = ProcessMemory.ReadSmall(ProcessMemory.ProcPath(pid, "cmdline"), pid, "read the command line");
        }
        catch (MmapException)
        {
            return null;
        }

        int n = b.Length;
        while (n > 0 && b[n - 1] == 0)
        {
            n--;
        }

        for (int i = 0; i < n; i++)
        {
            if (b[i] == 0)
            {
                b[i] = (byte)' ';
            }
        }

        return Encoding.UTF8.GetString(b, 0, n);
    }

    /// <summary>The user name of a uid from the user database (getpwuid_r), or the uid as text; cached.</summary>
    public static string UserName(uint uid) => UserNames.GetOrAdd(uid, LookUp) ?? uid.ToString(CultureInfo.InvariantCulture);

    private static unsafe string? LookUp(uint uid)
    {
        byte* pw = stackalloc byte[128];
        for (int size = 4096; size <= 1 << 20; size *= 4)
        {
            byte[] buf = new byte[size];
            byte* result = null;
            int rc;
            fixed (byte* b = buf)
            {
                rc = Libc.GetPwUidR(uid, pw, b, (nuint)size, &result);
                if (rc == 0)
                {
                    // struct passwd begins with char *pw_name.
                    return result == null ? null : Marshal.PtrToStringUTF8(*(IntPtr*)result);
                }
            }

            if (rc != Errno.ERANGE)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>status escapes the name ("\n", "\\"); comm does not. Undo the escapes.</summary>
    private static string Unescape(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return Encoding.UTF8.GetString(raw);
        }

        var sb = new StringBuilder(raw.Length);
        string s = Encoding.UTF8.GetString(raw);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                char c = s[++i];
                sb.Append(c switch { 'n' => '\n', 't' => '\t', 'r' => '\r', 'f' => '\f', 'v' => '\v', 'a' => '\a', 'e' => '\u001b', _ => c });
            }
            else
            {
                sb.Append(s[i]);
            }
        }

        return sb.ToString();
    }
}
