using System;
using System.Linq;
using Xunit;

namespace MmapTools.Tests;

public sealed class HexAndEncodingTests
{
    [Theory]
    [InlineData("DE AD BE EF", new byte[] { 0xDE, 0xAD, 0xBE, 0xEF })]
    [InlineData("deadbeef", new byte[] { 0xDE, 0xAD, 0xBE, 0xEF })]
    [InlineData("0xDE,0xAD", new byte[] { 0xDE, 0xAD })]
    [InlineData("de-ad:be  ef", new byte[] { 0xDE, 0xAD, 0xBE, 0xEF })]
    [InlineData("00", new byte[] { 0 })]
    public void Parse_AcceptsTheUsualForms(string text, byte[] expected) => Assert.Equal(expected, Hex.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("DE A")]
    [InlineData("GG")]
    [InlineData("0x")]
    [InlineData("DE AD ?? EF")]
    public void Parse_RefusesMalformedHex(string text)
    {
        MmapException e = MapAssert.Fails(ErrorIds.HexInvalid, () => Hex.Parse(text));
        Assert.Equal(MapErrorCategory.InvalidArgument, e.Category);
    }

    [Fact]
    public void FormatAndDump_RoundTrip()
    {
        byte[] bytes = Enumerable.Range(0x20, 40).Select(i => (byte)i).ToArray();
        Assert.Equal(bytes, Hex.Parse(Hex.Format(bytes)));
        var rows = Hex.Dump(bytes, 0x100, "x").ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(0x110, rows[1].Offset);
        Assert.Equal(" !\"#$%&'()*+,-./", rows[0].Ascii);
        Assert.Equal(8, rows[2].Bytes.Length);
        Assert.Equal("20 21 22", rows[0].Hex[..8]);
    }

    [Theory]
    [InlineData("utf8", "é", new byte[] { 0xC3, 0xA9 })]
    [InlineData("unicode", "A", new byte[] { 0x41, 0x00 })]
    [InlineData("utf-16be", "A", new byte[] { 0x00, 0x41 })]
    [InlineData("utf32", "A", new byte[] { 0x41, 0, 0, 0 })]
    [InlineData("latin1", "é", new byte[] { 0xE9 })]
    [InlineData("ascii", "A", new byte[] { 0x41 })]
    [InlineData("utf8BOM", "A", new byte[] { 0x41 })]
    public void Encodings_ResolveByPowerShellNames_WithoutByteOrderMarks(string name, string text, byte[] expected) =>
        Assert.Equal(expected, TextEncoding.Resolve(name).GetBytes(text));

    [Fact]
    public void UnknownEncoding_IsEncodingInvalid() =>
        MapAssert.Fails(ErrorIds.EncodingInvalid, () => TextEncoding.Resolve("no-such-encoding"));

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(4096, "4 KiB")]
    [InlineData(1L << 30, "1 GiB")]
    public void FormatBytes_IsHumanReadable(long bytes, string expected) => Assert.Equal(expected, Units.FormatBytes(bytes));
}
