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

    private RecordLayout? _layout;
    private LayoutField? _field;

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
            : null;
        if (conflict is not null)
        {
            ThrowTerminatingError(NewError(ErrorIds.TypedOptionConflict, ErrorCategory.InvalidArgument, conflict, null));
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

    /// <summary>What -WhatIf and -Confirm show for a typed write: the old and new values, not only bytes.</summary>
    private string? TypedAction(byte[] old, string check)
    {
        if (!IsTypedWrite)
        {
            return null;
        }

        string backup = _backupPath is null ? string.Empty : $" (undo record: {_backupPath})";
        if (_field is not null)
        {
            object before = RecordLayout.DecodeValue(_field, old.AsSpan(0, _field.Size));
            object after = RecordLayout.DecodeValue(_field, _data);
            return $"{_field.Name}: {TypedCodec.FormatOne(before)} -> {TypedCodec.FormatOne(after)}{check}{backup}";
        }

        int size = ElementTypes.SizeOf(As);
        int n = _data.Length / size;
        Array was = TypedCodec.Decode(As, old, n, BigEndian);
        Array now = TypedCodec.Decode(As, _data, n, BigEndian);
        return $"Write {n} {As} value(s): {TypedCodec.Format(was)} -> {TypedCodec.Format(now)}{check}{backup}";
    }
}
