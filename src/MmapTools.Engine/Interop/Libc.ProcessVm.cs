using System;
using System.Runtime.InteropServices;

namespace MmapTools.Interop;

internal static partial class Libc
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoVec
    {
        public IntPtr Base;
        public nuint Length;
    }

    /// <summary>
    /// Copies from our own address space through the kernel: a page that is gone (a file
    /// truncated under its map) or forbidden (PROT_NONE) yields EFAULT or a short count,
    /// never SIGBUS or SIGSEGV. This is how every byte of a mapping is read.
    /// </summary>
    [LibraryImport(Name, EntryPoint = "process_vm_readv", SetLastError = true)]
    internal static unsafe partial nint ProcessVmReadV(int pid, IoVec* local, nuint localCount, IoVec* remote, nuint remoteCount, nuint flags);

    /// <summary>The write twin of <see cref="ProcessVmReadV"/>; honours the map's protection (no FOLL_FORCE).</summary>
    [LibraryImport(Name, EntryPoint = "process_vm_writev", SetLastError = true)]
    internal static unsafe partial nint ProcessVmWriteV(int pid, IoVec* local, nuint localCount, IoVec* remote, nuint remoteCount, nuint flags);

    [LibraryImport(Name, EntryPoint = "getpid")]
    internal static partial int GetPid();
}
