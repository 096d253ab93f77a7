#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# The module as PowerShell sees it: the manifest, format and type data, argument completion.

BeforeAll {
    $manifestPath = Join-Path $PSScriptRoot '../MmapTools.psd1'
    Import-Module $manifestPath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

AfterAll {
    Get-MemoryMap | Remove-MemoryMap -Confirm:$false
}

Describe 'The manifest' {
    It 'passes Test-ModuleManifest' {
        $info = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
        $info.Name | Should -Be 'MmapTools'
        $info.Version | Should -Be (Import-PowerShellDataFile $manifestPath).ModuleVersion
        $info.ExportedCmdlets.Keys | Sort-Object | Should -Be ((Get-Command -Module MmapTools -CommandType Cmdlet).Name | Sort-Object)
        $info.PrivateData.PSData.Tags | Should -Contain 'Linux'
        $info.LicenseUri | Should -Not -BeNullOrEmpty
    }

    It 'loads its format and type files' {
        $module = Get-Module MmapTools
        $module.ExportedFormatFiles | Should -Not -BeNullOrEmpty
        $module.ExportedTypeFiles | Should -Not -BeNullOrEmpty
        $module.ExportedFormatFiles + $module.ExportedTypeFiles | ForEach-Object { $_ | Should -Exist }
    }
}

Describe 'Formats and types' {
    BeforeAll {
        $file = New-TestFile 'fmt.bin' (New-Pattern 5000)
        $map = New-MemoryMap -Path $file
    }
    AfterAll { $map | Remove-MemoryMap -Confirm:$false }

    It 'shows a map with a readable size, its hex address in the list, keeping the raw numbers' {
        $table = $map | Format-Table | Out-String
        $table | Should -Match '4.9 KiB'
        $list = $map | Format-List | Out-String
        $list | Should -Match '\(5000 bytes\)'
        $list | Should -Match ('0x{0:x16}' -f $map.Address)
        ($map | Select-Object *).Length | Should -Be 5000
        $map.AddressHex | Should -Be ('0x{0:x16}' -f $map.Address)
        $map.LengthText | Should -Be '4.9 KiB'
    }

    It 'shows a WriteResult with hex bytes, and ToString says what happened' {
        $target = New-TestFile 'w.bin' ([byte[]](0..15))
        $result = Write-MappedBytes -Path $target -Offset 2 -Hex 'AA BB' -PassThru
        ($result | Format-Table | Out-String) | Should -Match '02 03\s+AA BB'
        $result.OldHex | Should -Be '02 03'
        "$result" | Should -Match '02 03 -> AA BB'
    }

    It 'formats deserialized objects (remoting, jobs, Import-Clixml) with the same views' {
        $back = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($map))
        $back.pstypenames[0] | Should -Be 'Deserialized.MmapTools.MemoryMap'
        ($back | Format-Table | Out-String) | Should -Be ($map | Format-Table | Out-String)
        ($back | Format-List | Out-String) | Should -Be ($map | Format-List | Out-String)
        $rows = Read-MappedBytes -Map $map -Count 32 -AsHex
        $rowsBack = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($rows))
        ($rowsBack | Format-Table | Out-String) | Should -Be ($rows | Format-Table | Out-String)
    }

    It 'has a table view for every output type of every cmdlet' {
        $views = Get-FormatData -TypeName '*MmapTools.*' -PowerShellVersion $PSVersionTable.PSVersion
        $selected = $views.TypeNames
        $types = Get-Command -Module MmapTools | ForEach-Object OutputType | ForEach-Object Name | Where-Object { $_ -like 'MmapTools.*' } | Sort-Object -Unique
        foreach ($type in $types) {
            $selected | Should -Contain $type
            $selected | Should -Contain "Deserialized.$type"
        }
    }
}

Describe 'Argument completion' {
    BeforeAll {
        $map = New-MemoryMap -Anonymous -Length 4096
        function Complete([string] $line) { (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches }
    }
    AfterAll { $map | Remove-MemoryMap -Confirm:$false }

    It 'completes map ids with a tooltip describing the map, on every -Id of a map' {
        foreach ($command in 'Get-MemoryMap', 'Read-MappedBytes', 'Write-MappedBytes', 'Sync-MemoryMap', 'Remove-MemoryMap') {
            $match = Complete "$command -Id " | Where-Object CompletionText -EQ "$($map.Id)"
            $match | Should -Not -BeNullOrEmpty -Because "$command -Id completes open map ids"
            $match.ToolTip | Should -Match 'anonymous'
        }
    }

    It 'completes encodings' {
        (Complete 'Read-MappedBytes -Id 1 -AsString -Encoding utf').CompletionText | Should -Contain 'utf8'
        (Complete 'Write-MappedBytes -Id 1 -Offset 0 -String x -Encoding lat').CompletionText | Should -Be 'latin1'
    }

    It 'completes enum values natively' {
        (Complete 'New-MemoryMap -Path x -Access ').CompletionText | Sort-Object | Should -Be @('CopyOnWrite', 'ReadOnly', 'ReadWrite')
        (Complete 'Get-MemoryMap -Kind Sh').CompletionText | Should -Be 'SharedMemory'
    }

    It 'completes shared-memory names' {
        $name = "mmaptools-pester-complete-$PID"
        New-MemoryMap -Name $name -Size 4096 | Remove-MemoryMap
        try {
            (Complete "Remove-SharedMemory -Name mmaptools-pester-complete-").CompletionText | Should -Contain $name
        } finally {
            Remove-SharedMemory -Name $name
        }
    }

    It 'has process completers ready for process cmdlets' {
        $completer = [MmapTools.Commands.ProcessIdCompleter]::new()
        $results = $completer.CompleteArgument('Get-ProcessVma', 'Id', "$PID", $null, @{})
        $results.CompletionText | Should -Contain "$PID"
        # This shell's own name: pwsh, or dotnet when it runs as `dotnet pwsh`.
        $self = (Get-Process -Id $PID).ProcessName
        $names = [MmapTools.Commands.ProcessNameCompleter]::new().CompleteArgument('Get-ProcessVma', 'Name', $self.Substring(0, 3), $null, @{})
        $names.CompletionText | Should -Contain $self
    }
}
