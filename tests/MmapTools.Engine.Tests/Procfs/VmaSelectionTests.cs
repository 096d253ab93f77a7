using System.Linq;
using System.Numerics;
using System.Text;
using Xunit;

namespace MmapTools.Tests;

/// <summary>What Get-ProcessVma's -Permission and -Address accept, on the fixture VMAs.</summary>
public sealed class VmaSelectionTests
{
    private static ProcessVma Vma(string permissions) =>
        VmaFormat.ParseMapsLine(Encoding.ASCII.GetBytes("00400000-00401000 " + permissions + " 00000000 00:00 0 "))!;

    [Theory]
    [InlineData("w", "rw-p", true)]
    [InlineData("w", "r--p", false)]
    [InlineData("rx", "r-xp", true)]
    [InlineData("rx", "r--p", false)]
    [InlineData("xr", "r-xs", true)]
    [InlineData("s", "rw-s", true)]
    [InlineData("s", "rw-p", false)]
    [InlineData("p", "rw-p", true)]
    [InlineData("wp", "rw-s", false)]
    [InlineData("rw-p", "rw-p", true)]
    [InlineData("rw-p", "rwxp", false)]
    [InlineData("rw-p", "rw-s", false)]
    [InlineData("r?xp", "r-xp", true)]
    [InlineData("r?xp", "rwxp", true)]
    [InlineData("r?xp", "r--p", false)]
    [InlineData("---p", "---p", true)]
    [InlineData("????", "--xs", true)]
    [InlineData(" x ", "--xp", true)]
    [InlineData("Read, Execute", "r-xp", true)]
    [InlineData("Read, Execute", "rwxp", false)]
    [InlineData("Read, Execute", "r-xs", false)]
    [InlineData("read,execute", "r-xp", true)]
    [InlineData("Read, Write, Shared", "rw-s", true)]
    [InlineData("Read, Write, Shared", "rw-p", false)]
    [InlineData("None", "---p", true)]
    [InlineData("None", "r--p", false)]
    [InlineData("Read", "r--p", true)]
    [InlineData("Read", "r-xp", false)]
    public void PermissionFilters(string filter, string permissions, bool expected)
    {
        Assert.True(VmaPermissionFilter.TryParse(filter, out VmaPermissionFilter? f));
        Assert.Equal(expected, f!.Matches(Vma(permissions)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("q")]
    [InlineData("rwq")]
    [InlineData("sp")]
    [InlineData("rw-")]
    [InlineData("rw-x")]
    [InlineData("Read, Banana")]
    [InlineData("Read,")]
    [InlineData("Read, 4")]
    [InlineData("Private")]
    [InlineData(null)]
    public void PermissionFilters_Refused(string? filter)
    {
        Assert.False(VmaPermissionFilter.TryParse(filter, out _));
    }

    public static TheoryData<object, ulong> GoodAddresses() => new()
    {
        { 0x7f3a12340000UL, 0x7f3a12340000UL },
        { 4096, 4096UL },
        { 4096L, 4096UL },
        { unchecked((long)0xffffffffff600000UL), 0xffffffffff600000UL },
        { 4096u, 4096UL },
        { (short)7, 7UL },
        { (byte)7, 7UL },
        { 4096m, 4096UL },
        { 4096.0, 4096UL },
        { new BigInteger(ulong.MaxValue), ulong.MaxValue },
        { "0x7f3a12340000", 0x7f3a12340000UL },
        { "0X7F3A1234_0000", 0x7f3a12340000UL },
        { " 0xffffffffff600000 ", 0xffffffffff600000UL },
        { "140000000", 0x140000000UL },
        { "7f3a12340000", 0x7f3a12340000UL },
        { "0x00007f3a12340000", 0x7f3a12340000UL },
    };

    [Theory]
    [MemberData(nameof(GoodAddresses))]
    public void Addresses(object value, ulong expected)
    {
        Assert.True(VmaAddress.TryParse(value, out ulong address));
        Assert.Equal(expected, address);
    }

    public static TheoryData<object?> BadAddresses() => new()
    {
        null, -1, (short)-1, -1.5, 1.5, 1.5m, -1m, "", "0x", "banana", "0xZZ", "-5", "7f3a1234000g", "1ffffffffffffffff", "0x1ffffffffffffffff",
        new BigInteger(-1), new object(), true,
    };

    [Theory]
    [MemberData(nameof(BadAddresses))]
    public void Addresses_Refused(object? value)
    {
        Assert.False(VmaAddress.TryParse(value, out _));
    }

    [Fact]
    public void TheFixtureFiltersAsPmapWould()
    {
        using VmaReader r = ProcessMemory.ReadFile(VmaFixtureTests.Fixture("maps-cat.txt"), false);
        var v = r.ToList();
        Assert.True(VmaPermissionFilter.TryParse("x", out VmaPermissionFilter? x));
        Assert.Equal(new[] { "/usr/bin/cat", "/usr/lib/x86_64-linux-gnu/libc.so.6", "[vdso]", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "[vsyscall]" },
            v.Where(x!.Matches).Select(m => m.Path));
        Assert.True(VmaPermissionFilter.TryParse("s", out VmaPermissionFilter? s));
        Assert.Equal("gconv-modules.cache", v.Single(s!.Matches).Name);
    }
}
