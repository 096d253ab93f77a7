using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;

namespace MmapTools.Patching;

/// <summary>One patched range in a backup record: what was there before, and what the patch wrote.</summary>
public sealed class PatchBackupRange
{
    /// <summary>The offset in the file.</summary>
    public long Offset { get; init; }

    /// <summary>The bytes before the patch.</summary>
    public byte[] Old { get; init; } = Array.Empty<byte>();

    /// <summary>The bytes the patch wrote (as long as <see cref="Old"/>).</summary>
    public byte[] New { get; init; } = Array.Empty<byte>();

    /// <summary>How many bytes.</summary>
    public int Length => New.Length;
}

/// <summary>One file in a backup record.</summary>
public sealed class PatchBackupFile
{
    /// <summary>The file's full path when it was patched.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>Its size then (patching never changes it).</summary>
    public long Size { get; init; }

    /// <summary>SHA-256 of the whole file before the patch (lowercase hex).</summary>
    public string Sha256Before { get; init; } = string.Empty;

    /// <summary>SHA-256 the whole file has once the patch is written (lowercase hex).</summary>
    public string Sha256After { get; init; } = string.Empty;

    /// <summary>The ranges patched, by offset.</summary>
    public IReadOnlyList<PatchBackupRange> Ranges { get; init; } = Array.Empty<PatchBackupRange>();
}

/// <summary>
/// The undo record Write-MappedBytes -Backup writes before it changes a byte, and Restore-MappedBytes reads.
/// A small JSON file (mode 0600, written to a temporary name, flushed, linked into place — never over an
/// existing file — and its folder synced):
/// <code>
/// { "format": "mmaptools-patch-backup", "version": 1, "created": "2026-11-22T04:30:00.0000000Z",
///   "files": [ { "path": "/abs/app.bin", "size": 8192, "sha256Before": "…", "sha256After": "…",
///                "ranges": [ { "offset": 500, "length": 2, "old": "EB 05", "new": "90 90" } ] } ] }
/// </code>
/// </summary>
public sealed class PatchBackup
{
    /// <summary>The value of the "format" field.</summary>
    public const string FormatName = "mmaptools-patch-backup";

    /// <summary>The version this code writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>When the record was made (UTC).</summary>
    public DateTime Created { get; init; }

    /// <summary>The record file this was read from, or written to.</summary>
    public string? BackupPath { get; internal set; }

    /// <summary>The files patched.</summary>
    public IReadOnlyList<PatchBackupFile> Files { get; init; } = Array.Empty<PatchBackupFile>();

    /// <summary>Writes the record to <paramref name="path"/>, which must not exist; all of it or nothing.</summary>
    internal void Write(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full) || Directory.Exists(full))
        {
            throw Exists(full);
        }

        string dir = System.IO.Path.GetDirectoryName(full) ?? "/";
        string temp = System.IO.Path.Combine(dir, "." + System.IO.Path.GetFileName(full) + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var fso = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
            using (var stream = new FileStream(temp, fso))
            {
                using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    WriteJson(json);
                }

                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temp, full, overwrite: false);
            }
            catch (IOException) when (File.Exists(full))
            {
                throw Exists(full);
            }

            SyncDirectory(dir);
            BackupPath = full;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not MmapException)
        {
            throw MapErrors.Create(ErrorIds.BackupWriteFailed, MapErrorCategory.WriteError,
                $"Cannot write the backup record '{full}': {e.Message} Nothing was patched. Choose a folder you can write to.", 0, full);
        }
        finally
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>fsync the folder, so the record's name is on disk before the patch's bytes are (best effort).</summary>
    private static void SyncDirectory(string dir)
    {
        int fd = Interop.Libc.Open(dir, Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC, 0);
        if (fd >= 0)
        {
            using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle((IntPtr)fd, ownsHandle: true);
            _ = Interop.Libc.FSync(handle);
        }
    }

    private static MmapException Exists(string full) => MapErrors.Create(ErrorIds.BackupExists, MapErrorCategory.ResourceExists,
        $"The backup record '{full}' exists already; MmapTools never overwrites one. Nothing was patched. Give another -Backup path, or remove the old record if you no longer need it.", 0, full);

    private static byte[] ReadRecordBytes(string full)
    {
        int errno = FileStatus.TryGet(full, followSymlink: true, out FileStatus st);
        if (errno is Interop.Errno.ENOENT or Interop.Errno.ENOTDIR)
        {
            throw MapErrors.Create(ErrorIds.PathNotFound, MapErrorCategory.ObjectNotFound,
                $"Cannot open the backup record '{full}': it does not exist ({Interop.Errno.NameOf(errno)}). Give the file written by Write-MappedBytes -Backup.", errno, full);
        }

        if (errno != 0)
        {
            throw ReadFailed(full, errno);
        }

        CheckRecordKind(full, st);
        int fd = Interop.Libc.Open(full, Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC | Interop.Libc.O_NOCTTY | Interop.Libc.O_NONBLOCK, 0);
        if (fd < 0)
        {
            errno = Interop.Libc.LastErrno;
            throw errno is Interop.Errno.ENOENT ? MapErrors.Create(ErrorIds.PathNotFound, MapErrorCategory.ObjectNotFound,
                $"Cannot open the backup record '{full}': it does not exist (ENOENT). Give the file written by Write-MappedBytes -Backup.", errno, full)
                : ReadFailed(full, errno);
        }

        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle((IntPtr)fd, ownsHandle: true);
        errno = FileStatus.TryGet(handle, out st);
        if (errno != 0)
        {
            throw ReadFailed(full, errno);
        }

        // Again on the descriptor: the name may have been swapped for something else between the two looks.
        CheckRecordKind(full, st);
        byte[] text = new byte[st.Size];
        int done = 0;
        try
        {
            while (done < text.Length)
            {
                int n = RandomAccess.Read(handle, text.AsSpan(done), done);
                if (n == 0)
                {
                    break;
                }

                done += n;
            }
        }
        catch (IOException e)
        {
            throw MapErrors.Create(ErrorIds.BackupReadFailed, MapErrorCategory.ReadError,
                $"Cannot read the backup record '{full}': {e.Message}", 0, full);
        }

        return done == text.Length ? text : text[..done];
    }

    private static void CheckRecordKind(string full, FileStatus st)
    {
        if (st.Kind == FileKind.Directory)
        {
            throw MapErrors.Create(ErrorIds.BackupReadFailed, MapErrorCategory.ReadError,
                $"Cannot read the backup record '{full}': it is a directory (EISDIR). Give the file written by Write-MappedBytes -Backup.", Interop.Errno.EISDIR, full);
        }

        if (st.Kind != FileKind.Regular)
        {
            throw MapErrors.Create(ErrorIds.BackupNotRegularFile, MapErrorCategory.InvalidArgument,
                $"'{full}' is a {Describe(st.Kind)}, not a backup record; it was not opened. Give the file written by Write-MappedBytes -Backup.", 0, full);
        }

        if (st.Size > MaxRecordBytes)
        {
            throw MapErrors.Create(ErrorIds.BackupTooLarge, MapErrorCategory.LimitsExceeded,
                $"'{full}' is {st.Size} bytes, more than any backup record Write-MappedBytes writes (at most {MaxRecordBytes} bytes are read); it was not read. Give the file written by Write-MappedBytes -Backup.", 0, full);
        }
    }

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "FIFO (named pipe)",
        FileKind.CharacterDevice => "character device",
        FileKind.BlockDevice => "block device",
        FileKind.Socket => "socket",
        _ => "special file",
    };

    private static MmapException ReadFailed(string full, int errno) => MapErrors.Create(ErrorIds.BackupReadFailed,
        errno is Interop.Errno.EACCES or Interop.Errno.EPERM ? MapErrorCategory.PermissionDenied : MapErrorCategory.ReadError,
        $"Cannot read the backup record '{full}': {Interop.Errno.Describe(errno)}.", errno, full);

    private void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("format", FormatName);
        json.WriteNumber("version", FormatVersion);
        json.WriteString("created", Created.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture));
        json.WriteStartArray("files");
        foreach (PatchBackupFile f in Files)
        {
            json.WriteStartObject();
            json.WriteString("path", f.Path);
            json.WriteNumber("size", f.Size);
            json.WriteString("sha256Before", f.Sha256Before);
            json.WriteString("sha256After", f.Sha256After);
            json.WriteStartArray("ranges");
            foreach (PatchBackupRange r in f.Ranges)
            {
                json.WriteStartObject();
                json.WriteNumber("offset", r.Offset);
                json.WriteNumber("length", r.Length);
                json.WriteString("old", Hex.Format(r.Old));
                json.WriteString("new", Hex.Format(r.New));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The largest backup record <see cref="Read"/> accepts (1 GiB); Write-MappedBytes never writes a larger one in practice.</summary>
    public const long MaxRecordBytes = 1L << 30;

    /// <summary>
    /// Reads and checks a backup record. The path is looked at (statx) before it is opened, and opened O_NONBLOCK,
    /// so a FIFO, a device such as /dev/zero, or a socket is refused at once (BackupNotRegularFile) rather than
    /// blocking or reading forever; a record over <see cref="MaxRecordBytes"/> is refused (BackupTooLarge).
    /// </summary>
    public static PatchBackup Read(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        byte[] text = ReadRecordBytes(full);
        try
        {
            using JsonDocument doc = JsonDocument.Parse(text);
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out JsonElement format) || format.ValueKind != JsonValueKind.String || format.GetString() != FormatName)
            {
                throw Invalid(full, $"it is not an MmapTools backup record (no \"format\": \"{FormatName}\")");
            }

            int version = Int(root, "version", full);
            if (version != FormatVersion)
            {
                throw Invalid(full, $"it has version {version}; this MmapTools reads version {FormatVersion}");
            }

            DateTime created = DateTime.Parse(Str(root, "created", full), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            var files = new List<PatchBackupFile>();
            foreach (JsonElement f in Arr(root, "files", full))
            {
                var ranges = new List<PatchBackupRange>();
                foreach (JsonElement r in Arr(f, "ranges", full))
                {
                    long offset = Long(r, "offset", full);
                    long length = Long(r, "length", full);
                    byte[] old = Bytes(r, "old", full);
                    byte[] @new = Bytes(r, "new", full);
                    if (offset < 0 || old.Length != length || @new.Length != length)
                    {
                        throw Invalid(full, $"the range at offset {offset} has length {length} but {old.Length} old and {@new.Length} new bytes");
                    }

                    ranges.Add(new PatchBackupRange { Offset = offset, Old = old, New = @new });
                }

                files.Add(new PatchBackupFile
                {
                    Path = Str(f, "path", full),
                    Size = Long(f, "size", full),
                    Sha256Before = Str(f, "sha256Before", full),
                    Sha256After = Str(f, "sha256After", full),
                    Ranges = ranges,
                });
            }

            if (files.Count == 0)
            {
                throw Invalid(full, "it lists no files");
            }

            return new PatchBackup { Created = created, Files = files, BackupPath = full };
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw Invalid(full, e.Message);
        }
    }

    private static JsonElement Get(JsonElement e, string name, string path) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v) ? v : throw Invalid(path, $"the field \"{name}\" is missing");

    private static string Str(JsonElement e, string name, string path) =>
        Get(e, name, path) is { ValueKind: JsonValueKind.String } v ? v.GetString()! : throw Invalid(path, $"the field \"{name}\" is not a string");

    private static long Long(JsonElement e, string name, string path) =>
        Get(e, name, path) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt64(out long n) ? n : throw Invalid(path, $"the field \"{name}\" is not an integer");

    private static int Int(JsonElement e, string name, string path) =>
        Get(e, name, path) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out int n) ? n : throw Invalid(path, $"the field \"{name}\" is not an integer");

    private static JsonElement.ArrayEnumerator Arr(JsonElement e, string name, string path) =>
        Get(e, name, path) is { ValueKind: JsonValueKind.Array } v ? v.EnumerateArray() : throw Invalid(path, $"the field \"{name}\" is not an array");

    private static byte[] Bytes(JsonElement e, string name, string path)
    {
        string s = Str(e, name, path);
        if (s.Length == 0)
        {
            return Array.Empty<byte>();
        }

        try
        {
            return Hex.Parse(s);
        }
        catch (MmapException)
        {
            throw Invalid(path, $"the field \"{name}\" is not hex bytes");
        }
    }

    private static MmapException Invalid(string path, string why) => MapErrors.Create(ErrorIds.BackupInvalid, MapErrorCategory.InvalidData,
        $"'{path}' is not a usable backup record: {why}. Nothing was restored.", 0, path);
}
