using System;
using System.Collections;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>Typed writes: -As (numbers of one type) and -Layout with -Field (one field of a record, by name).</summary>
public sealed partial class WriteMappedBytesCommand
{
    /// <summary>Write -Value as elements of this type (Int32, Double, ...), each checked to fit.</summary>
    [Parameter]
    [ElementTypeTransformation]
    public ElementType As { get; set; }

    /// <summary>Write -As elements and -Layout fields big-endian (default little-endian; a layout field can say for itself).</summary>
    [Parameter]
    public SwitchParameter BigEndian { get; set; }

    /// <summary>The layout of the record at -Offset, an ordered hashtable of field = type; -Field names the field to write.</summary>
    [Parameter]
    public IDictionary? Layout { get; set; }

    /// <summary>With -Layout: the field to write (by name); only its bytes are written.</summary>
    [Parameter]
    public string? Field { get; set; }

    /// <summary>
    /// Add this number to each -As element in place, as numpy's <c>m += 1</c> (a negative number subtracts):
    /// -Count elements at each offset, by default every whole element from the offset to the end. An integer
    /// sum that does not fit the type is an error naming its offset, and then nothing is written.
    /// </summary>
    [Parameter]
    public object? Add { get; set; }

    /// <summary>With -Add: how many -As elements to add to at each offset (default: to the end of the map or file).</summary>
    [Parameter]
    public long Count { get; set; }

    /// <summary>
    /// With many offsets: -Value (or -Hex) holds the data of every offset back to back, as Read-MappedBytes -Raw
    /// returns it; offset i gets the i-th of equal parts, instead of the same data at each.
    /// </summary>
    [Parameter]
    public SwitchParameter Raw { get; set; }

    private RecordLayout? _layout;
    private LayoutField? _field;

    private long? CountOrNull => MyInvocation.BoundParameters.ContainsKey(nameof(Count)) ? Count : null;

    private bool AsGiven => MyInvocation.BoundParameters.ContainsKey(nameof(As));

    private bool IsTypedWrite => AsGiven || Layout is not null;

    /// <summary>Where the bytes go relative to -Offset: the field's place in the record, else 0.</summary>
    private long FieldShift => _field?.Offset ?? 0;

    private void BeginTyped()
    {
        string? conflict =
            AsGiven && Layout is not null ? "-As and -Layout cannot be used together: -As writes an array of one type, -Layout with -Field writes one field of a record."
            : Field is not null && Layout is null ? "-Field names a field of a -Layout; give the layout too."
            : Layout is not null && Field is null ? "-Layout writes one field: name it with -Field (e.g. -Field Version -Value 3)."
            : IsTypedWrite && (Hex is not null || String is not null) ? $"{(AsGiven ? "-As" : "-Layout")} converts -Value; it does not go with {(Hex is not null ? "-Hex" : "-String")}."
            : BigEndian && !IsTypedWrite ? "-BigEndian sets the byte order of -As or -Layout; bytes have none. Add -As <type> or -Layout."
            : Add is not null && ParameterSetName == MatchSet ? "-Add changes the numbers at -Offset; matches from Find-MappedBytes are replaced with -Value."
            : Add is not null && !AsGiven ? "-Add adds to numbers of one type: give it with -As (e.g. -As Int32 -Add 1)."
            : Add is not null && (Expect is not null || ExpectString is not null) ? "-Add reads the values it changes and writes them only if they are still there; -Expect does not go with it."
            : Raw && (Add is not null || Layout is not null || String is not null) ? $"-Raw splits -Value (or -Hex) into one part per offset; it does not go with {(Add is not null ? "-Add" : Layout is not null ? "-Layout" : "-String")}."
            : Raw && (Expect is not null || ExpectString is not null) ? "-Raw writes a different part at each offset; one -Expect cannot check them all. Leave -Expect out, or write each offset in a call of its own."
            : Raw && ParameterSetName == MatchSet ? "-Raw writes at -Offset; matches from Find-MappedBytes each take the whole -Value."
            : CountOrNull is not null && Add is null ? "-Count says how many elements -Add changes; -Value writes as many as it holds."
            : null;
        if (conflict is not null)
        {
            ThrowTerminatingError(NewError(ErrorIds.TypedOptionConflict, ErrorCategory.InvalidArgument, conflict, null));
        }

        if (CountOrNull is < 0)
        {
            ThrowTerminatingError(NewError(ErrorIds.CountInvalid, ErrorCategory.InvalidArgument, $"Count {Count} is negative.", Count));
        }

        if (Layout is not null)
        {
            try
            {
                _layout = TypedSupport.ParseLayout(Layout, BigEndian);
                _field = _layout.Field(Field!);
            }
            catch (MmapException e)
            {
                ThrowMapError(e, Field ?? (object)Layout);
            }
        }
    }

    /// <summary>The bytes of -Value: as they are for bytes, converted with -As or for the -Field.</summary>
    private byte[] ValueBytes(object value)
    {
        object? v = TypedSupport.UnwrapValues(value);
        if (_field is not null)
        {
            return RecordLayout.Encode(_field, v!, "-Value");
        }

        if (AsGiven)
        {
            return TypedCodec.Encode(As, v!, BigEndian, "-Value");
        }

        // Bytes: a byte[] is written as it is (not copied); anything else must hold bytes (0-255).
        return v as byte[] ?? TypedCodec.Encode(ElementType.Byte, v!, false, "-Value");
    }

    /// <summary>-Expect for typed writes: values of the -As type, or the field's old value.</summary>
    private byte[] TypedExpect(object expect)
    {
        object? v = TypedSupport.UnwrapValues(expect);
        return _field is not null ? RecordLayout.Encode(_field, v!, "-Expect") : TypedCodec.Encode(As, v!, BigEndian, "-Expect");
    }

    /// <summary>A field that reaches past the end of the map (or file) is an error naming it.</summary>
    private void CheckFieldRange(MemoryMap map, long offset)
    {
        if (_field is not null && offset >= 0 && offset > map.Length - _field.Size)
        {
            long record = offset - _field.Offset;
            throw new MmapException(ErrorIds.LayoutOutOfRange, MapErrorCategory.InvalidArgument,
                $"Field '{_field.Name}' ({_field.Spec}) of the record at offset {record} (0x{record:X}) is bytes {offset} to {offset + _field.Size - 1}, past the end of {map.Path ?? map.Describe()}, which holds {map.Length} bytes. Nothing was written.",
                0, map.Path) { Offset = offset, Length = _field.Size };
        }
    }

    /// <summary>
    /// The request for -Add at <paramref name="offset"/> of <paramref name="map"/>: the elements read now, the
    /// sums as the data, and the elements read as its -Expect, so a value changed by someone else before the
    /// write is an ExpectMismatch and nothing is written (the sums are never computed from stale values).
    /// </summary>
    private PatchRequest AddRequest(MemoryMap map, long offset, PatchRequest request, out byte[] old)
    {
        int size = ElementTypes.SizeOf(As);
        long count = CountOrNull ?? TypedSupport.ElementsToEnd(map, offset, As);

        if (count > Array.MaxLength / size)
        {
            throw new MmapException(ErrorIds.ReadTooLarge, MapErrorCategory.LimitsExceeded,
                $"Cannot add to {count} {As} at once: an array holds at most {Array.MaxLength} bytes. Give -Count and add in parts.", 0, map.Path);
        }

        int length = (int)(count * size);
        old = ReadOld(map, offset, length);
        byte[] sums = TypedCodec.Add(As, old, (int)count, BigEndian, TypedSupport.UnwrapValues(Add)!, map.Offset + offset);
        return new PatchRequest { Map = request.Map, Path = request.Path, Offset = request.Offset, Data = sums, Expect = old };
    }

    /// <summary>What -WhatIf and -Confirm show for a typed write: the old and new values, not only bytes.</summary>
    private string? TypedAction(byte[] old, string check, byte[]? data = null)
    {
        if (!IsTypedWrite)
        {
            return null;
        }

        if (Add is not null)
        {
            int count = old.Length / ElementTypes.SizeOf(As);
            return $"Add {TypedCodec.FormatOne(TypedSupport.UnwrapValues(Add))} to {count} {As} value(s): {TypedCodec.Format(TypedCodec.Decode(As, old, count, BigEndian))} -> " +
                $"{TypedCodec.Format(TypedCodec.Decode(As, data!, count, BigEndian))}{(_backupPath is null ? string.Empty : $" (undo record: {_backupPath})")}";
        }

        string backup = _backupPath is null ? string.Empty : $" (undo record: {_backupPath})";
        byte[] now = data ?? _data;
        if (_field is not null)
        {
            object before = RecordLayout.DecodeValue(_field, old.AsSpan(0, _field.Size));
            object after = RecordLayout.DecodeValue(_field, now);
            return $"{_field.Name}: {TypedCodec.FormatOne(before)} -> {TypedCodec.FormatOne(after)}{check}{backup}";
        }

        int size = ElementTypes.SizeOf(As);
        int n = now.Length / size;
        Array was = TypedCodec.Decode(As, old, n, BigEndian);
        Array will = TypedCodec.Decode(As, now, n, BigEndian);
        return $"Write {n} {As} value(s): {TypedCodec.Format(was)} -> {TypedCodec.Format(will)}{check}{backup}";
    }
}
