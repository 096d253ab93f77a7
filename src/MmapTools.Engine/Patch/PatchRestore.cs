using System.Collections.Generic;
using System.Linq;

namespace MmapTools;

/// <summary>What restoring one file from a backup record did.</summary>
public sealed class RestoreResult
{
    /// <summary>The backup record used.</summary>
    public string? BackupPath { get; init; }

    /// <summary>The file restored.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>How many ranges were put back.</summary>
    public int Ranges { get; init; }

    /// <summary>How many bytes were put back.</summary>
    public long Bytes { get; init; }

    /// <summary>SHA-256 the record says the file had before the patch.</summary>
    public string Sha256Before { get; init; } = string.Empty;

    /// <summary>SHA-256 of the file now, after the restore.</summary>
    public string Sha256 { get; init; } = string.Empty;

    /// <summary>True when the file is now byte for byte what it was before the patch (the hashes agree).</summary>
    public bool Identical { get; init; }

    /// <summary>True when, besides the patched ranges, the file had changed since the patch (so it cannot be identical).</summary>
    public bool ChangedElsewhere { get; init; }

    /// <summary>True when msync ran, so the restored bytes are on disk.</summary>
    public bool Synced { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Path}: {Ranges} range(s), {Bytes} bytes restored" + (Identical ? ", identical to before the patch" : ChangedElsewhere ? ", file changed elsewhere since the patch" : string.Empty);
}

/// <summary>Applies a backup record back: all or nothing, and only where the file still holds what the patch wrote.</summary>
public static class PatchRestore
{
    /// <summary>
    /// Checks every range of every file first (RestoreMismatch if any no longer holds the patch's bytes; nothing is
    /// written then), writes the old bytes back, msyncs unless <paramref name="sync"/> is false, and reports per file
    /// whether the result is identical to the file before the patch.
    /// </summary>
    public static IReadOnlyList<RestoreResult> Restore(PatchBackup backup, bool sync = true)
    {
        using PatchTransaction tx = Plan(backup, sync);
        IReadOnlyList<MmapException> problems = tx.Prepare();
        if (problems.Count > 0)
        {
            throw problems[0];
        }

        var plans = new List<(PatchBackupFile File, string Now, string Then)>();
        foreach (PatchBackupFile f in backup.Files)
        {
            (_, string now, string then) = FileHasher.Hash(f.Path, f.Ranges.Select(r => new Substitution(r.Offset, r.Old)).ToList());
            plans.Add((f, now, then));
        }

        IReadOnlyList<WriteResult> written = tx.Commit();
        return plans.Select(p => new RestoreResult
        {
            BackupPath = backup.BackupPath,
            Path = p.File.Path,
            Ranges = p.File.Ranges.Count,
            Bytes = p.File.Ranges.Sum(r => (long)r.Length),
            Sha256Before = p.File.Sha256Before,
            Sha256 = p.Then,
            Identical = p.Then == p.File.Sha256Before,
            ChangedElsewhere = p.Now != p.File.Sha256After,
            Synced = written.Any(w => w.Path == p.File.Path && w.Synced),
        }).ToList();
    }

    /// <summary>What would stop <see cref="Restore"/> (RestoreMismatch, a missing file, ...), checking everything and writing nothing.</summary>
    public static IReadOnlyList<MmapException> Check(PatchBackup backup)
    {
        using PatchTransaction tx = Plan(backup, sync: false);
        return tx.Prepare();
    }

    private static PatchTransaction Plan(PatchBackup backup, bool sync)
    {
        System.ArgumentNullException.ThrowIfNull(backup);
        var tx = new PatchTransaction(new PatchOptions { Sync = sync }) { Restoring = true };
        foreach (PatchBackupFile f in backup.Files)
        {
            foreach (PatchBackupRange r in f.Ranges)
            {
                tx.Add(new PatchRequest { Path = f.Path, Offset = r.Offset, Data = r.Old, Expect = r.New });
            }
        }

        return tx;
    }
}
