#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# End-to-end tests of the live-map cmdlets: Set-MemoryMap (protection, advice), Lock-MemoryMap, Unlock-MemoryMap,
# and New-MemoryMap -HugePages. The effect is read back from /proc/self/smaps, and through Get-ProcessVma where
# the module has it.

BeforeDiscovery {
    # The -Skip conditions below are evaluated during discovery, so the module must be loaded by then:
    # Get-ProcessVma (another area of the module) is used to show the effect where the module has it.
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:page = [Environment]::SystemPageSize

    function Get-SmapsEntry {
        <# The /proc/self/smaps entry holding an address: Perms, VmFlags, and the kB fields. #>
        param([Parameter(Mandatory)] [uint64] $Address)
        $lines = Get-Content -LiteralPath '/proc/self/smaps'
        for ($i = 0; $i -lt $lines.Count; $i++) {
            if ($lines[$i] -match '^([0-9a-f]+)-([0-9a-f]+) (\S+)') {
                $start = [Convert]::ToUInt64($Matches[1], 16)
                $end = [Convert]::ToUInt64($Matches[2], 16)
                if ($Address -ge $start -and $Address -lt $end) {
                    $entry = @{ Perms = $Matches[3]; VmFlags = @() }
                    for ($j = $i + 1; $j -lt $lines.Count -and $lines[$j] -notmatch '^[0-9a-f]+-[0-9a-f]+ '; $j++) {
                        if ($lines[$j] -match '^(\w+):\s+(\d+) kB') { $entry[$Matches[1]] = [long]$Matches[2] }
                        elseif ($lines[$j] -match '^VmFlags:\s*(.*)$') { $entry.VmFlags = $Matches[1].Trim() -split '\s+' }
                    }
                    return [pscustomobject]$entry
                }
            }
        }
    }
}

AfterAll {
    Get-MemoryMap | Remove-MemoryMap -Confirm:$false
}

Describe 'Set-MemoryMap -Protection' {
    BeforeEach {
        $script:content = New-Pattern (3 * $page)
        $script:file = New-TestFile 'prot.bin' $content
    }
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'None makes reads and writes clean errors, never a crash' {
        $map = New-MemoryMap -Path $file -Access ReadWrite
        $out = Set-MemoryMap -Map $map -Protection None -PassThru
        $out.Id | Should -Be $map.Id
        $map.Protection | Should -Be 'None'
        (Get-SmapsEntry $map.Address).Perms | Should -Be '---s'
        { Read-MappedBytes -Map $map -Count 4 -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor MapAccessFault Read-MappedBytes)
        { Write-MappedBytes -Map $map -Offset 0 -Hex 'FF' -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor MapAccessFault Write-MappedBytes)

        $map | Set-MemoryMap -Protection ReadWrite
        (Read-MappedBytes -Map $map -Count 16) | Should -Be $content[0..15]
    }

    It 'ReadOnly refuses writes to a read-write map; the file keeps its bytes' {
        $map = New-MemoryMap -Path $file -Access ReadWrite
        Set-MemoryMap -Map $map -Protection ReadOnly
        (Get-SmapsEntry $map.Address).Perms | Should -Be 'r--s'
        { Write-MappedBytes -Map $map -Offset 5 -Hex 'FF' -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor MapAccessFault Write-MappedBytes)
        ConvertTo-TestHex ([IO.File]::ReadAllBytes($file)) | Should -BeExactly (ConvertTo-TestHex $content)
    }

    It 'changes only the pages a range touches' {
        $map = New-MemoryMap -Anonymous -Length (4 * $page)
        Set-MemoryMap -Map $map -Protection None -Offset ($page + 10) -Count 5
        (Get-SmapsEntry $map.Address).Perms | Should -Be 'rw-p'
        (Get-SmapsEntry ($map.Address + $page)).Perms | Should -Be '---p'
        (Get-SmapsEntry ($map.Address + 2 * $page)).Perms | Should -Be 'rw-p'
        (Read-MappedBytes -Map $map -Offset (2 * $page) -Count 4) | Should -Be ([byte[]]::new(4))
        { Read-MappedBytes -Map $map -Offset ($page + 1) -Count 1 -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor MapAccessFault Read-MappedBytes)
    }

    It 'shows the new permissions in Get-ProcessVma' -Skip:(-not (Get-Command Get-ProcessVma -ErrorAction Ignore)) {
        $map = New-MemoryMap -Path $file -Access ReadWrite
        Set-MemoryMap -Map $map -Protection ReadOnly
        "$((Get-ProcessVma -Id $PID -Address $map.Address).Permissions)" | Should -BeLike 'r--s*'
        Set-MemoryMap -Map $map -Protection None
        "$((Get-ProcessVma -Id $PID -Address $map.Address).Permissions)" | Should -BeLike '---s*'
    }

    It 'refuses ReadWrite on a map opened read-only' {
        $map = New-MemoryMap -Path $file
        { Set-MemoryMap -Map $map -Protection ReadWrite -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor ProtectionNotPermitted Set-MemoryMap)
        $map.Protection | Should -Be 'Read'
    }

    It 'makes memory executable only with -AllowExecute' {
        $map = New-MemoryMap -Anonymous -Length $page
        { Set-MemoryMap -Map $map -Protection ReadExecute -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor ProtectionExecuteNotAllowed Set-MemoryMap)
        Set-MemoryMap -Map $map -Protection ReadExecute -AllowExecute
        (Get-SmapsEntry $map.Address).Perms | Should -Be 'r-xp'
    }

    It '-WhatIf changes nothing' {
        $map = New-MemoryMap -Path $file -Access ReadWrite
        Set-MemoryMap -Map $map -Protection None -WhatIf
        (Get-SmapsEntry $map.Address).Perms | Should -Be 'rw-s'
        $map.Protection | Should -Be 'ReadWrite'
    }

    It 'works by -Id, and a missing map is MapNotFound' {
        $map = New-MemoryMap -Anonymous -Length $page
        Set-MemoryMap -Id $map.Id -Protection ReadOnly
        (Get-SmapsEntry $map.Address).Perms | Should -Be 'r--p'
        { Set-MemoryMap -Id 999999 -Protection ReadOnly -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor MapNotFound Set-MemoryMap)
    }

    It 'needs -Protection or -Advice' {
        $map = New-MemoryMap -Anonymous -Length $page
        { Set-MemoryMap -Map $map } | Should -Throw -ErrorId (Get-ErrorIdFor MapChangeMissing Set-MemoryMap)
    }

    It 'a removed map is MapClosed' {
        $map = New-MemoryMap -Anonymous -Length $page
        Remove-MemoryMap -Map $map -Confirm:$false
        { Set-MemoryMap -Map $map -Protection None -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor MapClosed Set-MemoryMap)
    }
}

Describe 'Set-MemoryMap -Advice' {
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'sets <Advice> and the kernel shows <Flag> in VmFlags' -ForEach @(
        @{ Advice = 'Random'; Flag = 'rr' }
        @{ Advice = 'Sequential'; Flag = 'sr' }
        @{ Advice = 'HugePage'; Flag = 'hg' }
        @{ Advice = 'NoHugePage'; Flag = 'nh' }
    ) {
        $map = New-MemoryMap -Anonymous -Length (4 * $page)
        Set-MemoryMap -Map $map -Advice $Advice
        (Get-SmapsEntry $map.Address).VmFlags | Should -Contain $Flag
    }

    It 'accepts <Advice> on anonymous memory' -ForEach @(
        'Normal', 'WillNeed', 'DontNeed', 'Cold', 'PageOut', 'PopulateRead', 'PopulateWrite' | ForEach-Object { @{ Advice = $_ } }
    ) {
        $map = New-MemoryMap -Anonymous -Length (4 * $page)
        { Set-MemoryMap -Map $map -Advice $Advice -ErrorAction Stop } | Should -Not -Throw
    }

    It 'PopulateRead loads the pages (Rss)' {
        $file = New-TestFile 'populate.bin' (New-Pattern (16 * $page))
        $map = New-MemoryMap -Path $file
        Set-MemoryMap -Map $map -Advice PopulateRead
        (Get-SmapsEntry $map.Address).Rss | Should -Be (16 * $page / 1024)
    }

    It 'the kernel refuses PopulateWrite on a read-only map: AdviceRefused' {
        $map = New-MemoryMap -Path (New-TestFile 'pw.bin' (New-Pattern $page))
        { Set-MemoryMap -Map $map -Advice PopulateWrite -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor AdviceRefused Set-MemoryMap)
    }

    It 'protection first, then advice, in one call' {
        $map = New-MemoryMap -Path (New-TestFile 'both.bin' (New-Pattern (2 * $page))) -Access CopyOnWrite
        Set-MemoryMap -Map $map -Protection ReadOnly -Advice Random
        $entry = Get-SmapsEntry $map.Address
        $entry.Perms | Should -Be 'r--p'
        $entry.VmFlags | Should -Contain 'rr'
    }
}

Describe 'Lock-MemoryMap and Unlock-MemoryMap' {
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'locks a map (Locked in smaps) and unlocks it' {
        $map = New-MemoryMap -Path (New-TestFile 'lock.bin' (New-Pattern (8 * $page)))
        (Get-SmapsEntry $map.Address).Locked | Should -Be 0
        Lock-MemoryMap -Map $map -PassThru | Should -Be $map
        $entry = Get-SmapsEntry $map.Address
        $entry.Locked | Should -Be (8 * $page / 1024)
        $entry.VmFlags | Should -Contain 'lo'
        $map | Unlock-MemoryMap
        (Get-SmapsEntry $map.Address).Locked | Should -Be 0
    }

    It 'shows Locked and Rss in Get-ProcessVma -Detailed' -Skip:(-not (Get-Command Get-ProcessVma -ErrorAction Ignore)) {
        $map = New-MemoryMap -Anonymous -Length (4 * $page)
        Lock-MemoryMap -Map $map
        $vma = Get-ProcessVma -Id $PID -Address $map.Address -Detailed
        $vma.Locked | Should -Be (4 * $page)
        $vma.Rss | Should -Be (4 * $page)
        Unlock-MemoryMap -Map $map
        (Get-ProcessVma -Id $PID -Address $map.Address -Detailed).Locked | Should -Be 0
    }

    It 'locks a range only' {
        $map = New-MemoryMap -Anonymous -Length (8 * $page)
        Lock-MemoryMap -Map $map -Offset (2 * $page) -Count (2 * $page)
        (Get-SmapsEntry $map.Address).Locked | Should -Be 0
        (Get-SmapsEntry ($map.Address + 2 * $page)).Locked | Should -Be (2 * $page / 1024)
    }

    It '-WhatIf locks nothing' {
        $map = New-MemoryMap -Anonymous -Length $page
        Lock-MemoryMap -Map $map -WhatIf
        (Get-SmapsEntry $map.Address).Locked | Should -Be 0
    }

    It 'a range outside the map is AccessOutOfRange' {
        $map = New-MemoryMap -Anonymous -Length $page
        { Lock-MemoryMap -Map $map -Offset $page -Count 1 -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor AccessOutOfRange Lock-MemoryMap)
    }
}

Describe 'New-MemoryMap -HugePages' {
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'maps anonymous memory on huge pages, or says cleanly that none are configured' {
        if ([MmapTools.Mapping.HugePages]::Total -eq 0) {
            { New-MemoryMap -Anonymous -Length 1MB -HugePages -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor HugePagesUnavailable New-MemoryMap)
        } else {
            $map = New-MemoryMap -Anonymous -Length 1MB -HugePages
            Write-MappedBytes -Map $map -Offset 0 -Hex '01'
            (Get-SmapsEntry $map.Address).KernelPageSize | Should -Be ([MmapTools.Mapping.HugePages]::Size / 1024)
        }
    }

    It 'refuses a file' {
        $file = New-TestFile 'huge.bin' (New-Pattern $page)
        { New-MemoryMap -Path $file -HugePages -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor HugePagesUnsupported New-MemoryMap)
    }
}

Describe 'The map cmdlets bind -Map, -Id and -Count the same way' {
    # One decision for every cmdlet that takes an open map (issue 11): -Id binds from the pipeline by property name,
    # a MemoryMap piped in binds to -Map (once), -Map takes several maps where -Id takes several ids, and -Count
    # answers to -Length as well (Find-MappedBytes and the page-cache cmdlets: -Length answers to -Count).
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It '<_> takes -Id from the pipeline by property name' -ForEach @(
        'Remove-MemoryMap', 'Set-MemoryMap', 'Sync-MemoryMap', 'Lock-MemoryMap', 'Unlock-MemoryMap',
        'Read-MappedBytes', 'Write-MappedBytes', 'Find-MappedBytes', 'Get-PageCacheResidency') {
        $id = (Get-Command $_).Parameters['Id']
        $id.ParameterSets.Values.ValueFromPipelineByPropertyName | Should -Contain $true
        $map = (Get-Command $_).Parameters['Map']
        $map.ParameterSets.Values.ValueFromPipeline | Should -Contain $true
    }

    It '<_> answers to both -Count and -Length' -ForEach @(
        'Set-MemoryMap', 'Sync-MemoryMap', 'Lock-MemoryMap', 'Unlock-MemoryMap', 'Read-MappedBytes', 'Find-MappedBytes',
        'Get-PageCacheResidency') {
        $parameters = (Get-Command $_).Parameters
        $name = if ($parameters.ContainsKey('Count')) { 'Count' } else { 'Length' }
        $other = if ($name -eq 'Count') { 'Length' } else { 'Count' }
        $parameters[$name].Aliases | Should -Contain $other
    }

    It 'a map piped to Sync-MemoryMap binds to -Map and is flushed once' {
        $map = New-MemoryMap -Path (New-TestFile 'pipe.bin' (New-Pattern (2 * $page))) -Access ReadWrite
        $out = @($map | Sync-MemoryMap -PassThru)
        $out.Count | Should -Be 1
        $out[0].Id | Should -Be $map.Id
        $out = @(Get-MemoryMap -Id $map.Id | Sync-MemoryMap -Length $page -PassThru)
        $out.Count | Should -Be 1
    }

    It 'an object with an Id property selects the map, for Sync-, Set- and Remove-MemoryMap' {
        $a = New-MemoryMap -Path (New-TestFile 'a.bin' (New-Pattern $page)) -Access ReadWrite
        $b = New-MemoryMap -Anonymous -Length $page
        $out = @([pscustomobject]@{ Id = $a.Id }, [pscustomobject]@{ Id = $b.Id } | Sync-MemoryMap -PassThru)
        $out.Id | Should -Be @($a.Id, $b.Id)
        $out = @([pscustomobject]@{ Id = $b.Id } | Set-MemoryMap -Advice Random -PassThru)
        $out.Id | Should -Be @($b.Id)
        [pscustomobject]@{ Id = $a.Id } | Remove-MemoryMap -Confirm:$false
        $a.IsOpen | Should -BeFalse
        $b.IsOpen | Should -BeTrue
    }

    It 'an object with an Id property selects the map for Read-MappedBytes and Get-PageCacheResidency' {
        $bytes = New-Pattern $page
        $map = New-MemoryMap -Path (New-TestFile 'read.bin' $bytes)
        $read = [pscustomobject]@{ Id = $map.Id } | Read-MappedBytes -Length 4
        (ConvertTo-TestHex $read) | Should -Be (ConvertTo-TestHex $bytes[0..3])
        @([pscustomobject]@{ Id = $map.Id } | Get-PageCacheResidency).Count | Should -Be 1
    }

    It '-Map takes several maps on Remove-, Set- and Sync-MemoryMap' {
        $a = New-MemoryMap -Anonymous -Length $page
        $b = New-MemoryMap -Anonymous -Length $page
        @(Set-MemoryMap -Map $a, $b -Advice Sequential -PassThru).Count | Should -Be 2
        @(Sync-MemoryMap -Map $a, $b -PassThru).Count | Should -Be 2
        Remove-MemoryMap -Map $a, $b -Confirm:$false
        $a.IsOpen, $b.IsOpen | Should -Be @($false, $false)
    }

    It 'Remove-MemoryMap of a removed map is still an error for that map alone' {
        $a = New-MemoryMap -Anonymous -Length $page
        $b = New-MemoryMap -Anonymous -Length $page
        Remove-MemoryMap -Map $a -Confirm:$false
        Remove-MemoryMap -Map $a, $b -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor MapClosed Remove-MemoryMap)
        $b.IsOpen | Should -BeFalse
    }
}
