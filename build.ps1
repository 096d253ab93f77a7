#requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, benchmarks and cleans MmapTools.
.DESCRIPTION
    Build  (default)  compiles the module into ./bin, so that `Import-Module ./MmapTools.psd1` works; the build also
                      generates the MAML help and about_MmapTools (bin/en-US, en-US) from docs/.
    Test              builds and packages, runs the xunit tests (the engine, and the module's contract and package)
                      and the Pester suite (tests/*.Tests.ps1), and prints one line "N passed, N failed, N skipped"
                      for both together.
    Stress            the reliability tier: the full counts of the xunit tests tagged Category=Stress (1,000
                      truncation rounds, 8 threads x 10,000 operations, 100 SIGKILL rounds of each kind, ...) and
                      the Pester tests tagged Stress; prints the figures each test reports. Test runs the rest,
                      which includes a smaller slice of the same tests.
    Package           stages the module as out/MmapTools/<version>/ (manifest with ReleaseNotes from CHANGELOG.md,
                      bin/, en-US help, LICENSE, README, CHANGELOG) and packs out/MmapTools.<version>.nupkg, which
                      Publish-Module, Publish-PSResource and Install-PSResource accept.
    Bench             builds, then runs bench/Performance.Bench.ps1: every performance row at the pwsh level, side by
                      side with its reference (fincore, vmtouch, cat of smaps, memcpy, FileStream), on files written
                      4 MiB, 1 MiB and 4 KiB at a time, with ratios and targets. -BenchArgument Map,Vma runs only
                      those rows; -BenchArgument typed runs bench/TypedData.Bench.ps1; -BenchArgument engine (with a C#
                      benchmark's name: find, seed, random-read, pagecache, vma) runs the C# engine benchmarks.
    Readme            builds, then runs every transcript of README.md (PS> commands) in a fresh pwsh and writes
                      what each command prints into README.md (tests/Readme.Tests.ps1 checks it stays true).
    Clean             removes ./bin, ./out and the projects' obj/bin folders.
    Needs only the .NET SDK (10 or later) and pwsh 7.4+. When no Pester 5 is installed, Test and Stress fetch the pinned Pester 5.7.1 from NuGet.
.EXAMPLE
    ./build.ps1
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Package
.EXAMPLE
    ./build.ps1 -Task Stress
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Stress', 'Package', 'Bench', 'Readme', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Extra arguments for the benchmark program (Bench only), e.g. -BenchArgument 'seed'.
    [string[]] $BenchArgument = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$PesterVersion = '5.7.1'   # the Pester that tools/Pester/Pester.Download.csproj fetches when no Pester 5 is installed

function Invoke-DotNet {
    # A simple function (no [Parameter()]), so PowerShell passes every argument through as it is: an advanced
    # function would take `-o` as an abbreviation of -OutVariable/-OutBuffer and drop a `--`.
    $arguments = [string[]] $args
    Write-Host "> dotnet $($arguments -join ' ')" -ForegroundColor DarkGray
    & dotnet @arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($arguments[0]) failed with exit code $LASTEXITCODE." }
}

function Invoke-Build {
    if (-not (Get-Command dotnet -ErrorAction Ignore)) {
        throw 'The .NET SDK is not on PATH. Install .NET SDK 10 (https://dot.net) and run again.'
    }
    Invoke-DotNet build "$root/src/MmapTools/MmapTools.csproj" -c $Configuration -o "$root/bin" -warnaserror
    Write-Host "Built: Import-Module $root/MmapTools.psd1" -ForegroundColor Green
}

function Get-Pester5 {
    <# Pester 5 (5.5 or later) if one is installed, else the pinned Pester 5.7.1 from NuGet (no gallery needed). #>
    $pester = Get-Module -ListAvailable -Name Pester | Where-Object Version -GE ([version] '5.5.0') |
        Where-Object Version -LT ([version] '6.0.0') | Sort-Object Version -Descending | Select-Object -First 1
    if ($pester) { return $pester }
    $project = Join-Path $root 'tools/Pester/Pester.Download.csproj'
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $manifest = Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path -LiteralPath $manifest)) {
        Write-Host "Pester 5 is not installed: fetching Pester $PesterVersion from NuGet (dotnet restore $project)."
        & dotnet restore $project -nologo -v quiet | Out-Host
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $manifest)) {
            throw "Pester $PesterVersion could not be fetched from NuGet (dotnet restore $project). Install Pester 5 yourself (Install-PSResource Pester -Version 5.7.1) and run again."
        }
    } else {
        Write-Host "Pester 5 is not installed: using Pester $PesterVersion from the NuGet package folder ($manifest)."
    }
    Test-ModuleManifest -Path $manifest -ErrorAction Stop
}

function Invoke-Test {
    Invoke-Build
    $results = Join-Path $root 'out/test-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }

    # 1. xunit: the engine against the real kernel, and the module's contract (tests/MmapTools.Module.Tests,
    #    which also checks the package: pack first so it tests this build's package).
    Invoke-Package
    & dotnet test "$root/MmapTools.sln" -c $Configuration --filter 'Category!=Stress' `
        --logger 'trx;LogFilePrefix=xunit' --logger 'console;verbosity=normal' --results-directory $results
    $xunitExit = $LASTEXITCODE
    $passed = 0; $failed = 0; $skipped = 0
    $trxFiles = @(Get-ChildItem -Path $results -Filter *.trx -Recurse -ErrorAction Ignore)
    foreach ($trx in $trxFiles) {
        $counters = ([xml] (Get-Content -Raw $trx.FullName)).TestRun.ResultSummary.Counters
        $passed += [int] $counters.passed
        $failed += [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
        $skipped += [int] $counters.notExecuted
    }
    if ($trxFiles.Count -eq 0 -and $xunitExit -ne 0) {
        Write-Warning "dotnet test failed ($xunitExit) before reporting results."
        $failed += 1
    }

    # 2. Pester: every cmdlet end to end, in a fresh pwsh so the module loads as a user's would.
    $pesterResult = Invoke-PesterSuite -ResultPath (Join-Path $results 'pester.xml')
    if ($null -eq $pesterResult) {
        $failed += 1
    } else {
        $passed += $pesterResult.Passed
        $failed += $pesterResult.Failed
        $skipped += $pesterResult.Skipped
    }

    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-PesterSuite {
    <# Runs tests/*.Tests.ps1 in a fresh pwsh: without -Stress every test but those tagged Stress, with -Stress only those. #>
    param([Parameter(Mandatory)] [string] $ResultPath, [switch] $Stress)
    $pester = Get-Pester5
    $summary = "$ResultPath.summary.json"
    if (Test-Path -LiteralPath $summary) { Remove-Item -LiteralPath $summary }
    $arguments = @('-PesterPath', $pester.Path, '-ResultPath', $ResultPath, '-SummaryPath', $summary)
    if ($Stress) { $arguments += '-StressOnly' }
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $root 'tools/Invoke-PesterSuite.ps1') @arguments | Out-Host
    if (-not (Test-Path -LiteralPath $summary)) {
        Write-Warning "The Pester run did not report its results (exit code $LASTEXITCODE)."
        return $null
    }
    Get-Content -Raw -LiteralPath $summary | ConvertFrom-Json
}

function Invoke-Stress {
    <#
        The reliability tier: xunit tests tagged Category=Stress and Pester tests tagged Stress, at the full counts of
        issue 6. Each prints its figures (rounds survived, operations, errors by id, bytes lost); they are collected
        in out/reliability/figures.txt and printed at the end.
    #>
    Invoke-Build
    $results = Join-Path $root 'out/stress-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    $figures = Join-Path $root 'out/reliability/figures.txt'
    if (Test-Path $figures) { Remove-Item $figures -Force }
    $failed = 0
    & dotnet test "$root/MmapTools.sln" -c $Configuration --filter 'Category=Stress' `
        --logger 'trx;LogFilePrefix=stress' --logger 'console;verbosity=detailed' --results-directory $results
    if ($LASTEXITCODE -ne 0) { $failed += 1 }
    $pesterResult = Invoke-PesterSuite -ResultPath (Join-Path $results 'pester-stress.xml') -Stress
    if ($null -eq $pesterResult -or $pesterResult.Failed -gt 0) { $failed += 1 }
    if (Test-Path $figures) {
        Write-Host 'Reliability figures:' -ForegroundColor Green
        Get-Content $figures | ForEach-Object { Write-Host "  $_" }
    }
    if ($failed -gt 0) { Write-Host 'The stress tier failed.' -ForegroundColor Red; exit 1 }
    Write-Host 'The stress tier passed.' -ForegroundColor Green
}

function Invoke-Package {
    # Everything is in packaging/MmapTools.Package.csproj, so CI can pack and check the package without pwsh.
    Invoke-DotNet pack "$root/packaging/MmapTools.Package.csproj" -c $Configuration -o "$root/out"
    $version = (Import-PowerShellDataFile "$root/MmapTools.psd1").ModuleVersion
    $folder = Join-Path $root "out/MmapTools/$version"
    $manifest = Test-ModuleManifest -Path (Join-Path $folder 'MmapTools.psd1') -ErrorAction Stop
    Write-Host "Module folder: $folder ($($manifest.ExportedCmdlets.Count) cmdlets)" -ForegroundColor Green
    Write-Host "Package:       $(Join-Path $root "out/MmapTools.$version.nupkg")" -ForegroundColor Green
    Write-Host "Publish with:  Publish-PSResource -Path $folder -Repository <name> -ApiKey <key>   (or Publish-Module -Path $folder)"
}

function Invoke-Bench {
    # No argument: every pwsh-level performance row (bench/Performance.Bench.ps1, what a user sees) on a fresh build.
    # 'typed': bench/TypedData.Bench.ps1. 'engine' [names]: the C# engine benchmarks (bench/MmapTools.Bench).
    # Names of bench/perf/*.Bench.ps1 (Map, Vma, Residency, Calls): only those rows.
    # 'vma' alone is the pwsh-level Vma rows; the engine's vma benchmark is 'engine vma'.
    $engineNames = 'engine', 'find', 'seed', 'random-read', 'pagecache', '--list'
    if ($BenchArgument | Where-Object { $_ -in $engineNames }) {
        Invoke-DotNet run -c Release --project "$root/bench/MmapTools.Bench/MmapTools.Bench.csproj" '--' @($BenchArgument | Where-Object { $_ -ne 'engine' })
        return
    }
    Invoke-Build
    $pwsh = Join-Path $PSHOME 'pwsh'
    if ($BenchArgument -contains 'typed') {
        & $pwsh -NoProfile -NonInteractive -File "$root/bench/TypedData.Bench.ps1"
        return
    }
    $only = @($BenchArgument | Where-Object { $_ })
    if ($only) {
        & $pwsh -NoProfile -NonInteractive -File "$root/bench/Performance.Bench.ps1" -Only $only
    } else {
        & $pwsh -NoProfile -NonInteractive -File "$root/bench/Performance.Bench.ps1"
    }
}

function Invoke-Clean {
    foreach ($dir in 'bin', 'out') {
        $p = Join-Path $root $dir
        if (Test-Path $p) { Remove-Item $p -Recurse -Force }
    }
    $generatedHelp = Join-Path $root 'en-US'
    if (Test-Path $generatedHelp) { Remove-Item $generatedHelp -Recurse -Force }
    Get-ChildItem -Path (Join-Path $root 'src'), (Join-Path $root 'tests'), (Join-Path $root 'bench'), (Join-Path $root 'tools'), (Join-Path $root 'packaging') -Directory -Recurse -Include bin, obj -ErrorAction Ignore |
        Remove-Item -Recurse -Force
    Write-Host 'Clean.'
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Stress' { Invoke-Stress }
    'Package' { Invoke-Build; Invoke-Package }
    'Bench' { Invoke-Bench }
    'Readme' { Invoke-Build; & (Join-Path $root 'tools/Update-Readme.ps1') }
    'Clean' { Invoke-Clean }
}
