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

Describe '-Path with a wildcard in the last part: expanded here, exactly as the provider expands it' {
    BeforeAll {
        $script:gdir = Join-Path $TestDrive 'glob'
        $null = New-Item -ItemType Directory -Path $gdir
        foreach ($name in 'a.bin', 'A.bin', 'B.bin', 'b-1.bin', 'b_1.bin', 'b1.bin', 'Ä.bin', 'é.log', 'x.1.y.2', 'x.y',
                          '.hidden', '.hid.bin', 'noext', 'sp ace.bin', '10.bin', '9.bin', 'ab', 'a') {
            [IO.File]::WriteAllText((Join-Path $gdir $name), $name)
        }
        $null = New-Item -ItemType Directory -Path (Join-Path $gdir 'sub.bin'), (Join-Path $gdir 'Sub')
        [IO.File]::WriteAllText((Join-Path $gdir 'sub.bin/in.bin'), 'in')
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $gdir 'link.d') -Target (Join-Path $gdir 'sub.bin')
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $gdir 'lf.bin') -Target (Join-Path $gdir 'a.bin')
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $gdir 'broken.bin') -Target (Join-Path $gdir 'nowhere')

        # Every path the call worked on, in order: the results' Path, and the TargetObject of each error (folders
        # without -Recurse, the dangling link).
        function script:Get-CallOrder([string] $Pattern, [switch] $Recurse) {
            foreach ($item in (Get-PageCacheResidency -Path $Pattern -Recurse:$Recurse -ErrorAction Continue 2>&1)) {
                if ($item -is [System.Management.Automation.ErrorRecord]) { [string] $item.TargetObject } else { $item.Path }
            }
        }
        function script:Get-ProviderOrder([string] $Pattern) {
            $provider = $null
            $ExecutionContext.SessionState.Path.GetResolvedProviderPathFromPSPath($Pattern, [ref] $provider)
        }
    }

    It 'works on what the provider finds for <Pattern>, in the provider''s order (absolute path)' -ForEach @(
        @{ Pattern = '*' }, @{ Pattern = '*.bin' }, @{ Pattern = '*.BIN' }, @{ Pattern = '?.bin' }, @{ Pattern = 'A*' },
        @{ Pattern = 'b*' }, @{ Pattern = '*.*' }, @{ Pattern = 'x*.y*' }, @{ Pattern = '*1*' }, @{ Pattern = 'sub*' },
        @{ Pattern = '??' }, @{ Pattern = '?' }, @{ Pattern = 'a?*' }, @{ Pattern = 'é*' }, @{ Pattern = 'ä*' }
    ) {
        $full = "$gdir/$Pattern"
        $expected = @(Get-ProviderOrder $full)
        $expected.Count | Should -BeGreaterThan 0
        Get-CallOrder $full | Should -Be $expected
    }

    It 'works on what the provider finds for <Pattern> relative to the current folder' -ForEach @(
        @{ Pattern = '*' }, @{ Pattern = '*.bin' }, @{ Pattern = 'glob/b*' }
    ) {
        Push-Location $(if ($Pattern -like 'glob/*') { $TestDrive } else { $gdir })
        try {
            $expected = @(Get-ProviderOrder $Pattern)
            $expected.Count | Should -BeGreaterThan 0
            $expected[0] | Should -BeLike '/*'
            Get-CallOrder $Pattern | Should -Be $expected
        }
        finally { Pop-Location }
    }

    It 'leaves out dot files, as Get-ChildItem does without -Force' {
        (Get-CallOrder "$gdir/*") -like '*/.hid*' | Should -BeNullOrEmpty
        @(Get-ProviderOrder "$gdir/.*").Count | Should -Be 0
        $r = Get-PageCacheResidency -Path "$gdir/.*" -ErrorVariable ev -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $ev.FullyQualifiedErrorId | Should -Be 'PathNotFound,MmapTools.Commands.GetPageCacheResidencyCommand'
    }

    It 'walks the folders it finds with -Recurse, in the provider''s order' {
        $paths = Get-CallOrder "$gdir/sub*" -Recurse
        $paths | Should -Be @("$gdir/sub.bin/in.bin")
    }

    It 'reports a wildcard that matches nothing (<Leaf>) as PathNotFound with the pattern, and goes on with the next path' -ForEach @(
        @{ Leaf = 'zz*' }, @{ Leaf = '*.' }
    ) {
        @(Get-ProviderOrder "$gdir/$Leaf").Count | Should -Be 0
        $r = Get-PageCacheResidency -Path "$gdir/$Leaf", "$gdir/9.b?n" -ErrorVariable ev -ErrorAction SilentlyContinue
        $r.Path | Should -Be @("$gdir/9.bin")
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'PathNotFound,MmapTools.Commands.GetPageCacheResidencyCommand'
        $ev[0].Exception.Message | Should -BeLike "No file matches the wildcard '$gdir/$Leaf' (ENOENT)*"
    }

    It 'gives paths it does not expand itself to the provider, with the same result (<Case>)' -ForEach @(
        @{ Case = 'a range'; Leaf = '[ab].bin' }
        @{ Case = 'a dot-dot part'; Leaf = '../glob/a*' }
        @{ Case = 'a doubled slash'; Leaf = '/a*' }
    ) {
        $full = "$gdir/$Leaf"
        Get-CallOrder $full | Should -Be @(Get-ProviderOrder $full)
    }

    It 'reports a relative wildcard under a current location on another provider as PathNotFileSystem' {
        Push-Location Env:
        try {
            $null = Get-PageCacheResidency -Path 'PAT*' -ErrorVariable ev -ErrorAction SilentlyContinue
        }
        finally { Pop-Location }
        $ev[0].FullyQualifiedErrorId | Should -Be 'PathNotFileSystem,MmapTools.Commands.GetPageCacheResidencyCommand'
    }
}
