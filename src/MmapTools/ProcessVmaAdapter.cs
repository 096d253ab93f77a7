using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Linq.Expressions;
using System.Management.Automation;
using System.Reflection;

namespace MmapTools.Commands;

/// <summary>
/// The type adapter of <see cref="ProcessVma"/> (MmapTools.Types.ps1xml): a VMA read from smaps carries the type name
/// MmapTools.ProcessVma#Detailed first, which selects the pmap -x like views, from the object itself. Adding it per
/// object with PSObject.TypeNames costs PowerShell a ConditionalWeakTable entry per VMA (most of the time of
/// Get-ProcessVma -Detailed on a large process); the adapter answers it from <see cref="ProcessVma.IsDetailed"/>.
/// Properties are the class's public ones, read through delegates compiled once, never through reflection per object.
/// </summary>
public sealed class ProcessVmaAdapter : PSPropertyAdapter
{
    private static readonly Collection<string> DetailedNames = new() { typeof(ProcessVma).FullName + "#Detailed", typeof(ProcessVma).FullName!, typeof(object).FullName! };
    private static readonly Collection<string> PlainNames = new() { typeof(ProcessVma).FullName!, typeof(object).FullName! };
    private static readonly Accessor[] Accessors = typeof(ProcessVma)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
        .Select(p => new Accessor(p))
        .ToArray();

    private static readonly Dictionary<string, Accessor> ByName = Accessors.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The names of the adapted properties, in declaration order.</summary>
    internal static IEnumerable<string> PropertyNames => Accessors.Select(a => a.Name);

    /// <inheritdoc />
    public override Collection<string> GetTypeNameHierarchy(object baseObject) =>
        baseObject is ProcessVma { IsDetailed: true } ? DetailedNames : PlainNames;

    /// <inheritdoc />
    public override Collection<PSAdaptedProperty> GetProperties(object baseObject)
    {
        var properties = new Collection<PSAdaptedProperty>();
        foreach (Accessor a in Accessors)
        {
            properties.Add(new PSAdaptedProperty(a.Name, a));
        }

        return properties;
    }

    /// <inheritdoc />
    public override PSAdaptedProperty? GetProperty(object baseObject, string propertyName) =>
        ByName.TryGetValue(propertyName, out Accessor? a) ? new PSAdaptedProperty(a.Name, a) : null;

    /// <inheritdoc />
    public override bool IsGettable(PSAdaptedProperty adaptedProperty) => true;

    /// <inheritdoc />
    public override bool IsSettable(PSAdaptedProperty adaptedProperty) => ((Accessor)adaptedProperty.Tag).Setter is not null;

    /// <inheritdoc />
    public override object? GetPropertyValue(PSAdaptedProperty adaptedProperty) =>
        ((Accessor)adaptedProperty.Tag).Getter((ProcessVma)adaptedProperty.BaseObject);

    /// <inheritdoc />
    public override void SetPropertyValue(PSAdaptedProperty adaptedProperty, object value)
    {
        var a = (Accessor)adaptedProperty.Tag;
        if (a.Setter is null)
        {
            throw new SetValueException($"The property '{a.Name}' of a ProcessVma is read-only.");
        }

        a.Setter((ProcessVma)adaptedProperty.BaseObject, LanguagePrimitives.ConvertTo(value, a.Type, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public override string GetPropertyTypeName(PSAdaptedProperty adaptedProperty) => ((Accessor)adaptedProperty.Tag).TypeName;

    private sealed class Accessor
    {
        internal Accessor(PropertyInfo p)
        {
            Name = p.Name;
            Type = p.PropertyType;
            TypeName = Nullable.GetUnderlyingType(Type) is { } inner ? "System.Nullable[" + inner.FullName + "]" : Type.FullName ?? Type.Name;
            ParameterExpression vma = Expression.Parameter(typeof(ProcessVma), "vma");
            Getter = Expression.Lambda<Func<ProcessVma, object?>>(Expression.Convert(Expression.Property(vma, p), typeof(object)), vma).Compile();
            // Settable as PowerShell's own .NET adapter has it: any public setter (init ones too).
            if (p.SetMethod is { IsPublic: true } set)
            {
                ParameterExpression value = Expression.Parameter(typeof(object), "value");
                Setter = Expression.Lambda<Action<ProcessVma, object?>>(Expression.Call(vma, set, Expression.Convert(value, Type)), vma, value).Compile();
            }
        }

        internal string Name { get; }

        internal Type Type { get; }

        internal string TypeName { get; }

        internal Func<ProcessVma, object?> Getter { get; }

        internal Action<ProcessVma, object?>? Setter { get; }
    }
}
