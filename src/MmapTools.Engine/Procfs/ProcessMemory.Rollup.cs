using System;
using System.Collections.Generic;
using System.Text;

namespace MmapTools.Procfs;

/// <summary>A process's memory in total: smaps_rollup, or the sum of smaps where the kernel refuses the rollup.</summary>
public static partial class ProcessMemory
{
    /// <summary>
    /// The process's memory in total, from /proc/PID/smaps_rollup; when the kernel refuses the rollup for a
    /// live process (ESRCH/ENOENT, as for kernel threads), the sum of /proc/PID/smaps.
    /// </summary>
    public static ProcessMemoryInfo GetMemoryInfo(int pid) => GetMemoryInfo(pid, TryIdentity(pid), SystemMemory.TotalBytes());

    /// <summary>
    /// As <see cref="GetMemoryInfo(int)"/>, with the identity already read and the physical memory the
    /// percentages are of (MemTotal); the command line is read too.
    /// </summary>
    public static ProcessMemoryInfo GetMemoryInfo(int pid, ProcessIdentity? identity, long memoryTotal)
    {
        ProcessMemoryInfo info = ReadMemoryInfo(pid, identity?.Name ?? ReadComm(pid));
        info.Uid = identity?.Uid;
        info.User = identity?.User;
        info.CommandLine = ProcessIdentity.ReadCommandLine(pid);
        info.MemoryTotal = memoryTotal;
        return info;
    }

    private static ProcessMemoryInfo ReadMemoryInfo(int pid, string? name)
    {
        string file = ProcPath(pid, "smaps_rollup");
        byte[]? content = null;
        try
        {
            content = ReadSmall(file, pid, "read the memory rollup");
        }
        catch (MmapException e) when (e.ErrorId == ErrorIds.ProcessNotFound && Exists(pid))
        {
        }

        if (content is not null)
        {
            return ParseRollup(content, file, pid, name);
        }

        return SumSmaps(pid, name);
    }

    /// <summary>Parses the content of a smaps_rollup file.</summary>
    public static ProcessMemoryInfo ParseRollup(ReadOnlySpan<byte> content, string file, int pid, string? processName)
    {
        var keys = new List<string>(32);
        var values = new List<long>(32);
        long lineNumber = 0;
        while (!content.IsEmpty)
        {
            int nl = content.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = nl < 0 ? content : content[..nl];
            content = nl < 0 ? default : content[(nl + 1)..];
            lineNumber++;
            if (line.IsEmpty || VmaFormat.IsHeaderLine(line))
            {
                continue;
            }

            if (line.StartsWith("VmFlags:"u8))
            {
                continue;
            }

            if (!VmaFormat.TryParseKeyValue(line, out ReadOnlySpan<byte> key, out long value, out _))
            {
                throw ProcfsErrors.InvalidLine(file, lineNumber, line);
            }

            keys.Add(Encoding.UTF8.GetString(key));
            values.Add(value);
        }

        var info = new ProcessMemoryInfo { ProcessId = pid, ProcessName = processName, Source = "smaps_rollup" };
        info.SetValues(keys.ToArray(), values.ToArray());
        Fill(info);
        return info;
    }

    private static ProcessMemoryInfo SumSmaps(int pid, string? name)
    {
        var order = new List<string>();
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        int count = 0;
        using (VmaReader reader = GetVmas(pid, detailed: true))
        {
            foreach (ProcessVma vma in reader)
            {
                count++;
                foreach (KeyValuePair<string, long> kv in vma.Smaps)
                {
                    if (kv.Key is "KernelPageSize" or "MMUPageSize" or "Size" or "THPeligible" or "ProtectionKey")
                    {
                        continue;
                    }

                    if (!sums.TryGetValue(kv.Key, out long sum))
                    {
                        order.Add(kv.Key);
                    }

                    sums[kv.Key] = sum + kv.Value;
                }
            }
        }

        var info = new ProcessMemoryInfo { ProcessId = pid, ProcessName = name, Source = "smaps", VmaCount = count };
        var values = new long[order.Count];
        for (int i = 0; i < order.Count; i++)
        {
            values[i] = sums[order[i]];
        }

        info.SetValues(order.ToArray(), values);
        Fill(info);
        return info;
    }

    private static void Fill(ProcessMemoryInfo info)
    {
        foreach (KeyValuePair<string, long> kv in info.Values)
        {
            switch (kv.Key)
            {
                case "Rss": info.Rss = kv.Value; break;
                case "Pss": info.Pss = kv.Value; break;
                case "Pss_Dirty": info.PssDirty = kv.Value; break;
                case "Pss_Anon": info.PssAnon = kv.Value; break;
                case "Pss_File": info.PssFile = kv.Value; break;
                case "Pss_Shmem": info.PssShmem = kv.Value; break;
                case "Shared_Clean": info.SharedClean = kv.Value; break;
                case "Shared_Dirty": info.SharedDirty = kv.Value; break;
                case "Private_Clean": info.PrivateClean = kv.Value; break;
                case "Private_Dirty": info.PrivateDirty = kv.Value; break;
                case "Anonymous": info.Anonymous = kv.Value; break;
                case "Swap": info.Swap = kv.Value; break;
                case "SwapPss": info.SwapPss = kv.Value; break;
                case "Locked": info.Locked = kv.Value; break;
            }
        }
    }
}
