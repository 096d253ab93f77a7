#requires -Version 7.4
<#
.SYNOPSIS
    Every performance row of MmapTools, side by side with its reference, in one pwsh run: what a user sees.
.DESCRIPTION
    Runs bench/perf/*.Bench.ps1 in this pwsh, one after the other, and prints all their rows as tables (one per
    kind of work): ours, the reference, the ratio, the target and whether it is met. Each file-based row is measured
    on files written 4 MiB, 1 MiB and 4 KiB at a time (the write size sets the page-cache folio size, which moves
    every mmap figure by up to 3x). Build first; `./build.ps1 -Task Bench` builds and runs this.
      dotnet pwsh -NoProfile -File bench/Performance.Bench.ps1 [-Only Map,Vma] [-Rounds 7]
#>
[CmdletBinding()]
param(
    # Run only these rows (file names without .Bench.ps1): Map, Vma, Residency, Calls.
    [string[]] $Only,
    [int] $Rounds = 7
)

$ErrorActionPreference = 'Stop'
$scripts = Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'perf') -Filter '*.Bench.ps1' | Sort-Object Name |
    Where-Object { -not $Only -or ($_.Name -replace '\.Bench\.ps1$') -in $Only }
"MmapTools performance — $([Environment]::ProcessorCount) cores, $([math]::Round((Get-Content /proc/meminfo -TotalCount 1).Split(' ', [StringSplitOptions]::RemoveEmptyEntries)[1] / 1MB)) GiB, " +
    "kernel $([Environment]::OSVersion.Version), pwsh $($PSVersionTable.PSVersion), $([Runtime.InteropServices.RuntimeInformation]::FrameworkDescription)"
$all = foreach ($s in $scripts) {
    Write-Host "== $($s.Name)" -ForegroundColor Cyan
    $params = @{}
    if ((Get-Command $s.FullName).Parameters.ContainsKey('Rounds')) { $params.Rounds = $Rounds }
    & $s.FullName @params | Where-Object { $_ -is [psobject] -and $_.PSObject.TypeNames -contains 'MmapTools.BenchRow' }
}
$all | Format-Table | Out-String -Width 220
$missed = @($all | Where-Object Result -EQ 'MISSED')
"{0} rows, {1} with a target, {2} missed" -f @($all).Count, @($all | Where-Object Target).Count, $missed.Count
