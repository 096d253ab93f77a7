using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace MmapTools.Typed;

/// <summary>One field of a <see cref="RecordLayout"/>: where it lies in the record and how to read it.</summary>
public sealed class LayoutField
{
    /// <summary>The field's name (the property of the record).</summary>
    public string Name { get; init; } = string.Empty;
    /// <summary>The type as written in the layout ('UInt32', 'Char[16]', '>Int16[4]', 'Pad[3]').</summary>
    public string Spec { get; init; } = string.Empty;
    /// <summary>The element type (Byte for padding).</summary>
    public ElementType Type { get; init; }
    /// <summary>How many elements: 1 for a scalar.</summary>
    public int Count { get; init; } = 1;
    /// <summary>True when written with [N]: the value is an array (text for Char[N]).</summary>
    public bool IsArray { get; init; }
    /// <summary>Padding: bytes skipped, not a property.</summary>
    public bool IsPadding { get; init; }
    /// <summary>Big-endian (from '>', a BE suffix, or the layout's default).</summary>
    public bool BigEndian { get; init; }
    /// <summary>The field's offset in the record.</summary>
    public int Offset { get; init; }
    /// <summary>The field's size in bytes.</summary>
    public int Size => ElementTypes.SizeOf(Type) * Count;

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Spec} at +{Offset} ({Size} bytes)";
}

/// <summary>
/// A record layout, like a C struct with no padding added (Python struct's '&lt;' and '&gt;' modes): fields in order,
/// each right after the one before. Parsed from (name, type) pairs such as an ordered hashtable
/// <c>[ordered]@{ Magic = 'UInt32'; Version = 'UInt16'; Flags = 'UInt16'; Name = 'Char[16]' }</c>.
/// </summary>
public sealed class RecordLayout
{
    private static readonly Regex s_spec = new(@"^\s*(?<order>[<>])?\s*(?<type>[A-Za-z][A-Za-z0-9]*?)(?<suffix>(?i:BE|LE))?\s*(\[\s*(?<count>[^\]]*)\])?\s*$", RegexOptions.CultureInvariant);
    private readonly Dictionary<string, LayoutField> _byName;

    private RecordLayout(List<LayoutField> fields, int size)
    {
        Fields = fields;
        Size = size;
        _byName = fields.Where(f => !f.IsPadding).ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The fields in order, padding included.</summary>
    public IReadOnlyList<LayoutField> Fields { get; }

    /// <summary>The size of one record in bytes: the sum of the fields.</summary>
    public int Size { get; }

    /// <summary>
    /// Parses a layout. Each value is a type name (see <see cref="ElementTypes.TryParse"/>), optionally with '&lt;' or
    /// '&gt;' before it or LE/BE after it for the byte order, and [N] after it for an array; 'Pad' or 'Pad[N]' skips
    /// bytes. <paramref name="bigEndian"/> is the byte order of fields that do not say.
    /// </summary>
    public static RecordLayout Parse(IEnumerable<KeyValuePair<string, string>> entries, bool bigEndian)
    {
        var fields = new List<LayoutField>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long offset = 0;
        foreach ((string name, string spec) in entries)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw Invalid($"A layout field has an empty name (type '{spec}'); name every field.");
            }

            if (!names.Add(name))
            {
                throw Invalid($"The layout names the field '{name}' twice (names are not case-sensitive); name each field once.");
            }

            Match m = s_spec.Match(spec ?? string.Empty);
            if (!m.Success)
            {
                throw Unknown(name, spec);
            }

            // 'Double' is Double; 'UInt32BE' is UInt32, big-endian: the whole name is tried first, then the name without BE/LE.
            string typeName = m.Groups["type"].Value;
            string suffix = m.Groups["suffix"].Value;
            bool isPad = (typeName + suffix).Equals("Pad", StringComparison.OrdinalIgnoreCase) || (typeName + suffix).Equals("Padding", StringComparison.OrdinalIgnoreCase);
            ElementType type = ElementType.Byte;
            if (!isPad)
            {
                if (ElementTypes.TryParse(typeName + suffix, out type))
                {
                    suffix = string.Empty;
                }
                else if (suffix.Length == 0 || !ElementTypes.TryParse(typeName, out type))
                {
                    throw Unknown(name, spec);
                }
            }
            else
            {
                suffix = string.Empty;
            }

            int count = 1;
            bool isArray = m.Groups["count"].Success;
            if (isArray && (!int.TryParse(m.Groups["count"].Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1))
            {
                throw Invalid($"Layout field '{name}': '{spec}' has the array length '{m.Groups["count"].Value}'; give a whole number of 1 or more, as in 'Int32[4]'.");
            }

            bool big = m.Groups["order"].Value switch
            {
                ">" => true,
                "<" => false,
                _ => suffix.ToUpperInvariant() switch { "BE" => true, "LE" => false, _ => bigEndian },
            };
            var field = new LayoutField { Name = name, Spec = spec!.Trim(), Type = type, Count = count, IsArray = isArray, IsPadding = isPad, BigEndian = big, Offset = (int)offset };
            offset += (long)ElementTypes.SizeOf(type) * count;
            if (offset > Array.MaxLength)
            {
                throw Invalid($"Layout field '{name}' ends at byte {offset}; a record holds at most {Array.MaxLength} bytes.");
            }

            fields.Add(field);
        }

        if (fields.Count == 0 || offset == 0)
        {
            throw Invalid("The layout has no fields; give at least one, as in [ordered]@{ Magic = 'UInt32' }.");
        }

        if (fields.All(f => f.IsPadding))
        {
            throw Invalid("The layout has only padding; give at least one field that is read.");
        }

        return new RecordLayout(fields, (int)offset);
    }

    private static MmapException Invalid(string message) =>
        MapErrors.Create(ErrorIds.LayoutInvalid, MapErrorCategory.InvalidArgument, message);

    private static MmapException Unknown(string name, string? spec) =>
        MapErrors.Create(ErrorIds.TypeUnknown, MapErrorCategory.InvalidArgument,
            $"Layout field '{name}': '{spec}' is not a type. Give one of {ElementTypes.Known}, with [N] for an array, '<' or '>' (or LE/BE after it) for the byte order, or Pad[N] for padding.");

    /// <summary>The field named <paramref name="name"/> (not case-sensitive), or a FieldNotFound error listing the fields.</summary>
    public LayoutField Field(string name)
    {
        if (_byName.TryGetValue(name, out LayoutField? f))
        {
            return f;
        }

        throw MapErrors.Create(ErrorIds.FieldNotFound, MapErrorCategory.ObjectNotFound,
            $"The layout has no field '{name}'. Its fields: {string.Join(", ", _byName.Values.Select(x => x.Name))}. Nothing was written.");
    }

    /// <summary>The value of <paramref name="field"/> in <paramref name="record"/> (a record's bytes).</summary>
    public static object Decode(LayoutField field, ReadOnlySpan<byte> record) => DecodeValue(field, record.Slice(field.Offset, field.Size));

    /// <summary>The value of <paramref name="field"/> from its own bytes (<see cref="LayoutField.Size"/> of them).</summary>
    public static object DecodeValue(LayoutField field, ReadOnlySpan<byte> bytes)
    {
        if (field.Type == ElementType.Char && field.IsArray)
        {
            return TypedCodec.DecodeText(bytes);
        }

        return field.IsArray ? TypedCodec.Decode(field.Type, bytes, field.Count, field.BigEndian) : TypedCodec.DecodeOne(field.Type, bytes, field.BigEndian);
    }

    /// <summary>The fields of one record, in order, padding left out.</summary>
    public IEnumerable<KeyValuePair<string, object>> DecodeRecord(ReadOnlySpan<byte> record)
    {
        var values = new List<KeyValuePair<string, object>>(Fields.Count);
        foreach (LayoutField f in Fields)
        {
            if (!f.IsPadding)
            {
                values.Add(new KeyValuePair<string, object>(f.Name, Decode(f, record)));
            }
        }

        return values;
    }

    /// <summary>The bytes of <paramref name="value"/> as <paramref name="field"/>: exactly <see cref="LayoutField.Size"/> bytes, or TypedValueInvalid naming the field.</summary>
    public static byte[] Encode(LayoutField field, object value, string what = "-Value")
    {
        string where = $"Field '{field.Name}' ({field.Spec}): {what}";
        if (field.Type == ElementType.Char && field.IsArray && value is string s)
        {
            return TypedCodec.EncodeText(s, field.Count, where);
        }

        byte[] bytes = TypedCodec.Encode(field.Type, value, field.BigEndian, where);
        if (bytes.Length != field.Size)
        {
            int given = bytes.Length / ElementTypes.SizeOf(field.Type);
            throw MapErrors.Create(ErrorIds.TypedValueInvalid, MapErrorCategory.InvalidArgument,
                $"{where} has {given} value(s); the field holds {field.Count} {field.Type}. Give exactly {field.Count}. Nothing was written.");
        }

        return bytes;
    }

    /// <summary>
    /// The first field that does not fit when a record starts at <paramref name="offset"/> of something
    /// <paramref name="length"/> bytes long, or null when the whole record fits.
    /// </summary>
    public LayoutField? FirstFieldBeyond(long offset, long length) =>
        Fields.FirstOrDefault(f => offset + f.Offset + f.Size > length);
}
