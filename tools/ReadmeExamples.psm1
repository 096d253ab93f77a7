# The README's transcripts, run for real.
#
# A transcript is a ```powershell block of README.md whose commands start with "PS> " (continued on lines starting
# with ">> "); the lines after a command, up to the next command, are its output as pwsh prints it at 80 columns.
# Lines starting with "#" between commands are comments. An HTML comment right before the block may give hidden
# code:   <!-- example setup: <pwsh code> -->   runs first,   <!-- example cleanup: <pwsh code> -->   runs last,
# and     <!-- example compare: shape -->   marks output that changes from run to run (process ids, addresses,
# sizes): the test then compares it with numbers and spacing left out, line order ignored; and
#         <!-- example compare: run -->   marks output that depends on the whole machine (every process on it): the
# test checks that each command runs, prints something, and fits 80 columns.
#
# Each transcript runs in a fresh pwsh ($PSHOME/pwsh, -NoProfile) in a temporary folder holding a copy of README.md,
# with the built module imported, as a newcomer would run it. tools/Update-Readme.ps1 (build.ps1 -Task Readme)
# writes the outputs into README.md; tests/Readme.Tests.ps1 checks that README.md still shows what they print.

Set-StrictMode -Version Latest

function Get-ReadmeExample {
    <# The transcripts of a README: Index, Line (1-based line of the opening fence), Setup, Cleanup, Compare,
       Commands (each: Text, Output (string[]), Comment (string[], the comment lines before it)). #>
    param([Parameter(Mandatory)] [string] $Path)
    $lines = [IO.File]::ReadAllLines($Path)
    $examples = [System.Collections.Generic.List[object]]::new()
    for ($i = 0; $i -lt $lines.Count; $i++) {
        if ($lines[$i] -ne '```powershell') { continue }
        $end = $i + 1
        while ($end -lt $lines.Count -and $lines[$end] -ne '```') { $end++ }
        $body = $lines[($i + 1)..($end - 1)]
        if (-not ($body | Where-Object { $_ -like 'PS> *' })) { $i = $end; continue }
        $meta = @{ setup = ''; cleanup = ''; compare = 'exact' }
        $j = $i - 1
        while ($j -ge 0 -and $lines[$j] -match '^<!-- example (setup|cleanup|compare): (.*) -->$') {
            $meta[$Matches[1]] = $Matches[2]
            $j--
        }
        $commands = [System.Collections.Generic.List[object]]::new()
        $comments = [System.Collections.Generic.List[string]]::new()
        $current = $null
        foreach ($line in $body) {
            if ($line -like 'PS> *') {
                $current = [pscustomobject]@{ Text = $line.Substring(4); Output = [System.Collections.Generic.List[string]]::new(); Comment = @($comments) }
                $commands.Add($current)
                $comments.Clear()
            } elseif ($line -like '>> *' -and $null -ne $current -and $current.Output.Count -eq 0) {
                $current.Text += "`n" + $line.Substring(3)
            } elseif ($line -like '#*') {
                $comments.Add($line)
            } elseif ($null -ne $current) {
                $current.Output.Add($line)
            }
        }
        $examples.Add([pscustomobject]@{
            Index = $examples.Count + 1; Line = $i + 1; End = $end + 1
            Setup = $meta.setup; Cleanup = $meta.cleanup; Compare = $meta.compare
            Commands = $commands.ToArray()
        })
        $i = $end
    }
    $examples.ToArray()
}

function Invoke-ReadmeExample {
    <# Runs one transcript in a fresh pwsh; returns the output of each command (string[] per command). #>
    param([Parameter(Mandatory)] $Example, [Parameter(Mandatory)] [string] $Manifest, [Parameter(Mandatory)] [string] $Readme)
    $work = Join-Path ([IO.Path]::GetTempPath()) "mmaptools-readme-$PID-$($Example.Index)"
    if (Test-Path -LiteralPath $work) { Remove-Item -LiteralPath $work -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $work
    Copy-Item -LiteralPath $Readme -Destination (Join-Path $work 'README.md')
    $spec = [pscustomobject]@{
        Manifest = $Manifest; Work = $work; Setup = $Example.Setup; Cleanup = $Example.Cleanup
        Commands = @($Example.Commands | ForEach-Object Text)
    }
    $specFile = Join-Path $work '.example.json'
    $spec | ConvertTo-Json -Depth 3 | Set-Content -LiteralPath $specFile
    $runner = {
        param($SpecFile)
        $spec = Get-Content -Raw -LiteralPath $SpecFile | ConvertFrom-Json
        Remove-Item -LiteralPath $SpecFile -Force
        Set-Location -LiteralPath $spec.Work
        Import-Module $spec.Manifest
        if ($spec.Setup) { $null = Invoke-Expression $spec.Setup }
        $outputs = [System.Collections.Generic.List[object]]::new()
        foreach ($command in $spec.Commands) {
            $text = try { . ([scriptblock]::Create($command)) 2>&1 | Out-String -Width 80 } catch { $_ | Out-String -Width 80 }
            $outputs.Add([string[]] @(($text -replace '\r', '').TrimEnd("`n").Split("`n") | ForEach-Object TrimEnd))
        }
        if ($spec.Cleanup) { $null = Invoke-Expression $spec.Cleanup }
        '<<<README-EXAMPLE>>>' + (ConvertTo-Json -InputObject $outputs.ToArray() -Depth 3 -Compress)
    }
    try {
        $raw = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command $runner -args $specFile 2>&1 | Out-String
        $marker = $raw.LastIndexOf('<<<README-EXAMPLE>>>')
        if ($env:MMAPTOOLS_README_DEBUG) { Write-Host $raw }
        if ($marker -lt 0) { throw "README example $($Example.Index) (line $($Example.Line)) did not finish:`n$raw" }
        $json = $raw.Substring($marker + 20).Split("`n")[0]
        $parsed = ConvertFrom-Json -InputObject $json -NoEnumerate
        foreach ($o in $parsed) {
            $lines = @($o)
            # Out-String puts a blank line before a table or list; pwsh prints it, but the transcript starts at the header.
            $first = 0
            while ($first -lt $lines.Count -and $lines[$first] -eq '') { $first++ }
            , [string[]] @(if ($first -lt $lines.Count) { $lines[$first..($lines.Count - 1)] })
        }
    } finally {
        Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore
    }
}

function ConvertTo-ReadmeShape {
    <# Output that changes from run to run, with numbers and spacing left out and line order ignored. #>
    param([string[]] $Lines)
    @($Lines | Where-Object { $_ -ne '' } |
        ForEach-Object { ($_ -replace '(0x)?[0-9a-fA-F]*[0-9][0-9a-fA-F]*', '#' -replace '#(\.#)? (B|KiB|MiB|GiB|TiB)\b', '# size' -replace '[-─]{2,}', '--' -replace '\s+', ' ').Trim() } |
        Sort-Object)
}

Export-ModuleMember -Function Get-ReadmeExample, Invoke-ReadmeExample, ConvertTo-ReadmeShape
