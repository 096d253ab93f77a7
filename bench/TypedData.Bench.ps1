#requires -Version 7.4
<#
.SYNOPSIS
    Benchmarks typed data side by side in one pwsh run: the seed task (10,000 Int32 up by one) and 100,000 random
    16-byte reads from a 1 GiB file, MmapTools against FileStream and File.ReadAllBytes, in pwsh and in C#. The seed
    task is timed two ways: the three-line loop (Read -As, a pwsh loop, Write -As) and one Write -As Int32 -Add 1.
.DESCRIPTION
    Build first (./build.ps1), then:  pwsh -NoProfile -File ./bench/TypedData.Bench.ps1 [-Scratch /tmp] [-Rounds 5]
    Or:  ./build.ps1 -Task Bench -BenchArgument typed
    The 1 GiB files (one written 4 KiB at a time, one 4 MiB at a time) go in -Scratch and are removed at the end.
    Every figure is the median of -Rounds runs, with the files in the page cache (each file is read once first).
#>
[CmdletBinding()]
param(
    [string] $Scratch = [IO.Path]::GetTempPath(),
    [int] $Rounds = 5,
    [int] $Reads = 100000,
    [long] $FileSize = 1GB,
    # Only the seed task (no 1 GiB files).
    [switch] $SeedOnly
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force

Add-Type -TypeDefinition @'
using System;
using System.IO;
public static class TypedBenchCs
{
    // The C# baseline: one FileStream, Seek + Read of 16 bytes per offset.
    public static long SeekRead(string path, long[] offsets, int count)
    {
        var buffer = new byte[count];
        long sum = 0;
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.RandomAccess);
        foreach (long o in offsets)
        {
            fs.Seek(o, SeekOrigin.Begin);
            fs.ReadExactly(buffer, 0, count);
            sum += buffer[0];
        }
        return sum;
    }

    // pread(2) per offset, the fastest a C# loop gets without a map.
    public static long PRead(string path, long[] offsets, int count)
    {
        var buffer = new byte[count];
        long sum = 0;
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.RandomAccess);
        foreach (long o in offsets)
        {
            RandomAccess.Read(handle, buffer, o);
            sum += buffer[0];
        }
        return sum;
    }
}
'@

function Measure-Median([scriptblock] $Block, [int] $Times = $Rounds) {
    # Output is discarded by assignment, as `$r = ...` would keep it: piping to Out-Null costs microseconds per object.
    $null = & $Block   # warm up (JIT, page cache)
    $ms = for ($i = 0; $i -lt $Times; $i++) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $null = & $Block
        $sw.Elapsed.TotalMilliseconds
    }
    ($ms | Sort-Object)[[int][math]::Floor($Times / 2)]
}

function Write-Figure([string] $Name, [double] $Ms, [double] $Baseline = 0) {
    $ratio = if ($Baseline -gt 0) { '{0,6:N2}x of MmapTools' -f ($Ms / $Baseline) } else { '' }
    '{0,-62} {1,10:N2} ms  {2}' -f $Name, $Ms, $ratio
}

"MmapTools typed-data benchmarks — $([Environment]::ProcessorCount) cores, pwsh $($PSVersionTable.PSVersion), $([Runtime.InteropServices.RuntimeInformation]::FrameworkDescription)"
$files = @()
try {
    # ---- 1. The seed task: 10,000 Int32 in a file, each up by one, written back.
    $seed = Join-Path $Scratch "typed-bench-seed-$PID.bin"
    $files += $seed
    $init = [int[]](1..10000); $initBytes = [byte[]]::new(40000); [Buffer]::BlockCopy($init, 0, $initBytes, 0, 40000)
    [IO.File]::WriteAllBytes($seed, $initBytes)

    $mmap = Measure-Median {
        [int[]] $a = Read-MappedBytes -Path $seed -As Int32 -Count 10000
        for ($i = 0; $i -lt $a.Length; $i++) { $a[$i]++ }
        Write-MappedBytes -Path $seed -Offset 0 -As Int32 -Value $a -NoSync
    }
    $mmapSync = Measure-Median {
        [int[]] $a = Read-MappedBytes -Path $seed -As Int32 -Count 10000
        for ($i = 0; $i -lt $a.Length; $i++) { $a[$i]++ }
        Write-MappedBytes -Path $seed -Offset 0 -As Int32 -Value $a
    }
    # numpy's m += 1: the arithmetic in the cmdlet, no pwsh loop.
    $mmapAdd = Measure-Median { Write-MappedBytes -Path $seed -Offset 0 -As Int32 -Add 1 -NoSync }
    $mmapAddSync = Measure-Median { Write-MappedBytes -Path $seed -Offset 0 -As Int32 -Add 1 }
    $allBytes = Measure-Median {
        $b = [IO.File]::ReadAllBytes($seed)
        $a = [int[]]::new($b.Length / 4); [Buffer]::BlockCopy($b, 0, $a, 0, $b.Length)
        for ($i = 0; $i -lt $a.Length; $i++) { $a[$i]++ }
        [Buffer]::BlockCopy($a, 0, $b, 0, $b.Length)
        [IO.File]::WriteAllBytes($seed, $b)
    }
    $stream = Measure-Median {
        $fs = [IO.FileStream]::new($seed, 'Open', 'ReadWrite')
        try {
            $b = [byte[]]::new($fs.Length); $fs.ReadExactly($b, 0, $b.Length)
            $a = [int[]]::new($b.Length / 4); [Buffer]::BlockCopy($b, 0, $a, 0, $b.Length)
            for ($i = 0; $i -lt $a.Length; $i++) { $a[$i]++ }
            [Buffer]::BlockCopy($a, 0, $b, 0, $b.Length)
            $fs.Position = 0; $fs.Write($b, 0, $b.Length)
        } finally { $fs.Dispose() }
    }
    # The same without the pwsh loop (which costs the same in every variant): what the I/O itself costs.
    $mmapIo = Measure-Median {
        $a = Read-MappedBytes -Path $seed -As Int32 -Count 10000
        Write-MappedBytes -Path $seed -Offset 0 -As Int32 -Value $a -NoSync
    }
    $allBytesIo = Measure-Median {
        $b = [IO.File]::ReadAllBytes($seed)
        $a = [int[]]::new($b.Length / 4); [Buffer]::BlockCopy($b, 0, $a, 0, $b.Length)
        [Buffer]::BlockCopy($a, 0, $b, 0, $b.Length)
        [IO.File]::WriteAllBytes($seed, $b)
    }
    $loop = Measure-Median { $a = [int[]]::new(10000); for ($i = 0; $i -lt $a.Length; $i++) { $a[$i]++ } }

    ''
    '== Seed task: 10,000 Int32 read, each + 1, written back (median of {0})' -f $Rounds
    Write-Figure 'MmapTools: Read -As Int32; loop; Write -As Int32 -NoSync' $mmap
    Write-Figure 'MmapTools, synced (the default: msync MS_SYNC)' $mmapSync $mmap
    Write-Figure '[IO.File]::ReadAllBytes + BlockCopy; loop; BlockCopy + WriteAllBytes' $allBytes $mmap
    Write-Figure 'MmapTools, one line: Write -As Int32 -Add 1 -NoSync (numpy m += 1)' $mmapAdd $mmap
    Write-Figure 'MmapTools, one line, synced: Write -As Int32 -Add 1' $mmapAddSync $mmap
    '  -Add against ReadAllBytes/loop/WriteAllBytes: {0:N2} (target <= 0.5); the three-line loop: {1:N2}' -f ($mmapAdd / $allBytes), ($mmap / $allBytes)
    Write-Figure 'FileStream Read + BlockCopy; loop; BlockCopy + Write' $stream $mmap
    Write-Figure '  the pwsh loop alone ($a[$i]++ x 10,000)' $loop
    Write-Figure '  I/O only, MmapTools (read + write -NoSync)' $mmapIo
    Write-Figure '  I/O only, ReadAllBytes/BlockCopy/WriteAllBytes' $allBytesIo $mmapIo
    $ints = Read-MappedBytes -Path $seed -As Int32 -Count 3
    "  check: first ints now $($ints -join ', ') (each run adds one)"

    # ---- 2. 100,000 random 16-byte reads from a 1 GiB file.
    if ($SeedOnly) { return }
    $rng = [Random]::new(13)
    $offsets = [long[]]::new($Reads)
    for ($i = 0; $i -lt $Reads; $i++) { $offsets[$i] = $rng.NextInt64(0, $FileSize - 16) }
    foreach ($chunk in 4KB, 4MB) {
        $big = Join-Path $Scratch "typed-bench-$chunk-$PID.bin"
        $files += $big
        $block = [byte[]]::new($chunk); [Random]::new(7).NextBytes($block)
        $fs = [IO.FileStream]::new($big, 'Create', 'Write', 'None', 1MB)
        try { for ($w = 0L; $w -lt $FileSize; $w += $chunk) { $fs.Write($block, 0, $chunk) } } finally { $fs.Dispose() }
        $null = [TypedBenchCs]::PRead($big, [long[]](0..($FileSize / 4096 - 1) | ForEach-Object { $_ * 4096 }), 1)  # into the page cache

        $viaPath = Measure-Median { Read-MappedBytes -Path $big -Offset $offsets -Count 16 }
        $map = New-MemoryMap -Path $big
        $viaMap = Measure-Median { Read-MappedBytes -Map $map -Offset $offsets -Count 16 }
        $viaMapRaw = Measure-Median { Read-MappedBytes -Map $map -Offset $offsets -Count 16 -Raw }
        $map | Remove-MemoryMap
        $pwshLoop = Measure-Median -Times ([math]::Max(1, [int]($Rounds / 2))) {
            $buf = [byte[]]::new(16)
            $fs = [IO.FileStream]::new($big, 'Open', 'Read', 'ReadWrite', 4096, 'RandomAccess')
            try { foreach ($o in $offsets) { $null = $fs.Seek($o, 'Begin'); $fs.ReadExactly($buf, 0, 16) } } finally { $fs.Dispose() }
        }
        $cs = Measure-Median { [TypedBenchCs]::SeekRead($big, $offsets, 16) }
        $pread = Measure-Median { [TypedBenchCs]::PRead($big, $offsets, 16) }
        $check = Read-MappedBytes -Path $big -Offset $offsets[0..2] -Count 16
        $expect = [byte[]]::new(16); $fs = [IO.File]::OpenRead($big); $null = $fs.Seek($offsets[2], 'Begin'); $fs.ReadExactly($expect, 0, 16); $fs.Dispose()

        ''
        '== {0:N0} random 16-byte reads from a 1 GiB file written {1} at a time (median of {2})' -f $Reads, $(if ($chunk -eq 4KB) { '4 KiB' } else { '4 MiB' }), $Rounds
        Write-Figure 'MmapTools: Read-MappedBytes -Path $f -Offset $offsets -Count 16' $viaPath
        Write-Figure 'MmapTools: Read-MappedBytes -Map $map -Offset $offsets -Count 16' $viaMap $viaPath
        Write-Figure 'MmapTools: ... -Map $map -Offset $offsets -Count 16 -Raw (one byte[])' $viaMapRaw $viaPath
        Write-Figure 'pwsh loop: FileStream Seek + Read per offset' $pwshLoop $viaPath
        Write-Figure 'C# loop: FileStream Seek + Read per offset' $cs $viaPath
        Write-Figure 'C# loop: RandomAccess.Read (pread) per offset' $pread $viaPath
        '  check: result 2 is {0} ({1})' -f [Convert]::ToHexString($check[2].Value), $(if ([Convert]::ToHexString($check[2].Value) -eq [Convert]::ToHexString($expect)) { 'same as FileStream' } else { 'DIFFERS' })
        Remove-Item -LiteralPath $big
    }
} finally {
    foreach ($f in $files) { Remove-Item -LiteralPath $f -ErrorAction Ignore }
}
