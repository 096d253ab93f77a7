# Times Write-MappedBytes -Value with a byte[] that came from Read-MappedBytes (a PSObject-wrapped array)
# against a plain byte[]. Before ByteArrayTransformation the binder copied the wrapped array element by element
# (40 KB: 45 ms against 2.5 ms). Run after ./build.ps1:  pwsh -NoProfile -File bench/ValueBinding.ps1
param([int] $Size = 40000, [int] $Rounds = 50)
Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
$map = New-MemoryMap -Anonymous -Length $Size
try {
    $plain = [byte[]]::new($Size)
    $wrapped = Read-MappedBytes -Map $map -Count $Size
    $null = [psobject]::AsPSObject($wrapped)
    foreach ($case in @{ Name = 'plain byte[]'; Value = $plain }, @{ Name = 'byte[] from Read-MappedBytes'; Value = $wrapped }) {
        Write-MappedBytes -Map $map -Offset 0 -Value $case.Value -Confirm:$false -NoSync   # warm up
        $times = foreach ($i in 1..$Rounds) {
            (Measure-Command { Write-MappedBytes -Map $map -Offset 0 -Value $case.Value -Confirm:$false -NoSync }).TotalMilliseconds
        }
        $sorted = $times | Sort-Object
        '{0,-30} {1,6} bytes: median {2,7:N2} ms, best {3,7:N2} ms ({4} rounds)' -f $case.Name, $Size, $sorted[[int]($Rounds / 2)], $sorted[0], $Rounds
    }
} finally {
    Remove-MemoryMap -Map $map -Confirm:$false
}
