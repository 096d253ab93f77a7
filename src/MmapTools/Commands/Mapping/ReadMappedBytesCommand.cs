using System;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Reads bytes from a map, or straight from a file through a transient map.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Read, "MappedBytes", DefaultParameterSetName = MapSet)]
[OutputType(typeof(byte[]), typeof(HexDumpRow), typeof(string), typeof(Array), typeof(OffsetValue), typeof(PSObject))]
public sealed partial class ReadMappedBytesCommand : MapTargetCmdlet
{
    /// <summary>Where to start: the offset in the map (for -Path, in the file). Many offsets read one result each, through one gathered read.</summary>
    [Parameter(Position = 1)]
    [LongArrayTransformation]
    public long[] Offset { get; set; } = { 0 };

    /// <summary>How many bytes (with -As, elements; with -Layout, records); default the rest of the map (or file), one record with -Layout.</summary>
    [Parameter(Position = 2)]
    [Alias("Length")]
    public long Count { get; set; }

    /// <summary>Output hex-dump rows (offset, hex, ASCII) instead of one byte[].</summary>
    [Parameter]
    public SwitchParameter AsHex { get; set; }

    /// <summary>Output the bytes decoded as text.</summary>
    [Parameter]
    public SwitchParameter AsString { get; set; }

    /// <summary>The encoding for -AsString: utf8 (default), unicode, utf-16be, utf32, ascii, latin1, or any .NET name or code page.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    public string Encoding { get; set; } = "utf8";

    private long? CountOrNull => MyInvocation.BoundParameters.ContainsKey(nameof(Count)) ? Count : null;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (AsHex && AsString)
        {
            ThrowTerminatingError(NewError(ErrorIds.ReadFormatConflict, ErrorCategory.InvalidArgument,
                "-AsHex and -AsString cannot be used together; pick one.", null));
        }

        if (AsString)
        {
            try
            {
                _ = TextEncoding.Resolve(Encoding);
            }
            catch (MmapException e)
            {
                ThrowMapError(e, Encoding);
            }
        }

        BeginTyped();
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (IsTypedRead)
        {
            ProcessTyped();
            return;
        }

        ForEachTarget(
            file => MemoryMap.OpenFile(file, MapAccess.ReadOnly, Offset[0], CountOrNull),
            (map, target) =>
            {
                long offset = IsFileTarget ? 0 : Offset[0];
                long count = map.CheckRange("read", offset, CountOrNull);
                if (count > Array.MaxLength)
                {
                    throw new MmapException(ErrorIds.ReadTooLarge, MapErrorCategory.LimitsExceeded,
                        $"Cannot read {count} bytes at once: a byte[] holds at most {Array.MaxLength}. Read in parts with -Offset and -Count.", 0, map.Path);
                }

                byte[] bytes = map.Read(offset, (int)count);
                long shownOffset = IsFileTarget ? Offset[0] : offset;
                if (AsHex)
                {
                    foreach (HexDumpRow row in Hex.Dump(bytes, shownOffset, map.Path ?? map.Describe()))
                    {
                        WriteObject(row);
                    }
                }
                else if (AsString)
                {
                    WriteObject(TextEncoding.Resolve(Encoding).GetString(bytes));
                }
                else
                {
                    WriteObject(bytes, enumerateCollection: false);
                }
            });
    }
}
