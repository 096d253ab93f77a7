#requires -Version 7.4
<#
.SYNOPSIS
    Runs every transcript of README.md (```powershell blocks with "PS> " commands) in a fresh pwsh with the built
    module, and writes what each command printed (80 columns) into README.md under it.
.DESCRIPTION
    Build first (./build.ps1); ./build.ps1 -Task Readme does both. tests/Readme.Tests.ps1 checks that README.md
    still shows what the commands print. See tools/ReadmeExamples.psm1 for the transcript format.
#>
[CmdletBinding()]
param([string] $Readme = (Join-Path $PSScriptRoot '../README.md'))
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ReadmeExamples.psm1') -Force
$Readme = (Resolve-Path -LiteralPath $Readme).Path
$manifest = Join-Path (Split-Path -Parent $Readme) 'MmapTools.psd1'
$lines = [System.Collections.Generic.List[string]]::new([IO.File]::ReadAllLines($Readme))
# From the last block to the first, so that line numbers of the blocks not yet rewritten stay valid.
foreach ($example in (Get-ReadmeExample -Path $Readme | Sort-Object Line -Descending)) {
    Write-Host "README example $($example.Index) (line $($example.Line)): $($example.Commands.Count) command(s)"
    $outputs = @(Invoke-ReadmeExample -Example $example -Manifest $manifest -Readme $Readme)
    $body = [System.Collections.Generic.List[string]]::new()
    for ($c = 0; $c -lt $example.Commands.Count; $c++) {
        $command = $example.Commands[$c]
        foreach ($comment in $command.Comment) { $body.Add($comment) }
        $textLines = $command.Text.Split("`n")
        $body.Add("PS> $($textLines[0])")
        foreach ($more in $textLines | Select-Object -Skip 1) { $body.Add(">> $more") }
        foreach ($out in $outputs[$c]) { $body.Add($out) }
    }
    # Lines between the opening fence (Line) and the closing fence (End), both 1-based.
    $lines.RemoveRange($example.Line, $example.End - $example.Line - 1)
    $lines.InsertRange($example.Line, $body)
}
[IO.File]::WriteAllLines($Readme, $lines)
Write-Host "Updated $Readme"
