#requires -Version 7.4
# Shared by the bench/perf/*.Bench.ps1 rows: the three file layouts, interleaved best-of-N timing, and one
# printed row per figure (ours, the reference, the ratio, the target and whether it is met).
Set-StrictMode -Version Latest

# Rows print as one table per kind of work (Perf.Format.ps1xml).
Update-FormatData -PrependPath (Join-Path $PSScriptRoot 'Perf.Format.ps1xml')

# The page-cache folio size follows the write size, and every mmap figure moves with it (up to 3x): each row is
# measured on files written 4 MiB, 1 MiB and 4 KiB at a time.
$script:Layouts = @(
    [pscustomobject]@{ Name = '4 MiB'; WriteSize = 4MB }
    [pscustomobject]@{ Name = '1 MiB'; WriteSize = 1MB }
    [pscustomobject]@{ Name = '4 KiB'; WriteSize = 4KB }
)

function Get-BenchLayout {
    <# The three write sizes every file-based row is measured on. #>
    $script:Layouts
}

function New-BenchFile {
    <#
    Writes -Size bytes of random data to -Path in write(2) calls of -WriteSize bytes (dd), then reads it once so
    it is in the page cache. The write size sets the folio size the page cache uses for it.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [long] $Size,
        [Parameter(Mandatory)] [long] $WriteSize,
        # Bytes written at this offset after the random fill (e.g. a needle at the end).
        [byte[]] $Plant,
        [long] $PlantOffset = -1
    )
    $count = [long][math]::Ceiling($Size / $WriteSize)
    & dd if=/dev/urandom of=$Path bs=$WriteSize count=$count iflag=fullblock status=none
    if ($LASTEXITCODE) { throw "dd failed writing $Path" }
    & truncate -s $Size $Path
    if ($Plant) {
        $fs = [IO.File]::OpenWrite($Path)
        try { $fs.Position = if ($PlantOffset -ge 0) { $PlantOffset } else { $Size - $Plant.Length }; $fs.Write($Plant, 0, $Plant.Length) } finally { $fs.Dispose() }
    }
    & cat $Path > /dev/null
    Get-Item -LiteralPath $Path
}

function Measure-Interleaved {
    <#
    Times each case -Rounds times, interleaved (a round runs every case once, so drift in the machine hits all of
    them alike), after one warm-up run of each, and returns an ordered table: case name -> best time in ms.
    Output of a case is discarded by assignment, as `$r = ...` would keep it (piping to Out-Null costs per object).
    #>
    param(
        [Parameter(Mandatory)] [System.Collections.Specialized.OrderedDictionary] $Case,
        [int] $Rounds = 7
    )
    $best = [ordered]@{}
    foreach ($k in $Case.Keys) { $null = & $Case[$k]; $best[$k] = [double]::MaxValue }
    for ($r = 0; $r -lt $Rounds; $r++) {
        foreach ($k in $Case.Keys) {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $null = & $Case[$k]
            $ms = $sw.Elapsed.TotalMilliseconds
            if ($ms -lt $best[$k]) { $best[$k] = $ms }
        }
    }
    $best
}

function Write-BenchRow {
    <#
    One figure: ours against a reference, the ratio ours/reference, and whether it meets -Target (the ratio must be
    at most the target; for a throughput row give -Higher and the ratio must be at least it). Returns an object too.
    #>
    param(
        [Parameter(Mandatory)] [string] $Work,
        [string] $Layout = '',
        [Parameter(Mandatory)] [string] $Ours,
        [Parameter(Mandatory)] [double] $OursValue,
        [Parameter(Mandatory)] [string] $Reference,
        [Parameter(Mandatory)] [double] $ReferenceValue,
        [double] $Target = 0,
        [string] $Unit = 'ms',
        [switch] $Higher
    )
    $ratio = if ($ReferenceValue -gt 0) { $OursValue / $ReferenceValue } else { [double]::NaN }
    $met = if ($Target -le 0) { '' } elseif ($Higher) { if ($ratio -ge $Target) { 'met' } else { 'MISSED' } } else { if ($ratio -le $Target) { 'met' } else { 'MISSED' } }
    $targetText = if ($Target -le 0) { '' } elseif ($Higher) { ">= $Target" } else { "<= $Target" }
    [pscustomobject]@{
        PSTypeName = 'MmapTools.BenchRow'
        Work = $Work; Layout = $Layout
        Ours = $Ours; OursValue = [math]::Round($OursValue, 2)
        Reference = $Reference; ReferenceValue = [math]::Round($ReferenceValue, 2)
        Unit = $Unit; Ratio = [math]::Round($ratio, 2); Target = $targetText; Result = $met
    }
}

Export-ModuleMember -Function Get-BenchLayout, New-BenchFile, Measure-Interleaved, Write-BenchRow
