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

function ConvertTo-TestHex {
    <#
        Bytes as one hex string ('0A1B...'), so that `Should -Be` compares byte arrays exactly and shows where they
        differ: Read-MappedBytes writes one byte[] to the pipeline (not its elements), which Should -Be would compare
        as a single object against an expected list of numbers.
    #>
    param([AllowNull()] [AllowEmptyCollection()] [object] $Bytes)
    if ($null -eq $Bytes) { return $null }
    if ($Bytes -is [System.Management.Automation.PSObject]) { $Bytes = $Bytes.psobject.BaseObject }
    [Convert]::ToHexString([byte[]] @($Bytes))
}

function Get-PwshForOtherUser {
    <#
        A pwsh, and a copy of the built module, that another user (setpriv --reuid=65534) can read and run: pwsh
        from the NuGet package folder lives under /root (mode 0700), and a clone may too. $PSHOME is copied once per
        PowerShell version into a world-readable folder under /tmp (reused by later runs); the module (manifest,
        bin/, en-US/) into $TestDrive, made readable.
        Returns @{ Pwsh = <path of pwsh>; Manifest = <path of MmapTools.psd1> }.
    #>
    $tmp = [IO.Path]::GetTempPath()
    $home_ = Join-Path $tmp "mmaptools-pwsh-$($PSVersionTable.PSVersion)"
    $pwsh = Join-Path $home_ 'pwsh'
    if (-not (Test-Path -LiteralPath (Join-Path $home_ '.complete'))) {
        $staging = Join-Path $tmp "mmaptools-pwsh-staging-$PID"
        $null = New-Item -ItemType Directory -Force -Path $staging
        Copy-Item -Path (Join-Path $PSHOME '*') -Destination $staging -Recurse -Force
        chmod -R 'a+rX' $staging
        chmod 'a+rx' (Join-Path $staging 'pwsh')
        $null = New-Item -ItemType File -Path (Join-Path $staging '.complete')
        if (Test-Path -LiteralPath $home_) { Remove-Item -LiteralPath $home_ -Recurse -Force }
        Move-Item -LiteralPath $staging -Destination $home_
    }
    $module = Join-Path $TestDrive "module-for-other-user-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Force -Path $module
    $repo = Split-Path -Parent $PSScriptRoot
    Copy-Item -LiteralPath (Join-Path $repo 'MmapTools.psd1') -Destination $module
    foreach ($folder in 'bin', 'en-US') {
        $from = Join-Path $repo $folder
        if (Test-Path -LiteralPath $from) { Copy-Item -LiteralPath $from -Destination $module -Recurse -Force }
    }
    # Every folder from / down to the module must be searchable by the other user.
    chmod -R 'a+rX' $module
    $dir = Split-Path -Parent $module
    while ($dir -and $dir -ne '/') { chmod 'a+x' $dir; $dir = Split-Path -Parent $dir }
    @{ Pwsh = $pwsh; Manifest = (Join-Path $module 'MmapTools.psd1') }
}

Export-ModuleMember -Function New-TestFile, New-Pattern, Get-ErrorIdFor, ConvertTo-TestHex, Get-PwshForOtherUser
