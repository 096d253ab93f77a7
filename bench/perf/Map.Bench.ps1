#requires -Version 7.4
<#
.SYNOPSIS
    Searches and random reads of a 1 GiB page-cached file, at the pwsh level, side by side with their references,
    on files written 4 MiB, 1 MiB and 4 KiB at a time.
.DESCRIPTION
    Rows (best of -Rounds, interleaved):
      - Find-MappedBytes -Path $f -String <absent> against memcpy out of a fresh map of the same file (C#, called
        from the same pwsh): the ratio is memcpy's time over the search's, target >= 0.8 (a scan reads each byte
        once, memcpy reads and writes it).
      - 100,000 random 16-byte reads through one Read-MappedBytes -Offset $offsets -Count 16 -Raw call (one byte[]),
        by -Path (the file mapped for the call) and by -Map (an open map), against a FileStream Seek+Read loop in C#
        and in pwsh: target <= 0.33. Without -Raw (one OffsetValue object per offset), the pread(2) loop in C#, and
        the PowerShell floor for writing 100,000 objects are printed for context.
    Run:  dotnet pwsh -NoProfile -File bench/perf/Map.Bench.ps1 [-Scratch /var/tmp] [-Rounds 7]
    Set MMAPTOOLS_DIRECT=0 to see the guarded copy alone (no direct reads under a lease).
#>
[CmdletBinding()]
param(
    [string] $Scratch = [IO.Path]::GetTempPath(),
    [int] $Rounds = 7,
    [int] $Reads = 100000,
    [long] $FileSize = 1GB,
    [string[]] $Layout = @('4 MiB', '1 MiB', '4 KiB')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'Perf.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../../MmapTools.psd1') -Force

if (-not ('MapBenchCs' -as [type])) {
    Add-Type -CompilerOptions '-unsafe' -TypeDefinition @'
using System;
using System.IO;
using System.Runtime.InteropServices;
public static unsafe class MapBenchCs
{
    [DllImport("libc", SetLastError = true)] static extern IntPtr mmap(IntPtr a, nuint l, int prot, int flags, int fd, long off);
    [DllImport("libc", SetLastError = true)] static extern int munmap(IntPtr a, nuint l);
    [DllImport("libc", SetLastError = true)] static extern int open(string p, int f);
    [DllImport("libc", SetLastError = true)] static extern int close(int fd);

    // The ceiling for a scan: every byte of a fresh read-only map copied out, 1 MiB at a time.
    public static long MemcpyFreshMap(string path)
    {
        long size = new FileInfo(path).Length;
        int fd = open(path, 0);
        IntPtr a = mmap(IntPtr.Zero, (nuint)size, 1, 1, fd, 0);
        byte[] buffer = new byte[1 << 20];
        long sum = 0;
        fixed (byte* d = buffer)
        {
            for (long at = 0; at < size; at += buffer.Length)
            {
                int n = (int)Math.Min(buffer.Length, size - at);
                Buffer.MemoryCopy((byte*)a + at, d, buffer.Length, n);
                sum += d[0];
            }
        }
        munmap(a, (nuint)size);
        close(fd);
        return sum;
    }

    public static long SeekRead(string path, long[] offsets, int count)
    {
        var buffer = new byte[count];
        long sum = 0;
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.RandomAccess);
        foreach (long o in offsets) { fs.Seek(o, SeekOrigin.Begin); fs.ReadExactly(buffer, 0, count); sum += buffer[0]; }
        return sum;
    }

    public static long PRead(string path, long[] offsets, int count)
    {
        var buffer = new byte[count];
        long sum = 0;
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.RandomAccess);
        foreach (long o in offsets) { RandomAccess.Read(handle, buffer, o); sum += buffer[0]; }
        return sum;
    }
}
'@
}

# The floor under one object per offset: a compiled cmdlet that only writes -Reads ready-made objects, one at a time.
if (-not (Get-Command Write-BenchObjects -ErrorAction Ignore)) {
    $floorType = Add-Type -PassThru -ReferencedAssemblies @([psobject].Assembly.Location, 'System.Runtime', 'System.Collections', 'netstandard') -TypeDefinition @'
using System.Management.Automation;
[Cmdlet(VerbsCommunications.Write, "BenchObjects")]
public sealed class WriteBenchObjectsCommand : PSCmdlet
{
    [Parameter(Position = 0)] public object[] Items { get; set; }
    protected override void ProcessRecord() { foreach (object o in Items) { WriteObject(o); } }
}
'@
    Import-Module $floorType[0].Assembly
}
$floorObjects = [object[]]::new($Reads)
for ($i = 0; $i -lt $Reads; $i++) { $floorObjects[$i] = [MmapTools.OffsetValue]::new() }

$rows = [Collections.Generic.List[object]]::new()
$rng = [Random]::new(13)
$offsets = [long[]]::new($Reads)
for ($i = 0; $i -lt $Reads; $i++) { $offsets[$i] = $rng.NextInt64(0, $FileSize - 16) }
$needle = 'MMAPTOOLS-absent'

foreach ($l in Get-BenchLayout | Where-Object Name -In $Layout) {
    $path = Join-Path $Scratch "mmaptools-perf-$($l.WriteSize)-$PID.bin"
    try {
        $null = New-BenchFile -Path $path -Size $FileSize -WriteSize $l.WriteSize
        $t = Measure-Interleaved -Rounds $Rounds -Case ([ordered]@{
            find   = { Find-MappedBytes -Path $path -String $needle }
            memcpy = { [MapBenchCs]::MemcpyFreshMap($path) }
        })
        $rows.Add((Write-BenchRow -Work 'Find a string in a 1 GiB cached file' -Layout $l.Name -Ours 'Find-MappedBytes -Path' -OursValue ($FileSize / $t.find / 1e6) `
            -Reference 'memcpy from a fresh map (C#)' -ReferenceValue ($FileSize / $t.memcpy / 1e6) -Unit 'GB/s' -Target 0.8 -Higher))

        $map = New-MemoryMap -Path $path
        try {
            $t = Measure-Interleaved -Rounds $Rounds -Case ([ordered]@{
                path    = { Read-MappedBytes -Path $path -Offset $offsets -Count 16 -Raw }
                map     = { Read-MappedBytes -Map $map -Offset $offsets -Count 16 -Raw }
                objects = { Read-MappedBytes -Map $map -Offset $offsets -Count 16 }
                cs      = { [MapBenchCs]::SeekRead($path, $offsets, 16) }
                pread   = { [MapBenchCs]::PRead($path, $offsets, 16) }
                floor   = { Write-BenchObjects $floorObjects }
            })
        } finally { $map | Remove-MemoryMap }
        $pwshLoop = Measure-Interleaved -Rounds 1 -Case ([ordered]@{
            loop = {
                $buf = [byte[]]::new(16)
                $fs = [IO.FileStream]::new($path, 'Open', 'Read', 'ReadWrite', 4096, 'RandomAccess')
                try { foreach ($o in $offsets) { $null = $fs.Seek($o, 'Begin'); $fs.ReadExactly($buf, 0, 16) } } finally { $fs.Dispose() }
            }
        })
        $work = '{0:N0} random 16-byte reads, 1 GiB file' -f $Reads
        $rows.Add((Write-BenchRow -Work $work -Layout $l.Name -Ours 'Read-MappedBytes -Path -Offset $o -Raw' -OursValue $t.path -Reference 'FileStream loop in C#' -ReferenceValue $t.cs -Target 0.33))
        $rows.Add((Write-BenchRow -Work $work -Layout $l.Name -Ours 'Read-MappedBytes -Map -Offset $o -Raw' -OursValue $t.map -Reference 'FileStream loop in C#' -ReferenceValue $t.cs -Target 0.33))
        $rows.Add((Write-BenchRow -Work $work -Layout $l.Name -Ours 'Read-MappedBytes -Map -Offset $o -Raw' -OursValue $t.map -Reference 'FileStream loop in pwsh' -ReferenceValue $pwshLoop.loop -Target 0.33))
        $rows.Add((Write-BenchRow -Work $work -Layout $l.Name -Ours 'Read-MappedBytes -Map -Offset $o -Raw' -OursValue $t.map -Reference 'pread loop in C# (context)' -ReferenceValue $t.pread))
        $rows.Add((Write-BenchRow -Work $work -Layout $l.Name -Ours 'Read-MappedBytes -Map -Offset $o (OffsetValue objects; context)' -OursValue $t.objects -Reference 'FileStream loop in C#' -ReferenceValue $t.cs))
        $rows.Add((Write-BenchRow -Work $work -Layout $l.Name -Ours 'floor: any cmdlet writing 100,000 objects (context)' -OursValue $t.floor -Reference 'FileStream loop in C#' -ReferenceValue $t.cs))
    } finally {
        Remove-Item -LiteralPath $path -ErrorAction Ignore
    }
}

if ($MyInvocation.InvocationName -ne '&') { $rows | Format-Table | Out-String -Width 220 | Write-Host }
$rows
