#requires -Version 7.4
<#
.SYNOPSIS
    Runs the Pester suite (tests/*.Tests.ps1) and writes its counts to -SummaryPath as JSON. build.ps1 runs this in a
    fresh pwsh, so the module loads as a user's would and the run's output streams to the console.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [switch] $StressOnly
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$config = New-PesterConfiguration
$config.Run.Path = Join-Path $PSScriptRoot '../tests'
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$config.TestResult.Enabled = $true
$config.TestResult.OutputPath = $ResultPath
$config.TestResult.OutputFormat = 'NUnitXml'
if ($StressOnly) { $config.Filter.Tag = 'Stress' } else { $config.Filter.ExcludeTag = 'Stress' }
$r = Invoke-Pester -Configuration $config
[pscustomobject]@{
    Passed  = $r.PassedCount
    # A failed block (BeforeAll, AfterAll) or container (a file that does not load) fails the run too.
    Failed  = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount
    Skipped = $r.SkippedCount + $r.NotRunCount
} | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
