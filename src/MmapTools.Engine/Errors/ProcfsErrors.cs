using System;
using System.IO;
using System.Text;
using MmapTools.Interop;

namespace MmapTools.Errors;

/// <summary>Builds the process area's exceptions (ErrorIds.Procfs.cs).</summary>
internal static class ProcfsErrors
{
    /// <summary>An open(2) or read(2) failure on a /proc file of <paramref name="pid"/>.</summary>
    internal static MmapException FromErrno(int errno, int pid, string file, string what)
    {
        string errnoText = Errno.Describe(errno);
        return errno switch
        {
            Errno.ENOENT or Errno.ESRCH => MapErrors.Create(ErrorIds.ProcessNotFound, MapErrorCategory.ObjectNotFound,
                $"Cannot {what} of process {pid}: {errnoText} on {file}. No process has that id (it may have exited)." + HidepidHint(invisible: true), errno, file),
            Errno.EACCES or Errno.EPERM => MapErrors.Create(ErrorIds.ProcessAccessDenied, MapErrorCategory.PermissionDenied,
                $"Cannot {what} of process {pid}: {errnoText} on {file}. The kernel shows a process's memory only to its own user (and only if it is dumpable) " +
                "or to a user with CAP_SYS_PTRACE (root); run as that user or with sudo." + HidepidHint(invisible: false), errno, file),
            _ => MapErrors.Create(ErrorIds.ProcfsReadFailed, MapErrorCategory.ReadError,
                $"Cannot {what} of process {pid}: {errnoText} on {file}.", errno, file),
        };
    }

    internal static MmapException Exited(int pid, string file, int read) => MapErrors.Create(ErrorIds.ProcessExited, MapErrorCategory.ResourceUnavailable,
        $"Process {pid} exited while {file} was read; the {read} VMA(s) already written may be incomplete.", Errno.ESRCH, file);

    internal static MmapException InvalidLine(string file, long lineNumber, ReadOnlySpan<byte> line)
    {
        string text = Encoding.UTF8.GetString(line.Length > 200 ? line[..200] : line);
        return MapErrors.Create(ErrorIds.ProcfsLineInvalid, MapErrorCategory.ParserError,
            $"Line {lineNumber} of {file} does not have the kernel's format: '{text}'. Please report it with your kernel version ({Environment.OSVersion.VersionString}).", 0, file, lineNumber);
    }

    /// <summary>What /proc's hidepid option does to the caller, if /proc is mounted with one and the caller is not root.</summary>
    private static string HidepidHint(bool invisible)
    {
        string? option = HidepidOption();
        if (Libc.GetEUid() == 0)
        {
            return string.Empty;
        }

        if (option is null)
        {
            return invisible ? " (If /proc were mounted with hidepid=invisible, other users' processes would look absent too.)" : string.Empty;
        }

        return $" /proc is mounted with {option}: other users' processes are " +
               (option is "hidepid=2" or "hidepid=invisible" ? "invisible (they look absent)" : "not readable") +
               " unless you are root or in the group named by its gid= option.";
    }

    internal static string? HidepidOption()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/mounts"))
            {
                string[] f = line.Split(' ');
                if (f.Length > 3 && f[1] == "/proc" && f[2] == "proc")
                {
                    foreach (string o in f[3].Split(','))
                    {
                        if (o.StartsWith("hidepid=", StringComparison.Ordinal))
                        {
                            return o;
                        }
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
