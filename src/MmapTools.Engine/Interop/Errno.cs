using System.Runtime.InteropServices;

namespace MmapTools.Interop;

/// <summary>Linux errno values (the same on x86-64 and arm64) and their symbolic names.</summary>
internal static class Errno
{
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int ESRCH = 3;
    internal const int EINTR = 4;
    internal const int EIO = 5;
    internal const int ENXIO = 6;
    internal const int EBADF = 9;
    internal const int EAGAIN = 11;
    internal const int ENOMEM = 12;
    internal const int EACCES = 13;
    internal const int EFAULT = 14;
    internal const int EBUSY = 16;
    internal const int EEXIST = 17;
    internal const int ENODEV = 19;
    internal const int ENOTDIR = 20;
    internal const int EISDIR = 21;
    internal const int EINVAL = 22;
    internal const int ENFILE = 23;
    internal const int EMFILE = 24;
    internal const int ETXTBSY = 26;
    internal const int EFBIG = 27;
    internal const int ENOSPC = 28;
    internal const int ESPIPE = 29;
    internal const int EROFS = 30;
    internal const int ERANGE = 34;
    internal const int ENAMETOOLONG = 36;
    internal const int ENOSYS = 38;
    internal const int ELOOP = 40;
    internal const int EOVERFLOW = 75;
    internal const int EOPNOTSUPP = 95;
    internal const int EDQUOT = 122;

    private static readonly string[] Names = BuildNames();

    private static string[] BuildNames()
    {
        var n = new string[134];
        n[1] = "EPERM"; n[2] = "ENOENT"; n[3] = "ESRCH"; n[4] = "EINTR"; n[5] = "EIO"; n[6] = "ENXIO";
        n[7] = "E2BIG"; n[8] = "ENOEXEC"; n[9] = "EBADF"; n[10] = "ECHILD"; n[11] = "EAGAIN"; n[12] = "ENOMEM";
        n[13] = "EACCES"; n[14] = "EFAULT"; n[15] = "ENOTBLK"; n[16] = "EBUSY"; n[17] = "EEXIST"; n[18] = "EXDEV";
        n[19] = "ENODEV"; n[20] = "ENOTDIR"; n[21] = "EISDIR"; n[22] = "EINVAL"; n[23] = "ENFILE"; n[24] = "EMFILE";
        n[25] = "ENOTTY"; n[26] = "ETXTBSY"; n[27] = "EFBIG"; n[28] = "ENOSPC"; n[29] = "ESPIPE"; n[30] = "EROFS";
        n[31] = "EMLINK"; n[32] = "EPIPE"; n[33] = "EDOM"; n[34] = "ERANGE"; n[35] = "EDEADLK"; n[36] = "ENAMETOOLONG";
        n[37] = "ENOLCK"; n[38] = "ENOSYS"; n[39] = "ENOTEMPTY"; n[40] = "ELOOP"; n[61] = "ENODATA";
        n[75] = "EOVERFLOW"; n[84] = "EILSEQ"; n[95] = "EOPNOTSUPP"; n[110] = "ETIMEDOUT"; n[122] = "EDQUOT";
        return n;
    }

    /// <summary>"ENOENT" for 2; "errno 200" where no name is known.</summary>
    internal static string NameOf(int errno) =>
        errno > 0 && errno < Names.Length && Names[errno] is { } name ? name : "errno " + errno;

    /// <summary>"ENOENT (No such file or directory)".</summary>
    internal static string Describe(int errno) => NameOf(errno) + " (" + Marshal.GetPInvokeErrorMessage(errno) + ")";
}
