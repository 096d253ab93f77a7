using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>Typed reads: -As (one typed array), -Layout (records as objects), and many offsets through one gathered read.</summary>
public sealed partial class ReadMappedBytesCommand
{
    /// <summary>Read elements of this type: one typed array (Int32[], Double[], ...); -Count counts elements.</summary>
    [Parameter]
    [ElementTypeTransformation]
    public ElementType As { get; set; }

    /// <summary>Read -As elements and -Layout fields big-endian (default little-endian; a layout field can say for itself).</summary>
    [Parameter]
    public SwitchParameter BigEndian { get; set; }

    /// <summary>Read records of this layout, an ordered hashtable of field = type ('UInt32', 'Char[16]', 'Pad[2]'): one object per record.</summary>
    [Parameter]
    public IDictionary? Layout { get; set; }

    /// <summary>
    /// With many offsets: one array of every value, offset after offset (-Count values at each), instead of one
    /// OffsetValue per offset, as numpy's fancy indexing gives. The fast way for thousands of offsets.
    /// </summary>
    [Parameter]
    public SwitchParameter Raw { get; set; }

    private RecordLayout? _layout;

    private bool AsGiven => MyInvocation.BoundParameters.ContainsKey(nameof(As));

    private bool IsTypedRead => AsGiven || Layout is not null || Offset.Length != 1;

    private void BeginTyped()
    {
        if (AsGiven && Layout is not null)
        {
            ThrowTerminatingError(NewError(ErrorIds.TypedOptionConflict, ErrorCategory.InvalidArgument,
                "-As and -Layout cannot be used together: -As reads an array of one type, -Layout reads records. Give the array as a field of the layout ('Int32[4]').", null));
        }

        if ((AsGiven || Layout is not null || Offset.Length != 1) && (AsHex || AsString))
        {
            ThrowTerminatingError(NewError(ErrorIds.TypedOptionConflict, ErrorCategory.InvalidArgument,
                $"{(AsHex ? "-AsHex" : "-AsString")} reads one range of bytes; it does not go with {(AsGiven ? "-As" : Layout is not null ? "-Layout" : "many offsets")}.", null));
        }

        if (Raw && Layout is not null)
        {
            ThrowTerminatingError(NewError(ErrorIds.TypedOptionConflict, ErrorCategory.InvalidArgument,
                "-Raw returns one array of values; -Layout returns records as objects. Use -Raw with -As (or bytes), or -Layout alone.", null));
        }

        if (Raw && (AsHex || AsString))
        {
            ThrowTerminatingError(NewError(ErrorIds.ReadFormatConflict, ErrorCategory.InvalidArgument,
                $"-Raw returns the bytes (or with -As the values) as one array; {(AsHex ? "-AsHex" : "-AsString")} returns text. Pick one.", null));
        }

        if (BigEndian && !AsGiven && Layout is null)
        {
            ThrowTerminatingError(NewError(ErrorIds.TypedOptionConflict, ErrorCategory.InvalidArgument,
                "-BigEndian sets the byte order of -As or -Layout; bytes have none. Add -As <type> or -Layout.", null));
        }

        if (CountOrNull is long c && c < 0)
        {
            ThrowTerminatingError(NewError(ErrorIds.CountInvalid, ErrorCategory.InvalidArgument, $"Count {c} is negative.", c));
        }

        if (Offset.Length > 1 && CountOrNull is null && Layout is null)
        {
            ThrowTerminatingError(NewError(ErrorIds.CountRequired, ErrorCategory.InvalidArgument,
                $"{Offset.Length} offsets were given without -Count: say how many {(AsGiven ? As + " elements" : "bytes")} to read at each.", null));
        }

        if (Layout is not null)
        {
            try
            {
                _layout = TypedSupport.ParseLayout(Layout, BigEndian);
            }
            catch (MmapException e)
            {
                ThrowMapError(e, Layout);
            }
        }
    }

    private void ProcessTyped()
    {
        // A file is mapped whole (read-only), so that map offsets are file offsets and every offset is checked alike.
        ForEachTarget(file => MemoryMap.OpenFile(file, MapAccess.ReadOnly), (map, target) => ReadTyped(map, target));
    }

    private void ReadTyped(MemoryMap map, object target)
    {
        long[] offsets = Offset;
        if (offsets.Length == 0)
        {
            return;
        }

        int unit = _layout?.Size ?? (AsGiven ? ElementTypes.SizeOf(As) : 1);
        long count;
        if (CountOrNull is long c)
        {
            count = c;
        }
        else if (_layout is not null)
        {
            count = 1;
        }
        else
        {
            // -As with one offset and no -Count: the rest of the map, which must be whole elements (as numpy.memmap).
            count = TypedSupport.ElementsToEnd(map, offsets[0], As);
        }

        long each = count * unit;
        if (count > Array.MaxLength / unit || each * offsets.Length > Array.MaxLength)
        {
            throw new MmapException(ErrorIds.ReadTooLarge, MapErrorCategory.LimitsExceeded,
                $"Cannot read {offsets.Length} x {count} x {unit} bytes at once: an array holds at most {Array.MaxLength} bytes. Read in parts.", 0, map.Path);
        }

        // Every offset is checked before any is read: a bad one is an error naming it, and nothing is read from this target.
        int bad = 0;
        foreach (long offset in offsets)
        {
            MmapException? problem = CheckTypedRange(map, offset, count, each);
            if (problem is not null)
            {
                if (++bad <= 20)
                {
                    WriteMapError(problem, target);
                }
            }
        }

        if (bad > 0)
        {
            if (bad > 20)
            {
                WriteError(NewError(ErrorIds.AccessOutOfRange, ErrorCategory.InvalidArgument,
                    $"{bad} of the {offsets.Length} offsets are out of range (the first 20 are reported above); nothing was read from {map.Path ?? map.Describe()}.", map.Path));
            }

            return;
        }

        // Every byte is overwritten by the read (or the read fails and the buffer is dropped): no need to zero it first.
        byte[] buffer = GC.AllocateUninitializedArray<byte>((int)(each * offsets.Length));
        if (offsets.Length == 1)
        {
            map.Read(offsets[0], buffer);
        }
        else
        {
            map.ReadMany(offsets, (int)each, buffer);
        }

        string source = map.Path ?? map.Describe();
        if (_layout is not null)
        {
            // All the records go out in one call: the pipeline takes a collection far faster than one object at a time.
            bool tag = offsets.Length > 1 || count > 1;
            var records = new PSObject[offsets.Length * count];
            for (int i = 0; i < offsets.Length; i++)
            {
                for (long k = 0; k < count; k++)
                {
                    long at = (i * each) + (k * unit);
                    records[(i * count) + k] = ToRecord(_layout, buffer.AsSpan((int)at, unit), offsets[i] + (k * unit), tag);
                }
            }

            WriteObject(records, enumerateCollection: true);
            return;
        }

        if (offsets.Length == 1 || Raw)
        {
            // One array: the values at every offset, back to back in the order of the offsets.
            WriteObject(AsGiven ? TypedCodec.Decode(As, buffer, (int)(count * offsets.Length), BigEndian) : buffer, enumerateCollection: false);
            return;
        }

        // One object per offset, written as it is made: WriteObject(array, true) would first wrap every result in
        // a list of its own, so 100,000 results live at once even when the next command keeps only one
        // (| Select-Object -Last 1 took 1.4x as long), and `$r = ...` collects them no faster.
        ElementType? type = AsGiven ? As : null;
        bool bigEndian = BigEndian;
        for (int i = 0; i < offsets.Length; i++)
        {
            WriteObject(new OffsetValue
            {
                Offset = offsets[i],
                Bytes = buffer.AsSpan((int)(i * each), (int)each).ToArray(),
                Type = type,
                BigEndian = bigEndian,
                Source = source,
            });
        }
    }

    private MmapException? CheckTypedRange(MemoryMap map, long offset, long count, long each)
    {
        if (offset < 0)
        {
            return new MmapException(ErrorIds.OffsetInvalid, MapErrorCategory.InvalidArgument,
                $"Offset {offset} is negative; offsets count bytes from 0. Nothing was read from {map.Path ?? map.Describe()}.", 0, map.Path) { Offset = offset };
        }

        if (offset <= map.Length - each)
        {
            return null;
        }

        if (_layout is not null)
        {
            long record = Math.Max(0, Math.Min(count - 1, (map.Length - offset) / _layout.Size));
            long start = offset + (record * _layout.Size);
            LayoutField field = _layout.FirstFieldBeyond(start, map.Length)!;
            return new MmapException(ErrorIds.LayoutOutOfRange, MapErrorCategory.InvalidArgument,
                $"Record {record} at offset {start} (0x{start:X}): field '{field.Name}' ({field.Spec}, bytes {start + field.Offset} to {start + field.Offset + field.Size - 1}) reaches past the end of {map.Path ?? map.Describe()}, which holds {map.Length} bytes. " +
                $"A record of this layout is {_layout.Size} bytes. Nothing was read.", 0, map.Path) { Offset = start + field.Offset, Length = field.Size };
        }

        return new MmapException(ErrorIds.AccessOutOfRange, MapErrorCategory.InvalidArgument,
            $"Cannot read {(AsGiven ? $"{count} {As} ({each} bytes)" : $"{each} bytes")} at offset {offset} (0x{offset:X}) of {map.Path ?? map.Describe()}: it holds {map.Length} bytes. Nothing was read.", 0, map.Path) { Offset = offset, Length = each };
    }

    /// <summary>A record as an object: its fields in layout order; PSOffset (the record's offset) is shown first when there are many.</summary>
    private static PSObject ToRecord(RecordLayout layout, ReadOnlySpan<byte> bytes, long offset, bool tag)
    {
        var record = new PSObject();
        var shown = new List<string>(layout.Fields.Count + 1);
        if (tag)
        {
            shown.Add("PSOffset");
        }

        foreach (KeyValuePair<string, object> field in layout.DecodeRecord(bytes))
        {
            record.Properties.Add(new PSNoteProperty(field.Key, field.Value));
            shown.Add(field.Key);
        }

        record.Properties.Add(new PSNoteProperty("PSOffset", offset));
        record.Members.Add(new PSMemberSet("PSStandardMembers", new PSMemberInfo[] { new PSPropertySet("DefaultDisplayPropertySet", shown) }));
        return record;
    }
}
