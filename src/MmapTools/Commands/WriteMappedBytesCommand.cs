using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Writes bytes into a map, or patches a file in place through a transient map.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Write, "MappedBytes", DefaultParameterSetName = MapSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(WriteResult))]
public sealed class WriteMappedBytesCommand : MapTargetCmdlet
{
    /// <summary>Where to write: the offset in the map (for -Path, in the file).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public long Offset { get; set; }

    /// <summary>The bytes to write.</summary>
    [Parameter]
    public byte[]? Value { get; set; }

    /// <summary>The bytes to write, as hex: 'DE AD BE EF'.</summary>
    [Parameter]
    public string? Hex { get; set; }

    /// <summary>Text to write, encoded with -Encoding (no byte-order mark).</summary>
    [Parameter]
    public string? String { get; set; }

    /// <summary>The encoding for -String: utf8 (default), unicode, utf-16be, utf32, ascii, latin1, or any .NET name or code page.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    public string Encoding { get; set; } = "utf8";

    /// <summary>The bytes that must be at -Offset now (hex string or bytes); if they differ nothing is written.</summary>
    [Parameter]
    public object? Expect { get; set; }

    /// <summary>Do not msync after writing (the kernel writes the pages back later).</summary>
    [Parameter]
    public SwitchParameter NoSync { get; set; }

    /// <summary>Output a WriteResult with the old and new bytes.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private byte[] _data = Array.Empty<byte>();
    private byte[]? _expect;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        int given = (Value is null ? 0 : 1) + (Hex is null ? 0 : 1) + (String is null ? 0 : 1);
        if (given == 0)
        {
            ThrowTerminatingError(NewError(ErrorIds.WriteValueMissing, ErrorCategory.InvalidArgument,
                "Nothing to write: give the bytes with -Value, -Hex or -String.", null));
        }

        if (given > 1)
        {
            ThrowTerminatingError(NewError(ErrorIds.WriteValueConflict, ErrorCategory.InvalidArgument,
                "Give the bytes once: -Value, -Hex and -String cannot be combined.", null));
        }

        try
        {
            _data = Value ?? (Hex is not null ? MmapTools.Hex.Parse(Hex) : TextEncoding.Resolve(Encoding).GetBytes(String!));
            _expect = Expect is null ? null : ToBytes(Expect);
        }
        catch (MmapException e)
        {
            ThrowMapError(e, Hex ?? Encoding);
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
                    $"-Expect must be a hex string such as 'EB 05' or bytes; it was a {value.GetType().Name}.", expect));
                return Array.Empty<byte>();
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        int span = Math.Max(_data.Length, _expect?.Length ?? 0);
        ForEachTarget(
            file => MemoryMap.OpenFile(file, MapAccess.ReadWrite, Offset, Math.Max(1, span)),
            (map, target) =>
            {
                long offset = IsFileTarget ? 0 : Offset;
                byte[] old = map.Read(offset, CheckedLength(map, offset, span));
                string where = map.Kind == MapKind.Anonymous
                    ? $"map {map.Id} ({map.Describe()}) offset 0x{offset:X} ({offset})"
                    : $"'{map.Path}' offset 0x{map.Offset + offset:X} ({map.Offset + offset})";
                string action = $"Write {_data.Length} bytes: {MmapTools.Hex.Format(old.AsSpan(0, Math.Min(old.Length, _data.Length)))} -> {MmapTools.Hex.Format(_data)}";
                if (!ShouldProcess(where, action))
                {
                    return;
                }

                if (_expect is null)
                {
                    map.Write(offset, _data);
                }
                else
                {
                    map.Write(offset, _data, _expect);
                }

                bool sync = !NoSync && map.Access == MapAccess.ReadWrite && map.Kind != MapKind.Anonymous && _data.Length > 0;
                if (sync)
                {
                    map.Sync(offset, _data.Length);
                }

                if (PassThru)
                {
                    WriteObject(new WriteResult
                    {
                        Path = map.Path,
                        MapId = IsFileTarget ? 0 : map.Id,
                        Offset = IsFileTarget ? Offset : offset,
                        Length = _data.Length,
                        OldBytes = old.AsSpan(0, Math.Min(old.Length, _data.Length)).ToArray(),
                        NewBytes = _data,
                        Synced = sync,
                    });
                }
            });
    }

    private static int CheckedLength(MemoryMap map, long offset, int span)
    {
        map.CheckRange("write", offset, span);
        return span;
    }
}
