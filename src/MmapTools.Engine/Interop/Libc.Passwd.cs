using System.Runtime.InteropServices;

namespace MmapTools.Interop;

internal static partial class Libc
{
    /// <summary>getpwuid_r(3): the user database entry of a uid (files, LDAP, ... as nsswitch.conf says). Returns an errno, 0 when done.</summary>
    [LibraryImport(Name, EntryPoint = "getpwuid_r", SetLastError = false)]
    internal static unsafe partial int GetPwUidR(uint uid, byte* passwd, byte* buffer, nuint bufferLength, byte** result);
}
