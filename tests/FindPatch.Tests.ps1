#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# End-to-end tests of find and patch: Find-MappedBytes, Write-MappedBytes over many hits with -Backup, Restore-MappedBytes.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    function Get-Sha256([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash }

    # 4 KiB of zeros with 'EB 05' at 0, 100 and 4094 (the last two bytes).
    function New-AppFile([string] $Name = 'app.bin') {
        $b = [byte[]]::new(4096)
        foreach ($at in 0, 100, 4094) { $b[$at] = 0xEB; $b[$at + 1] = 0x05 }
        New-TestFile $Name $b
    }
}

AfterAll {
    Get-MemoryMap | Remove-MemoryMap -Confirm:$false
}

Describe 'Find-MappedBytes' {
    BeforeEach { $script:app = New-AppFile }
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'finds every hit of -Hex in a file, at offset 0 and ending at the last byte' {
        $hits = Find-MappedBytes -Path $app -Hex 'EB 05'
        $hits.Count | Should -Be 3
        $hits[0] | Should -BeOfType ([MmapTools.MappedBytesMatch])
        $hits.Offset | Should -Be @(0, 100, 4094)
        $hits[2].Path | Should -Be $app
        $hits[2].Length | Should -Be 2
        $hits[2].Bytes | Should -Be @(0xEB, 0x05)
        $hits[2].Hex | Should -Be 'EB 05'
    }

    It 'takes the pattern as -Value bytes and as -String in an encoding' {
        (Find-MappedBytes -Path $app -Value ([byte[]](0xEB, 5))).Count | Should -Be 3
        $text = New-TestFile 'text.bin' ([byte[]](0, 0) + [Text.Encoding]::Unicode.GetBytes('héllo wörld') + [Text.Encoding]::UTF8.GetBytes('héllo'))
        (Find-MappedBytes -Path $text -String 'héllo' -Encoding unicode).Offset | Should -Be 2
        (Find-MappedBytes -Path $text -String 'wörld' -Encoding utf-16le).Offset | Should -Be 14
        (Find-MappedBytes -Path $text -String 'héllo').Offset | Should -Be 24
    }

    It 'matches any byte at ?? in -Hex' {
        $f = New-TestFile 'wild.bin' ([byte[]](0xDE, 0xAD, 0x00, 0xEF, 0xDE, 0x11, 0x22, 0xEF))
        $hits = Find-MappedBytes -Path $f -Hex 'DE ?? ?? EF'
        $hits.Offset | Should -Be @(0, 4)
        $hits[1].Hex | Should -Be 'DE 11 22 EF'
        $hits[1].Pattern | Should -Be 'DE ?? ?? EF'
    }

    It 'reports overlapping matches, and not with -NoOverlap' {
        $f = New-TestFile 'aa.bin' ([byte[]](0xAA, 0xAA, 0xAA, 0xAA))
        (Find-MappedBytes -Path $f -Hex 'AA AA').Offset | Should -Be @(0, 1, 2)
        (Find-MappedBytes -Path $f -Hex 'AA AA' -NoOverlap).Offset | Should -Be @(0, 2)
    }

    It 'loses no match at a window edge, whatever -WindowSize' {
        $b = [byte[]]::new(64)
        $f = Join-Path $TestDrive 'edge.bin'
        foreach ($at in 0..61) {
            [Array]::Clear($b)
            $b[$at] = 1; $b[$at + 1] = 2; $b[$at + 2] = 3
            [IO.File]::WriteAllBytes($f, $b)
            foreach ($window in 1, 2, 3, 5, 8, 64) {
                $found = @(Find-MappedBytes -LiteralPath $f -Hex '01 02 03' -WindowSize $window)
                $found.Count | Should -Be 1 -Because "the pattern is at $at, windows of $window"
                $found[0].Offset | Should -Be $at
            }
        }
    }

    It 'searches -Offset/-Length, stops after -First, and returns -Context bytes' {
        (Find-MappedBytes -Path $app -Hex 'EB 05' -Offset 1).Offset | Should -Be @(100, 4094)
        (Find-MappedBytes -Path $app -Hex 'EB 05' -Offset 0 -Length 101).Offset | Should -Be 0
        (Find-MappedBytes -Path $app -Hex 'EB 05' -Offset 0 -Length 102).Offset | Should -Be @(0, 100)
        (Find-MappedBytes -Path $app -Hex 'EB 05' -First 2).Offset | Should -Be @(0, 100)
        $hit = Find-MappedBytes -Path $app -Hex 'EB 05' -Offset 4000 -Context 3
        $hit.Before | Should -Be @(0, 0, 0)
        $hit.After.Count | Should -Be 0
    }

    It 'searches many files: wildcards, and Get-ChildItem on the pipeline (directories skipped)' {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'many')
        $one = New-AppFile 'many/one.bin'
        $two = New-AppFile 'many/two.bin'
        New-Item -ItemType Directory (Join-Path $dir 'sub.bin') | Out-Null
        (Find-MappedBytes -Path (Join-Path $dir '*.bin') -Hex 'EB 05').Count | Should -Be 6
        $hits = Get-ChildItem $dir -Filter *.bin | Find-MappedBytes -Hex 'EB 05' -First 1
        $hits.Count | Should -Be 2
        ($hits.Path | Sort-Object) | Should -Be @($one, $two)
    }

    It 'searches an open map, giving file offsets in Offset and map offsets in MapOffset' {
        $map = New-MemoryMap -Path $app -Offset 50
        $hits = $map | Find-MappedBytes -Hex 'EB 05'
        $hits.Offset | Should -Be @(100, 4094)
        $hits.MapOffset | Should -Be @(50, 4044)
        $hits.MapId | Should -Be @($map.Id, $map.Id)
        (Find-MappedBytes -Id $map.Id -Hex 'EB 05' -Offset 51).Offset | Should -Be 4094
    }

    It 'finds nothing in an empty file, without an error' {
        $empty = New-TestFile 'empty.bin'
        Find-MappedBytes -Path $empty -Hex '00' -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'stops promptly when the pipeline stops' {
        $f = New-TestFile 'zeros.bin' ([byte[]]::new(1MB))
        $first = Find-MappedBytes -Path $f -Hex '00' | Select-Object -First 3
        $first.Offset | Should -Be @(0, 1, 2)
    }

    Context 'bad input is a clean error with a stable id' {
        It '<Case>' -ForEach @(
            @{ Case = 'no pattern'; Id = 'PatternMissing'; Call = { Find-MappedBytes -Path $app -ErrorAction Stop } }
            @{ Case = 'two patterns'; Id = 'PatternConflict'; Call = { Find-MappedBytes -Path $app -Hex 'EB' -String 'x' -ErrorAction Stop } }
            @{ Case = 'malformed hex'; Id = 'PatternInvalid'; Call = { Find-MappedBytes -Path $app -Hex 'E? 05' -ErrorAction Stop } }
            @{ Case = 'only wildcards'; Id = 'PatternEmpty'; Call = { Find-MappedBytes -Path $app -Hex '?? ??' -ErrorAction Stop } }
            @{ Case = 'an unknown encoding'; Id = 'EncodingInvalid'; Call = { Find-MappedBytes -Path $app -String 'x' -Encoding 'nope' -ErrorAction Stop } }
            @{ Case = 'a missing file'; Id = 'PathNotFound'; Call = { Find-MappedBytes -Path (Join-Path $TestDrive 'nope.bin') -Hex 'EB' -ErrorAction Stop } }
            @{ Case = 'a procfs file'; Id = 'FileNotMappable'; Call = { Find-MappedBytes -LiteralPath '/proc/self/status' -Hex 'EB' -ErrorAction Stop } }
            @{ Case = 'a range outside a map'; Id = 'AccessOutOfRange'; Call = { $m = New-MemoryMap -Path $app; Find-MappedBytes -Map $m -Hex 'EB' -Offset 5000 -ErrorAction Stop } }
            @{ Case = 'a removed map'; Id = 'MapClosed'; Call = { $m = New-MemoryMap -Path $app; Remove-MemoryMap $m -Confirm:$false; Find-MappedBytes -Map $m -Hex 'EB' -ErrorAction Stop } }
        ) {
            $Call | Should -Throw -ErrorId (Get-ErrorIdFor $Id 'Find-MappedBytes')
        }

        It 'goes on past a bad file to the next one' {
            $hits = Find-MappedBytes -Path (Join-Path $TestDrive 'nope.bin'), $app -Hex 'EB 05' -ErrorAction SilentlyContinue -ErrorVariable err
            $hits.Count | Should -Be 3
            $err[0].FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor 'PathNotFound' 'Find-MappedBytes')
        }
    }
}

Describe 'Find-MappedBytes | Write-MappedBytes' {
    BeforeEach {
        $script:app = New-AppFile
        $script:hash = Get-Sha256 $app
    }
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'writes nothing with -WhatIf' {
        Find-MappedBytes -Path $app -Hex 'EB 05' | Write-MappedBytes -Hex '90 90' -Expect 'EB 05' -WhatIf
        Get-Sha256 $app | Should -Be $hash
    }

    It 'patches every hit, synced, keeping size and mode' {
        $mode = (Get-Item $app).UnixMode
        $r = Find-MappedBytes -Path $app -Hex 'EB 05' | Write-MappedBytes -Hex '90 90' -Expect 'EB 05' -PassThru -Confirm:$false
        $r.Count | Should -Be 3
        $r.Synced | Should -Be @($true, $true, $true)
        $r.Offset | Should -Be @(0, 100, 4094)
        Find-MappedBytes -Path $app -Hex 'EB 05' | Should -BeNullOrEmpty
        (Find-MappedBytes -Path $app -Hex '90 90').Offset | Should -Be @(0, 100, 4094)
        (Get-Item $app).Length | Should -Be 4096
        (Get-Item $app).UnixMode | Should -Be $mode
    }

    It 'writes nothing at all when one hit fails -Expect' {
        $bytes = [IO.File]::ReadAllBytes($app); $bytes[4095] = 0x06; [IO.File]::WriteAllBytes($app, $bytes)
        $hash = Get-Sha256 $app
        $hits = @(Find-MappedBytes -Path $app -Hex 'EB ??')
        $hits.Count | Should -Be 3
        { $hits | Write-MappedBytes -Hex '90 90' -Expect 'EB 05' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId (Get-ErrorIdFor 'ExpectMismatch' 'Write-MappedBytes')
        Get-Sha256 $app | Should -Be $hash
    }

    It 'writes nothing when one target fails (PatchAbandoned)' {
        $targets = [pscustomobject]@{ Path = $app; Offset = 0 }, [pscustomobject]@{ Path = (Join-Path $TestDrive 'nope.bin'); Offset = 0 }
        $targets | Write-MappedBytes -Hex 'FF' -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable err
        $err.FullyQualifiedErrorId | Should -Contain (Get-ErrorIdFor 'PathNotFound' 'Write-MappedBytes')
        $err.FullyQualifiedErrorId | Should -Contain (Get-ErrorIdFor 'PatchAbandoned' 'Write-MappedBytes')
        Get-Sha256 $app | Should -Be $hash
    }

    It 'refuses overlapping hits (PatchOverlap) and writes nothing' {
        $f = New-TestFile 'aa.bin' ([byte[]](0xAA, 0xAA, 0xAA))
        { Find-MappedBytes -Path $f -Hex 'AA AA' | Write-MappedBytes -Hex '00 00' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId (Get-ErrorIdFor 'PatchOverlap' 'Write-MappedBytes')
        [IO.File]::ReadAllBytes($f) | Should -Be @(0xAA, 0xAA, 0xAA)
    }

    It 'is seen at once through another map of the same file' {
        $map = New-MemoryMap -Path $app
        # As long as the match: a shorter replacement is refused (PatchLengthMismatch, tested below).
        Find-MappedBytes -Path $app -Hex 'EB 05' -First 1 | Write-MappedBytes -Hex 'CC 05' -Confirm:$false
        ConvertTo-TestHex (Read-MappedBytes -Map $map -Count 2) | Should -Be 'CC05'
    }
}

Describe 'Find-MappedBytes | Write-MappedBytes: where matches are written, and how long' {
    BeforeEach {
        $script:app = New-AppFile
        $script:hash = Get-Sha256 $app
        $script:conf = New-TestFile 'app.conf' ([Text.Encoding]::UTF8.GetBytes("listen_port=8080`nadmin_port=9090`n"))
        $script:confHash = Get-Sha256 $conf
        $script:pwshExe = Join-Path $PSHOME 'pwsh'
        $script:psd1 = (Resolve-Path (Join-Path $PSScriptRoot '../MmapTools.psd1')).Path
    }
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'binds a match whole: no Offset prompt, no missing mandatory parameter' {
        $hit = Find-MappedBytes -Path $app -Hex 'EB 05' -First 1
        $r = $hit | Write-MappedBytes -Hex '90 90' -Expect 'EB 05' -PassThru -Confirm:$false -ErrorAction Stop
        $r.Path | Should -Be $app
        $r.Offset | Should -Be 0
        [IO.File]::ReadAllBytes($app)[0..1] | Should -Be @(0x90, 0x90)
    }

    It 'patches the copy-on-write map that was searched, never the file' {
        $map = New-MemoryMap -Path $app -Access CopyOnWrite -Offset 50
        $hits = $map | Find-MappedBytes -Hex 'EB 05'
        $hits.Path | Should -Be @($app, $app) -Because 'a match still says which file it came from'
        $r = $hits | Write-MappedBytes -Hex '90 90' -Expect 'EB 05' -PassThru -Confirm:$false -ErrorAction Stop
        $r.Count | Should -Be 2
        (Read-MappedBytes -Map $map -Offset 50 -Count 2) | Should -Be @(0x90, 0x90)
        (Read-MappedBytes -Map $map -Offset 4044 -Count 2) | Should -Be @(0x90, 0x90)
        Get-Sha256 $app | Should -Be $hash
    }

    It 'patches a read-write map at its map offsets (the map starts inside the file)' {
        $map = New-MemoryMap -Path $app -Access ReadWrite -Offset 50
        $map | Find-MappedBytes -Hex 'EB 05' | Write-MappedBytes -Hex 'CC DD' -Confirm:$false -ErrorAction Stop
        $bytes = [IO.File]::ReadAllBytes($app)
        $bytes[100..101] | Should -Be @(0xCC, 0xDD)
        $bytes[4094..4095] | Should -Be @(0xCC, 0xDD)
        $bytes[0..1] | Should -Be @(0xEB, 0x05) -Because 'the hit before the map was not searched'
    }

    It 'writes the matches of anonymous memory back to it' {
        $anon = New-MemoryMap -Anonymous -Length 8192
        Write-MappedBytes -Map $anon -Offset 4000 -Hex 'DE AD BE EF' -Confirm:$false
        $hit = $anon | Find-MappedBytes -Hex 'DE AD BE EF'
        $hit.Path | Should -BeNullOrEmpty
        $hit | Write-MappedBytes -Hex '01 02 03 04' -Confirm:$false -ErrorAction Stop
        (Read-MappedBytes -Map $anon -Offset 4000 -Count 4) | Should -Be @(1, 2, 3, 4)
    }

    It 'refuses a match whose map has been removed (MapNotFound), writing nothing' {
        $map = New-MemoryMap -Path $app -Access ReadWrite
        $hits = $map | Find-MappedBytes -Hex 'EB 05'
        Remove-MemoryMap -Map $map -Confirm:$false
        { $hits | Write-MappedBytes -Hex '90 90' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId (Get-ErrorIdFor 'MapNotFound' 'Write-MappedBytes')
        Get-Sha256 $app | Should -Be $hash
    }

    It 'never takes a piped map''s own Offset (its place in the file) as the place to write' {
        $map = New-MemoryMap -Path $app -Access ReadWrite -Offset 50
        $map.Offset | Should -Be 50
        $map | Write-MappedBytes -Offset 0 -Hex 'CC' -Confirm:$false -ErrorAction Stop
        $bytes = [IO.File]::ReadAllBytes($app)
        $bytes[50] | Should -Be 0xCC
        $bytes[100] | Should -Be 0xEB -Because 'map offset 50 (file offset 100) was not written'
    }

    It 'refuses a longer replacement (PatchLengthMismatch) and writes nothing' {
        $e = { Find-MappedBytes -Path $conf -String '8080' | Write-MappedBytes -String '18080' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId (Get-ErrorIdFor 'PatchLengthMismatch' 'Write-MappedBytes') -PassThru
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -Match 'AllowLengthChange'
        Get-Sha256 $conf | Should -Be $confHash
    }

    It 'refuses a shorter replacement too, for every hit, writing nothing' {
        { Find-MappedBytes -Path $app -Hex 'EB 05' | Write-MappedBytes -Hex '90' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId (Get-ErrorIdFor 'PatchLengthMismatch' 'Write-MappedBytes')
        Get-Sha256 $app | Should -Be $hash
    }

    It 'says under -WhatIf that the patch would be refused, and writes nothing' {
        $out = & $pwshExe -NoProfile -NonInteractive -Command "Import-Module '$psd1'; Find-MappedBytes -Path '$conf' -String '8080' | Write-MappedBytes -String '18080' -WhatIf" 2>&1 | Out-String
        $out | Should -Match 'What if:'
        $out | Should -Match 'would be refused, PatchLengthMismatch'
        Get-Sha256 $conf | Should -Be $confHash
    }

    It 'writes a longer replacement with -AllowLengthChange' {
        Find-MappedBytes -Path $conf -String '8080' | Write-MappedBytes -String '18080' -AllowLengthChange -Confirm:$false -ErrorAction Stop
        [IO.File]::ReadAllText($conf) | Should -Be "listen_port=18080admin_port=9090`n"
    }

    It 'checks text with -ExpectString (encoded as -String is), and hex with -Expect as before' {
        Find-MappedBytes -Path $conf -String '8080' | Write-MappedBytes -String '8081' -ExpectString '8080' -Confirm:$false -ErrorAction Stop
        [IO.File]::ReadAllText($conf) | Should -Be "listen_port=8081`nadmin_port=9090`n"
        { Write-MappedBytes -Path $conf -Offset 12 -String '8082' -ExpectString '8080' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId (Get-ErrorIdFor 'ExpectMismatch' 'Write-MappedBytes')
        Write-MappedBytes -Path $conf -Offset 12 -String '8082' -Expect '38 30 38 31' -Confirm:$false -ErrorAction Stop
        $u16 = New-TestFile 'u16.txt' ([Text.Encoding]::Unicode.GetBytes('port=80'))
        Write-MappedBytes -Path $u16 -Offset 10 -String '90' -ExpectString '80' -Encoding unicode -Confirm:$false -ErrorAction Stop
        [Text.Encoding]::Unicode.GetString([IO.File]::ReadAllBytes($u16)) | Should -Be 'port=90'
        [IO.File]::ReadAllText($conf) | Should -Be "listen_port=8082`nadmin_port=9090`n"
    }
}

Describe 'Find-MappedBytes: directories and special files' {
    It 'skips a directory met through a wildcard, but a directory named is PathIsDirectory' {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'd.bin')
        $one = New-AppFile 'one.bin'
        (Find-MappedBytes -Path (Join-Path $TestDrive '*.bin') -Hex 'EB 05' -ErrorAction Stop).Count | Should -Be 3
        { Find-MappedBytes -LiteralPath $dir.FullName -Hex 'EB' -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor 'PathIsDirectory' 'Find-MappedBytes')
        { Find-MappedBytes -Path $dir.FullName -Hex 'EB' -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor 'PathIsDirectory' 'Find-MappedBytes')
    }

    It 'a wildcard that matches nothing is PathNotFound, and the other paths are still searched' {
        $one = New-AppFile 'one.bin'
        $hits = Find-MappedBytes -Path (Join-Path $TestDrive 'nope*.bin'), $one -Hex 'EB 05' -ErrorAction SilentlyContinue -ErrorVariable err
        $hits.Count | Should -Be 3
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor 'PathNotFound' 'Find-MappedBytes')
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Write-MappedBytes -Backup and Restore-MappedBytes' {
    BeforeEach {
        $script:app = New-AppFile
        $script:hash = Get-Sha256 $app
        $script:backup = Join-Path $TestDrive 'app.patch.json'
        Remove-Item -LiteralPath $backup -ErrorAction Ignore
    }
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'patches with an undo record, and the restore gives the file back byte for byte' {
        Find-MappedBytes -Path $app -Hex 'EB 05' | Write-MappedBytes -Hex '90 90' -Expect 'EB 05' -Backup $backup -Confirm:$false
        Get-Sha256 $app | Should -Not -Be $hash
        $record = Get-Content -Raw $backup | ConvertFrom-Json
        $record.format | Should -Be 'mmaptools-patch-backup'
        $record.version | Should -Be 1
        $record.files[0].path | Should -Be $app
        $record.files[0].sha256Before | Should -Be $hash.ToLowerInvariant()
        $record.files[0].sha256After | Should -Be (Get-Sha256 $app).ToLowerInvariant()
        $record.files[0].ranges.offset | Should -Be @(0, 100, 4094)
        $record.files[0].ranges[0].old | Should -Be 'EB 05'
        $record.files[0].ranges[0].new | Should -Be '90 90'
        (Get-Item $backup).UnixMode | Should -Be '-rw-------'

        $r = Restore-MappedBytes -Path $backup -PassThru -Confirm:$false
        $r | Should -BeOfType ([MmapTools.RestoreResult])
        $r.Identical | Should -BeTrue
        $r.Ranges | Should -Be 3
        Get-Sha256 $app | Should -Be $hash
    }

    It 'restores nothing with -WhatIf, and takes the record from Get-ChildItem' {
        Write-MappedBytes -Path $app -Offset 10 -Hex '01 02' -Backup $backup -Confirm:$false
        $patched = Get-Sha256 $app
        Restore-MappedBytes -Path $backup -WhatIf
        Get-Sha256 $app | Should -Be $patched
        Get-Item $backup | Restore-MappedBytes -Confirm:$false
        Get-Sha256 $app | Should -Be $hash
    }

    It 'creates no record with -WhatIf' {
        Write-MappedBytes -Path $app -Offset 10 -Hex '01 02' -Backup $backup -WhatIf
        Test-Path $backup | Should -BeFalse
        Get-Sha256 $app | Should -Be $hash
    }

    It 'refuses to restore bytes that changed since the patch, or to restore twice' {
        Write-MappedBytes -Path $app -Offset 10 -Hex '01 02' -Backup $backup -Confirm:$false
        Write-MappedBytes -Path $app -Offset 11 -Hex '03' -Confirm:$false
        $changed = Get-Sha256 $app
        { Restore-MappedBytes -Path $backup -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor 'RestoreMismatch' 'Restore-MappedBytes')
        Get-Sha256 $app | Should -Be $changed

        Write-MappedBytes -Path $app -Offset 11 -Hex '02' -Confirm:$false
        Restore-MappedBytes -Path $backup -Confirm:$false
        Get-Sha256 $app | Should -Be $hash
        { Restore-MappedBytes -Path $backup -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor 'RestoreMismatch' 'Restore-MappedBytes')
    }

    It 'warns when the file changed elsewhere since the patch' {
        Write-MappedBytes -Path $app -Offset 10 -Hex '01 02' -Backup $backup -Confirm:$false
        Write-MappedBytes -Path $app -Offset 2000 -Hex '77' -Confirm:$false
        $r = Restore-MappedBytes -Path $backup -PassThru -Confirm:$false -WarningVariable warn -WarningAction SilentlyContinue
        $r.Identical | Should -BeFalse
        $r.ChangedElsewhere | Should -BeTrue
        $warn.Count | Should -Be 1
        [IO.File]::ReadAllBytes($app)[10..11] | Should -Be @(0, 0)
    }

    It '<Case>' -ForEach @(
        @{ Case = 'an existing record is never overwritten'; Command = 'Write-MappedBytes'; Id = 'BackupExists'; Call = { Set-Content $backup 'keep'; Write-MappedBytes -Path $app -Offset 0 -Hex '00' -Backup $backup -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'a record in a missing folder'; Command = 'Write-MappedBytes'; Id = 'BackupWriteFailed'; Call = { Write-MappedBytes -Path $app -Offset 0 -Hex '00' -Backup (Join-Path $TestDrive 'no/dir/x.json') -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'a backup of anonymous memory'; Command = 'Write-MappedBytes'; Id = 'BackupNotSupported'; Call = { $m = New-MemoryMap -Anonymous -Length 4096; Write-MappedBytes -Map $m -Offset 0 -Hex '00' -Backup $backup -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'a record that is not one'; Command = 'Restore-MappedBytes'; Id = 'BackupInvalid'; Call = { Set-Content $backup '{"format":"other"}'; Restore-MappedBytes -Path $backup -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'a missing record'; Command = 'Restore-MappedBytes'; Id = 'PathNotFound'; Call = { Restore-MappedBytes -LiteralPath (Join-Path $TestDrive 'none.json') -Confirm:$false -ErrorAction Stop } }
    ) {
        $Call | Should -Throw -ErrorId (Get-ErrorIdFor $Id $Command)
        Get-Sha256 $app | Should -Be $hash
    }
}
