using System;
using System.Collections.Generic;
using System.IO;
using MmapTools.Interop;

namespace MmapTools;

/// <summary>A named POSIX shared-memory object, as listed by <see cref="SharedMemory.List"/>.</summary>
public sealed class SharedMemoryInfo
{
    /// <summary>The name, without a leading slash.</summary>
    public string Name { get; init; } = string.Empty;
    /// <summary>/dev/shm/NAME.</summary>
    public string Path { get; init; } = string.Empty;
    /// <summary>Its size in bytes.</summary>
    public long Length { get; init; }
    /// <summary>The bytes of /dev/shm it really occupies: less than <see cref="Length"/> while it has holes (never written).</summary>
    public long Allocated { get; init; }
    /// <summary>Permission bits, e.g. "0600".</summary>
    public string Mode { get; init; } = string.Empty;
    /// <summary>The owner's uid.</summary>
    public uint OwnerId { get; init; }
    /// <summary>When it was last written.</summary>
    public DateTime LastWriteTime { get; init; }
    /// <summary>How full /dev/shm is, as read when the list was made (the same object for every item of one list); null when unknown.</summary>
    public FileSystemSpace? FileSystem { get; init; }
    /// <summary><see cref="Length"/> for people: "4.9 KiB".</summary>
    public string LengthText => Units.FormatBytes(Length);

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Units.FormatBytes(Length)}, mode {Mode})";
}

/// <summary>
/// Named POSIX shared memory, as shm_open(3) does it: a file under /dev/shm, opened with
/// O_NOFOLLOW|O_CLOEXEC and created with mode 0600. Names are one safe file name.
/// </summary>
public static class SharedMemory
{
    /// <summary>Where Linux keeps POSIX shared memory.</summary>
    public const string Directory = "/dev/shm";

    /// <summary>
    /// Checks and normalises a name: one leading '/' is allowed (POSIX style) and dropped; the rest must be
    /// 1 to 255 characters of letters, digits, '.', '_' or '-', not starting with '.'.
    /// </summary>
    public static string NormalizeName(string name)
    {
        string n = name is { Length: > 0 } && name[0] == '/' ? name[1..] : name ?? string.Empty;
        string? why = null;
        if (n.Length == 0)
        {
            why = "it is empty";
        }
        else if (n.Length > 255)
        {
            why = $"it is {n.Length} characters long; the limit is 255";
        }
        else if (n[0] == '.')
        {
            why = "it starts with '.'";
        }
        else
        {
            foreach (char c in n)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                {
                    why = c switch
                    {
                        '/' => "it contains '/' (names cannot reach outside /dev/shm)",
                        '\0' => "it contains a NUL character",
                        _ when char.IsControl(c) => $"it contains the control character U+{(int)c:X4}",
                        _ => $"it contains '{c}'",
                    };
                    break;
                }
            }
        }

        if (why is not null)
        {
            throw MapErrors.Create(ErrorIds.SharedMemoryNameInvalid, MapErrorCategory.InvalidArgument,
                $"The shared-memory name '{name?.Replace("\0", "\\0", StringComparison.Ordinal)}' is not valid: {why}. Use letters, digits, '.', '_' and '-', e.g. 'myapp-cache'.", 0, name);
        }

        return n;
    }

    /// <summary>/dev/shm/NAME for a normalised name.</summary>
    public static string PathOf(string name) => Directory + "/" + NormalizeName(name);

    internal static MmapException FromOpen(int errno, string name, bool write) => errno switch
    {
        Errno.ENOENT => MapErrors.Create(ErrorIds.SharedMemoryNotFound, MapErrorCategory.ObjectNotFound,
            $"No shared memory named '{name}' exists ({PathOf(name)}: {Errno.Describe(errno)}). Get-SharedMemory lists those that exist.", errno, PathOf(name),
            sizeAdvice: "Give -Size to create it."),
        Errno.ELOOP => MapErrors.Create(ErrorIds.SharedMemoryIsSymlink, MapErrorCategory.SecurityError,
            $"{PathOf(name)} is a symbolic link ({Errno.Describe(errno)}); MmapTools never follows a link where a shared-memory name was given.", errno, PathOf(name)),
        _ => MapErrors.FromOpen(errno, PathOf(name), write),
    };

    /// <summary>Unlinks /dev/shm/NAME. Maps of it stay valid until removed; the name is free at once.</summary>
    public static void Remove(string name)
    {
        string n = NormalizeName(name);
        string path = PathOf(n);
        if (Libc.Unlink(path) != 0)
        {
            int errno = Libc.LastErrno;
            throw errno == Errno.ENOENT
                ? FromOpen(errno, n, write: true)
                : MapErrors.Create(ErrorIds.SharedMemoryRemoveFailed, errno is Errno.EACCES or Errno.EPERM ? MapErrorCategory.PermissionDenied : MapErrorCategory.WriteError,
                    $"Cannot remove shared memory '{n}' ({path}): {Errno.Describe(errno)}.", errno, path);
        }
    }

    /// <summary>True when /dev/shm/NAME exists (a symlink counts as existing, and is never followed).</summary>
    public static bool Exists(string name) => FileStatus.TryGet(PathOf(name), followSymlink: false, out _) == 0;

    /// <summary>The shared-memory objects in /dev/shm (regular files only), by name.</summary>
    public static IReadOnlyList<SharedMemoryInfo> List()
    {
        var result = new List<SharedMemoryInfo>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return result;
        }

        FileSystemSpace? space = FileSystemSpace.Of(Directory);
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory))
        {
            if (FileStatus.TryGet(path, followSymlink: false, out FileStatus st) != 0 || st.Kind != FileKind.Regular)
            {
                continue;
            }

            result.Add(new SharedMemoryInfo
            {
                Name = System.IO.Path.GetFileName(path),
                Path = path,
                Length = st.Size,
                Allocated = st.Allocated,
                Mode = Convert.ToString(st.Mode & 0x1FF, 8).PadLeft(4, '0'),
                OwnerId = st.Uid,
                LastWriteTime = File.GetLastWriteTime(path),
                FileSystem = space,
            });
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    /// <summary>How full /dev/shm is, with the count and sizes of the objects in it; null when /dev/shm does not exist.</summary>
    public static SharedMemoryUsage? Usage()
    {
        if (!System.IO.Directory.Exists(Directory) || FileSystemSpace.Of(Directory) is not { } space)
        {
            return null;
        }

        IReadOnlyList<SharedMemoryInfo> objects = List();
        long length = 0, allocated = 0;
        foreach (SharedMemoryInfo o in objects)
        {
            length += o.Length;
            allocated += o.Allocated;
        }

        return new SharedMemoryUsage
        {
            Path = Directory,
            FileSystemType = space.FileSystemType,
            Size = space.Size,
            Used = space.Used,
            Free = space.Free,
            UsedPercent = space.UsedPercent,
            Objects = objects.Count,
            ObjectsLength = length,
            ObjectsAllocated = allocated,
        };
    }
}
