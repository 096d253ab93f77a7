# The README's transcripts (```powershell blocks with "PS> " commands) run as written, in a fresh pwsh with the
# built module, and print what README.md shows. Regenerate them with ./build.ps1 -Task Readme.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../tools/ReadmeExamples.psm1') -Force
    $examples = @(Get-ReadmeExample -Path (Join-Path $PSScriptRoot '../README.md') | ForEach-Object {
        @{ Example = $_; Index = $_.Index; Line = $_.Line; First = $_.Commands[0].Text.Split("`n")[0] }
    })
}

Describe 'README transcript <Index> (line <Line>): <First>' -ForEach $examples {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot '../tools/ReadmeExamples.psm1') -Force
        $readme = (Resolve-Path (Join-Path $PSScriptRoot '../README.md')).Path
        $outputs = @(Invoke-ReadmeExample -Example $Example -Manifest (Join-Path $PSScriptRoot '../MmapTools.psd1') -Readme $readme)
    }

    It 'runs every command and prints what README.md shows' {
        $outputs.Count | Should -Be $Example.Commands.Count
        for ($c = 0; $c -lt $Example.Commands.Count; $c++) {
            $shown = [string[]] @($Example.Commands[$c].Output)
            $printed = [string[]] @($outputs[$c])
            $because = "README line $($Example.Line): PS> $($Example.Commands[$c].Text) printed:`n$($printed -join "`n")`n"
            if ($Example.Compare -eq 'run') {
                # Output that depends on the machine (every process on it): it runs, and prints something.
                ($printed -join '').Trim() | Should -Not -BeNullOrEmpty -Because $because
            } elseif ($Example.Compare -eq 'shape') {
                (ConvertTo-ReadmeShape $printed) -join "`n" | Should -Be ((ConvertTo-ReadmeShape $shown) -join "`n") -Because $because
            } else {
                $printed -join "`n" | Should -Be ($shown -join "`n") -Because $because
            }
            ($printed -join "`n") | Should -Not -Match 'Exception|is not recognized|ParameterBindingException' -Because $because
        }
    }

    It 'prints no line wider than 80 columns' {
        foreach ($o in $outputs) { foreach ($line in $o) { $line.Length | Should -BeLessOrEqual 80 -Because "'$line'" } }
    }
}

Describe 'README code blocks that are not transcripts' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
        $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../README.md')
        $blocks = [regex]::Matches($readme, '(?ms)^```powershell\n(.*?)^```') | ForEach-Object { $_.Groups[1].Value } |
            Where-Object { $_ -notmatch '(?m)^PS> ' }
    }

    It 'parse, and call MmapTools cmdlets only with parameters they have' {
        $blocks.Count | Should -BeGreaterThan 0
        $cmdlets = Get-Command -Module MmapTools
        foreach ($block in $blocks) {
            $tokens = $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($block, [ref] $tokens, [ref] $errors)
            $errors | Should -BeNullOrEmpty -Because $block
            $calls = $ast.FindAll({ param($a) $a -is [System.Management.Automation.Language.CommandAst] }, $true)
            foreach ($call in $calls) {
                $name = $call.GetCommandName()
                $cmdlet = $cmdlets | Where-Object Name -EQ $name
                if (-not $cmdlet) { continue }
                foreach ($p in $call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                    $known = @($cmdlet.Parameters.Keys) + @($cmdlet.Parameters.Values | ForEach-Object Aliases)
                    $matching = @($known | Where-Object { $_ -like "$($p.ParameterName)*" })
                    $matching.Count | Should -BeGreaterThan 0 -Because "$name has no parameter -$($p.ParameterName) ($($call.Extent.Text))"
                }
            }
        }
    }
}
