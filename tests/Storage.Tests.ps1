#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Issue 15: storage that runs out or fails. Real small filesystems (tmpfs mounts), a container-sized /dev/shm in a
# private mount namespace (unshare -m, a child pwsh), a read-only remount, and writeback errors through a loop
# device over a full tmpfs. Each case: the documented error id and category, the cause and the numbers in the
# message, nothing written, nothing left behind, pwsh alive. Needs root (mount); skipped with the reason otherwise.

BeforeDiscovery {
    $script:isRoot = (& id -u) -eq '0'
    $script:canUnshare = $isRoot -and [bool](Get-Command unshare -ErrorAction Ignore) -and $(& unshare -m true 2>$null; $LASTEXITCODE -eq 0)
    $script:canLoop = $isRoot -and [bool](Get-Command losetup -ErrorAction Ignore) -and [bool](Get-Command mkfs.ext4 -ErrorAction Ignore) -and (Test-Path /dev/loop-control)
    $script:hasDeviceMapper = $isRoot -and [bool](Get-Command dmsetup -ErrorAction Ignore) -and ((Get-Content /proc/misc -ErrorAction Ignore) -match 'device-mapper')
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    # A tmpfs of $Size under a new folder; returns the folder. Remove it with Dismount-TestFs.
    function Mount-TestTmpfs([string] $Size) {
        $dir = Join-Path ([IO.Path]::GetTempPath()) "mmaptools-storage-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        New-Item -ItemType Directory -Path $dir | Out-Null
        & mount -t tmpfs -o "size=$Size,mode=0755" tmpfs $dir
        if ($LASTEXITCODE -ne 0) { throw "mount -t tmpfs -o size=$Size failed" }
        $dir
    }

    function Dismount-TestFs([string] $Dir) {
        if (-not $Dir) { return }
        Get-MemoryMap | Where-Object { $_.Path -like "$Dir/*" } | Remove-MemoryMap -Confirm:$false
        & umount $Dir 2>$null
        if ($LASTEXITCODE -ne 0) { & umount -l $Dir 2>$null }
        Remove-Item -LiteralPath $Dir -Recurse -Force -ErrorAction Ignore
    }

    # Bytes the file really occupies (st_blocks * 512).
    function Get-Allocated([string] $Path) { [long](& stat -c '%b' $Path) * 512 }

    # Free bytes of the filesystem holding $Path, as df sees them.
    function Get-FreeBytes([string] $Path) { [long]((& df -B1 --output=avail $Path | Select-Object -Last 1).Trim()) }

    # Fills a filesystem to the last byte with one file, so that any new page needs space it does not have.
    function Set-TestFsFull([string] $Dir) {
        $filler = Join-Path $Dir 'filler'
        & dd if=/dev/zero of=$filler bs=4096 status=none 2>$null
        Get-FreeBytes $Dir | Should -Be 0
    }

    function Get-Failure([scriptblock] $Call) {
        try { & $Call; $null } catch { $_ }
    }
}

AfterAll {
    Get-MemoryMap | Remove-MemoryMap -Confirm:$false
}

Describe 'New-MemoryMap -Size on a filesystem without room (64 KiB tmpfs)' -Skip:(-not $isRoot) {
    BeforeAll { $script:fs = Mount-TestTmpfs 64k }
    AfterAll { Dismount-TestFs $fs }
    AfterEach {
        Get-MemoryMap | Remove-MemoryMap -Confirm:$false
        Get-ChildItem -LiteralPath $fs -Force | Remove-Item -Force
    }

    It 'refuses 1 MiB up front: FileSystemFull, ResourceUnavailable, with the size, the free space and the mount point; no file left' {
        $path = Join-Path $fs 'sparse.bin'
        $e = Get-Failure { New-MemoryMap -Path $path -Size 1MB -Access ReadWrite -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor FileSystemFull New-MemoryMap)
        $e.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $e.Exception.Errno | Should -Be 28
        $e.Exception.Message | Should -Match 'Cannot reserve 1048576 bytes'
        $e.Exception.Message | Should -Match 'ENOSPC'
        $e.Exception.Message | Should -Match "65536 bytes \(64 KiB\) free of 65536 \(64 KiB\) on $([regex]::Escape($fs)) \(tmpfs\)"
        $e.Exception.Message | Should -Match 'removed again'
        $e.Exception.Message | Should -Match '-Sparse'
        Test-Path -LiteralPath $path | Should -BeFalse
        Get-FreeBytes $fs | Should -Be 65536
        Get-MemoryMap | Should -BeNullOrEmpty
    }

    It 'shrinks an existing file back when growing it does not fit, its bytes unchanged' {
        $content = New-Pattern 5000
        $path = New-TestFile 'x.bin' $content
        Move-Item -LiteralPath $path -Destination (Join-Path $fs 'grow.bin')
        $path = Join-Path $fs 'grow.bin'
        $e = Get-Failure { New-MemoryMap -Path $path -Size 200KB -Access ReadWrite -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor FileSystemFull New-MemoryMap)
        $e.Exception.Message | Should -Match 'grown from 5000 to 204800 bytes'
        $e.Exception.Message | Should -Match 'shrunk back to 5000 bytes'
        (Get-Item -LiteralPath $path).Length | Should -Be 5000
        [Convert]::ToHexString([IO.File]::ReadAllBytes($path)) | Should -Be ([Convert]::ToHexString($content))
    }

    It 'reserves what fits: a 32 KiB file is allocated at once, so its pages can always be written' {
        $path = Join-Path $fs 'fits.bin'
        $m = New-MemoryMap -Path $path -Size 32KB -Access ReadWrite
        $m.Options | Should -Not -Match 'Sparse'
        Get-Allocated $path | Should -Be 32768
        Set-TestFsFull $fs
        Write-MappedBytes -Map $m -Offset 0 -Value ([byte[]](1..255) * 128) -Confirm:$false -ErrorAction Stop
        (Read-MappedBytes -Map $m -Offset 32000 -Count 3) -join ',' | Should -Be '126,127,128'
    }

    It '-Sparse grows without reserving, as before: a 1 MiB file that occupies nothing' {
        $path = Join-Path $fs 'sparse.bin'
        $m = New-MemoryMap -Path $path -Size 1MB -Access ReadWrite -Sparse
        $m.Options | Should -Match 'Sparse'
        (Get-Item -LiteralPath $path).Length | Should -Be 1MB
        Get-Allocated $path | Should -Be 0
    }

    It '-WhatIf reserves and creates nothing' {
        $path = Join-Path $fs 'whatif.bin'
        New-MemoryMap -Path $path -Size 16KB -Access ReadWrite -WhatIf
        Test-Path -LiteralPath $path | Should -BeFalse
        Get-FreeBytes $fs | Should -Be 65536
    }
}

Describe 'Writes and reads into the holes of a sparse file on a full filesystem' -Skip:(-not $isRoot) {
    BeforeAll { $script:fs = Mount-TestTmpfs 64k }
    AfterAll { Dismount-TestFs $fs }
    BeforeEach {
        $script:path = Join-Path $fs 'sparse.bin'
        $script:m = New-MemoryMap -Path $path -Size 1MB -Access ReadWrite -Sparse
    }
    AfterEach {
        Get-MemoryMap | Remove-MemoryMap -Confirm:$false
        Get-ChildItem -LiteralPath $fs -Force | Remove-Item -Force
    }

    It 'a one-byte write into a hole of a full filesystem: MapStorageFull, a write, not PermissionDenied; nothing written' {
        Set-TestFsFull $fs
        $e = Get-Failure { Write-MappedBytes -Map $m -Offset 65536 -Hex AB -Confirm:$false -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor MapStorageFull Write-MappedBytes)
        $e.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $e.Exception.Errno | Should -Be 28
        $e.Exception.Message | Should -Match '^Cannot write 1 bytes at offset 65536'
        $e.Exception.Message | Should -Match '4096 bytes without storage from file offset 65536'
        $e.Exception.Message | Should -Match "0 bytes \(0 B\) free of 65536 \(64 KiB\) on $([regex]::Escape($fs)) \(tmpfs\)"
        $e.Exception.Message | Should -Match 'Nothing was written'
        $e.Exception.Message | Should -Not -Match 'Cannot read|protection'
        Get-Allocated $path | Should -Be 0
        (Get-Item -LiteralPath $path).Length | Should -Be 1MB
    }

    It 'a 256 KiB write from offset 0 on an empty 64 KiB filesystem: refused before any page is allocated' {
        $e = Get-Failure { Write-MappedBytes -Map $m -Offset 0 -Value ([byte[]]::new(256KB) + 1) -Confirm:$false -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor MapStorageFull Write-MappedBytes)
        $e.Exception.Message | Should -Match '266240 bytes without storage from file offset 0'
        $e.Exception.Message | Should -Match '65536 bytes \(64 KiB\) free of 65536'
        Get-Allocated $path | Should -Be 0
        Get-FreeBytes $fs | Should -Be 65536
        [Linq.Enumerable]::Max([IO.File]::ReadAllBytes($path)) | Should -Be 0
    }

    It 'a read of holes that tmpfs cannot back: MapStorageFull naming the read, nothing allocated' {
        $e = Get-Failure { Read-MappedBytes -Map $m -Offset 0 -Count 256KB -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor MapStorageFull Read-MappedBytes)
        $e.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $e.Exception.Message | Should -Match '^Cannot read 262144 bytes at offset 0'
        $e.Exception.Message | Should -Match 'reading a hole of tmpfs allocates its page'
        $e.Exception.Message | Should -Match '65536 bytes \(64 KiB\) free of 65536'
        Get-Allocated $path | Should -Be 0
    }

    It 'a read of one hole page on a full tmpfs faults in the kernel and is reported as MapStorageFull, not MapAccessFault' {
        Set-TestFsFull $fs
        $e = Get-Failure { Read-MappedBytes -Map $m -Offset 8192 -Count 1 -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor MapStorageFull Read-MappedBytes)
        $e.Exception.Message | Should -Match 'ENOSPC'
        $e.Exception.Message | Should -Match '0 bytes \(0 B\) free'
    }

    It 'a write into holes that fit reserves exactly their pages, and a write over them needs nothing more' {
        Write-MappedBytes -Map $m -Offset 10000 -Value ([byte[]]::new(5000) + 7) -Confirm:$false -ErrorAction Stop
        Get-Allocated $path | Should -Be 8192   # pages 8192..16383
        Set-TestFsFull $fs
        Write-MappedBytes -Map $m -Offset 8192 -Hex 'DE AD BE EF' -Confirm:$false -ErrorAction Stop
        Write-MappedBytes -Map $m -Offset 16380 -Hex '01 02 03 04' -Confirm:$false -ErrorAction Stop
        (Read-MappedBytes -Map $m -Offset 8192 -Count 4) -join ',' | Should -Be '222,173,190,239'
        (Read-MappedBytes -Map $m -Offset 16380 -Count 4) -join ',' | Should -Be '1,2,3,4'
        $e = Get-Failure { Write-MappedBytes -Map $m -Offset 16380 -Hex '01 02 03 04 05' -Confirm:$false -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor MapStorageFull Write-MappedBytes)
        (Read-MappedBytes -Map $m -Offset 16380 -Count 4) -join ',' | Should -Be '1,2,3,4'
    }

    It 'Write-MappedBytes -Path (a transient map) into a hole of a full filesystem: MapStorageFull, file unchanged' {
        Remove-MemoryMap -Map $m -Confirm:$false
        Set-TestFsFull $fs
        $e = Get-Failure { Write-MappedBytes -Path $path -Offset 500000 -Hex 'AA BB' -Confirm:$false -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor MapStorageFull Write-MappedBytes)
        $e.Exception.Message | Should -Match 'Nothing was written'
        Get-Allocated $path | Should -Be 0
    }

    It '-WhatIf on a full filesystem reports the failure the write would meet, and allocates nothing' {
        Set-TestFsFull $fs
        $e = Get-Failure { Write-MappedBytes -Map $m -Offset 0 -Hex AB -WhatIf -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor MapStorageFull Write-MappedBytes)
        Get-Allocated $path | Should -Be 0
    }

    It 'a protection fault is still MapAccessFault (PermissionDenied), named as a write' {
        Write-MappedBytes -Map $m -Offset 0 -Hex AB -Confirm:$false -ErrorAction Stop
        Set-MemoryMap -Map $m -Protection ReadOnly -Confirm:$false
        $e = Get-Failure { Write-MappedBytes -Map $m -Offset 0 -Hex CD -Confirm:$false -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor MapAccessFault Write-MappedBytes)
        $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $e.Exception.Message | Should -Match '^Cannot write offset 0 .*protection is Read, which forbids a write'
        (Read-MappedBytes -Map $m -Offset 0 -Count 1) | Should -Be 171
    }
}

Describe 'A container-sized /dev/shm: a 1 MiB tmpfs over /dev/shm in a private mount namespace' -Skip:(-not $canUnshare) {
    BeforeAll {
        $pwsh = Join-Path $PSHOME 'pwsh'
        $psd1 = (Resolve-Path (Join-Path $PSScriptRoot '../MmapTools.psd1')).Path
        $child = @'
$ErrorActionPreference = 'Stop'
Import-Module '{0}'
function Fail([scriptblock] $c) {{ try {{ & $c; $null }} catch {{ [pscustomobject]@{{ Id = $_.FullyQualifiedErrorId; Category = [string]$_.CategoryInfo.Category; Errno = $_.Exception.Errno; Message = $_.Exception.Message }} }} }}
$r = [ordered]@{{}}
$r.Mount = (& df -B1 --output=size /dev/shm | Select-Object -Last 1).Trim()
$r.Big = Fail {{ New-MemoryMap -Name big -Size 4MB }}
$r.BigLeft = Test-Path /dev/shm/big
$r.EmptySummary = Get-SharedMemory -Summary | Select-Object Path, FileSystemType, Size, Used, Free, Objects
$a = New-MemoryMap -Name half -Size 512KB
$r.Second = Fail {{ New-MemoryMap -Name more -Size 768KB }}
$r.SecondLeft = Test-Path /dev/shm/more
$r.Summary = Get-SharedMemory -Summary | Select-Object Path, Size, Used, Free, Objects, ObjectsAllocated, ObjectsLength
$r.List = Get-SharedMemory | Select-Object Name, Length, Allocated
$r.Table = (Get-SharedMemory | Out-String -Width 80)
$s = New-MemoryMap -Name sparse -Size 4MB -Sparse
$r.SparseWrite = Fail {{ Write-MappedBytes -Map $s -Offset 0 -Value ([byte[]]::new(1MB)) -Confirm:$false }}
$r.SparseAllocated = (Get-SharedMemory -Name sparse).Allocated
$r.Before = @(Get-SharedMemory).Count
$a, $s | Remove-MemoryMap -Confirm:$false
Get-SharedMemory | Remove-SharedMemory -Confirm:$false
$r.After = @(Get-SharedMemory).Count
$r.Alive = $true
$r | ConvertTo-Json -Depth 4 -Compress
'@ -f $psd1
        $script:json = & unshare -m --propagation private sh -c 'mount -t tmpfs -o size=1m,mode=1777 tmpfs /dev/shm && exec "$0" -NoProfile -NonInteractive -Command "$1"' $pwsh $child 2>&1
        $script:exit = $LASTEXITCODE
        $script:r = ($json | Select-Object -Last 1) | ConvertFrom-Json
    }

    It 'the child pwsh ran to the end and exited 0 (no SIGBUS, no crash)' {
        $exit | Should -Be 0 -Because ($json -join "`n")
        $r.Alive | Should -BeTrue
        $r.Mount | Should -Be '1048576'
    }

    It 'New-MemoryMap -Name -Size 4MB: FileSystemFull with the sizes, /dev/shm and the --shm-size remedy; no object left' {
        $r.Big.Id | Should -Be (Get-ErrorIdFor FileSystemFull New-MemoryMap)
        $r.Big.Category | Should -Be 'ResourceUnavailable'
        $r.Big.Errno | Should -Be 28
        $r.Big.Message | Should -Match "Cannot reserve 4194304 bytes \(4 MiB\) for shared memory 'big' \(/dev/shm/big\)"
        $r.Big.Message | Should -Match 'free of 1048576 \(1 MiB\) on /dev/shm \(tmpfs\)'
        $r.Big.Message | Should -Match '--shm-size'
        $r.Big.Message | Should -Match 'removed again'
        $r.BigLeft | Should -BeFalse
    }

    It 'a second object that no longer fits is refused and removed; the first is intact' {
        $r.Second.Id | Should -Be (Get-ErrorIdFor FileSystemFull New-MemoryMap)
        $r.Second.Message | Should -Match 'Cannot reserve 786432 bytes'
        $r.SecondLeft | Should -BeFalse
        @($r.List).Count | Should -Be 1
        $r.List[0].Name | Should -Be 'half'
        $r.List[0].Allocated | Should -Be 524288
    }

    It 'Get-SharedMemory -Summary answers "is shm the problem?": size, used, free and the objects' {
        $r.EmptySummary.Path | Should -Be '/dev/shm'
        $r.EmptySummary.FileSystemType | Should -Be 'tmpfs'
        $r.EmptySummary.Size | Should -Be 1048576
        $r.EmptySummary.Objects | Should -Be 0
        $r.EmptySummary.Free | Should -Be 1048576
        $r.Summary.Objects | Should -Be 1
        $r.Summary.ObjectsAllocated | Should -Be 524288
        $r.Summary.Used | Should -Be 524288
        $r.Summary.Free | Should -Be 524288
    }

    It 'Get-SharedMemory shows how full /dev/shm is above the objects, within 80 columns' {
        $r.Table | Should -Match 'Shared memory: /dev/shm \(tmpfs\): 1 MiB, 512 KiB used \(50%\), 512 KiB free'
        $r.Table | Should -Match 'Allocated'
        ($r.Table -split "`n" | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 80
    }

    It 'a write into a sparse object beyond the space: MapStorageFull naming /dev/shm; nothing written' {
        $r.SparseWrite.Id | Should -Be (Get-ErrorIdFor MapStorageFull Write-MappedBytes)
        $r.SparseWrite.Message | Should -Match 'free of 1048576 \(1 MiB\) on /dev/shm'
        $r.SparseWrite.Message | Should -Match '--shm-size'
        $r.SparseWrite.Message | Should -Match 'Nothing was written'
        $r.SparseAllocated | Should -Be 0
    }

    It 'the objects still pipe into Remove-SharedMemory (Get-SharedMemory | Remove-SharedMemory removed both)' {
        $r.Before | Should -Be 2
        $r.After | Should -Be 0
    }

    It "the host's /dev/shm never saw the namespace's objects" {
        Test-Path /dev/shm/half, /dev/shm/big, /dev/shm/sparse | Should -Not -Contain $true
    }
}

Describe 'A read-only filesystem (mount -o remount,ro)' -Skip:(-not $isRoot) {
    BeforeAll {
        $script:fs = Mount-TestTmpfs 64k
        [IO.File]::WriteAllBytes((Join-Path $fs 'data.bin'), (New-Pattern 4096))
        & mount -o remount,ro $fs
    }
    AfterAll { Dismount-TestFs $fs }

    It 'read-write and -Size are ReadOnlyFileSystem (EROFS) with advice; a read-only map still works' {
        $path = Join-Path $fs 'data.bin'
        $e = Get-Failure { New-MemoryMap -Path $path -Access ReadWrite -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor ReadOnlyFileSystem New-MemoryMap)
        $e.Exception.Message | Should -Match 'EROFS'
        $e.Exception.Message | Should -Match 'ReadOnly or CopyOnWrite'
        $e = Get-Failure { New-MemoryMap -Path (Join-Path $fs 'new.bin') -Access ReadWrite -Size 4096 -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor ReadOnlyFileSystem New-MemoryMap)
        Test-Path -LiteralPath (Join-Path $fs 'new.bin') | Should -BeFalse
        (Read-MappedBytes -Map (New-MemoryMap -Path $path) -Offset 1 -Count 1) | Should -Be 38
    }
}

Describe 'Writeback errors: ext4 on a loop device whose backing tmpfs is too small' -Skip:(-not $canLoop) {
    BeforeEach {
        # ext4 believes it has 64 MiB; the tmpfs under its loop device has 6 MiB. Pages written through a map are
        # accepted in memory and fail when the kernel writes them back (ENOSPC from the loop device, then EIO).
        $script:backing = Mount-TestTmpfs 6m
        $script:mnt = Join-Path ([IO.Path]::GetTempPath()) "mmaptools-storage-ext4-$PID-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        New-Item -ItemType Directory -Path $mnt | Out-Null
        & truncate -s 64M (Join-Path $backing 'disk.img')
        & mkfs.ext4 -q -F -O '^has_journal' -E 'lazy_itable_init=1,nodiscard' (Join-Path $backing 'disk.img') 2>&1 | Out-Null
        $script:loop = (& losetup -f --show (Join-Path $backing 'disk.img')).Trim()
        & mount -o errors=continue $loop $mnt
        if ($LASTEXITCODE -ne 0) { throw "mount $loop failed" }
        $script:file = Join-Path $mnt 'data.bin'
        $script:data = [byte[]]::new(20MB)
        (New-Object Random 15).NextBytes($data)
    }
    AfterEach {
        Get-MemoryMap | Remove-MemoryMap -Confirm:$false
        & umount $mnt 2>$null
        if ($LASTEXITCODE -ne 0) { & umount -l $mnt 2>$null }
        if ($loop) { & losetup -d $loop 2>$null }
        Remove-Item -LiteralPath $mnt -Force -ErrorAction Ignore
        Dismount-TestFs $backing
    }

    It "the sync Write-MappedBytes does reports the writeback error with the errno and the path" {
        $m = New-MemoryMap -Path $file -Size 20MB -Access ReadWrite
        $e = Get-Failure { Write-MappedBytes -Map $m -Offset 0 -Value $data -Confirm:$false -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor SyncFailed Write-MappedBytes)
        $e.CategoryInfo.Category | Should -Be 'WriteError'
        $e.Exception.Errno | Should -BeIn @(5, 28)
        $e.Exception.Message | Should -Match ([regex]::Escape("'$file'"))
        $e.Exception.Message | Should -Match 'ENOSPC|EIO'
        $e.Exception.Message | Should -Match 'may not be on disk'
    }

    It 'with -NoSync the write succeeds in memory, and Sync-MemoryMap reports the writeback error' {
        $m = New-MemoryMap -Path $file -Size 20MB -Access ReadWrite
        Write-MappedBytes -Map $m -Offset 0 -Value $data -NoSync -Confirm:$false -ErrorAction Stop
        $e = Get-Failure { Sync-MemoryMap -Map $m -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor SyncFailed Sync-MemoryMap)
        $e.Exception.Errno | Should -BeIn @(5, 28)
        $e.Exception.Message | Should -Match ([regex]::Escape("'$file'"))
        $e.Exception.Message | Should -Match 'writeback error'
    }
}

Describe 'A read error under a map (device-mapper error target)' -Skip:(-not $hasDeviceMapper) {
    # Skipped where the kernel has no device-mapper (no 'device-mapper' in /proc/misc: dm-mod is not built in or loaded).
    BeforeAll {
        $script:dm = "mmaptools-err-$PID"
        '0 2048 error' | & dmsetup create $dm
        $script:dev = "/dev/mapper/$dm"
    }
    AfterAll {
        Get-MemoryMap | Remove-MemoryMap -Confirm:$false
        & dmsetup remove $dm 2>$null
    }

    It 'reading a page the device cannot read is MapIOError (ReadError, EIO), not a crash' {
        $m = New-MemoryMap -Path $dev
        $e = Get-Failure { Read-MappedBytes -Map $m -Offset 0 -Count 16 -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor MapIOError Read-MappedBytes)
        $e.CategoryInfo.Category | Should -Be 'ReadError'
        $e.Exception.Message | Should -Match 'EIO'
    }
}
