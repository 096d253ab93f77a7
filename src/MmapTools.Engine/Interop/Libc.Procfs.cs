using System.Runtime.InteropServices;

namespace MmapTools.Interop;

internal static partial class Libc
{
    /// <summary>read(2) into a buffer; procfs seq files fill the whole buffer when they can.</summary>
    [LibraryImport(Name, EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    /// <summary>readlink(2): the raw bytes of a link's target (no terminating NUL).</summary>
    [LibraryImport(Name, EntryPoint = "readlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static unsafe partial nint ReadLink(string path, byte* buffer, nuint size);
}
