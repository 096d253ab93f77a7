namespace MmapTools.Errors;

/// <summary>The error ids of typed data: -As element types, -Layout records and -Field writes.</summary>
public static partial class ErrorIds
{
    /// <summary>A type name (in -As or a layout) is not one MmapTools knows.</summary>
    public const string TypeUnknown = "TypeUnknown";
    /// <summary>A layout is malformed: not ordered, empty, a bad array length, a duplicate or empty field name.</summary>
    public const string LayoutInvalid = "LayoutInvalid";
    /// <summary>A record of the layout reaches past the end of the map or file; the message names the first field that does not fit.</summary>
    public const string LayoutOutOfRange = "LayoutOutOfRange";
    /// <summary>-Field names no field of the layout (or a padding field).</summary>
    public const string FieldNotFound = "FieldNotFound";
    /// <summary>A value to write (or -Expect) does not fit the element type or the field: out of range, not a number, too long.</summary>
    public const string TypedValueInvalid = "TypedValueInvalid";
    /// <summary>The bytes to the end of the map are not a whole number of elements of the -As type.</summary>
    public const string TypedLengthMisaligned = "TypedLengthMisaligned";

    /// <summary>Write-MappedBytes -Raw: the data does not split into one equal part per offset.</summary>
    public const string RawLengthMismatch = "RawLengthMismatch";
    /// <summary>Typed options that do not go together (-As with -Layout, -AsHex or -AsString; -Field without -Layout, ...).</summary>
    public const string TypedOptionConflict = "TypedOptionConflict";
    /// <summary>Many offsets were given without -Count (or -As/-Layout), so the size of each read is unknown.</summary>
    public const string CountRequired = "CountRequired";
}
