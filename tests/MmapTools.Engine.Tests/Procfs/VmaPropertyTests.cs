using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace MmapTools.Tests;

/// <summary>Property tests (FsCheck, fixed seeds so a failure replays): parse ∘ format is the identity on maps lines.</summary>
public sealed class VmaPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(500).WithReplay(20261122UL, 1UL);

    private static readonly string[] Labels = { "[heap]", "[stack]", "[vdso]", "[vvar]", "[vvar_vclock]", "[vsyscall]", "[uprobes]", "[stack:77]" };

    private static VmaKind KindOfLabel(string l) => l switch
    {
        "[heap]" => VmaKind.Heap,
        "[stack]" => VmaKind.Stack,
        "[vdso]" => VmaKind.Vdso,
        "[vsyscall]" => VmaKind.Vsyscall,
        "[stack:77]" => VmaKind.ThreadStack,
        "[uprobes]" => VmaKind.Other,
        _ => VmaKind.Vvar,
    };

    private static Gen<ulong> U64 =>
        from hi in Gen.Choose(int.MinValue, int.MaxValue)
        from lo in Gen.Choose(int.MinValue, int.MaxValue)
        from small in Gen.Choose(0, 3)
        select unchecked(small == 0 ? (ulong)(uint)lo % 100000 : ((ulong)(uint)hi << 32) | (uint)lo);

    // Path characters: spaces, newlines, tabs, parentheses, accents, CJK, an emoji; no backslash (a literal
    // "\012" is ambiguous by design and settled by map_files, tested live).
    private static readonly string[] PathChars = { "a", "Z", "0", " ", "\n", "\t", "-", "_", ".", "(", "é", "漢", "🙂", "/" };

    private static Gen<string> Segment =>
        Gen.ArrayOf(Gen.Elements(PathChars)).Select(a => string.Concat(a));

    private static Gen<(string? Path, VmaKind Kind, bool Deleted)> Names =>
        Gen.OneOf(
            Gen.Constant<(string?, VmaKind, bool)>((null, VmaKind.Anonymous, false)),
            Gen.Elements(Labels).Select(l => ((string?)l, KindOfLabel(l), false)),
            Gen.ArrayOf(Gen.Elements("a", "b", "Z", "9", " ", "-", "_")).Select(a => ((string?)("[anon:" + string.Concat(a) + "]"), VmaKind.NamedAnonymous, false)),
            from s in Segment
            from d in Gen.Elements(true, false)
            select ((string?)("/home/u" + s.Replace("/", "x/", StringComparison.Ordinal)), VmaKind.File, d));

    private static Gen<ProcessVma> Vmas =>
        from start in U64
        from pages in Gen.Choose(1, 1 << 20)
        from perm in Gen.Choose(0, 15)
        from offset in U64
        from major in Gen.Choose(0, 0xfff)
        from minor in Gen.Choose(0, 0xfffff)
        from inode in U64
        from name in Names
        let s = Math.Min(start, ulong.MaxValue - ((ulong)pages * 4096) - 0xfff) & ~0xfffUL
        select new ProcessVma
        {
            Start = s,
            End = s + ((ulong)pages * 4096),
            Permission = (VmaPermission)perm,
            Permissions = VmaFormat.PermissionText((VmaPermission)perm),
            Offset = offset,
            DeviceMajor = (uint)major,
            DeviceMinor = (uint)minor,
            Inode = name.Kind == VmaKind.File ? inode : 0,
            Path = name.Path,
            Kind = name.Kind,
            IsDeleted = name.Deleted,
        };

    private static bool SameVma(ProcessVma a, ProcessVma b) =>
        a.Start == b.Start && a.End == b.End && a.Permission == b.Permission && a.Permissions == b.Permissions &&
        a.Offset == b.Offset && a.DeviceMajor == b.DeviceMajor && a.DeviceMinor == b.DeviceMinor && a.Inode == b.Inode &&
        a.Path == b.Path && a.Kind == b.Kind && a.IsDeleted == b.IsDeleted && a.RawPath is null && b.RawPath is null;

    [Fact]
    public void ParseOfFormat_IsTheIdentity()
    {
        Prop.ForAll(Vmas.ToArbitrary(), v =>
        {
            string line = VmaFormat.FormatMapsLine(v);
            ProcessVma? back = VmaFormat.ParseMapsLine(Encoding.UTF8.GetBytes(line));
            return back is not null && SameVma(v, back) && !line.Contains('\n', StringComparison.Ordinal);
        }).Check(Runs);
    }

    [Fact]
    public void FormatOfParse_IsTheIdentity_OnFormattedLines()
    {
        Prop.ForAll(Vmas.ToArbitrary(), v =>
        {
            string line = VmaFormat.FormatMapsLine(v);
            ProcessVma back = VmaFormat.ParseMapsLine(Encoding.UTF8.GetBytes(line))!;
            return VmaFormat.FormatMapsLine(back) == line;
        }).Check(Runs);
    }

    private static Gen<List<ProcessVma>> Layouts =>
        Gen.ListOf(Vmas).Select(list =>
        {
            // Make the VMAs ascending and disjoint, as a process's are.
            var result = new List<ProcessVma>();
            ulong next = 0x10000;
            foreach (ProcessVma v in list)
            {
                ulong size = Math.Min(v.Size, 1UL << 30);
                result.Add(new ProcessVma
                {
                    Start = next, End = next + size, Permission = v.Permission, Permissions = v.Permissions, Offset = v.Offset,
                    DeviceMajor = v.DeviceMajor, DeviceMinor = v.DeviceMinor, Inode = v.Inode, Path = v.Path, Kind = v.Kind, IsDeleted = v.IsDeleted,
                });
                next += size + 0x1000;
            }

            return result;
        });

    [Fact]
    public void AFileOfFormattedLines_ReadsBackTheSame_WhateverTheChunkSize()
    {
        using var dir = new TempDir();
        int n = 0;
        Prop.ForAll(Layouts.ToArbitrary(), Gen.Choose(16, 600).ToArbitrary(), (layout, chunk) =>
        {
            string text = string.Concat(layout.Select(v => VmaFormat.FormatMapsLine(v) + "\n"));
            string path = dir.File("maps-" + n++ + ".txt", Encoding.UTF8.GetBytes(text));
            using VmaReader r = ProcessMemory.ReadFile(path, false, 1, chunk);
            List<ProcessVma> back = r.ToList();
            return back.Count == layout.Count && back.Zip(layout).All(p => SameVma(p.First, p.Second)) && r.DroppedLines == 0;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(150).WithReplay(77UL, 3UL));
    }

    [Fact]
    public void SmapsValues_ParseToBytes()
    {
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), Gen.Elements("Rss", "Pss_Dirty", "Shared_Hugetlb", "X").ToArbitrary(), (kb, key) =>
        {
            byte[] line = Encoding.ASCII.GetBytes(key + ":" + new string(' ', Math.Max(1, 16 - key.Length)) + kb + " kB");
            return VmaFormat.TryParseKeyValue(line, out ReadOnlySpan<byte> k, out long value, out bool isKb)
                   && isKb && value == (long)kb * 1024 && Encoding.ASCII.GetString(k) == key;
        }).Check(Runs);
    }

    [Fact]
    public void VmFlags_FormatOfParse_IsTheIdentity()
    {
        ulong known = Enum.GetValues<VmFlags>().Aggregate(0UL, (a, f) => a | (ulong)f) & ~(ulong)VmFlags.Unknown;
        Prop.ForAll(U64.ToArbitrary(), bits =>
        {
            var flags = (VmFlags)(bits & known);
            string text = VmaFormat.FormatVmFlags(flags);
            return VmaFormat.ParseVmFlags(Encoding.ASCII.GetBytes(text + " ")) == flags;
        }).Check(Runs);
    }
}
