using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace MmapTools.Tests;

/// <summary>TypedCodec and RecordLayout: byte order, range checks, layouts; and ReadMany feeding typed decodes.</summary>
public sealed class TypedDataTests
{
    [Fact]
    public void Decode_ReadsEachTypeInBothByteOrders()
    {
        byte[] b = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };
        Assert.Equal(BinaryPrimitives.ReadInt16LittleEndian(b), ((short[])TypedCodec.Decode(ElementType.Int16, b, 1, false))[0]);
        Assert.Equal(BinaryPrimitives.ReadInt16BigEndian(b), ((short[])TypedCodec.Decode(ElementType.Int16, b, 1, true))[0]);
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(b), ((uint[])TypedCodec.Decode(ElementType.UInt32, b, 1, true))[0]);
        Assert.Equal(BinaryPrimitives.ReadInt64LittleEndian(b), ((long[])TypedCodec.Decode(ElementType.Int64, b, 1, false))[0]);
        Assert.Equal(BinaryPrimitives.ReadUInt64BigEndian(b), ((ulong[])TypedCodec.Decode(ElementType.UInt64, b, 1, true))[0]);
        Assert.Equal(BinaryPrimitives.ReadDoubleBigEndian(b), ((double[])TypedCodec.Decode(ElementType.Double, b, 1, true))[0]);
        Assert.Equal(BinaryPrimitives.ReadSingleLittleEndian(b), ((float[])TypedCodec.Decode(ElementType.Single, b, 1, false))[0]);
        Assert.Equal(BinaryPrimitives.ReadHalfBigEndian(b), ((Half[])TypedCodec.Decode(ElementType.Half, b, 1, true))[0]);
        Assert.Equal(new[] { 'A', 'é' }, (char[])TypedCodec.Decode(ElementType.Char, new byte[] { 0x41, 0xE9 }, 2, false));
        Assert.Equal(new sbyte[] { -1, 1 }, (sbyte[])TypedCodec.Decode(ElementType.SByte, new byte[] { 0xFF, 1 }, 2, true));
    }

    [Theory]
    [InlineData(ElementType.Int32, false)]
    [InlineData(ElementType.Int32, true)]
    [InlineData(ElementType.UInt16, true)]
    [InlineData(ElementType.Double, true)]
    [InlineData(ElementType.Half, false)]
    public void Encode_RoundTrips_TypedArraysAndBoxedValues(ElementType type, bool bigEndian)
    {
        object[] values = { 0, 1, 7, 100 };
        byte[] bytes = TypedCodec.Encode(type, values, bigEndian, "v");
        Assert.Equal(ElementTypes.SizeOf(type) * 4, bytes.Length);
        Array back = TypedCodec.Decode(type, bytes, 4, bigEndian);
        Assert.Equal(new[] { 0.0, 1, 7, 100 }, back.Cast<object>().Select(v => Convert.ToDouble(v is Half h ? (double)h : v, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(bytes, TypedCodec.Encode(type, back, bigEndian, "v"));
    }

    [Theory]
    [InlineData(ElementType.Byte, 256)]
    [InlineData(ElementType.SByte, -129)]
    [InlineData(ElementType.UInt32, -1)]
    [InlineData(ElementType.Int16, 1.5)]
    [InlineData(ElementType.Int32, "abc")]
    [InlineData(ElementType.Single, 1e300)]
    [InlineData(ElementType.Half, 70000.0)]
    [InlineData(ElementType.Char, "é€")]
    public void Encode_RefusesValuesThatDoNotFit(ElementType type, object value)
    {
        MmapException e = MapAssert.Fails(ErrorIds.TypedValueInvalid, () => TypedCodec.Encode(type, new[] { 0, value }, false, "-Value"));
        Assert.Equal(MapErrorCategory.InvalidArgument, e.Category);
        Assert.Contains("-Value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_TakesTheExtremesOf64Bits()
    {
        Assert.Equal(ulong.MaxValue, BitConverter.ToUInt64(TypedCodec.Encode(ElementType.UInt64, ulong.MaxValue, false, "v")));
        Assert.Equal(long.MinValue, BitConverter.ToInt64(TypedCodec.Encode(ElementType.Int64, "-9223372036854775808", false, "v")));
        Assert.Equal(0xCAFEu, BitConverter.ToUInt32(TypedCodec.Encode(ElementType.UInt32, "0xCAFE", false, "v")));
    }

    [Fact]
    public void Layout_PlacesFieldsOneAfterAnother_WithPaddingAndByteOrder()
    {
        RecordLayout l = RecordLayout.Parse(Pairs(("Magic", "UInt32"), ("Version", ">UInt16"), ("_", "Pad[2]"), ("Name", "Char[8]"), ("Words", "Int16LE[3]"), ("D", "double")), bigEndian: true);
        Assert.Equal(new[] { 0, 4, 6, 8, 16, 22 }, l.Fields.Select(f => f.Offset));
        Assert.Equal(30, l.Size);
        Assert.True(l.Field("magic").BigEndian);
        Assert.False(l.Field("Words").BigEndian);
        Assert.Equal(ElementType.Double, l.Field("D").Type);
        Assert.Equal("Name", l.FirstFieldBeyond(0, 10)!.Name);
        Assert.Null(l.FirstFieldBeyond(2, 32));

        byte[] record = new byte[30];
        BinaryPrimitives.WriteUInt32BigEndian(record, 0xCAFEBABE);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(4), 3);
        "hi"u8.CopyTo(record.AsSpan(8));
        BinaryPrimitives.WriteInt16LittleEndian(record.AsSpan(18), -5);
        var values = l.DecodeRecord(record).ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(new[] { "Magic", "Version", "Name", "Words", "D" }, values.Keys);
        Assert.Equal(0xCAFEBABEu, values["Magic"]);
        Assert.Equal((ushort)3, values["Version"]);
        Assert.Equal("hi", values["Name"]);
        Assert.Equal(new short[] { 0, -5, 0 }, values["Words"]);
        Assert.Equal(new byte[] { 0, 4 }, RecordLayout.Encode(l.Field("Version"), 4));
    }

    [Theory]
    [InlineData("UInt17", "TypeUnknown")]
    [InlineData("Int32[0]", "LayoutInvalid")]
    [InlineData("Int32[x]", "LayoutInvalid")]
    [InlineData("", "TypeUnknown")]
    public void Layout_RefusesBadTypes_NamingTheField(string spec, string id)
    {
        MmapException e = MapAssert.Fails(id, () => RecordLayout.Parse(Pairs(("Ok", "Byte"), ("Bad", spec)), false));
        Assert.Contains("'Bad'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Layout_RefusesDuplicatesAndOnlyPadding_AndUnknownFields()
    {
        MapAssert.Fails(ErrorIds.LayoutInvalid, () => RecordLayout.Parse(Pairs(("A", "Byte"), ("a", "Byte")), false));
        MapAssert.Fails(ErrorIds.LayoutInvalid, () => RecordLayout.Parse(Pairs(("P", "Pad[4]")), false));
        MapAssert.Fails(ErrorIds.LayoutInvalid, () => RecordLayout.Parse(Pairs(), false));
        RecordLayout l = RecordLayout.Parse(Pairs(("A", "Byte"), ("P", "Pad")), false);
        MapAssert.Fails(ErrorIds.FieldNotFound, () => l.Field("P"));
        MapAssert.Fails(ErrorIds.TypedValueInvalid, () => RecordLayout.Encode(RecordLayout.Parse(Pairs(("W", "Int16[2]")), false).Field("W"), new object[] { 1 }));
    }

    [Fact]
    public void ReadMany_ThenDecode_GivesTheValuesAtEachOffset()
    {
        string path = Path.Combine(Path.GetTempPath(), $"typed-{Guid.NewGuid():N}.bin");
        var ints = Enumerable.Range(0, 4096).ToArray();
        byte[] bytes = new byte[ints.Length * 4];
        Buffer.BlockCopy(ints, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
        try
        {
            using MemoryMap map = MemoryMap.OpenFile(path);
            long[] offsets = Enumerable.Range(0, 3000).Select(i => (long)((i * 7919) % 4095) * 4).ToArray();
            byte[] buffer = new byte[offsets.Length * 8];
            map.ReadMany(offsets, 8, buffer);
            for (int i = 0; i < offsets.Length; i++)
            {
                var pair = (int[])TypedCodec.Decode(ElementType.Int32, buffer.AsSpan(i * 8, 8), 2, false);
                Assert.Equal(new[] { (int)(offsets[i] / 4), (int)(offsets[i] / 4) + 1 }, pair);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Add_AddsExactlyPerType_AndKeepsTheByteOrder()
    {
        byte[] be = new byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(be, 1);
        BinaryPrimitives.WriteUInt16BigEndian(be.AsSpan(2), 65534);
        BinaryPrimitives.WriteUInt16BigEndian(be.AsSpan(4), 300);
        byte[] sums = TypedCodec.Add(ElementType.UInt16, be, 3, bigEndian: true, 1);
        Assert.Equal(new ushort[] { 2, 65535, 301 }, (ushort[])TypedCodec.Decode(ElementType.UInt16, sums, 3, true));
        Assert.Equal(new byte[] { 0, 1, 0xFF, 0xFE, 1, 44 }, be); // the source is left as it was

        byte[] u64 = BitConverter.GetBytes(ulong.MaxValue - 5);
        Assert.Equal(ulong.MaxValue, BitConverter.ToUInt64(TypedCodec.Add(ElementType.UInt64, u64, 1, false, 5m)));
        Assert.Equal(long.MinValue, BitConverter.ToInt64(TypedCodec.Add(ElementType.Int64, BitConverter.GetBytes(long.MinValue + 1), 1, false, "-1")));
        Assert.Equal(new sbyte[] { -128, 126 }, (sbyte[])TypedCodec.Decode(ElementType.SByte, TypedCodec.Add(ElementType.SByte, new byte[] { 0x81, 0x7F }, 2, false, -1), 2, false));
        Assert.Equal(2.75, BitConverter.ToDouble(TypedCodec.Add(ElementType.Double, BitConverter.GetBytes(2.5), 1, false, 0.25)));
        Assert.Equal((Half)1.5, BitConverter.ToHalf(TypedCodec.Add(ElementType.Half, BitConverter.GetBytes((Half)1), 1, false, 0.5)));
    }

    [Fact]
    public void Add_RefusesWhatDoesNotFit_NamingTheOffset()
    {
        byte[] b = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), int.MaxValue);
        MmapException e = Assert.Throws<MmapException>(() => TypedCodec.Add(ElementType.Int32, b, 2, false, 1, offset: 100));
        Assert.Equal(ErrorIds.TypedValueInvalid, e.ErrorId);
        Assert.Contains("offset 104", e.Message, StringComparison.Ordinal);
        Assert.Contains("2147483648 does not fit Int32", e.Message, StringComparison.Ordinal);
        Assert.Contains("whole number", Assert.Throws<MmapException>(() => TypedCodec.Add(ElementType.Int32, b, 2, false, 1.5)).Message, StringComparison.Ordinal);
        Assert.Contains("too large for Single", Assert.Throws<MmapException>(() => TypedCodec.Add(ElementType.Single, BitConverter.GetBytes(float.MaxValue), 1, false, 1e38)).Message, StringComparison.Ordinal);
        Assert.Equal(ErrorIds.TypedValueInvalid, Assert.Throws<MmapException>(() => TypedCodec.Add(ElementType.Char, new byte[] { 65 }, 1, false, 1)).ErrorId);
    }

    private static List<KeyValuePair<string, string>> Pairs(params (string Name, string Spec)[] pairs) =>
        pairs.Select(p => new KeyValuePair<string, string>(p.Name, p.Spec)).ToList();
}
