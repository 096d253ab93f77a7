#requires -Version 7.4
<#
.SYNOPSIS
Whole-machine memory accounting: Get-ProcessMemory against smem and against cat of every smaps_rollup, in one run.

.DESCRIPTION
Starts -Sleepers `sleep` processes (300 by default) so the box has 300+ processes, then times, each -Repeat times
(the median is reported):
  - Get-ProcessMemory (every process, smaps_rollup), warm, in this session;
  - Get-ProcessMemory in a new pwsh (startup, module import and JIT included), as a user runs it once;
  - smem (per process), smem -u;
  - for p in /proc/[0-9]*; do cat $p/smaps_rollup; done (the floor: the kernel's work, no parsing);
  - Get-ProcessMemory -GroupBy Mapping (smaps of every process) against smem -m.
Targets: Get-ProcessMemory at most half of smem's time; the mapping view at most smem -m's time.
Run as root to read every process: dotnet pwsh -NoProfile -File bench/ProcessMemory.Bench.ps1
#>
param([int] $Sleepers = 300, [int] $Repeat = 5)

$ErrorActionPreference = 'Stop'
$psd1 = (Resolve-Path (Join-Path $PSScriptRoot '../MmapTools.psd1')).Path
Import-Module $psd1 -Force
if (-not (Get-Command smem -ErrorAction Ignore)) { throw 'smem is not installed (apt-get install smem).' }

function Measure-Median {
    param([string] $Name, [scriptblock] $Block)
    $ms = 1..$Repeat | ForEach-Object { (Measure-Command $Block).TotalMilliseconds }
    $median = ($ms | Sort-Object)[[int][Math]::Floor($Repeat / 2)]
    Write-Host ('{0,-36} {1,10:0.0} ms  (runs: {2})' -f $Name, $median, (($ms | ForEach-Object { $_.ToString('0') }) -join ', '))
    $median
}

$children = 1..$Sleepers | ForEach-Object { Start-Process -FilePath sleep -ArgumentList 3600 -PassThru }
try {
    Start-Sleep -Seconds 1
    $procs = @(Get-ChildItem /proc -Directory -Name | Where-Object { $_ -match '^\d+$' }).Count
    $pwsh = Join-Path $PSHOME 'pwsh'
    Get-ProcessMemory -WarningAction SilentlyContinue | Out-Null   # JIT, once

    $r = [ordered]@{}
    $r['Get-ProcessMemory (warm)'] = Measure-Median 'Get-ProcessMemory (warm)' { Get-ProcessMemory -WarningAction SilentlyContinue | Out-Null }
    $r['Get-ProcessMemory (new pwsh)'] = Measure-Median 'Get-ProcessMemory (new pwsh)' { & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$psd1'; Get-ProcessMemory -WarningAction SilentlyContinue | Out-Null" }
    $r['smem'] = Measure-Median 'smem' { smem | Out-Null }
    $r['cat */smaps_rollup'] = Measure-Median 'cat */smaps_rollup' { bash -c 'for p in /proc/[0-9]*; do cat $p/smaps_rollup; done >/dev/null 2>&1' }
    $r['Get-ProcessMemory -GroupBy User'] = Measure-Median 'Get-ProcessMemory -GroupBy User' { Get-ProcessMemory -GroupBy User -WarningAction SilentlyContinue | Out-Null }
    $r['smem -u'] = Measure-Median 'smem -u' { smem -u | Out-Null }
    $r['Get-ProcessMemory -GroupBy Mapping'] = Measure-Median 'Get-ProcessMemory -GroupBy Mapping' { Get-ProcessMemory -GroupBy Mapping -WarningAction SilentlyContinue | Out-Null }
    $r['smem -m'] = Measure-Median 'smem -m' { smem -m | Out-Null }

    "{0} processes in /proc ({1} sleepers started), {2} cores, kernel {3}; median of {4} runs" -f $procs, $Sleepers, [Environment]::ProcessorCount, (uname -r), $Repeat
    $r.GetEnumerator() | ForEach-Object { [pscustomobject]@{ Command = $_.Key; Milliseconds = [Math]::Round($_.Value, 1) } } | Format-Table -AutoSize | Out-String -Width 80
    $half = $r['Get-ProcessMemory (warm)'] / $r['smem']
    $cold = $r['Get-ProcessMemory (new pwsh)'] / $r['smem']
    $map = $r['Get-ProcessMemory -GroupBy Mapping'] / $r['smem -m']
    'Get-ProcessMemory / smem: {0:0.00} warm, {1:0.00} in a new pwsh (target <= 0.50): {2}' -f $half, $cold, $(if ($half -le 0.5) { 'met' } else { 'NOT met' })
    'Get-ProcessMemory -GroupBy Mapping / smem -m: {0:0.00} (target <= 1.00): {1}' -f $map, $(if ($map -le 1) { 'met' } else { 'NOT met' })
    'Get-ProcessMemory / cat of every smaps_rollup: {0:0.00}' -f ($r['Get-ProcessMemory (warm)'] / $r['cat */smaps_rollup'])
}
finally {
    foreach ($s in $children) { if (-not $s.HasExited) { $s.Kill() } }
    foreach ($s in $children) { $s.WaitForExit() }
}
