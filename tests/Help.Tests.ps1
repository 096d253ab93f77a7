#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Help for every exported command, as Pester's own tst/Help.Tests.ps1 checks it: found offline, a synopsis, a
# description, at least two examples with code and remarks, and every parameter described with its real type.
# Then every example is RUN as written, in an empty scratch folder, and must leave no map or shared memory behind.
# Nothing here names a cmdlet: commands added to the module are covered as they are exported.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
    $commands = foreach ($command in Get-Command -Module MmapTools -CommandType Cmdlet, Function) {
        @{
            Name       = $command.Name
            Parameters = @($command.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object)
        }
    }
    $examples = foreach ($command in $commands) {
        $i = 0
        foreach ($example in @((Get-Help $command.Name -Full).examples.example)) {
            $i++
            if ($null -eq $example) { continue }
            @{ Command = $command.Name; Index = $i; Title = ($example.title -replace '^-+\s*|\s*-+$', ''); Code = [string] $example.code }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
}

Describe 'Help for <Name>' -ForEach $commands {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
    }

    It 'is found offline in the generated MAML, not the syntax-only fallback' {
        $help.Name | Should -Be $Name
        $help.Category | Should -Be $command.CommandType.ToString()
        # Without a help file, Get-Help's synopsis is the syntax line and there is no description.
        $help.description | Should -Not -BeNullOrEmpty
    }

    It 'has a synopsis' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match ([regex]::Escape($Name) + '\s+\[')
    }

    It 'has a description' {
        ($help.description.Text -join "`n").Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples, each with code and remarks' {
        $list = @($help.examples.example)
        $list.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $list) {
            $example.code | Should -Not -BeNullOrEmpty
            ($example.remarks.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because "example '$($example.title)' should say what it shows"
        }
    }

    It 'has related links' {
        @($help.relatedLinks.navigationLink).Count | Should -BeGreaterThan 0
    }

    It 'describes -<_> with its real type and requiredness' -ForEach $Parameters {
        $parameter = $command.Parameters[$_]
        $parameterHelp = $help.parameters.parameter | Where-Object Name -EQ $_
        $parameterHelp | Should -Not -BeNullOrEmpty -Because "-$_ should be in the help"
        ($parameterHelp.Description.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because "-$_ should be described"
        $parameterHelp.type.name | Should -Be $parameter.ParameterType.FullName
        $mandatoryEverywhere = @($parameter.ParameterSets.Values | Where-Object { -not $_.IsMandatory }).Count -eq 0
        $parameterHelp.Required | Should -Be $mandatoryEverywhere.ToString().ToLowerInvariant()
    }

    It 'documents no parameter the command does not have' {
        $names = @($help.parameters.parameter.Name)
        $names | Where-Object { -not $command.Parameters.ContainsKey($_) } | Should -BeNullOrEmpty
    }
}

Describe 'about_MmapTools' {
    It 'is found by Get-Help and covers maps, access, msync, residency and the errors' {
        $about = Get-Help about_MmapTools | Out-String
        $about | Should -Match 'ACCESS MODES|Access modes'
        $about | Should -Match 'msync'
        $about | Should -Match 'Residency'
        $about | Should -Match 'PathNotFound'
    }
}

Describe 'Example <Index> of <Command> runs as written' -ForEach $examples {
    BeforeAll {
        $scratch = Join-Path $TestDrive "$Command-$Index"
        New-Item -ItemType Directory -Path $scratch | Out-Null
        $sharedBefore = @(Get-SharedMemory | ForEach-Object Name)
    }
    AfterAll {
        # Leave nothing for the next example, whatever happened.
        Get-MemoryMap | Remove-MemoryMap -Confirm:$false
        Get-SharedMemory | Where-Object Name -NotIn $sharedBefore | Remove-SharedMemory -Confirm:$false
    }

    It '<Title>' {
        Push-Location -LiteralPath $scratch
        try {
            $ErrorActionPreference = 'Stop'
            $output = & ([scriptblock]::Create($Code)) 6>&1 | Out-String
            Write-Verbose $output
        } finally {
            Pop-Location
        }
        Get-MemoryMap | Should -BeNullOrEmpty -Because 'an example removes the maps it makes'
        @(Get-SharedMemory | Where-Object Name -NotIn $sharedBefore).Name | Should -BeNullOrEmpty -Because 'an example removes the shared memory it makes'
    }
}
