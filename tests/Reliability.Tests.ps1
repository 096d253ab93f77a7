#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Issue 6 at the cmdlet level: a catalogue of bad inputs across every cmdlet, each asserted by id and proven to
# leave files and maps as they were; a map removed while 8 runspaces (ForEach-Object -Parallel) use it; a file
# truncated under a map; hostile paths and names. The engine-level proofs (threads, SIGKILL, fuzzing, security)
# are in tests/MmapTools.Engine.Tests. Tests tagged Stress run the full counts (./build.ps1 -Task Stress).

BeforeAll {
    $script:psd1 = (Resolve-Path (Join-Path $PSScriptRoot '../MmapTools.psd1')).Path
    Import-Module $psd1 -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    # Everything a bad input must leave as it was: the fixture file (hash, length, mode), the files of
    # $TestDrive, the open maps, and this test's names in /dev/shm.
    function Get-ReliabilityState {
        param([string] $File, [object[]] $Maps)
        $item = Get-Item -LiteralPath $File
        @(
            (Get-FileHash -LiteralPath $File -Algorithm SHA256).Hash
            $item.Length
            $item.UnixMode
            (Get-ChildItem -LiteralPath $TestDrive -Recurse -Force | ForEach-Object FullName | Sort-Object) -join '|'
            (Get-MemoryMap | ForEach-Object Id | Sort-Object) -join ','
            ($Maps | ForEach-Object { "$($_.Id):$($_.IsOpen)" }) -join ','
            (Get-ChildItem -LiteralPath '/dev/shm' -Force | Where-Object Name -Like "mmaptools-rel-$PID-*" | ForEach-Object Name | Sort-Object) -join '|'
        ) -join "`n"
    }
}

AfterAll {
    Get-MemoryMap | Remove-MemoryMap -Confirm:$false
}

Describe 'Bad input to every cmdlet: a clean error with its id, and nothing changed' {
    BeforeAll {
        $script:shmLink = "mmaptools-rel-$PID-link"
        $script:shmTarget = New-TestFile 'shm-target.bin' (New-Pattern 4096)
        New-Item -ItemType SymbolicLink -Path "/dev/shm/$shmLink" -Target $shmTarget | Out-Null
        # Files no cmdlet may open for data, or wait on: a FIFO with no writer, a socket, a sparse 1 GiB "record".
        $script:special = Join-Path $TestDrive 'special'
        New-Item -ItemType Directory -Path $special | Out-Null
        $script:fifo = Join-Path $special 'fifo'
        & mkfifo $fifo
        $script:socketPath = Join-Path $special 'socket'
        $script:socket = [Net.Sockets.Socket]::new([Net.Sockets.AddressFamily]::Unix, [Net.Sockets.SocketType]::Stream, [Net.Sockets.ProtocolType]::Unspecified)
        $socket.Bind([Net.Sockets.UnixDomainSocketEndPoint]::new($socketPath))
        $script:bigRecord = Join-Path $special 'big.patch.json'
        $fs = [IO.File]::Create($bigRecord); $fs.SetLength(1GB + 1); $fs.Dispose()
        & stat -c %F $fifo $socketPath | Should -Be @('fifo', 'socket')
    }
    AfterAll {
        Remove-Item -LiteralPath "/dev/shm/$shmLink" -Force -ErrorAction Ignore
        $socket.Dispose()
    }
    BeforeEach {
        $script:content = New-Pattern 10000
        $script:file = New-TestFile 'data.bin' $content
        $script:empty = New-TestFile 'empty.bin'
        $script:ro = New-MemoryMap -Path $file
        $script:rw = New-MemoryMap -Path $file -Access ReadWrite
        $script:closed = New-MemoryMap -Path $file
        Remove-MemoryMap -Map $closed -Confirm:$false
        $script:missing = Join-Path $TestDrive 'missing.bin'
        $script:tooLong = '/' + ((1..25 | ForEach-Object { 'd' * 200 }) -join '/')
    }
    AfterEach {
        Get-MemoryMap | Remove-MemoryMap -Confirm:$false
    }

    It '<Command>: <Case>' -ForEach @(
        # New-MemoryMap
        @{ Command = 'New-MemoryMap'; Case = 'a missing file'; Id = 'PathNotFound'; Call = { New-MemoryMap -Path $missing -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'a wildcard matching nothing'; Id = 'PathNotFound'; Call = { New-MemoryMap -Path (Join-Path $TestDrive 'nope*.bin') -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'a missing folder'; Id = 'PathNotFound'; Call = { New-MemoryMap -LiteralPath (Join-Path $TestDrive 'no/such.bin') -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'a directory'; Id = 'PathIsDirectory'; Call = { New-MemoryMap -LiteralPath $TestDrive -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'a procfs file'; Id = 'FileNotMappable'; Call = { New-MemoryMap -LiteralPath '/proc/self/status' -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'a character device'; Id = 'FileNotMappable'; Call = { New-MemoryMap -LiteralPath '/dev/null' -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'the Env: provider'; Id = 'PathNotFileSystem'; Call = { New-MemoryMap -Path 'Env:/PATH' -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'the Function: provider'; Id = 'PathNotFileSystem'; Call = { New-MemoryMap -LiteralPath 'Function:/prompt' -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'a NUL in the path'; Id = 'PathInvalid'; Call = { New-MemoryMap -LiteralPath "$file`0.evil" -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'a path beyond PATH_MAX'; Id = 'PathInvalid'; Call = { New-MemoryMap -LiteralPath $tooLong -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'a negative offset'; Id = 'OffsetInvalid'; Call = { New-MemoryMap -Path $file -Offset -1 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'a zero length'; Id = 'LengthInvalid'; Call = { New-MemoryMap -Path $file -Length 0 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'a negative length'; Id = 'LengthInvalid'; Call = { New-MemoryMap -Path $file -Length -5 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'a length past the end'; Id = 'RangeBeyondEndOfFile'; Call = { New-MemoryMap -Path $file -Offset 9000 -Length 2000 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'an offset at the end'; Id = 'RangeBeyondEndOfFile'; Call = { New-MemoryMap -Path $file -Offset 10000 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'an overflowing range'; Id = 'RangeOverflow'; Call = { New-MemoryMap -Path $file -Offset 1 -Length ([long]::MaxValue) -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'an empty file'; Id = 'FileEmpty'; Call = { New-MemoryMap -Path $empty -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'an empty file, read-write'; Id = 'FileEmpty'; Call = { New-MemoryMap -Path $empty -Access ReadWrite -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = '-Size with -Access ReadOnly'; Id = 'SizeRequiresReadWrite'; Call = { New-MemoryMap -Path $file -Size 4096 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = '-Size 0'; Id = 'SizeInvalid'; Call = { New-MemoryMap -Path $file -Access ReadWrite -Size 0 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = '-Size -1 for a new file'; Id = 'SizeInvalid'; Call = { New-MemoryMap -Path $missing -Access ReadWrite -Size -1 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = '-Size beyond the filesystem (file removed again)'; Id = 'FileResizeFailed'; Call = { New-MemoryMap -Path $missing -Access ReadWrite -Size ([long]::MaxValue) -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'anonymous length 0'; Id = 'LengthInvalid'; Call = { New-MemoryMap -Anonymous -Length 0 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'anonymous 2^60 bytes'; Id = 'OutOfMemory'; Call = { New-MemoryMap -Anonymous -Length (1L -shl 60) -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = "shm name '../etc/passwd'"; Id = 'SharedMemoryNameInvalid'; Call = { New-MemoryMap -Name '../etc/passwd' -Size 4096 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = "shm name '..'"; Id = 'SharedMemoryNameInvalid'; Call = { New-MemoryMap -Name '..' -Size 4096 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'shm name with a leading space'; Id = 'SharedMemoryNameInvalid'; Call = { New-MemoryMap -Name ' lead' -Size 4096 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'shm name with a newline'; Id = 'SharedMemoryNameInvalid'; Call = { New-MemoryMap -Name "a`nb" -Size 4096 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'shm name with a NUL'; Id = 'SharedMemoryNameInvalid'; Call = { New-MemoryMap -Name "a`0b" -Size 4096 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'shm name of 256 characters'; Id = 'SharedMemoryNameInvalid'; Call = { New-MemoryMap -Name ('a' * 256) -Size 4096 -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'a missing shm object'; Id = 'SharedMemoryNotFound'; Call = { New-MemoryMap -Name "mmaptools-rel-$PID-none" -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'a shm name that is a symlink'; Id = 'SharedMemoryIsSymlink'; Call = { New-MemoryMap -Name $shmLink -Size 65536 -ErrorAction Stop } }

        # Get-MemoryMap
        @{ Command = 'Get-MemoryMap'; Case = 'an unknown id'; Id = 'MapNotFound'; Call = { Get-MemoryMap -Id 999999 -ErrorAction Stop } }
        @{ Command = 'Get-MemoryMap'; Case = 'a negative id'; Id = 'MapNotFound'; Call = { Get-MemoryMap -Id -1 -ErrorAction Stop } }
        @{ Command = 'Get-MemoryMap'; Case = 'the id of a removed map'; Id = 'MapNotFound'; Call = { Get-MemoryMap -Id $closed.Id -ErrorAction Stop } }

        # Read-MappedBytes
        @{ Command = 'Read-MappedBytes'; Case = 'past the end of the map'; Id = 'AccessOutOfRange'; Call = { Read-MappedBytes -Map $ro -Offset 9999 -Count 2 -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = 'an offset past the end'; Id = 'AccessOutOfRange'; Call = { Read-MappedBytes -Map $ro -Offset ([long]::MaxValue) -Count 1 -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = 'a negative offset'; Id = 'OffsetInvalid'; Call = { Read-MappedBytes -Map $ro -Offset -1 -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = 'a negative count'; Id = 'CountInvalid'; Call = { Read-MappedBytes -Map $ro -Count -1 -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = 'a removed map'; Id = 'MapClosed'; Call = { Read-MappedBytes -Map $closed -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = 'an unknown encoding'; Id = 'EncodingInvalid'; Call = { Read-MappedBytes -Map $ro -AsString -Encoding 'nope' -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = 'an unknown code page'; Id = 'EncodingInvalid'; Call = { Read-MappedBytes -Map $ro -AsString -Encoding '99999' -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = '-AsHex with -AsString'; Id = 'ReadFormatConflict'; Call = { Read-MappedBytes -Map $ro -AsHex -AsString -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = 'an unknown id'; Id = 'MapNotFound'; Call = { Read-MappedBytes -Id 999999 -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = '-Path of a missing file'; Id = 'PathNotFound'; Call = { Read-MappedBytes -Path $missing -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = '-Path of a directory'; Id = 'PathIsDirectory'; Call = { Read-MappedBytes -LiteralPath $TestDrive -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = '-Path of an empty file'; Id = 'FileEmpty'; Call = { Read-MappedBytes -Path $empty -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = '-Path of a character device'; Id = 'FileNotMappable'; Call = { Read-MappedBytes -LiteralPath '/dev/zero' -Count 4 -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = '-Path past the end of the file'; Id = 'RangeBeyondEndOfFile'; Call = { Read-MappedBytes -Path $file -Offset 9999 -Count 2 -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = '-Path with a NUL'; Id = 'PathInvalid'; Call = { Read-MappedBytes -LiteralPath "$file`0" -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = 'more than a byte[] holds'; Id = 'ReadTooLarge'; Call = { $big = New-MemoryMap -Anonymous -Length 3GB -NoReserve; Read-MappedBytes -Map $big -ErrorAction Stop } }

        # Write-MappedBytes
        @{ Command = 'Write-MappedBytes'; Case = 'a read-only map'; Id = 'MapReadOnly'; Call = { Write-MappedBytes -Map $ro -Offset 0 -Hex '00' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = "hex 'XYZ'"; Id = 'HexInvalid'; Call = { Write-MappedBytes -Map $rw -Offset 0 -Hex 'XYZ' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = 'hex with odd digits'; Id = 'HexInvalid'; Call = { Write-MappedBytes -Path $file -Offset 0 -Hex 'ABC' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = "hex '0x' alone"; Id = 'HexInvalid'; Call = { Write-MappedBytes -Path $file -Offset 0 -Hex '0x' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = 'no bytes'; Id = 'WriteValueMissing'; Call = { Write-MappedBytes -Path $file -Offset 0 -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = 'two sources of bytes'; Id = 'WriteValueConflict'; Call = { Write-MappedBytes -Path $file -Offset 0 -Hex '00' -String 'a' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = '-Path past the end of the file'; Id = 'RangeBeyondEndOfFile'; Call = { Write-MappedBytes -Path $file -Offset 9999 -Hex '00 00' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = 'past the end of a map'; Id = 'AccessOutOfRange'; Call = { Write-MappedBytes -Map $rw -Offset 9999 -Hex '00 00' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = 'a negative offset'; Id = 'OffsetInvalid'; Call = { Write-MappedBytes -Map $rw -Offset -1 -Hex '00' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = 'a removed map'; Id = 'MapClosed'; Call = { Write-MappedBytes -Map $closed -Offset 0 -Hex '00' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = '-Expect that is a date'; Id = 'ExpectInvalid'; Call = { Write-MappedBytes -Path $file -Offset 0 -Hex '00' -Expect ([datetime]::Now) -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = '-Expect holding 300'; Id = 'ExpectInvalid'; Call = { Write-MappedBytes -Path $file -Offset 0 -Hex '00' -Expect @(1, 300) -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = '-Expect that is bad hex'; Id = 'HexInvalid'; Call = { Write-MappedBytes -Path $file -Offset 0 -Hex '00' -Expect 'ZZ' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = '-Expect that differs'; Id = 'ExpectMismatch'; Call = { Write-MappedBytes -Map $rw -Offset 0 -Hex '90 90' -Expect 'EB 05' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = '-String with an unknown encoding'; Id = 'EncodingInvalid'; Call = { Write-MappedBytes -Path $file -Offset 0 -String 'x' -Encoding 'nope' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = '-Path of a missing file'; Id = 'PathNotFound'; Call = { Write-MappedBytes -Path $missing -Offset 0 -Hex '00' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = '-Path of a procfs file'; Id = 'FileNotMappable'; Call = { Write-MappedBytes -LiteralPath '/proc/self/comm' -Offset 0 -Hex '00' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = 'an unknown id'; Id = 'MapNotFound'; Call = { Write-MappedBytes -Id 999999 -Offset 0 -Hex '00' -Confirm:$false -ErrorAction Stop } }

        # Sync-MemoryMap
        @{ Command = 'Sync-MemoryMap'; Case = 'past the end'; Id = 'AccessOutOfRange'; Call = { Sync-MemoryMap -Map $rw -Offset 9000 -Count 2000 -ErrorAction Stop } }
        @{ Command = 'Sync-MemoryMap'; Case = 'from past the end, no count'; Id = 'AccessOutOfRange'; Call = { Sync-MemoryMap -Map $rw -Offset 20000 -ErrorAction Stop } }
        @{ Command = 'Sync-MemoryMap'; Case = 'a negative offset'; Id = 'OffsetInvalid'; Call = { Sync-MemoryMap -Map $rw -Offset -1 -ErrorAction Stop } }
        @{ Command = 'Sync-MemoryMap'; Case = 'a negative count'; Id = 'CountInvalid'; Call = { Sync-MemoryMap -Map $rw -Count -1 -ErrorAction Stop } }
        @{ Command = 'Sync-MemoryMap'; Case = 'a removed map'; Id = 'MapClosed'; Call = { Sync-MemoryMap -Map $closed -ErrorAction Stop } }
        @{ Command = 'Sync-MemoryMap'; Case = 'an unknown id'; Id = 'MapNotFound'; Call = { Sync-MemoryMap -Id 999999 -ErrorAction Stop } }
        @{ Command = 'Sync-MemoryMap'; Case = '-Invalidate of locked pages (EBUSY)'; Id = 'SyncFailed'; Call = { $locked = New-MemoryMap -Path $file -Access ReadWrite -Lock; Sync-MemoryMap -Map $locked -Invalidate -ErrorAction Stop } }

        # Remove-MemoryMap
        @{ Command = 'Remove-MemoryMap'; Case = 'a removed map'; Id = 'MapClosed'; Call = { Remove-MemoryMap -Map $closed -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Remove-MemoryMap'; Case = 'an unknown id'; Id = 'MapNotFound'; Call = { Remove-MemoryMap -Id 999999 -Confirm:$false -ErrorAction Stop } }

        # Get-SharedMemory and Remove-SharedMemory
        @{ Command = 'Get-SharedMemory'; Case = 'a missing name'; Id = 'SharedMemoryNotFound'; Call = { Get-SharedMemory -Name "mmaptools-rel-$PID-none" -ErrorAction Stop } }
        @{ Command = 'Get-SharedMemory'; Case = 'a malformed wildcard'; Id = 'SharedMemoryNameInvalid'; Call = { Get-SharedMemory -Name 'mmaptools-[' -ErrorAction Stop } }
        @{ Command = 'Remove-SharedMemory'; Case = 'a missing name'; Id = 'SharedMemoryNotFound'; Call = { Remove-SharedMemory -Name "mmaptools-rel-$PID-none" -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Remove-SharedMemory'; Case = "'a/b'"; Id = 'SharedMemoryNameInvalid'; Call = { Remove-SharedMemory -Name 'a/b' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Remove-SharedMemory'; Case = "'..'"; Id = 'SharedMemoryNameInvalid'; Call = { Remove-SharedMemory -Name '..' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Remove-SharedMemory'; Case = "'../../tmp/x'"; Id = 'SharedMemoryNameInvalid'; Call = { Remove-SharedMemory -Name '../../tmp/x' -Confirm:$false -ErrorAction Stop } }

        # The page-cache, memory-control, find and restore cmdlets
        @{ Command = 'Get-PageCacheResidency'; Case = 'an empty file'; Id = 'CacheFileEmpty'; Call = { Get-PageCacheResidency -LiteralPath $empty -ErrorAction Stop } }
        @{ Command = 'Get-PageCacheResidency'; Case = 'a missing file'; Id = 'PathNotFound'; Call = { Get-PageCacheResidency -LiteralPath $missing -ErrorAction Stop } }
        @{ Command = 'Get-PageCacheResidency'; Case = 'a negative offset'; Id = 'OffsetInvalid'; Call = { Get-PageCacheResidency -LiteralPath $file -Offset -1 -ErrorAction Stop } }
        @{ Command = 'Get-PageCacheResidency'; Case = 'an offset past the end'; Id = 'RangeBeyondEndOfFile'; Call = { Get-PageCacheResidency -LiteralPath $file -Offset 20000 -ErrorAction Stop } }
        @{ Command = 'Get-PageCacheResidency'; Case = 'a NUL in the path'; Id = 'PathInvalid'; Call = { Get-PageCacheResidency -LiteralPath "$file`0" -ErrorAction Stop } }
        @{ Command = 'Unlock-PageCache'; Case = 'a file that is not locked'; Id = 'CacheLockNotFound'; Call = { Unlock-PageCache -Path $file -ErrorAction Stop } }
        @{ Command = 'Import-PageCache'; Case = 'a missing file'; Id = 'PathNotFound'; Call = { Import-PageCache -LiteralPath $missing -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Clear-PageCache'; Case = 'an empty file'; Id = 'CacheFileEmpty'; Call = { Clear-PageCache -LiteralPath $empty -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Lock-PageCache'; Case = 'a directory without -Recurse'; Id = 'PathIsDirectory'; Call = { Lock-PageCache -LiteralPath $TestDrive -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Unlock-MemoryMap'; Case = 'a removed map'; Id = 'MapClosed'; Call = { Unlock-MemoryMap -Map $closed -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Set-MemoryMap'; Case = 'write protection on a read-only map'; Id = 'ProtectionNotPermitted'; Call = { Set-MemoryMap -Map $ro -Protection ReadWrite -ErrorAction Stop } }
        @{ Command = 'Set-MemoryMap'; Case = 'execute protection without -AllowExecute'; Id = 'ProtectionExecuteNotAllowed'; Call = { Set-MemoryMap -Map $rw -Protection ReadExecute -ErrorAction Stop } }
        @{ Command = 'Set-MemoryMap'; Case = 'populate-write advice on a read-only map'; Id = 'AdviceRefused'; Call = { Set-MemoryMap -Map $ro -Advice PopulateWrite -ErrorAction Stop } }
        @{ Command = 'Set-MemoryMap'; Case = 'a removed map'; Id = 'MapClosed'; Call = { Set-MemoryMap -Map $closed -Protection ReadOnly -ErrorAction Stop } }
        @{ Command = 'Lock-MemoryMap'; Case = 'a range past the end'; Id = 'AccessOutOfRange'; Call = { Lock-MemoryMap -Map $ro -Offset 9999 -Count 2 -ErrorAction Stop } }
        @{ Command = 'Find-MappedBytes'; Case = 'no pattern'; Id = 'PatternMissing'; Call = { Find-MappedBytes -Path $file -ErrorAction Stop } }
        @{ Command = 'Find-MappedBytes'; Case = 'two patterns'; Id = 'PatternConflict'; Call = { Find-MappedBytes -Path $file -Hex 'EB' -String 'x' -ErrorAction Stop } }
        @{ Command = 'Find-MappedBytes'; Case = 'only wildcards'; Id = 'PatternEmpty'; Call = { Find-MappedBytes -Path $file -Hex '?? ??' -ErrorAction Stop } }
        @{ Command = 'Find-MappedBytes'; Case = 'a removed map'; Id = 'MapClosed'; Call = { Find-MappedBytes -Map $closed -Hex 'EB' -ErrorAction Stop } }
        @{ Command = 'Find-MappedBytes'; Case = 'a NUL in the path'; Id = 'PathInvalid'; Call = { Find-MappedBytes -LiteralPath "$file`0" -Hex 'EB' -ErrorAction Stop } }
        @{ Command = 'Restore-MappedBytes'; Case = 'a missing record'; Id = 'PathNotFound'; Call = { Restore-MappedBytes -LiteralPath $missing -Confirm:$false -ErrorAction Stop } }

        # Every cmdlet that takes -Path: a wildcard that matches nothing, and a malformed one
        @{ Command = 'Find-MappedBytes'; Case = 'a wildcard matching nothing'; Id = 'PathNotFound'; Call = { Find-MappedBytes -Path (Join-Path $TestDrive 'nope*.bin') -Hex 'EB' -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = 'a wildcard matching nothing'; Id = 'PathNotFound'; Call = { Read-MappedBytes -Path (Join-Path $TestDrive 'nope*.bin') -Count 4 -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = 'a wildcard matching nothing'; Id = 'PathNotFound'; Call = { Write-MappedBytes -Path (Join-Path $TestDrive 'nope*.bin') -Offset 0 -Hex '00' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Get-PageCacheResidency'; Case = 'a wildcard matching nothing'; Id = 'PathNotFound'; Call = { Get-PageCacheResidency -Path (Join-Path $TestDrive 'nope*.bin') -ErrorAction Stop } }
        @{ Command = 'Import-PageCache'; Case = 'a wildcard matching nothing'; Id = 'PathNotFound'; Call = { Import-PageCache -Path (Join-Path $TestDrive 'nope*.bin') -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Clear-PageCache'; Case = 'a wildcard matching nothing'; Id = 'PathNotFound'; Call = { Clear-PageCache -Path (Join-Path $TestDrive 'nope*.bin') -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Lock-PageCache'; Case = 'a wildcard matching nothing'; Id = 'PathNotFound'; Call = { Lock-PageCache -Path (Join-Path $TestDrive 'nope*.bin') -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Unlock-PageCache'; Case = 'a wildcard matching nothing'; Id = 'PathNotFound'; Call = { Unlock-PageCache -Path (Join-Path $TestDrive 'nope*.bin') -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Restore-MappedBytes'; Case = 'a wildcard matching nothing'; Id = 'PathNotFound'; Call = { Restore-MappedBytes -Path (Join-Path $TestDrive 'nope*.bin') -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'a malformed wildcard'; Id = 'PathInvalid'; Call = { New-MemoryMap -Path (Join-Path $TestDrive 'a[') -ErrorAction Stop } }
        @{ Command = 'Find-MappedBytes'; Case = 'a malformed wildcard'; Id = 'PathInvalid'; Call = { Find-MappedBytes -Path (Join-Path $TestDrive 'a[') -Hex 'EB' -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = 'a malformed wildcard'; Id = 'PathInvalid'; Call = { Read-MappedBytes -Path (Join-Path $TestDrive 'a[') -Count 4 -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = 'a malformed wildcard'; Id = 'PathInvalid'; Call = { Write-MappedBytes -Path (Join-Path $TestDrive 'a[') -Offset 0 -Hex '00' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Get-PageCacheResidency'; Case = 'a malformed wildcard'; Id = 'PathInvalid'; Call = { Get-PageCacheResidency -Path (Join-Path $TestDrive 'a[') -ErrorAction Stop } }
        @{ Command = 'Import-PageCache'; Case = 'a malformed wildcard'; Id = 'PathInvalid'; Call = { Import-PageCache -Path (Join-Path $TestDrive 'a[') -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Clear-PageCache'; Case = 'a malformed wildcard'; Id = 'PathInvalid'; Call = { Clear-PageCache -Path (Join-Path $TestDrive 'a[') -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Lock-PageCache'; Case = 'a malformed wildcard'; Id = 'PathInvalid'; Call = { Lock-PageCache -Path (Join-Path $TestDrive 'a[') -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Unlock-PageCache'; Case = 'a malformed wildcard'; Id = 'PathInvalid'; Call = { Unlock-PageCache -Path (Join-Path $TestDrive 'a[') -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Restore-MappedBytes'; Case = 'a malformed wildcard'; Id = 'PathInvalid'; Call = { Restore-MappedBytes -Path (Join-Path $TestDrive 'a[') -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Get-MemoryMap'; Case = 'a malformed wildcard'; Id = 'PathInvalid'; Call = { Get-MemoryMap -Path 'a[' -ErrorAction Stop } }
        @{ Command = 'Get-ProcessVma'; Case = 'a malformed -Path wildcard'; Id = 'PathInvalid'; Call = { Get-ProcessVma -Path 'a[' -ErrorAction Stop } }

        # Every cmdlet that takes files: a directory, a FIFO (no writer: opening it must not wait), /dev/zero and a socket
        @{ Command = 'New-MemoryMap'; Case = 'special: a FIFO'; Id = 'FileNotMappable'; Call = { New-MemoryMap -LiteralPath $fifo -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'special: /dev/zero'; Id = 'FileNotMappable'; Call = { New-MemoryMap -LiteralPath '/dev/zero' -ErrorAction Stop } }
        @{ Command = 'New-MemoryMap'; Case = 'special: a socket'; Id = 'OpenFailed'; Call = { New-MemoryMap -LiteralPath $socketPath -ErrorAction Stop } }
        @{ Command = 'Find-MappedBytes'; Case = 'special: a directory named'; Id = 'PathIsDirectory'; Call = { Find-MappedBytes -LiteralPath $special -Hex 'EB' -ErrorAction Stop } }
        @{ Command = 'Find-MappedBytes'; Case = 'special: a FIFO'; Id = 'FileNotMappable'; Call = { Find-MappedBytes -LiteralPath $fifo -Hex 'EB' -ErrorAction Stop } }
        @{ Command = 'Find-MappedBytes'; Case = 'special: /dev/zero'; Id = 'FileNotMappable'; Call = { Find-MappedBytes -LiteralPath '/dev/zero' -Hex 'EB' -ErrorAction Stop } }
        @{ Command = 'Find-MappedBytes'; Case = 'special: a socket'; Id = 'OpenFailed'; Call = { Find-MappedBytes -LiteralPath $socketPath -Hex 'EB' -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = 'special: a directory named'; Id = 'PathIsDirectory'; Call = { Read-MappedBytes -LiteralPath $special -Count 4 -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = 'special: a FIFO'; Id = 'FileNotMappable'; Call = { Read-MappedBytes -LiteralPath $fifo -Count 4 -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Case = 'special: a socket'; Id = 'OpenFailed'; Call = { Read-MappedBytes -LiteralPath $socketPath -Count 4 -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = 'special: a directory named'; Id = 'PathIsDirectory'; Call = { Write-MappedBytes -LiteralPath $special -Offset 0 -Hex '00' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = 'special: a FIFO'; Id = 'FileNotMappable'; Call = { Write-MappedBytes -LiteralPath $fifo -Offset 0 -Hex '00' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = 'special: /dev/zero'; Id = 'FileNotMappable'; Call = { Write-MappedBytes -LiteralPath '/dev/zero' -Offset 0 -Hex '00' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = 'special: a socket'; Id = 'OpenFailed'; Call = { Write-MappedBytes -LiteralPath $socketPath -Offset 0 -Hex '00' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Get-PageCacheResidency'; Case = 'special: a directory named'; Id = 'PathIsDirectory'; Call = { Get-PageCacheResidency -LiteralPath $special -ErrorAction Stop } }
        @{ Command = 'Get-PageCacheResidency'; Case = 'special: a FIFO'; Id = 'CacheFileUnsupported'; Call = { Get-PageCacheResidency -LiteralPath $fifo -ErrorAction Stop } }
        @{ Command = 'Get-PageCacheResidency'; Case = 'special: /dev/zero'; Id = 'CacheFileUnsupported'; Call = { Get-PageCacheResidency -LiteralPath '/dev/zero' -ErrorAction Stop } }
        @{ Command = 'Get-PageCacheResidency'; Case = 'special: a socket'; Id = 'CacheFileUnsupported'; Call = { Get-PageCacheResidency -LiteralPath $socketPath -ErrorAction Stop } }
        @{ Command = 'Import-PageCache'; Case = 'special: a directory named'; Id = 'PathIsDirectory'; Call = { Import-PageCache -LiteralPath $special -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Import-PageCache'; Case = 'special: a FIFO'; Id = 'CacheFileUnsupported'; Call = { Import-PageCache -LiteralPath $fifo -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Import-PageCache'; Case = 'special: /dev/zero'; Id = 'CacheFileUnsupported'; Call = { Import-PageCache -LiteralPath '/dev/zero' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Import-PageCache'; Case = 'special: a socket'; Id = 'CacheFileUnsupported'; Call = { Import-PageCache -LiteralPath $socketPath -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Clear-PageCache'; Case = 'special: a directory named'; Id = 'PathIsDirectory'; Call = { Clear-PageCache -LiteralPath $special -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Clear-PageCache'; Case = 'special: a FIFO'; Id = 'CacheFileUnsupported'; Call = { Clear-PageCache -LiteralPath $fifo -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Clear-PageCache'; Case = 'special: /dev/zero'; Id = 'CacheFileUnsupported'; Call = { Clear-PageCache -LiteralPath '/dev/zero' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Clear-PageCache'; Case = 'special: a socket'; Id = 'CacheFileUnsupported'; Call = { Clear-PageCache -LiteralPath $socketPath -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Lock-PageCache'; Case = 'special: a directory named'; Id = 'PathIsDirectory'; Call = { Lock-PageCache -LiteralPath $special -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Lock-PageCache'; Case = 'special: a FIFO'; Id = 'CacheFileUnsupported'; Call = { Lock-PageCache -LiteralPath $fifo -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Lock-PageCache'; Case = 'special: /dev/zero'; Id = 'CacheFileUnsupported'; Call = { Lock-PageCache -LiteralPath '/dev/zero' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Lock-PageCache'; Case = 'special: a socket'; Id = 'CacheFileUnsupported'; Call = { Lock-PageCache -LiteralPath $socketPath -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Restore-MappedBytes'; Case = 'special: a directory named'; Id = 'BackupReadFailed'; Call = { Restore-MappedBytes -LiteralPath $special -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Restore-MappedBytes'; Case = 'special: a FIFO'; Id = 'BackupNotRegularFile'; Call = { Restore-MappedBytes -LiteralPath $fifo -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Restore-MappedBytes'; Case = 'special: /dev/zero'; Id = 'BackupNotRegularFile'; Call = { Restore-MappedBytes -LiteralPath '/dev/zero' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Restore-MappedBytes'; Case = 'special: a socket'; Id = 'BackupNotRegularFile'; Call = { Restore-MappedBytes -LiteralPath $socketPath -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Restore-MappedBytes'; Case = 'a record over 1 GiB (sparse)'; Id = 'BackupTooLarge'; Call = { Restore-MappedBytes -LiteralPath $bigRecord -Confirm:$false -ErrorAction Stop } }

        # An offset past the end with no -Count/-Length is about the offset
        @{ Command = 'Get-PageCacheResidency'; Case = 'a map offset past the end, no -Length'; Id = 'AccessOutOfRange'; Call = { Get-PageCacheResidency -Map $ro -Offset ([long]::MaxValue) -ErrorAction Stop } }
        @{ Command = 'Sync-MemoryMap'; Case = 'an offset of [long]::MaxValue, no count'; Id = 'AccessOutOfRange'; Call = { Sync-MemoryMap -Map $rw -Offset ([long]::MaxValue) -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = '-Expect with -ExpectString'; Id = 'ExpectConflict'; Call = { Write-MappedBytes -Path $file -Offset 0 -Hex '00' -Expect '00' -ExpectString 'a' -Confirm:$false -ErrorAction Stop } }
        @{ Command = 'Write-MappedBytes'; Case = 'a match replaced by longer bytes'; Id = 'PatchLengthMismatch'; Call = { Find-MappedBytes -Path $file -Value $content[0..1] -First 1 | Write-MappedBytes -Hex '00 00 00' -Confirm:$false -ErrorAction Stop } }

        # The process cmdlets
        @{ Command = 'Get-ProcessVma'; Case = 'a pid that does not exist'; Id = 'ProcessNotFound'; Call = { Get-ProcessVma -Id 2147483647 -ErrorAction Stop } }
        @{ Command = 'Get-ProcessVma'; Case = 'a name that matches no process'; Id = 'ProcessNotFound'; Call = { Get-ProcessVma -Name 'no-such-process-mmaptools' -ErrorAction Stop } }
        @{ Command = 'Get-ProcessVma'; Case = 'a permission filter with a bad letter'; Id = 'PermissionFilterInvalid'; Call = { Get-ProcessVma -Permission 'rwq' -ErrorAction Stop } }
        @{ Command = 'Get-ProcessVma'; Case = 'a malformed -Name wildcard'; Id = 'ProcessNameInvalid'; Call = { Get-ProcessVma -Name 'a[' -ErrorAction Stop } }
        @{ Command = 'Get-ProcessMemory'; Case = 'a malformed -Name wildcard'; Id = 'ProcessNameInvalid'; Call = { Get-ProcessMemory -Name 'a[' -ErrorAction Stop } }
        @{ Command = 'Get-ProcessVma'; Case = 'an address that is not a number'; Id = 'AddressInvalid'; Call = { Get-ProcessVma -Address 'banana' -ErrorAction Stop } }
        @{ Command = 'Get-ProcessVma'; Case = 'a start above the end'; Id = 'AddressRangeInvalid'; Call = { Get-ProcessVma -StartAddress 0x2000 -EndAddress 0x1000 -ErrorAction Stop } }
        @{ Command = 'Get-ProcessVma'; Case = 'an address nothing maps'; Id = 'AddressNotMapped'; Call = { Get-ProcessVma -Id $PID -Address 0x1000 -ErrorAction Stop } }
        @{ Command = 'Get-ProcessMemory'; Case = 'a pid that does not exist'; Id = 'ProcessNotFound'; Call = { Get-ProcessMemory -Id 2147483647 -ErrorAction Stop } }
    ) {
        $before = Get-ReliabilityState -File $file -Maps @($ro, $rw, $closed)
        $Call | Should -Throw -ErrorId (Get-ErrorIdFor $Id $Command)
        # Maps a case made for itself (the locked map, the big anonymous map) are not the fixture's: remove them.
        Get-MemoryMap | Where-Object Id -NotIn $ro.Id, $rw.Id | Remove-MemoryMap -Confirm:$false
        Get-ReliabilityState -File $file -Maps @($ro, $rw, $closed) | Should -Be $before
        ConvertTo-TestHex ([IO.File]::ReadAllBytes($file)) | Should -BeExactly (ConvertTo-TestHex $content)
        Test-Path -LiteralPath $missing | Should -BeFalse
        Get-Item -LiteralPath $shmTarget | ForEach-Object Length | Should -Be 4096
    }
}

Describe 'An offset past the end with no count: the message speaks of the offset' {
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It '<Command>' -ForEach @(
        @{ Command = 'Get-PageCacheResidency'; Call = { param($m) Get-PageCacheResidency -Map $m -Offset ([long]::MaxValue) -ErrorAction Stop } }
        @{ Command = 'Sync-MemoryMap'; Call = { param($m) Sync-MemoryMap -Map $m -Offset ([long]::MaxValue) -ErrorAction Stop } }
        @{ Command = 'Lock-MemoryMap'; Call = { param($m) Lock-MemoryMap -Map $m -Offset ([long]::MaxValue) -ErrorAction Stop } }
        @{ Command = 'Read-MappedBytes'; Call = { param($m) Read-MappedBytes -Map $m -Offset ([long]::MaxValue) -ErrorAction Stop } }
        @{ Command = 'Find-MappedBytes'; Call = { param($m) Find-MappedBytes -Map $m -Offset ([long]::MaxValue) -Hex 'EB' -ErrorAction Stop } }
    ) {
        $m = New-MemoryMap -Path (New-TestFile 'past.bin' (New-Pattern 10000)) -Access ReadWrite
        $e = { & $Call $m } | Should -Throw -ErrorId (Get-ErrorIdFor 'AccessOutOfRange' $Command) -PassThru
        $e.Exception.Message | Should -Match "offset $([long]::MaxValue)"
        $e.Exception.Message | Should -Match 'past the end'
        $e.Exception.Message | Should -Not -Match 'negative|Count'
    }
}

Describe 'Files from Get-ChildItem bind as files on every cmdlet that takes files' {
    BeforeEach {
        $script:dir = Join-Path $TestDrive ([guid]::NewGuid())
        New-Item -ItemType Directory -Path $dir | Out-Null
        # Names that are valid shared-memory names too: a FileInfo's Name must never bind to New-MemoryMap -Name.
        $script:one = Join-Path $dir 'one.bin'
        $script:two = Join-Path $dir 'two.bin'
        foreach ($f in $one, $two) { [IO.File]::WriteAllBytes($f, [byte[]](0x11, 0xEB, 0x05, 0x22) + [byte[]]::new(4092)) }
        $script:files = { Get-ChildItem -LiteralPath $dir -Filter *.bin }
    }
    AfterEach {
        Unlock-PageCache -All -Confirm:$false -ErrorAction Ignore | Out-Null
        Get-MemoryMap | Remove-MemoryMap -Confirm:$false
    }

    It 'New-MemoryMap maps each file' {
        $maps = & $files | New-MemoryMap -ErrorAction Stop
        $maps.Count | Should -Be 2
        $maps.Kind | Should -Be @('File', 'File')
        ($maps.Path | Sort-Object) | Should -Be @($one, $two)
    }

    It 'Find-MappedBytes searches each file' {
        $hits = & $files | Find-MappedBytes -Hex 'EB 05' -ErrorAction Stop
        ($hits.Path | Sort-Object) | Should -Be @($one, $two)
        $hits.Offset | Should -Be @(1, 1)
    }

    It 'Read-MappedBytes reads each file' {
        $reads = @(& $files | Read-MappedBytes -Offset 1 -Count 2 -ErrorAction Stop)
        $reads.Count | Should -Be 2
        ($reads | ForEach-Object { [BitConverter]::ToString($_) }) | Should -Be @('EB-05', 'EB-05')
    }

    It 'Write-MappedBytes patches each file' {
        & $files | Write-MappedBytes -Offset 3 -Hex 'AB' -Confirm:$false -ErrorAction Stop
        foreach ($f in $one, $two) { [IO.File]::ReadAllBytes($f)[3] | Should -Be 0xAB }
    }

    It 'Get-PageCacheResidency measures each file' {
        $r = & $files | Get-PageCacheResidency -ErrorAction Stop
        ($r.Path | Sort-Object) | Should -Be @($one, $two)
    }

    It 'Import-PageCache loads each file' {
        $r = & $files | Import-PageCache -Confirm:$false -ErrorAction Stop
        ($r.Path | Sort-Object) | Should -Be @($one, $two)
        $r.ResidentPages | Should -Be @(1, 1)
    }

    It 'Clear-PageCache evicts each file' {
        $r = & $files | Clear-PageCache -Confirm:$false -ErrorAction Stop
        ($r.Path | Sort-Object) | Should -Be @($one, $two)
    }

    It 'Lock-PageCache and Unlock-PageCache lock and release each file' {
        $locked = & $files | Lock-PageCache -Confirm:$false -ErrorAction Stop
        ($locked.Path | Sort-Object) | Should -Be @($one, $two)
        (Get-MemoryMap | Where-Object Path -In $one, $two).Count | Should -Be 2
        $released = & $files | Unlock-PageCache -Confirm:$false -ErrorAction Stop
        ($released.Path | Sort-Object) | Should -Be @($one, $two)
        Get-MemoryMap | Where-Object Path -In $one, $two | Should -BeNullOrEmpty
    }

    It 'Restore-MappedBytes restores each record' {
        foreach ($f in $one, $two) { Write-MappedBytes -LiteralPath $f -Offset 0 -Hex 'FF' -Backup "$f.undo.json" -Confirm:$false }
        $r = Get-ChildItem -LiteralPath $dir -Filter *.undo.json | Restore-MappedBytes -PassThru -Confirm:$false -ErrorAction Stop
        $r.Count | Should -Be 2
        foreach ($f in $one, $two) { [IO.File]::ReadAllBytes($f)[0] | Should -Be 0x11 }
    }
}

Describe 'Remove-MemoryMap while 8 runspaces read, write and sync the map' {
    BeforeAll {
        # One run: 8 runspaces (ForEach-Object -Parallel -AsJob) each do $Operations operations on one map while
        # this runspace removes it at a random point. Returns the figures; the It blocks assert them.
        function Invoke-RemoveRace {
            param([int] $Operations, [int] $Seed)
            $content = New-Pattern 65536
            $path = New-TestFile "race-$Seed.bin" $content
            $map = New-MemoryMap -Path $path -Access ReadWrite
            # Each runspace writes only its own key (created here, never added to later); this runspace reads them by key.
            $shared = [hashtable]::Synchronized(@{ Removed = $false })
            foreach ($w in 1..8) { $shared["ops$w"] = 0 }
            $job = 1..8 | ForEach-Object -ThrottleLimit 8 -AsJob -Parallel {
                Import-Module $using:psd1
                $map = $using:map; $content = $using:content; $shared = $using:shared
                $rnd = [Random]::new($using:Seed * 10 + $_)
                $r = [pscustomobject]@{ Worker = $_; Ok = 0; Closed = 0; Other = @(); Wrong = 0; AfterRemove = 0 }
                for ($i = 0; $i -lt $using:Operations; $i++) {
                    $removedBefore = $shared.Removed
                    $offset = $rnd.Next(0, 65536 - 64)
                    try {
                        switch ($rnd.Next(3)) {
                            0 {
                                $got = Read-MappedBytes -Map $map -Offset $offset -Count 64 -ErrorAction Stop
                                if ([Convert]::ToBase64String([byte[]] $got) -cne [Convert]::ToBase64String([byte[]] $content[$offset..($offset + 63)])) { $r.Wrong++ }
                            }
                            1 { Write-MappedBytes -Map $map -Offset $offset -Value ([byte[]] $content[$offset..($offset + 63)]) -NoSync -Confirm:$false -ErrorAction Stop }
                            2 { Sync-MemoryMap -Map $map -Offset $offset -Count 64 -Async -ErrorAction Stop }
                        }
                        $r.Ok++
                        if ($removedBefore) { $r.AfterRemove++ }
                    } catch {
                        if ($_.FullyQualifiedErrorId -like 'MapClosed,*') { $r.Closed++ } else { $r.Other += $_.FullyQualifiedErrorId }
                    }
                    $shared["ops$_"] = $i + 1
                }
                $r
            }
            $removeAfter = [Random]::new($Seed).Next(0, 4 * $Operations)
            while ($job.State -eq 'Running' -and ((1..8 | ForEach-Object { $shared["ops$_"] } | Measure-Object -Sum).Sum) -lt $removeAfter) {
                Start-Sleep -Milliseconds 1
            }
            Remove-MemoryMap -Map $map -Confirm:$false
            $shared.Removed = $true
            $results = @($job | Wait-Job | Receive-Job)
            $job | Remove-Job
            [pscustomobject]@{
                Workers     = $results.Count
                Operations  = ($results | Measure-Object -Property Ok, Closed -Sum | Measure-Object -Property Sum -Sum).Sum + ($results | ForEach-Object { $_.Other.Count } | Measure-Object -Sum).Sum
                Ok          = ($results | Measure-Object -Property Ok -Sum).Sum
                Closed      = ($results | Measure-Object -Property Closed -Sum).Sum
                Other       = @($results | ForEach-Object { $_.Other })
                Wrong       = ($results | Measure-Object -Property Wrong -Sum).Sum
                AfterRemove = ($results | Measure-Object -Property AfterRemove -Sum).Sum
                IsOpen      = $map.IsOpen
                FileIntact  = [Convert]::ToBase64String([IO.File]::ReadAllBytes($path)) -ceq [Convert]::ToBase64String([byte[]] $content)
            }
        }
    }

    It 'nothing crashes, every failure is MapClosed, nothing succeeds after the removal (8 x 250 operations)' {
        $r = Invoke-RemoveRace -Operations 250 -Seed 1
        Write-Host "remove-while-8-runspaces-use-it: $($r.Operations) operations, $($r.Ok) succeeded, MapClosed $($r.Closed), other $($r.Other.Count), wrong bytes $($r.Wrong), after removal $($r.AfterRemove)"
        $r.Workers | Should -Be 8
        $r.Operations | Should -Be 2000
        $r.Other | Should -BeNullOrEmpty
        $r.Wrong | Should -Be 0
        $r.AfterRemove | Should -Be 0
        $r.IsOpen | Should -BeFalse
        $r.FileIntact | Should -BeTrue
    }

    It 'holds for 8 x 10,000 operations' -Tag 'Stress' {
        $r = Invoke-RemoveRace -Operations 10000 -Seed 2
        Write-Host "remove-while-8-runspaces-use-it (Stress): $($r.Operations) operations, $($r.Ok) succeeded, MapClosed $($r.Closed), other $($r.Other.Count), wrong bytes $($r.Wrong), after removal $($r.AfterRemove)"
        $r.Operations | Should -Be 80000
        $r.Other | Should -BeNullOrEmpty
        $r.Wrong | Should -Be 0
        $r.AfterRemove | Should -Be 0
        $r.IsOpen | Should -BeFalse
        $r.FileIntact | Should -BeTrue
    }
}

Describe 'A file truncated under a map, through the cmdlets' {
    BeforeAll {
        function Invoke-TruncationRounds {
            param([int] $Rounds, [int] $Seed)
            $rnd = [Random]::new($Seed)
            $content = New-Pattern 65536
            $path = New-TestFile "trunc-$Seed.bin" $content
            $f = [pscustomobject]@{ Rounds = 0; Reads = 0; Ok = 0; Truncated = 0; Other = @(); Wrong = 0; PastEnd = 0 }
            for ($round = 0; $round -lt $Rounds; $round++) {
                [IO.File]::WriteAllBytes($path, $content)
                $map = New-MemoryMap -Path $path
                $size = $rnd.Next(0, 65536)
                $fs = [IO.File]::Open($path, 'Open', 'ReadWrite', 'ReadWrite'); $fs.SetLength($size); $fs.Dispose()
                for ($k = 0; $k -lt 5; $k++) {
                    $count = $rnd.Next(1, 200)
                    $offset = if ($k % 2) { [Math]::Max(0, $size - $rnd.Next(0, 150)) } else { $rnd.Next(0, 65536 - $count) }
                    $offset = [Math]::Min($offset, 65536 - $count)
                    $f.Reads++
                    try {
                        $got = Read-MappedBytes -Map $map -Offset $offset -Count $count -ErrorAction Stop
                        $f.Ok++
                        if ($offset + $count -gt $size) { $f.PastEnd++ }
                        if ([Convert]::ToBase64String([byte[]] $got) -cne [Convert]::ToBase64String([byte[]] $content[$offset..($offset + $count - 1)])) { $f.Wrong++ }
                    } catch {
                        if ($_.FullyQualifiedErrorId -like 'FileTruncated,*') { $f.Truncated++ } else { $f.Other += $_.FullyQualifiedErrorId }
                    }
                }
                Remove-MemoryMap -Map $map -Confirm:$false
                $f.Rounds++
            }
            $f
        }
    }

    It 'every read is the file''s bytes or FileTruncated, even inside the last page (40 rounds)' {
        $f = Invoke-TruncationRounds -Rounds 40 -Seed 1
        Write-Host "truncate-under-a-map (cmdlets): $($f.Rounds) rounds survived, $($f.Reads) reads, $($f.Ok) correct, FileTruncated $($f.Truncated), other $($f.Other.Count), wrong $($f.Wrong), past the end $($f.PastEnd)"
        $f.Rounds | Should -Be 40
        $f.Other | Should -BeNullOrEmpty
        $f.Wrong | Should -Be 0
        $f.PastEnd | Should -Be 0
        $f.Truncated | Should -BeGreaterThan 0
    }

    It 'holds for 1,000 rounds' -Tag 'Stress' {
        $f = Invoke-TruncationRounds -Rounds 1000 -Seed 2
        Write-Host "truncate-under-a-map (cmdlets, Stress): $($f.Rounds) rounds survived, $($f.Reads) reads, $($f.Ok) correct, FileTruncated $($f.Truncated), other $($f.Other.Count), wrong $($f.Wrong), past the end $($f.PastEnd)"
        $f.Rounds | Should -Be 1000
        $f.Other | Should -BeNullOrEmpty
        $f.Wrong | Should -Be 0
        $f.PastEnd | Should -Be 0
    }
}

Describe 'Hostile file names through -LiteralPath' {
    AfterEach { Get-MemoryMap | Remove-MemoryMap -Confirm:$false }

    It 'maps exactly the file named <Label>' -ForEach @(
        @{ Label = 'with a newline'; Name = "line`nbreak.bin" }
        @{ Label = 'with a carriage return'; Name = "cr`rhere.bin" }
        @{ Label = 'with a leading space'; Name = ' lead.bin' }
        @{ Label = 'with a trailing space'; Name = 'trail.bin ' }
        @{ Label = 'with brackets and a star'; Name = 'glob[*].bin' }
        @{ Label = 'with a dollar and parentheses'; Name = 'dollar$(whoami).bin' }
        @{ Label = 'starting with a dash'; Name = '-Path.bin' }
    ) {
        $bytes = New-Pattern 300
        $path = Join-Path $TestDrive $Name
        [IO.File]::WriteAllBytes($path, $bytes)
        $decoy = Join-Path $TestDrive ($Name.Trim() -replace '[\r\n\[\]\*]', '')
        if ($decoy -ne $path) { [IO.File]::WriteAllBytes($decoy, [byte[]]::new(300)) }
        $map = New-MemoryMap -LiteralPath $path
        $map.Path | Should -BeExactly $path
        ConvertTo-TestHex (Read-MappedBytes -Map $map) | Should -Be (ConvertTo-TestHex $bytes)
        ConvertTo-TestHex (Read-MappedBytes -LiteralPath $path -Count 10) | Should -Be (ConvertTo-TestHex $bytes[0..9])
    }

    It 'refuses shared-memory names that would leave /dev/shm, and creates nothing' {
        foreach ($name in '../x', '../../tmp/x', '..', 'a/../b', '/../x', "x`0/../y") {
            { New-MemoryMap -Name $name -Size 4096 -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor 'SharedMemoryNameInvalid' 'New-MemoryMap')
        }
        Test-Path '/dev/x' | Should -BeFalse
        Test-Path '/tmp/x' | Should -BeFalse
    }
}

Describe 'In-place reads (under a read lease) while another process truncates the file' {
    # Large reads, gathered reads and searches of a read-only map read the map itself while a lease bars
    # truncation (about_MmapTools). Here a bash loop truncates and rewrites the file as fast as it can, from another
    # process, while this pwsh searches and reads it: every answer is the file's bytes or FileTruncated, pwsh lives.
    BeforeAll {
        function Invoke-LeaseRace {
            param([int] $Seconds)
            $content = [byte[]]::new(8MB); [Random]::new(3).NextBytes($content)
            $path = New-TestFile 'lease-race.bin' $content
            $copy = "$path.orig"; [IO.File]::WriteAllBytes($copy, $content)
            # truncate(1) opens with O_NONBLOCK: while a lease is held it fails with EAGAIN (hidden), else it cuts.
            $script = Join-Path $TestDrive 'truncate-loop.sh'
            Set-Content -LiteralPath $script -Value "while :; do truncate -s `$((RANDOM * 200)) '$path' 2>/dev/null; cp '$copy' '$path' 2>/dev/null; done"
            $loop = Start-Process bash -ArgumentList $script -PassThru
            $f = [pscustomobject]@{ Ops = 0; Ok = 0; Truncated = 0; Other = @(); Wrong = 0; Found = 0 }
            $offsets = [long[]](0..1999 | ForEach-Object { $_ * 4000 })
            $clock = [Diagnostics.Stopwatch]::StartNew()
            try {
                while ($clock.Elapsed.TotalSeconds -lt $Seconds) {
                    $map = New-MemoryMap -Path $path -Length 8MB -ErrorAction SilentlyContinue
                    if (-not $map) { continue }
                    foreach ($kind in 0..2) {
                        $f.Ops++
                        try {
                            switch ($kind) {
                                0 {
                                    $got = Read-MappedBytes -Map $map -Offset 1MB -Count 2MB -ErrorAction Stop
                                    if ([Convert]::ToHexString($got) -cne [Convert]::ToHexString($content, 1MB, 2MB)) { $f.Wrong++ }
                                }
                                1 {
                                    $got = Read-MappedBytes -Map $map -Offset $offsets -Count 16 -ErrorAction Stop
                                    if ([Convert]::ToHexString($got[1999].Bytes) -cne [Convert]::ToHexString($content, 1999 * 4000, 16)) { $f.Wrong++ }
                                }
                                2 { $f.Found += @(Find-MappedBytes -Map $map -String 'absent, surely' -ErrorAction Stop).Count }
                            }
                            $f.Ok++
                        } catch {
                            if ($_.FullyQualifiedErrorId -like 'FileTruncated,*') { $f.Truncated++ } else { $f.Other += $_.FullyQualifiedErrorId }
                        }
                    }
                    Remove-MemoryMap -Map $map -Confirm:$false
                }
            } finally {
                Stop-Process -Id $loop.Id -Force -ErrorAction Ignore
                $loop.WaitForExit()
            }
            $f
        }
    }

    It 'every answer is right or FileTruncated, and pwsh survives (4 s)' {
        $f = Invoke-LeaseRace -Seconds 4
        Write-Host "in-place reads vs truncate(1): $($f.Ops) operations, $($f.Ok) right, FileTruncated $($f.Truncated), other $($f.Other.Count), wrong $($f.Wrong)"
        $f.Ops | Should -BeGreaterThan 10
        $f.Truncated | Should -BeGreaterThan 0
        $f.Other | Should -BeNullOrEmpty
        $f.Wrong | Should -Be 0
        $f.Found | Should -Be 0
    }

    It 'holds for 60 s' -Tag 'Stress' {
        $f = Invoke-LeaseRace -Seconds 60
        Write-Host "in-place reads vs truncate(1), Stress: $($f.Ops) operations, $($f.Ok) right, FileTruncated $($f.Truncated), other $($f.Other.Count), wrong $($f.Wrong)"
        $f.Other | Should -BeNullOrEmpty
        $f.Wrong | Should -Be 0
    }

    It 'MMAPTOOLS_DIRECT=0 copies every byte and gives the same answers' {
        $content = [byte[]]::new(4MB); [Random]::new(4).NextBytes($content)
        [Text.Encoding]::ASCII.GetBytes('NEEDLE').CopyTo($content, 3MB + 5)
        $path = New-TestFile 'direct-off.bin' $content
        $pwsh = Join-Path $PSHOME 'pwsh'
        $script = "Import-Module '$psd1'; `$m = New-MemoryMap -Path '$path'; (Find-MappedBytes -Map `$m -String NEEDLE).Offset; [Convert]::ToHexString((Read-MappedBytes -Map `$m -Offset 1MB -Count 1MB))"
        $on = & $pwsh -NoProfile -NonInteractive -Command $script
        $env:MMAPTOOLS_DIRECT = '0'
        try { $off = & $pwsh -NoProfile -NonInteractive -Command $script } finally { Remove-Item Env:MMAPTOOLS_DIRECT }
        $on[0] | Should -Be (3MB + 5)
        $off[0] | Should -Be $on[0]
        $off[1] | Should -BeExactly $on[1]
        $on[1] | Should -BeExactly ([Convert]::ToHexString($content, 1MB, 1MB))
    }
}
