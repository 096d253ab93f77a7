using System;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MmapTools.Interop;

/// <summary>
/// The only place that names libc. Each syscall family has its own partial file
/// (Libc.Mman.cs, Libc.Fcntl.cs, Libc.ProcessVm.cs, ...); nothing outside this folder
/// declares a LibraryImport or DllImport.
/// </summary>
internal static partial class Libc
{
    internal const string Name = "libc";

    /// <summary>
    /// "libc" resolves to libc.so.6 on glibc, where a bare libc.so is a linker script. The explicit
    /// static constructor runs before the first call of any import in this class.
    /// </summary>
    static Libc()
    {
        NativeLibrary.SetDllImportResolver(typeof(Libc).Assembly, Resolve);
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Name)
        {
            return IntPtr.Zero;
        }

        foreach (string candidate in new[] { "libc.so.6", "libc.so", "libc" })
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out IntPtr handle))
            {
                return handle;
            }
        }

        return IntPtr.Zero;
    }

    /// <summary>The errno of the last call made through this class (SetLastError = true).</summary>
    internal static int LastErrno => Marshal.GetLastPInvokeError();

    internal static bool IsArm => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;
}
