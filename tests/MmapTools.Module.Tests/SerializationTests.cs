using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using Xunit;

namespace MmapTools.Module.Tests;

/// <summary>
/// What remoting, jobs, Export-Clixml and ConvertTo-Json need of every object a cmdlet outputs, checked without
/// pwsh: it is plain data (no handles, pointers, streams or delegates in its properties), every property can be
/// read with no live resource behind it (a removed map still answers), and it round-trips through JSON.
/// PowerShell's serializer reads the same public properties; tests/Remoting.Tests.ps1 checks Clixml and jobs.
/// </summary>
public sealed class SerializationTests
{
    /// <summary>Samples of output types that cannot be made with a parameterless constructor.</summary>
    private static readonly Dictionary<string, Func<object>> Samples = new()
    {
        ["MmapTools.MemoryMap"] = () =>
        {
            MemoryMap map = MemoryMap.CreateAnonymous(4096);
            map.Dispose(); // What a deserialized or finished object is: no live map behind it.
            return map;
        },
        ["MmapTools.PageCacheResidency"] = () => new PageCacheResidency
        {
            Path = "/var/lib/app/data.bin", Size = 1L << 30, Offset = 0, Length = 1L << 30, PageSize = 4096, Pages = 262144,
            ResidentPages = 131072, Dirty = 12, Writeback = 0, Evicted = 5, RecentlyEvicted = 1, Method = ResidencyMethod.CacheStat,
            Ranges = new[] { new PageCacheRange { Path = "/var/lib/app/data.bin", Offset = 0, Length = 1L << 29, FirstPage = 0, Pages = 131072, Resident = true } },
        },
    };

    public static TheoryData<string> OutputTypes()
    {
        var data = new TheoryData<string>();
        foreach (string t in ModuleFacts.Cmdlets.SelectMany(c => c.OutputTypes).Where(t => t.StartsWith("MmapTools.", StringComparison.Ordinal)).Distinct())
        {
            data.Add(t);
        }

        return data;
    }

    private static Type RuntimeType(string fullName) =>
        typeof(MemoryMap).Assembly.GetType(fullName)
        ?? Assembly.LoadFrom(ModuleFacts.ModuleAssembly).GetType(fullName)
        ?? throw new InvalidOperationException(fullName + " was not found at run time");

    private static object Sample(Type type)
    {
        if (Samples.TryGetValue(type.FullName!, out Func<object>? make))
        {
            return make();
        }

        Assert.True(type.GetConstructor(Type.EmptyTypes) is not null,
            $"{type.FullName} has no public parameterless constructor; add a sample to SerializationTests.Samples.");
        object o = Activator.CreateInstance(type)!;
        foreach (PropertyInfo p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            p.SetValue(o, SampleValue(p.PropertyType, 0));
        }

        return o;
    }

    private static object? SampleValue(Type t, int depth)
    {
        Type u = Nullable.GetUnderlyingType(t) ?? t;
        if (u == typeof(string)) return "sample";
        if (u == typeof(bool)) return true;
        if (u == typeof(byte)) return (byte)0xAB;
        if (u == typeof(int)) return 123456;
        if (u == typeof(uint)) return 4000000000u;
        if (u == typeof(long)) return 0x7F12_3456_7000L;
        if (u == typeof(ulong)) return 0xFFFF_8000_0000_1000UL;
        if (u == typeof(double)) return 0.5;
        if (u == typeof(DateTime)) return new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        if (u == typeof(TimeSpan)) return TimeSpan.FromSeconds(90);
        if (u.IsEnum) return Enum.GetValues(u).Cast<object>().Last();
        if (u.IsArray)
        {
            Array a = Array.CreateInstance(u.GetElementType()!, 2);
            a.SetValue(SampleValue(u.GetElementType()!, depth + 1), 0);
            a.SetValue(SampleValue(u.GetElementType()!, depth + 1), 1);
            return a;
        }

        if (u.IsGenericType && u.GetGenericArguments().Length == 1 && typeof(IEnumerable).IsAssignableFrom(u))
        {
            Type elem = u.GetGenericArguments()[0];
            IList list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elem))!;
            list.Add(SampleValue(elem, depth + 1));
            return u.IsAssignableFrom(list.GetType()) ? list : null;
        }

        return depth < 3 && u.GetConstructor(Type.EmptyTypes) is not null ? Sample(u) : null;
    }

    /// <summary>Types that carry data, not resources.</summary>
    private static bool IsPlain(Type t, int depth = 0)
    {
        Type u = Nullable.GetUnderlyingType(t) ?? t;
        if (u.IsPrimitive && u != typeof(IntPtr) && u != typeof(UIntPtr)) return true;
        if (u.IsEnum || u == typeof(string) || u == typeof(decimal) || u == typeof(DateTime) || u == typeof(DateTimeOffset)
            || u == typeof(TimeSpan) || u == typeof(Guid) || u == typeof(Version)) return true;
        if (u.IsArray) return IsPlain(u.GetElementType()!, depth + 1);
        if (u.IsGenericType && typeof(IEnumerable).IsAssignableFrom(u)) return u.GetGenericArguments().All(a => IsPlain(a, depth + 1));
        if (typeof(IDisposable).IsAssignableFrom(u) && u.Namespace != "MmapTools") return false;
        if (typeof(Delegate).IsAssignableFrom(u) || typeof(System.IO.Stream).IsAssignableFrom(u) || typeof(System.Runtime.InteropServices.SafeHandle).IsAssignableFrom(u)) return false;
        return depth < 4 && u.Namespace == "MmapTools" && u.IsPublic
            && u.GetProperties(BindingFlags.Public | BindingFlags.Instance).All(p => IsPlain(p.PropertyType, depth + 1));
    }

    [Fact]
    public void EveryCmdletOutputsSomethingChecked() => Assert.True(((System.Collections.Generic.IEnumerable<object[]>)OutputTypes()).Count() >= 4);

    [Theory]
    [MemberData(nameof(OutputTypes))]
    public void OutputType_IsPlainData(string name)
    {
        Type type = RuntimeType(name);
        Assert.True(type.IsPublic);
        foreach (PropertyInfo p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Assert.True(IsPlain(p.PropertyType), $"{name}.{p.Name} is a {p.PropertyType}, which does not travel through remoting or Clixml as data");
        }
    }

    [Theory]
    [MemberData(nameof(OutputTypes))]
    public void OutputType_PropertiesRead_WithNoLiveResource_AndToStringHelps(string name)
    {
        Type type = RuntimeType(name);
        object sample = Sample(type);
        foreach (PropertyInfo p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            _ = p.GetValue(sample); // Throws if a property needs something live.
        }

        MethodInfo toString = type.GetMethod(nameof(ToString), Type.EmptyTypes)!;
        Assert.True(toString.DeclaringType == type, $"{name} does not override ToString(); PowerShell shows it in strings, -f and Write-Host");
        string text = sample.ToString()!;
        Assert.False(string.IsNullOrWhiteSpace(text));
        Assert.NotEqual(name, text);
    }

    [Theory]
    [MemberData(nameof(OutputTypes))]
    public void OutputType_RoundTripsThroughJson(string name)
    {
        Type type = RuntimeType(name);
        object sample = Sample(type);
        string json = JsonSerializer.Serialize(sample, type);
        using JsonDocument doc = JsonDocument.Parse(json);
        foreach (PropertyInfo p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Assert.True(doc.RootElement.TryGetProperty(p.Name, out JsonElement value), $"{name}.{p.Name} is missing from its JSON");
            Assert.Equal(JsonSerializer.Serialize(p.GetValue(sample), p.PropertyType), value.GetRawText());
        }

        if (type.GetConstructor(Type.EmptyTypes) is not null)
        {
            object back = JsonSerializer.Deserialize(json, type)!;
            Assert.Equal(json, JsonSerializer.Serialize(back, type));
        }
    }
}
