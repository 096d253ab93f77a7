#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# End-to-end tests of the core mapping cmdlets, against the module built into ../bin.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

AfterAll {
    Get-MemoryMap | Remove-MemoryMap -Confirm:$false
}

Describe 'New-MemoryMap' {
    BeforeEach {
        $script:content = New-Pattern 10000
        $script:file = New-TestFile 'data.bin' $content
    }
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'maps a file read-only by default and outputs a MemoryMap' {
        $map = New-MemoryMap -Path $file
        $map | Should -BeOfType ([MmapTools.MemoryMap])
        $map.Access | Should -Be 'ReadOnly'
        $map.Kind | Should -Be 'File'
        $map.Length | Should -Be 10000
        $map.Path | Should -Be $file
        $map.IsOpen | Should -BeTrue
        $map.Address | Should -BeGreaterThan 0
    }

    It 'resolves PSDrive paths such as TestDrive:' {
        (New-MemoryMap -Path 'TestDrive:/data.bin').Path | Should -Be $file
    }

    It 'expands wildcards, and -LiteralPath does not' {
        New-TestFile 'data2.bin' (New-Pattern 10) | Out-Null
        (New-MemoryMap -Path (Join-Path $TestDrive 'data*.bin')).Count | Should -Be 2
        $odd = New-TestFile 'x[1].bin' (New-Pattern 10)
        (New-MemoryMap -LiteralPath $odd).Path | Should -Be $odd
    }

    It 'takes files from Get-ChildItem on the pipeline' {
        # A folder of its own: $TestDrive keeps the .bin files of the tests before this one.
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'pipe')
        $data = New-TestFile 'pipe/data.bin' $content
        New-TestFile 'pipe/more.bin' (New-Pattern 20) | Out-Null
        $maps = Get-ChildItem $dir -Filter *.bin | New-MemoryMap
        $maps.Count | Should -Be 2
        $maps.Path | Should -Contain $data
    }

    It 'takes files from Get-ChildItem as files even when their names are valid shared-memory names' {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'gci')
        $a = New-TestFile 'gci/alpha' (New-Pattern 10)
        $b = New-TestFile 'gci/beta.bin' (New-Pattern 20)
        $maps = Get-ChildItem -LiteralPath $dir -File | New-MemoryMap -ErrorAction Stop
        $maps.Kind | Should -Be @('File', 'File')
        ($maps.Path | Sort-Object) | Should -Be @($a, $b)
        $maps.Access | Should -Be @('ReadOnly', 'ReadOnly')
        Test-Path -LiteralPath '/dev/shm/alpha' | Should -BeFalse
    }

    It 'takes shared memory from Get-SharedMemory on the pipeline' {
        $name = "mmaptools-pester-$([guid]::NewGuid().ToString('N'))"
        $made = New-MemoryMap -Name $name -Size 4096
        try {
            $map = Get-SharedMemory -Name $name | New-MemoryMap -ErrorAction Stop
            $map.Kind | Should -Be 'SharedMemory'
            $map.Name | Should -Be $name
            $map.Access | Should -Be 'ReadWrite'
            Write-MappedBytes -Map $map -Offset 0 -Hex 'AB' -Confirm:$false
            Read-MappedBytes -Map $made -Count 1 | Should -Be 0xAB
        } finally {
            Get-MemoryMap | Where-Object Name -EQ $name | Remove-MemoryMap -Confirm:$false
            Remove-SharedMemory -Name $name -Confirm:$false
        }
    }

    It 'gives PathNotFound for a wildcard that matches nothing, and maps the other paths' {
        $maps = New-MemoryMap -Path (Join-Path $TestDrive 'nope*.bin'), $file -ErrorAction SilentlyContinue -ErrorVariable err
        @($maps).Count | Should -Be 1
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor 'PathNotFound' 'New-MemoryMap')
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -Match 'nope\*\.bin'
    }

    It 'gives PathInvalid for a malformed wildcard' {
        $e = { New-MemoryMap -Path (Join-Path $TestDrive 'a[') -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor 'PathInvalid' 'New-MemoryMap') -PassThru
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e = { Get-MemoryMap -Path 'a[' -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor 'PathInvalid' 'Get-MemoryMap') -PassThru
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'maps any offset and length' {
        $map = New-MemoryMap -Path $file -Offset 5000 -Length 100
        $map.Offset | Should -Be 5000
        $map.Length | Should -Be 100
        ConvertTo-TestHex (Read-MappedBytes -Map $map) | Should -Be (ConvertTo-TestHex $content[5000..5099])
    }

    It 'creates a file of -Size with mode 0600' {
        $new = Join-Path $TestDrive 'new.bin'
        $map = New-MemoryMap -Path $new -Access ReadWrite -Size 8192
        $map.Length | Should -Be 8192
        (Get-Item $new).Length | Should -Be 8192
        (Get-Item $new).UnixMode | Should -Be '-rw-------'
    }

    It '-WhatIf with -Size neither creates nor maps' {
        $new = Join-Path $TestDrive 'whatif.bin'
        New-MemoryMap -Path $new -Access ReadWrite -Size 4096 -WhatIf | Should -BeNullOrEmpty
        Test-Path $new | Should -BeFalse
    }

    It 'maps anonymous memory' {
        $map = New-MemoryMap -Anonymous -Length 4096
        $map.Kind | Should -Be 'Anonymous'
        (Read-MappedBytes -Map $map -Count 16) | Should -Be ([byte[]]::new(16))
    }

    It 'maps named shared memory that a second session can open by name' {
        $name = "mmaptools-pester-$([guid]::NewGuid().ToString('N'))"
        try {
            $a = New-MemoryMap -Name $name -Size 4096
            $a.Access | Should -Be 'ReadWrite'
            Write-MappedBytes -Map $a -Offset 0 -Hex 'CA FE' -Confirm:$false
            $job = Start-Job -ScriptBlock {
                param($psd1, $name)
                Import-Module $psd1
                $m = New-MemoryMap -Name $name -Access ReadOnly
                ($m | Read-MappedBytes -Count 2) -join ','
                $m | Remove-MemoryMap -Confirm:$false
            } -ArgumentList (Join-Path $PSScriptRoot '../MmapTools.psd1'), $name
            $job | Wait-Job -Timeout 60 | Receive-Job | Should -Be '202,254'
            Get-SharedMemory -Name $name | Should -Not -BeNullOrEmpty
        } finally {
            Remove-SharedMemory -Name $name -Confirm:$false -ErrorAction Ignore
        }
        Get-SharedMemory -Name $name -ErrorAction Ignore | Should -BeNullOrEmpty
    }

    It 'supports -Populate, -Lock and -NoReserve' {
        $map = New-MemoryMap -Path $file -Populate -Lock -NoReserve
        $map.Options | Should -Be 'Populate, Lock, NoReserve'
    }

    Context 'bad input is a clean error with a stable id' {
        It '<Case>' -ForEach @(
            @{ Case = 'missing file'; Id = 'PathNotFound'; Call = { New-MemoryMap -Path (Join-Path $TestDrive 'nope.bin') -ErrorAction Stop } }
            @{ Case = 'wildcard matching nothing'; Id = 'PathNotFound'; Call = { New-MemoryMap -Path (Join-Path $TestDrive 'nope*.bin') -ErrorAction Stop } }
            @{ Case = 'a directory'; Id = 'PathIsDirectory'; Call = { New-MemoryMap -LiteralPath $TestDrive -ErrorAction Stop } }
            @{ Case = 'a procfs file'; Id = 'FileNotMappable'; Call = { New-MemoryMap -LiteralPath '/proc/self/status' -ErrorAction Stop } }
            @{ Case = 'a non-file-system path'; Id = 'PathNotFileSystem'; Call = { New-MemoryMap -Path 'Env:/PATH' -ErrorAction Stop } }
            @{ Case = 'a negative offset'; Id = 'OffsetInvalid'; Call = { New-MemoryMap -Path $file -Offset -1 -ErrorAction Stop } }
            @{ Case = 'a zero length'; Id = 'LengthInvalid'; Call = { New-MemoryMap -Path $file -Length 0 -ErrorAction Stop } }
            @{ Case = 'past the end'; Id = 'RangeBeyondEndOfFile'; Call = { New-MemoryMap -Path $file -Offset 9000 -Length 2000 -ErrorAction Stop } }
            @{ Case = 'an overflowing range'; Id = 'RangeOverflow'; Call = { New-MemoryMap -Path $file -Offset 1 -Length ([long]::MaxValue) -ErrorAction Stop } }
            @{ Case = 'an empty file'; Id = 'FileEmpty'; Call = { New-MemoryMap -Path (New-TestFile 'empty.bin') -ErrorAction Stop } }
            @{ Case = '-Size read-only'; Id = 'SizeRequiresReadWrite'; Call = { New-MemoryMap -Path $file -Size 4096 -ErrorAction Stop } }
            @{ Case = 'a huge anonymous map'; Id = 'OutOfMemory'; Call = { New-MemoryMap -Anonymous -Length (1L -shl 60) -ErrorAction Stop } }
            @{ Case = 'a bad shared-memory name'; Id = 'SharedMemoryNameInvalid'; Call = { New-MemoryMap -Name '../etc/passwd' -Size 4096 -ErrorAction Stop } }
            @{ Case = 'a missing shared-memory object'; Id = 'SharedMemoryNotFound'; Call = { New-MemoryMap -Name 'mmaptools-no-such-object' -ErrorAction Stop } }
        ) {
            $Call | Should -Throw -ErrorId (Get-ErrorIdFor $Id 'New-MemoryMap')
        }

        It 'puts the errno and the path in the message' {
            $missing = Join-Path $TestDrive 'nope.bin'
            $err = $null
            New-MemoryMap -Path $missing -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].Exception.Message | Should -Match 'ENOENT'
            $err[0].Exception.Message | Should -Match ([regex]::Escape($missing))
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'continues the pipeline past a bad file' {
            $maps = @((Join-Path $TestDrive 'nope.bin'), $file) | New-MemoryMap -ErrorAction SilentlyContinue
            $maps.Path | Should -Be $file
        }

        It 'refuses read-write as an unprivileged user on a file it may only read' -Skip:(-not (Get-Command setpriv -ErrorAction Ignore) -or (id -u) -ne 0) {
            $shared = Join-Path ([IO.Path]::GetTempPath()) "mmaptools-$([guid]::NewGuid().ToString('N')).bin"
            [IO.File]::WriteAllBytes($shared, [byte[]](1, 2, 3))
            try {
                chmod 644 $shared
                $other = Get-PwshForOtherUser
                $out = setpriv --reuid=65534 --regid=65534 --clear-groups $other.Pwsh -NoProfile -Command "Import-Module '$($other.Manifest)'; try { New-MemoryMap -Path '$shared' -Access ReadWrite -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId }"
                $out | Should -Be (Get-ErrorIdFor 'PermissionDenied' 'New-MemoryMap')
            } finally {
                Remove-Item $shared -Force
            }
        }
    }
}

Describe 'Get-MemoryMap' {
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'lists the open maps, filtered by -Id, -Path and -Kind' {
        $f = New-TestFile 'g.bin' (New-Pattern 100)
        $a = New-MemoryMap -Path $f
        $b = New-MemoryMap -Anonymous -Length 100
        (Get-MemoryMap).Id | Should -Contain $a.Id
        (Get-MemoryMap -Id $b.Id).Kind | Should -Be 'Anonymous'
        (Get-MemoryMap -Path '*g.bin').Id | Should -Be $a.Id
        (Get-MemoryMap -Kind Anonymous).Id | Should -Be $b.Id
    }

    It 'reports an unknown id as MapNotFound' {
        { Get-MemoryMap -Id 999999 -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor 'MapNotFound' 'Get-MemoryMap')
    }
}

Describe 'Read-MappedBytes' {
    BeforeAll {
        $script:content = New-Pattern 5000
        $script:file = New-TestFile 'r.bin' $content
    }
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'outputs one byte[] (not a stream of bytes)' {
        $map = New-MemoryMap -Path $file
        $out = Read-MappedBytes -Map $map -Offset 10 -Count 20
        , $out | Should -BeOfType ([byte[]])
        $out.Length | Should -Be 20
        $out | Should -Be $content[10..29]
    }

    It 'reads from the pipeline, by -Id, and straight from -Path' {
        $map = New-MemoryMap -Path $file
        ($map | Read-MappedBytes -Count 4) | Should -Be $content[0..3]
        (Read-MappedBytes -Id $map.Id -Offset 4996) | Should -Be $content[4996..4999]
        (Read-MappedBytes -Path $file -Offset 100 -Count 3) | Should -Be $content[100..102]
    }

    It 'gives a hex dump with -AsHex' {
        $rows = Read-MappedBytes -Path $file -Offset 16 -Count 40 -AsHex
        $rows.Count | Should -Be 3
        $rows[0] | Should -BeOfType ([MmapTools.HexDumpRow])
        $rows[0].Offset | Should -Be 16
        $rows[1].Offset | Should -Be 32
        $rows[0].Hex | Should -Be ((($content[16..31]) | ForEach-Object { '{0:X2}' -f $_ }) -join ' ')
    }

    It 'decodes text with -AsString -Encoding' {
        $text = New-TestFile 't.txt' ([Text.Encoding]::Unicode.GetBytes('héllo'))
        Read-MappedBytes -Path $text -AsString -Encoding unicode | Should -BeExactly 'héllo'
    }

    It '<Case>' -ForEach @(
        @{ Case = 'past the end is AccessOutOfRange'; Id = 'AccessOutOfRange'; Call = { $m = New-MemoryMap -Path $file; Read-MappedBytes -Map $m -Offset 4999 -Count 2 -ErrorAction Stop } }
        @{ Case = 'a negative offset is OffsetInvalid'; Id = 'OffsetInvalid'; Call = { $m = New-MemoryMap -Path $file; Read-MappedBytes -Map $m -Offset -1 -ErrorAction Stop } }
        @{ Case = 'a negative count is CountInvalid'; Id = 'CountInvalid'; Call = { $m = New-MemoryMap -Path $file; Read-MappedBytes -Map $m -Count -1 -ErrorAction Stop } }
        @{ Case = 'a removed map is MapClosed'; Id = 'MapClosed'; Call = { $m = New-MemoryMap -Path $file; $m | Remove-MemoryMap -Confirm:$false; Read-MappedBytes -Map $m -ErrorAction Stop } }
        @{ Case = 'an unknown encoding is EncodingInvalid'; Id = 'EncodingInvalid'; Call = { Read-MappedBytes -Path $file -AsString -Encoding 'nope' -ErrorAction Stop } }
        @{ Case = '-AsHex with -AsString is ReadFormatConflict'; Id = 'ReadFormatConflict'; Call = { Read-MappedBytes -Path $file -AsHex -AsString -ErrorAction Stop } }
        @{ Case = 'an unknown id is MapNotFound'; Id = 'MapNotFound'; Call = { Read-MappedBytes -Id 999999 -ErrorAction Stop } }
    ) {
        $Call | Should -Throw -ErrorId (Get-ErrorIdFor $Id 'Read-MappedBytes')
    }

    It 'reports a file truncated under a map as FileTruncated, and the session survives' {
        $t = New-TestFile 'trunc.bin' (New-Pattern 16384)
        $map = New-MemoryMap -Path $t
        $fs = [IO.File]::Open($t, 'Open', 'ReadWrite', 'ReadWrite'); $fs.SetLength(100); $fs.Dispose()
        { Read-MappedBytes -Map $map -Offset 8192 -Count 10 -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor 'FileTruncated' 'Read-MappedBytes')
        (Read-MappedBytes -Map $map -Count 100).Length | Should -Be 100
    }
}

Describe 'Write-MappedBytes' {
    BeforeEach {
        $script:content = New-Pattern 8192
        $script:file = New-TestFile 'w.bin' $content
    }
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'writes -Hex through a shared map and the file has it after return (synced)' {
        $map = New-MemoryMap -Path $file -Access ReadWrite
        Write-MappedBytes -Map $map -Offset 100 -Hex 'DE AD BE EF' -Confirm:$false
        [IO.File]::ReadAllBytes($file)[100..103] | Should -Be @(0xDE, 0xAD, 0xBE, 0xEF)
    }

    It 'patches a file straight from -Path, -Value and -String' {
        Write-MappedBytes -Path $file -Offset 0 -Value ([byte[]](1, 2, 3)) -Confirm:$false
        Write-MappedBytes -Path $file -Offset 10 -String 'hi' -Encoding unicode -Confirm:$false
        $bytes = [IO.File]::ReadAllBytes($file)
        $bytes[0..2] | Should -Be @(1, 2, 3)
        $bytes[10..13] | Should -Be @(0x68, 0, 0x69, 0)
        $bytes.Length | Should -Be 8192
    }

    It 'reports old and new bytes with -PassThru' {
        $r = Write-MappedBytes -Path $file -Offset 1 -Hex '00 11' -PassThru -Confirm:$false
        $r | Should -BeOfType ([MmapTools.WriteResult])
        $r.OldBytes | Should -Be $content[1..2]
        $r.NewBytes | Should -Be @(0, 0x11)
        $r.Synced | Should -BeTrue
    }

    It 'writes nothing with -WhatIf' {
        Write-MappedBytes -Path $file -Offset 0 -Hex 'FF FF' -WhatIf
        ConvertTo-TestHex ([IO.File]::ReadAllBytes($file)) | Should -BeExactly (ConvertTo-TestHex $content)
    }

    It 'writes only when -Expect matches' {
        $expect = '{0:X2} {1:X2}' -f $content[0], $content[1]
        { Write-MappedBytes -Path $file -Offset 0 -Hex '90 90' -Expect 'EB 05' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId (Get-ErrorIdFor 'ExpectMismatch' 'Write-MappedBytes')
        ConvertTo-TestHex ([IO.File]::ReadAllBytes($file)) | Should -BeExactly (ConvertTo-TestHex $content)
        Write-MappedBytes -Path $file -Offset 0 -Hex '90 90' -Expect $expect -Confirm:$false
        [IO.File]::ReadAllBytes($file)[0..1] | Should -Be @(0x90, 0x90)
    }

    It 'writes a byte[] that came from Read-MappedBytes (a PSObject-wrapped array) byte for byte' {
        $src = New-MemoryMap -Anonymous -Length 40000
        $pattern = New-Pattern 40000
        Write-MappedBytes -Map $src -Offset 0 -Value $pattern -Confirm:$false
        $b = Read-MappedBytes -Map $src -Count 40000
        $b.GetType().FullName | Should -Be 'System.Byte[]'
        $dst = New-MemoryMap -Anonymous -Length 40000
        Write-MappedBytes -Map $dst -Offset 0 -Value $b -Confirm:$false -ErrorAction Stop
        [Linq.Enumerable]::SequenceEqual([byte[]](Read-MappedBytes -Map $dst), [byte[]]$pattern) | Should -BeTrue
        # Also from the pipeline of a variable, through Find-MappedBytes -Value, and as an int[] (still converted).
        (Find-MappedBytes -Map $dst -Value ($b[100..131]) -First 1).MapOffset | Should -Be 100
        Write-MappedBytes -Map $dst -Offset 10 -Value @(1, 2, 3) -Confirm:$false
        (Read-MappedBytes -Map $dst -Offset 10 -Count 3) | Should -Be @(1, 2, 3)
    }

    It 'writes memory only on a copy-on-write map' {
        $map = New-MemoryMap -Path $file -Access CopyOnWrite
        Write-MappedBytes -Map $map -Offset 0 -Hex '01 02' -Confirm:$false
        ConvertTo-TestHex (Read-MappedBytes -Map $map -Count 2) | Should -Be '0102'
        ConvertTo-TestHex ([IO.File]::ReadAllBytes($file)) | Should -BeExactly (ConvertTo-TestHex $content)
    }

    It 'binds Path and Offset from the pipeline by property name' {
        [pscustomobject]@{ Path = $file; Offset = 50 } | Write-MappedBytes -Hex 'AB' -Confirm:$false
        [IO.File]::ReadAllBytes($file)[50] | Should -Be 0xAB
    }

    It '<Case>' -ForEach @(
        @{ Case = 'a read-only map is MapReadOnly'; Id = 'MapReadOnly'; Call = { $m = New-MemoryMap -Path $file; Write-MappedBytes -Map $m -Offset 0 -Hex '00' -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'malformed hex is HexInvalid'; Id = 'HexInvalid'; Call = { Write-MappedBytes -Path $file -Offset 0 -Hex 'XYZ' -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'no bytes is WriteValueMissing'; Id = 'WriteValueMissing'; Call = { Write-MappedBytes -Path $file -Offset 0 -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'two sources is WriteValueConflict'; Id = 'WriteValueConflict'; Call = { Write-MappedBytes -Path $file -Offset 0 -Hex '00' -String 'a' -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'past the end of the file is RangeBeyondEndOfFile'; Id = 'RangeBeyondEndOfFile'; Call = { Write-MappedBytes -Path $file -Offset 8191 -Hex '00 00' -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'past the end of a map is AccessOutOfRange'; Id = 'AccessOutOfRange'; Call = { $m = New-MemoryMap -Path $file -Access ReadWrite; Write-MappedBytes -Map $m -Offset 8191 -Hex '00 00' -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'a removed map is MapClosed'; Id = 'MapClosed'; Call = { $m = New-MemoryMap -Path $file -Access ReadWrite; Remove-MemoryMap $m -Confirm:$false; Write-MappedBytes -Map $m -Offset 0 -Hex '00' -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'a bad -Expect is ExpectInvalid'; Id = 'ExpectInvalid'; Call = { Write-MappedBytes -Path $file -Offset 0 -Hex '00' -Expect ([datetime]::Now) -Confirm:$false -ErrorAction Stop } }
    ) {
        $Call | Should -Throw -ErrorId (Get-ErrorIdFor $Id 'Write-MappedBytes')
        ConvertTo-TestHex ([IO.File]::ReadAllBytes($file)) | Should -BeExactly (ConvertTo-TestHex $content)
    }
}

Describe 'Sync-MemoryMap' {
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'flushes, with -Async, -Invalidate and a range, and passes the map through' {
        $file = New-TestFile 's.bin' (New-Pattern 8192)
        $map = New-MemoryMap -Path $file -Access ReadWrite
        Write-MappedBytes -Map $map -Offset 5000 -Hex '42' -NoSync -Confirm:$false
        ($map | Sync-MemoryMap -Offset 4096 -Count 4096 -PassThru).Id | Should -Be $map.Id
        Sync-MemoryMap -Id $map.Id -Async
        Sync-MemoryMap -Map $map -Invalidate
        [IO.File]::ReadAllBytes($file)[5000] | Should -Be 0x42
    }

    It 'reports a removed map as MapClosed and a bad range as AccessOutOfRange' {
        $map = New-MemoryMap -Anonymous -Length 4096
        { Sync-MemoryMap -Map $map -Offset 4000 -Count 200 -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor 'AccessOutOfRange' 'Sync-MemoryMap')
        Remove-MemoryMap $map -Confirm:$false
        { Sync-MemoryMap -Map $map -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor 'MapClosed' 'Sync-MemoryMap')
    }
}

Describe 'Remove-MemoryMap' {
    It 'unmaps by object, by id and from the pipeline' {
        $a = New-MemoryMap -Anonymous -Length 10
        $b = New-MemoryMap -Anonymous -Length 10
        $c = New-MemoryMap -Anonymous -Length 10
        Remove-MemoryMap -Map $a -Confirm:$false
        Remove-MemoryMap -Id $b.Id -Confirm:$false
        $c | Remove-MemoryMap -Confirm:$false
        $a.IsOpen, $b.IsOpen, $c.IsOpen | Should -Be @($false, $false, $false)
        Get-MemoryMap | Where-Object Id -In $a.Id, $b.Id, $c.Id | Should -BeNullOrEmpty
    }

    It 'does nothing with -WhatIf' {
        $a = New-MemoryMap -Anonymous -Length 10
        Remove-MemoryMap -Map $a -WhatIf
        $a.IsOpen | Should -BeTrue
        Remove-MemoryMap -Map $a -Confirm:$false
    }

    It 'reports removing twice as MapClosed, and an unknown id as MapNotFound' {
        $a = New-MemoryMap -Anonymous -Length 10
        Remove-MemoryMap -Map $a -Confirm:$false
        { Remove-MemoryMap -Map $a -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor 'MapClosed' 'Remove-MemoryMap')
        { Remove-MemoryMap -Id 999999 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor 'MapNotFound' 'Remove-MemoryMap')
    }

    It 'releases every map when the module is removed' {
        $psd1 = Join-Path $PSScriptRoot '../MmapTools.psd1'
        $out = & (Join-Path $PSHOME 'pwsh') -NoProfile -Command "Import-Module '$psd1'; `$m = New-MemoryMap -Anonymous -Length 4096; Remove-Module MmapTools; `$m.IsOpen"
        $out | Should -Be 'False'
    }
}

Describe 'Get-SharedMemory and Remove-SharedMemory' {
    It 'lists, filters with wildcards, and removes (with -WhatIf honoured)' {
        $name = "mmaptools-pester-$([guid]::NewGuid().ToString('N'))"
        $map = New-MemoryMap -Name $name -Size 8192
        try {
            $info = Get-SharedMemory -Name 'mmaptools-pester-*' | Where-Object Name -EQ $name
            $info.Length | Should -Be 8192
            $info.Mode | Should -Be '0600'
            Remove-SharedMemory -Name $name -WhatIf
            Get-SharedMemory -Name $name | Should -Not -BeNullOrEmpty
            Get-SharedMemory -Name $name | Remove-SharedMemory -Confirm:$false
            Get-SharedMemory -Name $name -ErrorAction Ignore | Should -BeNullOrEmpty
            ConvertTo-TestHex (Read-MappedBytes -Map $map -Count 1) | Should -Be '00'
        } finally {
            Remove-MemoryMap $map -Confirm:$false
        }
    }

    It '<Case>' -ForEach @(
        @{ Case = 'a missing name is SharedMemoryNotFound'; Command = 'Remove-SharedMemory'; Id = 'SharedMemoryNotFound'; Call = { Remove-SharedMemory -Name 'mmaptools-none' -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'a bad name is SharedMemoryNameInvalid'; Command = 'Remove-SharedMemory'; Id = 'SharedMemoryNameInvalid'; Call = { Remove-SharedMemory -Name 'a/b' -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'Get of a missing name is SharedMemoryNotFound'; Command = 'Get-SharedMemory'; Id = 'SharedMemoryNotFound'; Call = { Get-SharedMemory -Name 'mmaptools-none' -ErrorAction Stop } }
    ) {
        $Call | Should -Throw -ErrorId (Get-ErrorIdFor $Id $Command)
    }
}
