using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace MmapTools.HelpGen;

/// <summary>One parameter set a parameter belongs to, as its [Parameter] attribute says.</summary>
public sealed record ParameterSetEntry(string SetName, bool Mandatory, int? Position, bool ByValue, bool ByPropertyName);

/// <summary>A cmdlet parameter, read from the compiled assembly.</summary>
public sealed class CmdletParameter
{
    public required string Name { get; init; }
    /// <summary>Short type name as PowerShell shows it: String[], Int64, SwitchParameter, MapAccess.</summary>
    public required string TypeName { get; init; }
    /// <summary>Full type name: System.String[], MmapTools.MapAccess.</summary>
    public required string FullTypeName { get; init; }
    public required bool IsSwitch { get; init; }
    public required bool SupportsWildcards { get; init; }
    public required IReadOnlyList<string> Aliases { get; init; }
    /// <summary>The values an enum (or ValidateSet) parameter takes; empty otherwise.</summary>
    public required IReadOnlyList<string> Values { get; init; }
    public required IReadOnlyList<ParameterSetEntry> Sets { get; init; }
    /// <summary>The type of an [ArgumentCompleter(typeof(X))], if any.</summary>
    public string? CompleterType { get; init; }

    public bool InSet(string set) => Sets.Any(s => s.SetName == set || s.SetName == CmdletCatalog.AllSets);

    public ParameterSetEntry EntryFor(string set) => Sets.FirstOrDefault(s => s.SetName == set) ?? Sets.First(s => s.SetName == CmdletCatalog.AllSets);

    public bool ByValue => Sets.Any(s => s.ByValue);

    public bool ByPropertyName => Sets.Any(s => s.ByPropertyName);

    /// <summary>"True (ByPropertyName, ByValue)", "True (ByValue)", "False" — as Get-Help shows it.</summary>
    public string PipelineInput =>
        (ByValue, ByPropertyName) switch
        {
            (true, true) => "True (ByPropertyName, ByValue)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };
}

/// <summary>A cmdlet, read from the compiled assembly.</summary>
public sealed class CmdletSpec
{
    public required string Name { get; init; }
    public required string Verb { get; init; }
    public required string Noun { get; init; }
    public required string TypeFullName { get; init; }
    public required bool SupportsShouldProcess { get; init; }
    public required string? DefaultParameterSet { get; init; }
    /// <summary>Full names of the [OutputType] types; System.Void for "no output".</summary>
    public required IReadOnlyList<string> OutputTypes { get; init; }
    public required IReadOnlyList<CmdletParameter> Parameters { get; init; }

    /// <summary>The parameter sets, default first; one "__AllParameterSets" set when the cmdlet names none.</summary>
    public IReadOnlyList<string> ParameterSets
    {
        get
        {
            var named = Parameters.SelectMany(p => p.Sets).Select(s => s.SetName).Where(s => s != CmdletCatalog.AllSets).Distinct().ToList();
            if (named.Count == 0)
            {
                return new[] { CmdletCatalog.AllSets };
            }

            if (DefaultParameterSet is not null && named.Remove(DefaultParameterSet))
            {
                named.Insert(0, DefaultParameterSet);
            }

            return named;
        }
    }
}

/// <summary>
/// Reads cmdlets from a compiled assembly without loading it for execution: System.Reflection.MetadataLoadContext
/// over the assembly, its neighbours and the reference assemblies it was compiled against
/// (System.Management.Automation from PowerShellStandard.Library, the .NET reference pack).
/// </summary>
public sealed class CmdletCatalog : IDisposable
{
    public const string AllSets = "__AllParameterSets";
    private const string Sma = "System.Management.Automation.";

    private readonly MetadataLoadContext _context;

    public CmdletCatalog(string assemblyPath, IEnumerable<string> referencePaths)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(assemblyPath))!;
        var paths = new List<string> { Path.GetFullPath(assemblyPath) };
        paths.AddRange(Directory.EnumerateFiles(dir, "*.dll").Select(Path.GetFullPath));
        foreach (string r in referencePaths)
        {
            if (Directory.Exists(r))
            {
                paths.AddRange(Directory.EnumerateFiles(r, "*.dll"));
            }
            else if (File.Exists(r))
            {
                paths.Add(r);
            }
        }

        // The assembly's own folder wins for its own name; PathAssemblyResolver picks the highest version otherwise.
        var distinct = paths.GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase).Select(g => g.First());
        _context = new MetadataLoadContext(new PathAssemblyResolver(distinct), coreAssemblyName: null);
        Assembly = _context.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
    }

    /// <summary>The cmdlet assembly, inside the metadata context.</summary>
    public Assembly Assembly { get; }

    /// <summary>System.Management.Automation as the context resolved it.</summary>
    public Assembly Automation => _context.LoadFromAssemblyName("System.Management.Automation");

    public void Dispose() => _context.Dispose();

    /// <summary>Finds a type by full name in the cmdlet assembly or the assemblies it references.</summary>
    public Type? FindType(string fullName)
    {
        Type? t = Assembly.GetType(fullName);
        if (t is not null)
        {
            return t;
        }

        foreach (AssemblyName name in Assembly.GetReferencedAssemblies())
        {
            try
            {
                t = _context.LoadFromAssemblyName(name).GetType(fullName);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            if (t is not null)
            {
                return t;
            }
        }

        return null;
    }

    /// <summary>The approved verbs: the const fields of System.Management.Automation.Verbs* classes.</summary>
    public IReadOnlySet<string> ApprovedVerbs()
    {
        var verbs = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (Type t in Automation.GetExportedTypes().Where(t => t.Namespace == "System.Management.Automation" && t.Name.StartsWith("Verbs", StringComparison.Ordinal)))
        {
            foreach (FieldInfo f in t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
            {
                verbs.Add((string)f.GetRawConstantValue()!);
            }
        }

        return verbs;
    }

    /// <summary>Every public, non-abstract class of the assembly that carries [Cmdlet], by name.</summary>
    public IReadOnlyList<CmdletSpec> Cmdlets()
    {
        var result = new List<CmdletSpec>();
        foreach (Type type in Assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract))
        {
            CustomAttributeData? cmdlet = Attr(type.GetCustomAttributesData(), "CmdletAttribute");
            if (cmdlet is null)
            {
                continue;
            }

            string verb = (string)cmdlet.ConstructorArguments[0].Value!;
            string noun = (string)cmdlet.ConstructorArguments[1].Value!;
            var outputs = type.GetCustomAttributesData()
                .Where(a => a.AttributeType.FullName == Sma + "OutputTypeAttribute")
                .SelectMany(a => a.ConstructorArguments)
                .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => i.Value) : new[] { arg.Value })
                .Select(v => v is Type t ? t.FullName! : v?.ToString() ?? string.Empty)
                .ToList();

            result.Add(new CmdletSpec
            {
                Name = verb + "-" + noun,
                Verb = verb,
                Noun = noun,
                TypeFullName = type.FullName!,
                SupportsShouldProcess = Named(cmdlet, "SupportsShouldProcess") is true,
                DefaultParameterSet = Named(cmdlet, "DefaultParameterSetName") as string,
                OutputTypes = outputs,
                Parameters = ReadParameters(type),
            });
        }

        return result.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    private static List<CmdletParameter> ReadParameters(Type type)
    {
        var result = new List<CmdletParameter>();
        // Base-class parameters first (they are the cmdlet's main ones: -Map, -Id, -Path), then the cmdlet's own.
        var chain = new List<Type>();
        for (Type? t = type; t is not null && t.FullName != "System.Object"; t = t.BaseType)
        {
            chain.Insert(0, t);
        }

        foreach (Type t in chain)
        {
            foreach (PropertyInfo p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                IList<CustomAttributeData> attrs = p.GetCustomAttributesData();
                var sets = attrs.Where(a => a.AttributeType.FullName == Sma + "ParameterAttribute").Select(a => new ParameterSetEntry(
                    Named(a, "ParameterSetName") as string ?? AllSets,
                    Named(a, "Mandatory") is true,
                    Named(a, "Position") is int pos && pos >= 0 ? pos : null,
                    Named(a, "ValueFromPipeline") is true,
                    Named(a, "ValueFromPipelineByPropertyName") is true)).ToList();
                if (sets.Count == 0 || result.Any(r => r.Name == p.Name))
                {
                    continue;
                }

                Type pt = p.PropertyType;
                Type elem = pt.IsArray ? pt.GetElementType()! : pt;
                if (elem.IsGenericType && elem.GetGenericTypeDefinition().FullName == "System.Nullable`1")
                {
                    elem = elem.GetGenericArguments()[0];
                }

                var values = new List<string>();
                if (elem.IsEnum)
                {
                    values.AddRange(elem.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name));
                }

                CustomAttributeData? validateSet = Attr(attrs, "ValidateSetAttribute");
                if (validateSet is not null && validateSet.ConstructorArguments.Count > 0 && validateSet.ConstructorArguments[0].Value is IEnumerable<CustomAttributeTypedArgument> items)
                {
                    values.AddRange(items.Select(i => (string)i.Value!));
                }

                CustomAttributeData? alias = Attr(attrs, "AliasAttribute");
                var aliases = alias is null || alias.ConstructorArguments.Count == 0
                    ? new List<string>()
                    : alias.ConstructorArguments[0].Value is IEnumerable<CustomAttributeTypedArgument> names ? names.Select(n => (string)n.Value!).ToList() : new List<string>();

                CustomAttributeData? completer = Attr(attrs, "ArgumentCompleterAttribute");
                result.Add(new CmdletParameter
                {
                    Name = p.Name,
                    TypeName = pt.IsArray ? ShortName(elem) + "[]" : ShortName(elem),
                    FullTypeName = pt.IsArray ? elem.FullName + "[]" : elem.FullName!,
                    IsSwitch = elem.FullName == Sma + "SwitchParameter",
                    SupportsWildcards = Attr(attrs, "SupportsWildcardsAttribute") is not null,
                    Aliases = aliases,
                    Values = values,
                    Sets = sets,
                    CompleterType = completer?.ConstructorArguments.Count > 0 ? (completer.ConstructorArguments[0].Value as Type)?.FullName : null,
                });
            }
        }

        return result;
    }

    private static string ShortName(Type t) => t.Name;

    private static CustomAttributeData? Attr(IEnumerable<CustomAttributeData> attrs, string name) =>
        attrs.FirstOrDefault(a => a.AttributeType.FullName == Sma + name);

    private static object? Named(CustomAttributeData a, string name) =>
        a.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();
}
