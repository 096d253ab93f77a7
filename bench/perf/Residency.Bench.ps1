#requires -Version 7.4
<#
.SYNOPSIS
    Page-cache residency side by side (issue 14): Get-PageCacheResidency on a folder of 10,000 small files and on a
    1 GiB file, against vmtouch and fincore, from the same pwsh. Target: at most 1.0x of each.
.DESCRIPTION
    Build first (./build.ps1), then:  dotnet pwsh -NoProfile -File bench/perf/Residency.Bench.ps1 [-Scratch /var/tmp]
    The 10,000 files (1 to 64 KiB, all in the page cache) and the 1 GiB files go in a folder under -Scratch that is
    removed at the end. Every figure is the best of -Rounds runs, the cases interleaved (Measure-Interleaved).

    The folder, as a user asks for it in pwsh:
      -Path $dir -Recurse           the folder walked (the help's example), against `vmtouch $dir`, which walks it too
      -Path $dir/*                  a wildcard the provider expands
      -LiteralPath $paths           10,000 absolute paths in a string[]
      Get-ChildItem -File $dir | .  FileInfo objects on the pipeline (the Get-ChildItem is inside the time; a row
                                    of Get-ChildItem alone, with no target, shows the floor under it)
    The references run from this pwsh through bash, their output to /dev/null:
      vmtouch: `vmtouch $dir`       (walks the folder; one open + mmap + mincore + munmap per file)
      fincore: `fincore $dir/*`     (bash expands the glob, fincore gets the 10,000 paths as arguments)
    The 1 GiB file is written on each layout of Get-BenchLayout (the folio size follows the write size) and
    measured with -LiteralPath against `fincore $file` and `vmtouch $file`.
.OUTPUTS
    MmapTools.BenchRow objects (Write-BenchRow), after a printed table.
#>
[CmdletBinding()]
param(
    [string] $Scratch = $(if ($env:TMPDIR) { $env:TMPDIR } else { '/var/tmp' }),
    [int] $Rounds = 7,
    [int] $FileCount = 10000,
    [long] $BigSize = 1GB
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'Perf.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../../MmapTools.psd1') -Force

foreach ($tool in 'vmtouch', 'fincore', 'bash') {
    if (-not (Get-Command $tool -CommandType Application -ErrorAction Ignore)) {
        throw "$tool is not on PATH (apt-get install -y vmtouch util-linux)."
    }
}

$root = Join-Path $Scratch ('mmaptools-residency-' + [guid]::NewGuid().ToString('N'))
$dir = Join-Path $root 'files'
$null = New-Item -ItemType Directory -Path $dir
$rows = [Collections.Generic.List[object]]::new()
try {
    # 10,000 files of 1 to 64 KiB (sizes spread by a prime step), written so they are in the page cache.
    $buffer = [byte[]]::new(64KB)
    [Random]::new(14).NextBytes($buffer)
    $paths = [string[]]::new($FileCount)
    for ($i = 0; $i -lt $FileCount; $i++) {
        $size = 1KB + ($i * 7919 % (63KB + 1))
        $p = Join-Path $dir ('f{0:D5}.bin' -f $i)
        $fs = [IO.File]::Create($p)
        try { $fs.Write($buffer, 0, $size) } finally { $fs.Dispose() }
        $paths[$i] = $p
    }
    & bash -c 'cat -- "$0"/* > /dev/null' $dir

    # The same answer from all three before any timing.
    $ours = Get-PageCacheResidency -LiteralPath $paths
    $oursPages = ($ours | Measure-Object ResidentPages -Sum).Sum
    $fincorePages = (& bash -c 'fincore --raw --noheadings --output PAGES -- "$0"/*' $dir | Measure-Object -Sum).Sum
    if ($ours.Count -ne $FileCount -or $oursPages -ne $fincorePages) {
        Write-Warning "MISMATCH: $($ours.Count) files, $oursPages resident pages; fincore $fincorePages pages."
    }
    Write-Host "$FileCount files in $dir`: $oursPages resident pages ($($ours[0].Method)); fincore $fincorePages."

    $case = [ordered]@{
        'Get-PageCacheResidency -Path $dir -Recurse' = { $r = Get-PageCacheResidency -Path $dir -Recurse }
        'Get-PageCacheResidency -Path $dir/*'        = { $r = Get-PageCacheResidency -Path "$dir/*" }
        'Get-PageCacheResidency -LiteralPath $paths' = { $r = Get-PageCacheResidency -LiteralPath $paths }
        'Get-ChildItem -File $dir | Get-PageCacheResidency' = { $r = Get-ChildItem -File -LiteralPath $dir | Get-PageCacheResidency }
        'Get-ChildItem -File $dir (alone)' = { $r = Get-ChildItem -File -LiteralPath $dir }
        'vmtouch $dir'    = { & bash -c 'vmtouch -- "$0" > /dev/null' $dir }
        'fincore $dir/*'  = { & bash -c 'fincore -- "$0"/* > /dev/null' $dir }
    }
    $best = Measure-Interleaved -Case $case -Rounds $Rounds
    foreach ($k in @($case.Keys)[0..4]) {
        # Get-ChildItem alone is no MmapTools figure: it is the floor under the piped row, so it has no target.
        $target = if ($k -like '*(alone)') { 0 } else { 1.0 }
        $rows.Add((Write-BenchRow -Work "$FileCount files" -Ours $k -OursValue $best[$k] -Reference 'vmtouch $dir' -ReferenceValue $best['vmtouch $dir'] -Target $target))
        $rows.Add((Write-BenchRow -Work "$FileCount files" -Ours $k -OursValue $best[$k] -Reference 'fincore $dir/*' -ReferenceValue $best['fincore $dir/*'] -Target $target))
    }
    Remove-Item -LiteralPath $dir -Recurse -Force

    # One large file, on each layout.
    $big = Join-Path $root 'big.bin'
    foreach ($layout in Get-BenchLayout) {
        $null = New-BenchFile -Path $big -Size $BigSize -WriteSize $layout.WriteSize
        $case = [ordered]@{
            'Get-PageCacheResidency -LiteralPath $file' = { $r = Get-PageCacheResidency -LiteralPath $big }
            'vmtouch $file' = { & bash -c 'vmtouch -- "$0" > /dev/null' $big }
            'fincore $file' = { & bash -c 'fincore -- "$0" > /dev/null' $big }
        }
        $best = Measure-Interleaved -Case $case -Rounds $Rounds
        $k = 'Get-PageCacheResidency -LiteralPath $file'
        $work = '{0:0} GiB file' -f ($BigSize / 1GB)
        $rows.Add((Write-BenchRow -Work $work -Layout $layout.Name -Ours $k -OursValue $best[$k] -Reference 'vmtouch $file' -ReferenceValue $best['vmtouch $file'] -Target 1.0))
        $rows.Add((Write-BenchRow -Work $work -Layout $layout.Name -Ours $k -OursValue $best[$k] -Reference 'fincore $file' -ReferenceValue $best['fincore $file'] -Target 1.0))
        Remove-Item -LiteralPath $big -Force
    }
}
finally {
    Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction Ignore
}

$rows | Format-Table Work, Layout, Ours, OursValue, Reference, ReferenceValue, Unit, Ratio, Target, Result -AutoSize |
    Out-String -Width 250 | Write-Host
$rows
