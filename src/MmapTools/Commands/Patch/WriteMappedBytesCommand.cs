using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Writes bytes into a map, or patches a file in place through a transient map.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Write, "MappedBytes", DefaultParameterSetName = MapSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(WriteResult))]
public sealed partial class WriteMappedBytesCommand : MapTargetCmdlet
{
    /// <summary>Parameter set: matches from Find-MappedBytes on the pipeline.</summary>
    private const string MatchSet = "Match";

    /// <summary>How many bytes of old and new data the -WhatIf/-Confirm/-Verbose text shows.</summary>
    private const int ShownBytes = 32;

    /// <summary>
    /// Matches from Find-MappedBytes (usually from the pipeline). A match from a file search patches that file at
    /// its Offset; a match from a map search (MapId set) patches the map that was searched, at its MapOffset, so a
    /// copy-on-write map's matches change that map's memory, never the file.
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = MatchSet)]
    public MappedBytesMatch[] InputObject { get; set; } = null!;

    /// <summary>
    /// Where to write: the offset in the map (for -Path, in the file). Only the file sets take it from the
    /// pipeline by property name (an object with Path and Offset): a MemoryMap's own Offset property is its place
    /// in the file, not a place in the map, so a piped map never supplies one. Matches from Find-MappedBytes bind
    /// whole to -InputObject instead and carry their own offsets.
    /// </summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = MapSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = IdSet)]
    [LongArrayTransformation]
    public long[] Offset { get; set; } = null!;

    /// <summary>The bytes to write; with -As, numbers of that type; with -Field, the field's new value.</summary>
    [Parameter]
    [ByteArrayTransformation]
    public object? Value { get; set; }

    /// <summary>The bytes to write, as hex: 'DE AD BE EF'.</summary>
    [Parameter]
    public string? Hex { get; set; }

    /// <summary>Text to write, encoded with -Encoding (no byte-order mark).</summary>
    [Parameter]
    public string? String { get; set; }

    /// <summary>The encoding for -String and -ExpectString: utf8 (default), unicode, utf-16be, utf32, ascii, latin1, or any .NET name or code page.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    public string Encoding { get; set; } = "utf8";

    /// <summary>The bytes that must be at -Offset now (hex string or bytes); if they differ nothing is written.</summary>
    [Parameter]
    public object? Expect { get; set; }

    /// <summary>The text that must be at -Offset now, encoded with -Encoding; if it differs nothing is written.</summary>
    [Parameter]
    public string? ExpectString { get; set; }

    /// <summary>Write matches' replacements even when their length differs from the match's (a longer one overwrites the bytes after the match).</summary>
    [Parameter(ParameterSetName = MatchSet)]
    public SwitchParameter AllowLengthChange { get; set; }

    /// <summary>Do not msync after writing (the kernel writes the pages back later).</summary>
    [Parameter]
    public SwitchParameter NoSync { get; set; }

    /// <summary>Output a WriteResult with the old and new bytes.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Before writing, save an undo record (JSON: path, offsets, old and new bytes, SHA-256 before and after) to this new file.</summary>
    [Parameter]
    public string? Backup { get; set; }

    private byte[] _data = Array.Empty<byte>();
    private byte[]? _expect;
    private readonly List<PatchRequest> _requests = new();
    private bool _failed;
    private string? _backupPath;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        BeginTyped();
        int given = (Value is null ? 0 : 1) + (Hex is null ? 0 : 1) + (String is null ? 0 : 1) + (Add is null ? 0 : 1);
        if (given == 0)
        {
            ThrowTerminatingError(NewError(ErrorIds.WriteValueMissing, ErrorCategory.InvalidArgument,
                "Nothing to write: give the bytes with -Value, -Hex or -String (or -As with -Add).", null));
        }

        if (given > 1)
        {
            ThrowTerminatingError(NewError(ErrorIds.WriteValueConflict, ErrorCategory.InvalidArgument,
                "Give the bytes once: -Value, -Hex, -String and -Add cannot be combined.", null));
        }

        if (Expect is not null && ExpectString is not null)
        {
            ThrowTerminatingError(NewError(ErrorIds.ExpectConflict, ErrorCategory.InvalidArgument,
                "Give the expected bytes once: -Expect (hex or bytes) and -ExpectString (text) cannot be combined.", null));
        }

        if (Backup is not null)
        {
            try
            {
                _backupPath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Backup);
            }
            catch (Exception e) when (e is ItemNotFoundException or DriveNotFoundException or ProviderNotFoundException or NotSupportedException or ArgumentException)
            {
                ThrowTerminatingError(NewError(ErrorIds.BackupWriteFailed, ErrorCategory.WriteError,
                    $"Cannot write the backup record '{Backup}': {e.Message} Nothing was patched. Give a file-system path.", Backup));
            }
        }

        try
        {
            _data = Add is not null ? Array.Empty<byte>() : Value is not null ? ValueBytes(Value) : Hex is not null ? MmapTools.Hex.Parse(Hex) : TextEncoding.Resolve(Encoding).GetBytes(String!);
            _expect = Expect is not null ? (IsTypedWrite ? TypedExpect(Expect) : ToBytes(Expect))
                : ExpectString is not null ? TextEncoding.Resolve(Encoding).GetBytes(ExpectString)
                : null;
        }
        catch (MmapException e)
        {
            ThrowMapError(e, Value ?? Hex ?? Encoding);
        }
    }

    private byte[] ToBytes(object expect)
    {
        object value = expect is PSObject pso ? pso.BaseObject : expect;
        switch (value)
        {
            case string s:
                return MmapTools.Hex.Parse(s);
            case byte[] b:
                return b;
            case IEnumerable items:
                var list = new System.Collections.Generic.List<byte>();
                foreach (object? item in items)
                {
                    object v = item is PSObject p ? p.BaseObject : item!;
                    try
                    {
                        list.Add(Convert.ToByte(v, CultureInfo.InvariantCulture));
                    }
                    catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException)
                    {
                        ThrowTerminatingError(NewError(ErrorIds.ExpectInvalid, ErrorCategory.InvalidArgument,
                            $"-Expect holds '{v}', which is not a byte (0-255).", expect));
                    }
                }

                return list.ToArray();
            default:
                ThrowTerminatingError(NewError(ErrorIds.ExpectInvalid, ErrorCategory.InvalidArgument,
                    $"-Expect must be a hex string such as 'EB 05' or bytes (for text use -ExpectString); it was a {value.GetType().Name}.", expect));
                return Array.Empty<byte>();
        }
    }

    private int Span => Math.Max(_data.Length, _expect?.Length ?? 0);

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        // Each hit is checked and confirmed here, and written in EndProcessing with all the others: all or nothing.
        if (ParameterSetName == MatchSet)
        {
            foreach (MappedBytesMatch? match in InputObject)
            {
                if (match is not null)
                {
                    CollectMatch(match);
                }
            }

            return;
        }

        if (IsFileTarget)
        {
            bool literal = ParameterSetName == LiteralPathSet;
            foreach (string path in literal ? LiteralPath : Path)
            {
                List<string> files = ResolveFileSystemPaths(new[] { path }, literal);
                _failed |= files.Count == 0;
                foreach (string file in files)
                {
                    CollectFile(file, Offset, null);
                }
            }

            return;
        }

        MemoryMap? map = ParameterSetName == IdSet ? FindMap(Id) : Map;
        if (map is null)
        {
            _failed = true;
            return;
        }

        CollectMap(map, Offset, null);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_requests.Count == 0)
        {
            return;
        }

        if (_failed)
        {
            WriteError(NewError(ErrorIds.PatchAbandoned, ErrorCategory.InvalidOperation,
                $"Nothing was written: {_requests.Count} hit(s) were ready, but another target of this patch failed (see the errors above), and a patch is all or nothing. Fix or leave out that target and run it again.", null));
            return;
        }

        string? backup = _backupPath;
        using var patch = new PatchTransaction(new PatchOptions { Sync = !NoSync, BackupPath = backup });
        foreach (PatchRequest r in _requests)
        {
            patch.Add(r);
        }

        IReadOnlyList<MmapException> problems = patch.Prepare();
        foreach (MmapException problem in problems)
        {
            WriteMapError(problem, problem.Path);
        }

        if (problems.Count > 0)
        {
            return;
        }

        IReadOnlyList<WriteResult> results;
        try
        {
            results = patch.Commit();
        }
        catch (MmapException e)
        {
            WriteMapError(e, e.Path);
            return;
        }

        if (backup is not null)
        {
            WriteVerbose($"Backup record written to '{backup}'; Restore-MappedBytes -LiteralPath '{backup}' undoes this patch.");
        }

        if (PassThru)
        {
            foreach (WriteResult r in results)
            {
                WriteObject(r);
            }
        }
    }
}
