# Shared helpers for the Pester suite. Import-Module this after the module under test.

function New-TestFile {
    <# Writes bytes to a file under $TestDrive and returns its full path. #>
    param([Parameter(Mandatory)] [string] $Name, [byte[]] $Bytes = [byte[]]::new(0))
    $path = Join-Path $TestDrive $Name
    [System.IO.File]::WriteAllBytes($path, $Bytes)
    $path
}

function New-Pattern {
    <# Deterministic bytes: byte i is (i * 31 + 7) mod 256, as the xunit tests use. #>
    param([Parameter(Mandatory)] [int] $Length)
    $b = [byte[]]::new($Length)
    for ($i = 0; $i -lt $Length; $i++) { $b[$i] = [byte](($i * 31 + 7) % 256) }
    , $b
}

function Get-ErrorIdFor {
    <# The FullyQualifiedErrorId a cmdlet gives an error id: '<Id>,MmapTools.Commands.<Verb><Noun>Command'. #>
    param([Parameter(Mandatory)] [string] $Id, [Parameter(Mandatory)] [string] $Command)
    "$Id,MmapTools.Commands.$($Command -replace '-', '')Command"
}

Export-ModuleMember -Function New-TestFile, New-Pattern, Get-ErrorIdFor
