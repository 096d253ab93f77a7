using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>What the typed parameters of Read- and Write-MappedBytes share: layouts from hashtables, values from the pipeline.</summary>
internal static class TypedSupport
{
    /// <summary>
    /// A layout from an ordered hashtable of name = type. Each type is a string ('UInt32', 'Char[16]', '>Int16'),
    /// an ElementType or a .NET type ([uint32]). A plain hashtable of more than one field has no order: refused.
    /// </summary>
    /// <summary>
    /// How many <paramref name="type"/> elements lie from <paramref name="offset"/> to the end of <paramref name="map"/>
    /// (numpy.memmap's shape without one): TypedLengthMisaligned when the bytes there are not whole elements.
    /// </summary>
    internal static long ElementsToEnd(MemoryMap map, long offset, ElementType type)
    {
        int size = ElementTypes.SizeOf(type);
        long rest = Math.Max(0, map.Length - offset);
        if (rest % size != 0)
        {
            throw new MmapException(ErrorIds.TypedLengthMisaligned, MapErrorCategory.InvalidArgument,
                $"From offset {offset} to the end, {map.Describe()} holds {rest} bytes, which is not a whole number of {type} ({size} bytes each). Give -Count.", 0, map.Path) { Offset = offset, Length = rest };
        }

        return rest / size;
    }

    internal static RecordLayout ParseLayout(IDictionary layout, bool bigEndian)
    {
        if (layout.Count > 1 && layout is not IOrderedDictionary)
        {
            throw new MmapException(ErrorIds.LayoutInvalid, MapErrorCategory.InvalidArgument,
                $"The layout is a {layout.GetType().Name}, whose {layout.Count} fields have no order, but a record's fields do. Write it as [ordered]@{{ ... }}.");
        }

        var pairs = new List<KeyValuePair<string, string>>(layout.Count);
        foreach (DictionaryEntry e in layout)
        {
            string name = Convert.ToString(Unwrap(e.Key), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
            string spec = Unwrap(e.Value) switch
            {
                string s => s,
                ElementType t => t.ToString(),
                Type t when t.IsArray => throw new MmapException(ErrorIds.LayoutInvalid, MapErrorCategory.InvalidArgument,
                    $"Layout field '{name}': [{t.Name}] gives no length; write it as '{t.GetElementType()!.Name}[N]'."),
                Type t => t.Name,
                null => throw new MmapException(ErrorIds.LayoutInvalid, MapErrorCategory.InvalidArgument,
                    $"Layout field '{name}' has no type; give one such as 'UInt32' or 'Char[16]'."),
                object o => throw new MmapException(ErrorIds.LayoutInvalid, MapErrorCategory.InvalidArgument,
                    $"Layout field '{name}': the type is a {o.GetType().Name} ({o}); give a type name such as 'UInt32' or 'Char[16]' (nested layouts are not supported: give the fields in line)."),
            };
            if (name.Equals("PSOffset", StringComparison.OrdinalIgnoreCase))
            {
                throw new MmapException(ErrorIds.LayoutInvalid, MapErrorCategory.InvalidArgument,
                    "Layout field 'PSOffset': the name is taken by the offset of each record; name the field otherwise.");
            }

            pairs.Add(new KeyValuePair<string, string>(name, spec));
        }

        return RecordLayout.Parse(pairs, bigEndian);
    }

    /// <summary>The object under a PSObject; for a collection, a list of its items unwrapped (typed arrays stay as they are, uncopied).</summary>
    internal static object? UnwrapValues(object? value)
    {
        object? v = Unwrap(value);
        if (v is null or string or Array { Rank: 1 } and not object[] || v is not IEnumerable items)
        {
            return v;
        }

        var list = new List<object?>();
        foreach (object? item in items)
        {
            list.Add(Unwrap(item));
        }

        return list;
    }

    internal static object? Unwrap(object? value) => value is PSObject p && p.BaseObject is not PSCustomObject ? p.BaseObject : value;
}
