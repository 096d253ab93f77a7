#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Every output object survives Export-Clixml/Import-Clixml and ConvertTo-Json with its data, and every cmdlet
# works in another runspace and in a job (a separate process: what a remote host over SSH does with
# Invoke-Command -HostName ... -ScriptBlock { Import-Module MmapTools; ... }), its objects coming back deserialized.

BeforeAll {
    $manifestPath = (Resolve-Path (Join-Path $PSScriptRoot '../MmapTools.psd1')).Path
    Import-Module $manifestPath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    # One object of every kind a cmdlet outputs.
    function Get-EveryOutput {
        param([string] $Directory)
        $file = Join-Path $Directory 'remote.bin'
        [System.IO.File]::WriteAllBytes($file, [byte[]](0..255))
        $name = "mmaptools-remoting-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $map = New-MemoryMap -Path $file
        $shm = New-MemoryMap -Name $name -Size 4096
        [pscustomobject]@{
            Map       = $map
            Maps      = @(Get-MemoryMap -Id $map.Id)
            Bytes     = Read-MappedBytes -Map $map -Count 8
            Rows      = @(Read-MappedBytes -Map $map -Offset 16 -Count 40 -AsHex)
            Text      = Read-MappedBytes -Map $map -Offset 65 -Count 3 -AsString -Encoding ascii
            Write     = Write-MappedBytes -Path $file -Offset 4 -Hex 'DE AD' -PassThru
            Synced    = Sync-MemoryMap -Map $shm -PassThru
            Shared    = @(Get-SharedMemory -Name $name)
            Cleanup   = @(($map, $shm | Remove-MemoryMap), (Remove-SharedMemory -Name $name))
        }
    }
}

AfterAll {
    Get-MemoryMap | Remove-MemoryMap -Confirm:$false
}

Describe 'Export-Clixml and Import-Clixml' {
    BeforeAll {
        $out = Get-EveryOutput -Directory $TestDrive
        $clixml = Join-Path $TestDrive 'out.clixml'
        $out | Export-Clixml -Path $clixml -Depth 3
        $back = Import-Clixml -Path $clixml
    }

    It 'keeps a MemoryMap''s data, including after it was removed' {
        $back.Map.pstypenames | Should -Contain 'Deserialized.MmapTools.MemoryMap'
        foreach ($p in 'Id', 'Kind', 'Access', 'Path', 'Offset', 'Length', 'Address', 'IsShared', 'IsOpen', 'Protection') {
            "$($back.Map.$p)" | Should -Be "$($out.Map.$p)" -Because "$p survives"
        }
        $back.Map.IsOpen | Should -BeFalse
    }

    It 'keeps enum values by name, so filters on them still work' {
        $maps = @($back.Map, $back.Synced)
        @($maps | Where-Object Kind -EQ File).Count | Should -Be 1
        @($maps | Where-Object Kind -EQ SharedMemory).Count | Should -Be 1
        @($maps | Where-Object Access -EQ ReadOnly).Count | Should -Be 1
        $back.Map.Kind | Should -BeOfType [string]
        $back.Map.Kind | Should -Be 'File'
    }

    It 'keeps bytes, hex rows, text, write results and shared-memory info' {
        $back.Bytes | Should -Be $out.Bytes
        $back.Rows.Count | Should -Be 3
        $back.Rows[0].pstypenames | Should -Contain 'Deserialized.MmapTools.HexDumpRow'
        $back.Rows[0].Hex | Should -Be $out.Rows[0].Hex
        $back.Rows[2].Offset | Should -Be 48
        $back.Text | Should -Be 'ABC'
        $back.Write.OldBytes | Should -Be ([byte[]](4, 5))
        $back.Write.NewBytes | Should -Be ([byte[]](0xDE, 0xAD))
        $back.Write.Synced | Should -BeTrue
        "$($back.Synced.Kind)" | Should -Be 'SharedMemory'
        $back.Shared[0].Length | Should -Be 4096
        $back.Shared[0].Mode | Should -Be '0600'
    }
}

Describe 'ConvertTo-Json' {
    It 'keeps every output object''s data' {
        $out = Get-EveryOutput -Directory $TestDrive
        $json = $out | Select-Object Map, Rows, Write, Shared | ConvertTo-Json -Depth 4 | ConvertFrom-Json
        $json.Map.Path | Should -Be $out.Map.Path
        $json.Map.Length | Should -Be 256
        [uint64] $json.Map.Address | Should -Be $out.Map.Address
        $json.Rows[0].Hex | Should -Be $out.Rows[0].Hex
        $json.Write.NewBytes | Should -Be @(0xDE, 0xAD)
        $json.Shared[0].Name | Should -Be $out.Shared[0].Name
    }
}

Describe 'Other runspaces and jobs' {
    It 'runs every cmdlet in another runspace of this process, which sees the same maps' {
        $definition = ${function:Get-EveryOutput}.ToString()
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$manifestPath'; function Get-EveryOutput { $definition }; Get-EveryOutput -Directory '$TestDrive'")
            $result = $ps.Invoke()
            $ps.HadErrors | Should -BeFalse
            $result[0].Rows[0].Hex | Should -Be '10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F'
            $result[0].Text | Should -Be 'ABC'
        } finally { $ps.Dispose() }

        $map = New-MemoryMap -Anonymous -Length 4096
        try {
            $other = [powershell]::Create()
            $null = $other.AddScript("Import-Module '$manifestPath'; (Get-MemoryMap -Id $($map.Id)).Length")
            $other.Invoke() | Should -Be 4096
            $other.Dispose()
        } finally { $map | Remove-MemoryMap }
    }

    It 'runs every cmdlet in a job (another process) and formats what comes back' {
        $definition = ${function:Get-EveryOutput}.ToString()
        $job = Start-Job -ScriptBlock {
            Import-Module $using:manifestPath
            ${function:Get-EveryOutput} = [scriptblock]::Create($using:definition)
            $out = Get-EveryOutput -Directory $using:TestDrive
            # Top-level objects, as a remote command outputs them (remoting serializes to depth 1).
            $out.Map; $out.Rows; $out.Write; $out.Shared; $out.Text
        }
        $back = @($job | Receive-Job -Wait -AutoRemoveJob)
        function OfType([string] $Name) { @($back | Where-Object { $_.pstypenames -contains "Deserialized.MmapTools.$Name" }) }
        (OfType MemoryMap).Count | Should -Be 1
        (OfType HexDumpRow).Count | Should -Be 3
        (OfType WriteResult).Count | Should -Be 1
        (OfType SharedMemoryInfo).Count | Should -Be 1
        $back | Where-Object { $_ -is [string] } | Should -Be 'ABC'
        (OfType WriteResult)[0].NewBytes | Should -Be ([byte[]](0xDE, 0xAD))
        (OfType HexDumpRow | Format-Table | Out-String) | Should -Match '10 11 12 13'
        $map = (OfType MemoryMap)[0]
        ($map | Format-List | Out-String) | Should -Match ('0x{0:x16}' -f [uint64] $map.Address)
        ($map | Format-List | Out-String) | Should -Match '\(256 bytes\)'
    }
}
