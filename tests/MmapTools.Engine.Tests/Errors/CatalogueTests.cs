using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Xunit;

namespace MmapTools.Tests;

/// <summary>The docs keep up with the code: every error id is in docs/errors.md.</summary>
public sealed class CatalogueTests
{
    internal static string RepoRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "MmapTools.psd1")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (MmapTools.psd1) was not found above " + AppContext.BaseDirectory);
    }

    public static TheoryData<string> AllErrorIds()
    {
        var data = new TheoryData<string>();
        foreach (FieldInfo f in typeof(ErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
        {
            data.Add((string)f.GetRawConstantValue()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllErrorIds))]
    public void EveryErrorId_IsInTheErrorTable(string id)
    {
        string table = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "errors.md"));
        Assert.Contains("| `" + id + "` |", table, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorIds_AreUniqueAndNamedAsTheirValue()
    {
        var fields = typeof(ErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).ToList();
        Assert.True(fields.Count >= 30);
        Assert.All(fields, f => Assert.Equal(f.Name, (string)f.GetRawConstantValue()!));
        Assert.Equal(fields.Count, fields.Select(f => (string)f.GetRawConstantValue()!).Distinct().Count());
    }
}
