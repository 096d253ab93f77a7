#requires -Version 7.4
<#
.SYNOPSIS
Get-ProcessVma against the kernel's own text: -Detailed against cat /proc/PID/smaps (and pmap -x), plain against
cat /proc/PID/maps (and pmap), on a helper process holding -Vmas VMAs.

.DESCRIPTION
Starts a python3 helper that maps one anonymous region of -Vmas pages and mprotects every other page read-only, so
no two neighbours merge (about -Vmas VMAs, plus the interpreter's own), then times, interleaved, best of -Rounds:
  - $v = Get-ProcessVma -Id P -Detailed        against  cat /proc/P/smaps > /dev/null   (target <= 1.10)
                                                         pmap -x P > /dev/null
  - $v = Get-ProcessVma -Id P                  against  cat /proc/P/maps > /dev/null    (target <= 1.10)
                                                         pmap P > /dev/null
cat and pmap run from this pwsh, as a user would run them (their process start is in their figure). The kernel
generates smaps text at read time, one VMA after another, so cat of smaps is the floor for -Detailed.
Prints the rows (Format-Table) and returns them. Run: dotnet pwsh -NoProfile -File bench/perf/Vma.Bench.ps1
#>
param([int] $Vmas = 60000, [int] $Rounds = 7)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'Perf.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../../MmapTools.psd1') -Force
foreach ($tool in 'python3', 'cat', 'pmap') {
    if (-not (Get-Command $tool -CommandType Application -ErrorAction Ignore)) { throw "$tool is not installed." }
}

$max = [int](Get-Content /proc/sys/vm/max_map_count)
if ($Vmas + 1000 -gt $max) { throw "-Vmas $Vmas is too close to vm.max_map_count ($max)." }

# The helper: one anonymous map of $Vmas pages, every other page read-only (no merging), then wait for EOF.
$helperCode = @'
import ctypes, mmap, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
n = int(sys.argv[1]); page = mmap.PAGESIZE
base = libc.mmap(None, n * page, 3, 0x22, -1, 0)
if base in (None, ctypes.c_void_p(-1).value): sys.exit("mmap failed")
for i in range(0, n, 2):
    if libc.mprotect(base + i * page, page, 1) != 0: sys.exit("mprotect failed: errno %d" % ctypes.get_errno())
print("READY", flush=True)
sys.stdin.read()
'@

$psi = [Diagnostics.ProcessStartInfo]::new('python3')
$psi.ArgumentList.Add('-c'); $psi.ArgumentList.Add($helperCode); $psi.ArgumentList.Add([string]$Vmas)
$psi.RedirectStandardInput = $true; $psi.RedirectStandardOutput = $true; $psi.UseShellExecute = $false
$helper = [Diagnostics.Process]::Start($psi)
try {
    $ready = $helper.StandardOutput.ReadLine()
    if ($ready -ne 'READY') { throw "The helper did not start: $ready" }
    $p = $helper.Id
    $count = @(Get-ProcessVma -Id $p).Count
    $detailed = @(Get-ProcessVma -Id $p -Detailed).Count
    if ($detailed -ne $count) { throw "maps gave $count VMAs but smaps $detailed" }

    $best = Measure-Interleaved -Rounds $Rounds -Case ([ordered]@{
        'Get-ProcessVma -Detailed' = { $v = Get-ProcessVma -Id $p -Detailed }
        'cat smaps'                = { cat /proc/$p/smaps > /dev/null }
        'pmap -x'                  = { pmap -x $p > /dev/null }
        'Get-ProcessVma'           = { $v = Get-ProcessVma -Id $p }
        'cat maps'                 = { cat /proc/$p/maps > /dev/null }
        'pmap'                     = { pmap $p > /dev/null }
    })

    $work = "$count VMAs"
    $rows = @(
        Write-BenchRow -Work "$work, smaps" -Ours '$v = Get-ProcessVma -Detailed' -OursValue $best['Get-ProcessVma -Detailed'] -Reference 'cat /proc/P/smaps' -ReferenceValue $best['cat smaps'] -Target 1.10
        Write-BenchRow -Work "$work, smaps" -Ours '$v = Get-ProcessVma -Detailed' -OursValue $best['Get-ProcessVma -Detailed'] -Reference 'pmap -x P' -ReferenceValue $best['pmap -x']
        Write-BenchRow -Work "$work, maps" -Ours '$v = Get-ProcessVma' -OursValue $best['Get-ProcessVma'] -Reference 'cat /proc/P/maps' -ReferenceValue $best['cat maps'] -Target 1.10
        Write-BenchRow -Work "$work, maps" -Ours '$v = Get-ProcessVma' -OursValue $best['Get-ProcessVma'] -Reference 'pmap P' -ReferenceValue $best['pmap']
    )
    "{0} cores, kernel {1}, pwsh {2}; best of {3} interleaved rounds" -f [Environment]::ProcessorCount, (uname -r), $PSVersionTable.PSVersion, $Rounds | Out-Host
    $rows | Format-Table Work, Ours, OursValue, Reference, ReferenceValue, Unit, Ratio, Target, Result -AutoSize | Out-String -Width 200 | Out-Host
    $rows
}
finally {
    if (-not $helper.HasExited) {
        $helper.StandardInput.Close()
        if (-not $helper.WaitForExit(5000)) { $helper.Kill() }
    }
    $helper.WaitForExit()
    $helper.Dispose()
}
