#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# The cheap paths of one call: arguments handed over without the binder's conversions (-Offset, -As), the
# -WhatIf/-Confirm/-Verbose text of Write-MappedBytes built only when it is shown, and many offsets written one
# result at a time. Each must behave exactly as the slow path did.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:bytes = [byte[]](0..255)
}

AfterAll {
    Get-MemoryMap | Remove-MemoryMap -Confirm:$false
}

Describe 'Read-MappedBytes -Offset and -As: every spelling binds as before' {
    BeforeAll {
        $script:file = New-TestFile 'offsets.bin' $bytes
        $script:map = New-MemoryMap -Path $file
    }
    AfterAll { Remove-MemoryMap -Map $map -Confirm:$false }

    It 'reads the same bytes for -Offset given as <Case>' -ForEach @(
        @{ Case = 'an int'; Offset = 16 }
        @{ Case = 'a long'; Offset = [long]16 }
        @{ Case = 'a long[] of one'; Offset = [long[]]@(16) }
        @{ Case = 'an object[] of one'; Offset = @(16) }
        @{ Case = 'a hex string'; Offset = '0x10' }
        @{ Case = 'a double'; Offset = 16.0 }
        @{ Case = 'a byte'; Offset = [byte]16 }
    ) {
        ConvertTo-TestHex (Read-MappedBytes -Map $map -Offset $Offset -Count 4) | Should -Be '10111213'
    }

    It 'takes -Offset from a variable holding a PSObject-wrapped number' {
        $o = [psobject]::AsPSObject(16)
        ConvertTo-TestHex (Read-MappedBytes -Map $map -Offset $o -Count 4) | Should -Be '10111213'
    }

    It 'keeps a long[] of many offsets as it is and reads each' {
        $r = Read-MappedBytes -Map $map -Offset ([long[]](1, 200)) -Count 2
        $r.Offset | Should -Be @(1, 200)
        ConvertTo-TestHex $r[1].Bytes | Should -Be 'C8C9'
    }

    It 'refuses a negative -Offset with the same error' {
        { Read-MappedBytes -Map $map -Offset -1 -Count 4 -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor OffsetInvalid Read-MappedBytes)
    }

    It 'reads Int32 for -As given as <Case>' -ForEach @(
        @{ Case = 'its name'; As = 'Int32' }
        @{ Case = 'its name in lower case'; As = 'int32' }
        @{ Case = 'the enum value'; As = 'enum' }
        @{ Case = 'its number'; As = 'number' }
    ) {
        # (The enum is not loaded yet when Pester reads the cases: made here.)
        $as = switch ($As) { 'enum' { [MmapTools.ElementType]::Int32 } 'number' { [int][MmapTools.ElementType]::Int32 } default { $As } }
        $v = Read-MappedBytes -Map $map -Offset 0 -Count 1 -As $as
        $v | Should -BeOfType ([int])
        $v | Should -Be 0x03020100
    }

    It 'reads <Expected> for -As given as the C# or numpy name <As>, as about_MmapTools says' -ForEach @(
        @{ As = 'int'; Expected = 'Int32' }
        @{ As = 'i4'; Expected = 'Int32' }
        @{ As = 'float64'; Expected = 'Double' }
        @{ As = 'f8'; Expected = 'Double' }
        @{ As = 'ushort'; Expected = 'UInt16' }
    ) {
        $v = Read-MappedBytes -Map $map -Offset 0 -Count 1 -As $As
        $v.GetType().GetElementType().Name | Should -Be $Expected
        $rw = New-MemoryMap -Anonymous -Length 64
        try {
            $null = Write-MappedBytes -Map $rw -Offset 8 -As $As -Value 3 -NoSync
            (Read-MappedBytes -Map $rw -Offset 8 -Count 1 -As $Expected)[0] | Should -Be 3
        } finally { Remove-MemoryMap -Map $rw -Confirm:$false }
    }

    It 'refuses an unknown -As name with the binder''s own error' {
        { Read-MappedBytes -Map $map -Count 1 -As 'Int33' -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,MmapTools.Commands.ReadMappedBytesCommand'
        { Write-MappedBytes -Map $map -Offset 0 -Value 1 -As 'Int33' -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,MmapTools.Commands.WriteMappedBytesCommand'
    }
}

Describe 'Read-MappedBytes with many offsets: one result per offset, streamed' {
    BeforeAll {
        $script:file = New-TestFile 'many.bin' $bytes
    }

    It 'writes the results in the order of the offsets, each its own object' {
        $offsets = [long[]](250, 0, 17, 0)
        $r = Read-MappedBytes -Path $file -Offset $offsets -Count 2
        $r.Count | Should -Be 4
        $r | ForEach-Object { $_ | Should -BeOfType ([MmapTools.OffsetValue]) }
        $r.Offset | Should -Be @(250, 0, 17, 0)
        ($r | ForEach-Object { ConvertTo-TestHex $_.Bytes }) | Should -Be @('FAFB', '0001', '1112', '0001')
        [object]::ReferenceEquals($r[1].Bytes, $r[3].Bytes) | Should -BeFalse
    }

    It 'stops early for Select-Object -First, and a transient map is still closed' {
        $before = @(Get-MemoryMap).Count
        $r = Read-MappedBytes -Path $file -Offset ([long[]](0..200)) -Count 1 | Select-Object -First 2
        $r.Offset | Should -Be @(0, 1)
        @(Get-MemoryMap).Count | Should -Be $before
    }

    It 'streams to the next command' {
        $last = Read-MappedBytes -Path $file -Offset ([long[]](0..255)) -Count 1 -As Byte | Select-Object -Last 1
        $last.Offset | Should -Be 255
        $last.Value | Should -Be @(255)
    }
}

Describe 'Write-MappedBytes: the -WhatIf/-Confirm/-Verbose text when it is shown, none when not' {
    BeforeEach {
        $script:file = New-TestFile 'text.bin' ([byte[]]::new(64))
        $script:map = New-MemoryMap -Path $file -Access ReadWrite
    }
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'shows old and new bytes under -Verbose and writes' {
        $v = Write-MappedBytes -Map $map -Offset 4 -Hex 'DE AD' -NoSync -Verbose 4>&1
        ($v | Out-String) | Should -Match '00 00 -> DE AD'
        ConvertTo-TestHex (Read-MappedBytes -Map $map -Offset 4 -Count 2) | Should -Be 'DEAD'
    }

    It 'writes, and shows nothing, under $VerbosePreference = Continue (as ShouldProcess does for every cmdlet)' {
        $VerbosePreference = 'Continue'
        $v = Write-MappedBytes -Map $map -Offset 4 -Hex 'BE EF' -NoSync 4>&1
        $v | Should -BeNullOrEmpty
        ConvertTo-TestHex (Read-MappedBytes -Map $map -Offset 4 -Count 2) | Should -Be 'BEEF'
    }

    It 'shows old and new values of a typed write under -Verbose' {
        $v = Write-MappedBytes -Map $map -Offset 0 -As Int32 -Value 7, 8 -NoSync -Verbose 4>&1
        ($v | Out-String) | Should -Match 'Write 2 Int32 value\(s\): 0, 0 -> 7, 8'
    }

    It 'says nothing on the verbose stream without -Verbose, and writes' {
        $v = Write-MappedBytes -Map $map -Offset 4 -Hex 'AB' -NoSync 4>&1
        $v | Should -BeNullOrEmpty
        ConvertTo-TestHex (Read-MappedBytes -Map $map -Offset 4 -Count 1) | Should -Be 'AB'
    }

    It 'writes nothing under $WhatIfPreference' {
        $WhatIfPreference = $true
        Write-MappedBytes -Map $map -Offset 4 -Hex 'AB'
        $WhatIfPreference = $false
        ConvertTo-TestHex (Read-MappedBytes -Map $map -Offset 4 -Count 1) | Should -Be '00'
    }

    It 'writes nothing under -WhatIf, and prints the old and new bytes' {
        $manifest = Join-Path $PSScriptRoot '../MmapTools.psd1'
        $out = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command "Import-Module '$manifest'; Write-MappedBytes -Path '$file' -Offset 4 -Hex 'DE AD' -WhatIf" 2>&1
        ($out -join "`n") | Should -Match "What if: .*00 00 -> DE AD.* on target .'$([regex]::Escape($file))' offset 0x4 \(4\)"
        ConvertTo-TestHex (Read-MappedBytes -Map $map -Offset 4 -Count 2) | Should -Be '0000'
    }

    It 'asks under -Confirm (here a host that cannot ask: an error), and writes nothing' {
        $manifest = Join-Path $PSScriptRoot '../MmapTools.psd1'
        $out = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command "Import-Module '$manifest'; Write-MappedBytes -Path '$file' -Offset 4 -Hex 'DE AD' -Confirm" 2>&1
        ($out -join "`n") | Should -Match 'NonInteractive mode'
        ConvertTo-TestHex (Read-MappedBytes -Map $map -Offset 4 -Count 2) | Should -Be '0000'
    }
}
