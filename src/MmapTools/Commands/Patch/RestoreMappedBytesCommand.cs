using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Undoes a patch: writes back the bytes saved by Write-MappedBytes -Backup, if the patch's bytes are still there.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "MappedBytes", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RestoreResult))]
public sealed class RestoreMappedBytesCommand : MmapCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>The backup record(s) written by Write-MappedBytes -Backup; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Path { get; set; } = null!;

    /// <summary>The backup record(s), taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = null!;

    /// <summary>Do not msync after writing the old bytes back.</summary>
    [Parameter]
    public SwitchParameter NoSync { get; set; }

    /// <summary>Output a RestoreResult per file restored.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (string record in ResolveFileSystemPaths(literal ? LiteralPath : Path, literal))
        {
            try
            {
                PatchBackup backup = PatchBackup.Read(record);
                int ranges = backup.Files.Sum(f => f.Ranges.Count);
                long bytes = backup.Files.Sum(f => f.Ranges.Sum(r => (long)r.Length));
                string files = string.Join(", ", backup.Files.Select(f => "'" + f.Path + "'"));
                string note = string.Empty;
                if (MyInvocation.BoundParameters.ContainsKey("WhatIf"))
                {
                    IReadOnlyList<MmapException> problems = PatchRestore.Check(backup);
                    note = problems.Count == 0 ? " (the patched bytes are all in place)" : $" (would be refused: {problems[0].Message})";
                }

                if (!ShouldProcess(files, $"Restore {ranges} range(s), {bytes} bytes, from the backup record '{record}' of {backup.Created:u}{note}"))
                {
                    continue;
                }

                foreach (RestoreResult result in PatchRestore.Restore(backup, sync: !NoSync))
                {
                    if (result.ChangedElsewhere)
                    {
                        WriteWarning($"'{result.Path}' had changed outside the patched ranges since it was patched; those ranges are restored, but the file is not what it was before the patch (SHA-256 {result.Sha256}, was {result.Sha256Before}).");
                    }

                    WriteVerbose($"Restored {result.Ranges} range(s) of '{result.Path}'; identical to before the patch: {result.Identical}.");
                    if (PassThru)
                    {
                        WriteObject(result);
                    }
                }
            }
            catch (MmapException e)
            {
                WriteMapError(e, record);
            }
        }
    }
}
