#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# End-to-end tests of the page-cache cmdlets: Get-PageCacheResidency, Import-PageCache, Clear-PageCache,
# Lock-PageCache, Unlock-PageCache. Files live on a disk filesystem: tmpfs pages cannot be evicted.

BeforeDiscovery {
    # The -Skip conditions below are evaluated during discovery, so the module must be loaded by then:
    # Get-ProcessVma (another area of the module) is used to show the effect where the module has it.
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    # $TestDrive is under the temp folder; where that is tmpfs, use a folder under ../out on the repository's disk.
    $fsType = (& stat -f -c %T $TestDrive 2>$null)
    if ($fsType -in 'tmpfs', 'ramfs') {
        $script:dir = New-Item -ItemType Directory -Path (Join-Path $PSScriptRoot "../out/pester-pagecache-$([guid]::NewGuid().ToString('N'))") -Force |
            Select-Object -ExpandProperty FullName
        $script:ownDir = $true
    } else {
        $script:dir = "$TestDrive"
        $script:ownDir = $false
    }

    $script:page = [Environment]::SystemPageSize

    function New-ColdFile {
        <# A file of $Pages pages, written, synced to disk and evicted from the page cache. #>
        param([Parameter(Mandatory)] [string] $Name, [int] $Pages = 256)
        $path = Join-Path $script:dir $Name
        $parent = Split-Path $path -Parent
        if (-not (Test-Path $parent)) { New-Item -ItemType Directory -Path $parent | Out-Null }
        $fs = [System.IO.File]::Create($path)
        try {
            $bytes = [byte[]]::new($Pages * $script:page)
            [System.Random]::new($Pages).NextBytes($bytes)      # fast; the content does not matter here
            $fs.Write($bytes, 0, $bytes.Length)
            $fs.Flush($true)
        } finally { $fs.Dispose() }
        Clear-PageCache -LiteralPath $path | Out-Null
        $path
    }
}

AfterAll {
    Unlock-PageCache -All -Confirm:$false -ErrorAction SilentlyContinue | Out-Null
    Get-MemoryMap | Remove-MemoryMap -Confirm:$false
    if ($script:ownDir) { Remove-Item -LiteralPath $script:dir -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Get-PageCacheResidency' {
    It 'shows a file not resident after Clear-PageCache and resident after it is read' {
        $file = New-ColdFile 'cycle.bin' 512
        $cold = Get-PageCacheResidency -Path $file
        $cold | Should -BeOfType ([MmapTools.PageCacheResidency])
        $cold.Path | Should -Be $file
        $cold.Size | Should -Be (512 * $page)
        $cold.Pages | Should -Be 512
        $cold.ResidentPages | Should -BeLessOrEqual 25          # mostly not resident

        $null = [System.IO.File]::ReadAllBytes($file)
        $warm = Get-PageCacheResidency -Path $file
        $warm.ResidentPages | Should -BeGreaterOrEqual 486     # mostly resident
        $warm.ResidentBytes | Should -Be ($warm.ResidentPages * $page)
        $warm.Percent | Should -BeGreaterOrEqual 95
    }

    It 'says which method it used, and reports cachestat counts only with cachestat' {
        $file = New-ColdFile 'method.bin' 16
        $auto = Get-PageCacheResidency -Path $file
        if ([MmapTools.Caching.PageCache]::HasCacheStat) {
            $auto.Method | Should -Be 'CacheStat'
            $auto.Dirty | Should -Not -BeNullOrEmpty
            $auto.Evicted | Should -Not -BeNullOrEmpty
        } else {
            $auto.Method | Should -Be 'MinCore'
        }
        $mincore = Get-PageCacheResidency -Path $file -Method MinCore
        $mincore.Method | Should -Be 'MinCore'
        $mincore.Dirty | Should -BeNullOrEmpty
        $mincore.ResidentPages | Should -Be $auto.ResidentPages
    }

    It 'agrees with fincore on the same file' -Skip:(-not (Get-Command fincore -ErrorAction Ignore)) {
        $file = New-ColdFile 'fincore.bin' 300
        Import-PageCache -Path $file -Offset 0 -Length (100 * $page) | Out-Null
        $ours = Get-PageCacheResidency -Path $file
        $theirs = "$(& fincore --bytes --noheadings --raw --output PAGES,SIZE $file)".Trim() -split '\s+'
        $ours.ResidentPages | Should -Be ([long]$theirs[0])
        $ours.Size | Should -Be ([long]$theirs[1])
        $ours.ResidentPages | Should -Be 100
    }

    It 'expands wildcards; -LiteralPath does not' {
        $a = New-ColdFile 'wild-a.bin' 4
        $b = New-ColdFile 'wild-b.bin' 4
        $odd = New-ColdFile 'odd[1].bin' 4
        (Get-PageCacheResidency -Path (Join-Path $dir 'wild-*.bin')).Path | Sort-Object | Should -Be @($a, $b)
        (Get-PageCacheResidency -LiteralPath $odd).Path | Should -Be $odd
    }

    It 'takes files from Get-ChildItem and walks folders with -Recurse' {
        $tree = Join-Path $dir 'tree'
        $files = 'one.bin', 'sub/two.bin', 'sub/deeper/three.bin' | ForEach-Object { New-ColdFile "tree/$_" 2 }
        $fromPipe = Get-ChildItem -LiteralPath $tree -File -Recurse | Get-PageCacheResidency
        @($fromPipe).Count | Should -Be 3
        ($fromPipe.Path | Sort-Object) | Should -Be ($files | Sort-Object)
        $walked = Get-PageCacheResidency -Path $tree -Recurse
        ($walked.Path | Sort-Object) | Should -Be ($files | Sort-Object)
    }

    It 'measures only -Offset/-Length, and -Ranges shows which parts are hot' {
        $file = New-ColdFile 'ranges.bin' 64
        $r = Import-PageCache -Path $file -Offset (16 * $page) -Length (8 * $page)
        $r.ResidentPages | Should -Be 8
        $r.Offset | Should -Be (16 * $page)

        $runs = Get-PageCacheResidency -Path $file -Ranges
        $runs | Should -HaveCount 3
        $runs[0] | Should -BeOfType ([MmapTools.PageCacheRange])
        $runs.State | Should -Be @('NotResident', 'Resident', 'NotResident')
        $runs[1].Offset | Should -Be (16 * $page)
        $runs[1].Pages | Should -Be 8
        ($runs | Measure-Object -Property Length -Sum).Sum | Should -Be (64 * $page)

        (Get-PageCacheResidency -Path $file -Offset (20 * $page) -Length (20 * $page)).ResidentPages | Should -Be 4
    }

    It 'measures an open map with -Map and -Id' {
        $map = New-MemoryMap -Anonymous -Length (8 * $page)
        (Get-PageCacheResidency -Map $map).ResidentPages | Should -Be 0
        Write-MappedBytes -Map $map -Offset (3 * $page) -Value ([byte[]](1, 2, 3))
        $r = $map | Get-PageCacheResidency
        $r.ResidentPages | Should -Be 1
        $r.MapId | Should -Be $map.Id
        (Get-PageCacheResidency -Id $map.Id).ResidentPages | Should -Be 1
        Remove-MemoryMap -Map $map -Confirm:$false
    }

    It 'writes a clean error per bad file and goes on with the rest' {
        $bad = Join-Path $dir 'mixed'
        New-Item -ItemType Directory -Path $bad | Out-Null
        $good1 = New-ColdFile 'mixed/a.bin' 2
        $empty = Join-Path $bad 'empty.bin'
        [System.IO.File]::WriteAllBytes($empty, [byte[]]::new(0))
        & mkfifo (Join-Path $bad 'fifo')
        $good2 = New-ColdFile 'mixed/z.bin' 2

        $out = Get-ChildItem -LiteralPath $bad | Get-PageCacheResidency -ErrorVariable errs -ErrorAction SilentlyContinue
        $out.Path | Sort-Object | Should -Be @($good1, $good2)
        $errs | Should -HaveCount 2
        $errs.FullyQualifiedErrorId | Should -Contain (Get-ErrorIdFor CacheFileEmpty Get-PageCacheResidency)
        $errs.FullyQualifiedErrorId | Should -Contain (Get-ErrorIdFor CacheFileUnsupported Get-PageCacheResidency)
    }

    It 'refuses an empty file, a FIFO, a folder without -Recurse, a missing file, by id' {
        $empty = Join-Path $dir 'empty2.bin'
        [System.IO.File]::WriteAllBytes($empty, [byte[]]::new(0))
        $fifo = Join-Path $dir 'fifo2'
        & mkfifo $fifo
        { Get-PageCacheResidency -LiteralPath $empty -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor CacheFileEmpty Get-PageCacheResidency)
        { Get-PageCacheResidency -LiteralPath $fifo -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor CacheFileUnsupported Get-PageCacheResidency)
        { Get-PageCacheResidency -LiteralPath $dir -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor PathIsDirectory Get-PageCacheResidency)
        { Get-PageCacheResidency -LiteralPath (Join-Path $dir 'missing.bin') -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor PathNotFound Get-PageCacheResidency)
        { Get-PageCacheResidency -LiteralPath '/proc/self/status' -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor CacheFileEmpty Get-PageCacheResidency)
    }

    It 'refuses a range past the end and a negative offset' {
        $file = New-ColdFile 'small.bin' 1
        { Get-PageCacheResidency -LiteralPath $file -Offset $page -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor RangeBeyondEndOfFile Get-PageCacheResidency)
        { Get-PageCacheResidency -LiteralPath $file -Offset -1 -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor OffsetInvalid Get-PageCacheResidency)
        (Get-PageCacheResidency -LiteralPath $file -Offset 10 -Length 1GB).Length | Should -Be ($page - 10)
    }
}

Describe 'Paths: absolute paths without the provider, FileInfo by value' {
    # Plain absolute paths skip PowerShell's provider (ResolveFileSystemPaths), and FileInfo objects bind to
    # -InputObject by value; both must name exactly the file the provider would, with the same errors otherwise.
    BeforeAll {
        $script:file = New-ColdFile 'paths/plain.bin' 4
        $script:sub = Join-Path $dir 'paths/sub'
        New-Item -ItemType Directory -Path $sub -Force | Out-Null
    }

    It 'a relative path and an absolute one name the same file' {
        Push-Location -LiteralPath (Split-Path $file -Parent)
        try {
            (Get-PageCacheResidency -Path ./plain.bin).Path | Should -Be $file
            (Get-PageCacheResidency -LiteralPath plain.bin).Path | Should -Be $file
            (Get-PageCacheResidency -Path $file).Path | Should -Be $file
            (Get-PageCacheResidency -LiteralPath $file).Path | Should -Be $file
        } finally { Pop-Location }
    }

    It "normalises '..', '.' and doubled '/' as the provider does" {
        $parent = Split-Path $file -Parent
        (Get-PageCacheResidency -LiteralPath "$parent/sub/../plain.bin").Path | Should -Be $file
        (Get-PageCacheResidency -Path "$parent/./sub/..//plain.bin").Path | Should -Be $file
        $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath("$parent/sub/../plain.bin") | Should -Be $file
    }

    It "takes Get-ChildItem's PSPath (FileSystem-qualified) as it is, and '\' as '/' like the provider" {
        (Get-PageCacheResidency -LiteralPath "Microsoft.PowerShell.Core\FileSystem::$file").Path | Should -Be $file
        (Get-PageCacheResidency -Path "FileSystem::$file").Path | Should -Be $file
        (Get-PageCacheResidency -LiteralPath ($file -replace '/plain.bin$', '\plain.bin')).Path | Should -Be $file
    }

    It 'under a current location on another provider (Env:) a relative path is that provider''s; an absolute one is still the file' {
        # The provider reads a rooted '/...' as the file system's even then; the direct path is not taken there
        # (it needs a FileSystem current location), so this is the provider's answer, as before.
        Push-Location Env:
        try {
            { Get-PageCacheResidency -LiteralPath 'PATH' -ErrorAction Stop } |
                Should -Throw -ErrorId (Get-ErrorIdFor PathNotFileSystem Get-PageCacheResidency)
            { Get-PageCacheResidency -Path 'Env:/PATH' -ErrorAction Stop } |
                Should -Throw -ErrorId (Get-ErrorIdFor PathNotFileSystem Get-PageCacheResidency)
            (Get-PageCacheResidency -LiteralPath $file).Path | Should -Be $file
            (Get-PageCacheResidency -Path $file).Path | Should -Be $file
            (Get-PageCacheResidency -LiteralPath "FileSystem::$file").Path | Should -Be $file
        } finally { Pop-Location }
    }

    It '-Path takes backtick-escaped wildcard characters literally, as Get-Item does; -LiteralPath takes a backtick as it is' {
        $odd = New-ColdFile 'paths/esc[1].bin' 2
        $tick = New-ColdFile 'paths/tick`b.bin' 2
        $parent = Split-Path $odd -Parent
        (Get-PageCacheResidency -Path "$parent/esc``[1``].bin").Path | Should -Be $odd
        (Get-PageCacheResidency -Path ([WildcardPattern]::Escape($odd))).Path | Should -Be $odd
        Push-Location -LiteralPath $parent
        try { (Get-PageCacheResidency -Path 'esc`[1`].bin').Path | Should -Be $odd } finally { Pop-Location }
        (Get-PageCacheResidency -LiteralPath $tick).Path | Should -Be $tick
        (Get-PageCacheResidency -Path ([WildcardPattern]::Escape($tick))).Path | Should -Be $tick
        @(Get-PageCacheResidency -Path "$parent/esc?1?.bin").Path | Should -Be @($odd)
    }

    It 'keeps the errors of absolute paths: NUL is PathInvalid, a missing file PathNotFound, a folder PathIsDirectory' {
        { Get-PageCacheResidency -LiteralPath "$file`0x" -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor PathInvalid Get-PageCacheResidency)
        { Get-PageCacheResidency -Path "$file`0x" -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor PathInvalid Get-PageCacheResidency)
        { Get-PageCacheResidency -LiteralPath "$sub/missing.bin" -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor PathNotFound Get-PageCacheResidency)
        { Get-PageCacheResidency -LiteralPath $sub -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor PathIsDirectory Get-PageCacheResidency)
    }

    It 'a FileInfo piped in binds to -InputObject by value and is measured by its FullName' {
        $item = Get-Item -LiteralPath $file
        ($item | Get-PageCacheResidency).Path | Should -Be $file
        (Get-PageCacheResidency -InputObject $item).Path | Should -Be $file
        $odd = New-ColdFile 'paths/pipe[2].bin' 2
        (Get-ChildItem -LiteralPath $odd | Get-PageCacheResidency).Path | Should -Be $odd
        # The binding: by value to -InputObject, not PSPath to -LiteralPath by property name.
        $log = Join-Path $TestDrive 'binding.txt'
        Trace-Command -Name ParameterBinding -Expression { $item | Get-PageCacheResidency } -FilePath $log | Out-Null
        $trace = Get-Content -LiteralPath $log -Raw
        $trace | Should -Match 'to param \[InputObject\] SUCCESSFUL'
        $trace | Should -Not -Match 'to param \[LiteralPath\] SUCCESSFUL'
    }

    It 'a DirectoryInfo is walked with -Recurse and is PathIsDirectory without; an object with only PSPath still binds to -LiteralPath' {
        $inner = New-ColdFile 'paths/sub/inner.bin' 2
        (Get-Item -LiteralPath $sub | Get-PageCacheResidency -Recurse).Path | Should -Be @($inner)
        { Get-Item -LiteralPath $sub | Get-PageCacheResidency -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor PathIsDirectory Get-PageCacheResidency)
        ([pscustomobject]@{ PSPath = "Microsoft.PowerShell.Core\FileSystem::$inner" } | Get-PageCacheResidency).Path | Should -Be $inner
    }

    It 'the other page-cache cmdlets take FileInfo by value too' {
        $f = New-ColdFile 'paths/other.bin' 4
        (Get-Item -LiteralPath $f | Import-PageCache).ResidentPages | Should -Be 4
        (Get-Item -LiteralPath $f | Clear-PageCache).Path | Should -Be $f
        $locked = Get-Item -LiteralPath $f | Lock-PageCache
        $locked.Path | Should -Be $f
        (Get-Item -LiteralPath $f | Unlock-PageCache -Confirm:$false).Path | Should -Be $f
    }
}

Describe 'Import-PageCache' {
    It 'loads a file into the cache and reports the residency afterwards' {
        $file = New-ColdFile 'import.bin' 128
        $r = Import-PageCache -Path $file
        $r | Should -BeOfType ([MmapTools.PageCacheResidency])
        $r.ResidentPages | Should -Be 128
        (Get-PageCacheResidency -Path $file).Percent | Should -Be 100
    }

    It '-WhatIf loads nothing' {
        $file = New-ColdFile 'import-whatif.bin' 128
        Import-PageCache -Path $file -WhatIf | Should -BeNullOrEmpty
        (Get-PageCacheResidency -Path $file).ResidentPages | Should -BeLessOrEqual 6
    }

    It 'loads every file of a folder with -Recurse' {
        $files = 'a.bin', 'b/c.bin' | ForEach-Object { New-ColdFile "import-tree/$_" 8 }
        $out = Import-PageCache -Path (Join-Path $dir 'import-tree') -Recurse
        $out | Should -HaveCount 2
        $out.ResidentPages | Should -Be @(8, 8)
    }
}

Describe 'Exactly the range asked, as fincore sees it' -Skip:(-not (Get-Command fincore -ErrorAction Ignore)) {
    # The help promises exactly the range: the read-ahead of a plain read, and the read-around of page faults
    # (read_ahead_kb, often megabytes), must not load pages past it. fincore counts what is really cached.
    BeforeAll {
        $script:big = New-ColdFile 'exact-220MiB.bin' (220MB / $page)
        function Get-FincoreBytes([string] $Path) { [long] "$(& fincore --bytes --raw --noheadings --output RES $Path)".Trim() }
    }
    AfterAll { Remove-Item -LiteralPath $script:big -Force -ErrorAction SilentlyContinue }

    It 'Import-PageCache -Length 100MB loads 100 MiB and not a page more' {
        Clear-PageCache -LiteralPath $big | Out-Null
        Get-FincoreBytes $big | Should -Be 0
        $r = Import-PageCache -LiteralPath $big -Length 100MB
        $r.ResidentPages | Should -Be (100MB / $page)
        Get-FincoreBytes $big | Should -Be 100MB
        $runs = @(Get-PageCacheResidency -LiteralPath $big -Ranges)
        ($runs | ForEach-Object { '{0}:{1}:{2}' -f $_.Offset, $_.Length, $_.State }) | Should -Be @("0:$(100MB):Resident", "$(100MB):$(120MB):NotResident")
    }

    It 'Lock-PageCache -Offset 20MB -Length 100MB loads and locks exactly that range' {
        Clear-PageCache -LiteralPath $big | Out-Null
        $r = Lock-PageCache -LiteralPath $big -Offset 20MB -Length 100MB
        try {
            $r.ResidentPages | Should -Be (100MB / $page)
            Get-FincoreBytes $big | Should -Be 100MB
            $runs = @(Get-PageCacheResidency -LiteralPath $big -Ranges)
            ($runs | ForEach-Object { '{0}:{1}:{2}' -f $_.Offset, $_.Length, $_.State }) |
                Should -Be @("0:$(20MB):NotResident", "$(20MB):$(100MB):Resident", "$(120MB):$(100MB):NotResident")
        }
        finally { Unlock-PageCache -LiteralPath $big -Confirm:$false | Out-Null }
    }
}

Describe 'Clear-PageCache' {
    It 'evicts a file (mostly) and reports the residency afterwards' {
        $file = New-ColdFile 'clear.bin' 256
        Import-PageCache -Path $file | Out-Null
        $r = Clear-PageCache -Path $file
        $r.ResidentPages | Should -BeLessOrEqual 12
        $r.Path | Should -Be $file
    }

    It 'writes dirty pages first, so they go too' {
        $file = New-ColdFile 'clear-dirty.bin' 64
        $fs = [System.IO.File]::OpenWrite($file)
        try { $fs.Write([byte[]]::new(16 * $page), 0, 16 * $page) } finally { $fs.Dispose() }
        $r = Clear-PageCache -Path $file
        $r.ResidentPages | Should -BeLessOrEqual 3
        if ($null -ne $r.Dirty) { $r.Dirty | Should -Be 0 }
    }

    It '-NoFlush evicts only clean pages and still reports' {
        $file = New-ColdFile 'clear-noflush.bin' 16
        Import-PageCache -Path $file | Out-Null
        (Clear-PageCache -Path $file -NoFlush).ResidentPages | Should -BeLessOrEqual 1
    }

    It '-WhatIf evicts nothing' {
        $file = New-ColdFile 'clear-whatif.bin' 32
        Import-PageCache -Path $file | Out-Null
        Clear-PageCache -Path $file -WhatIf | Should -BeNullOrEmpty
        (Get-PageCacheResidency -Path $file).ResidentPages | Should -Be 32
    }
}

Describe 'Lock-PageCache and Unlock-PageCache' {
    AfterEach { Unlock-PageCache -All -Confirm:$false -ErrorAction SilentlyContinue | Out-Null }

    It 'locks a file in RAM through a map held for the session; Clear-PageCache cannot drop it' {
        $file = New-ColdFile 'lock.bin' 64
        $r = Lock-PageCache -Path $file
        $r.ResidentPages | Should -Be 64
        $r.MapId | Should -Not -BeNullOrEmpty
        $map = Get-MemoryMap -Id $r.MapId
        $map.Path | Should -Be $file
        $map.Options.HasFlag([MmapTools.MapOptions]::Lock) | Should -BeTrue

        (Clear-PageCache -Path $file).ResidentPages | Should -Be 64

        $after = Unlock-PageCache -Path $file
        $after.Path | Should -Be $file
        Get-MemoryMap | Where-Object Id -EQ $r.MapId | Should -BeNullOrEmpty
        (Clear-PageCache -Path $file).ResidentPages | Should -BeLessOrEqual 3
    }

    It 'shows Locked in the process address space' -Skip:(-not (Get-Command Get-ProcessVma -ErrorAction Ignore)) {
        $file = New-ColdFile 'lock-vma.bin' 16
        $r = Lock-PageCache -Path $file
        $map = Get-MemoryMap -Id $r.MapId
        $vma = Get-ProcessVma -Id $PID -Address $map.Address -Detailed
        $vma.Locked | Should -Be (16 * $page)
    }

    It 'locks a range only' {
        $file = New-ColdFile 'lock-range.bin' 64
        (Lock-PageCache -Path $file -Offset (8 * $page) -Length (4 * $page)).ResidentPages | Should -Be 4
        (Get-PageCacheResidency -Path $file).ResidentPages | Should -Be 4
    }

    It '-WhatIf locks nothing' {
        $file = New-ColdFile 'lock-whatif.bin' 8
        Lock-PageCache -Path $file -WhatIf | Should -BeNullOrEmpty
        [MmapTools.Caching.PageCache]::LockedMapsOf($file) | Should -BeNullOrEmpty
    }

    It 'unlocking what is not locked is CacheLockNotFound' {
        $file = New-ColdFile 'not-locked.bin' 1
        { Unlock-PageCache -Path $file -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor CacheLockNotFound Unlock-PageCache)
    }

    It 'unlocks a folder with -Recurse, and everything with -All' {
        $a = New-ColdFile 'lock-tree/a.bin' 2
        $b = New-ColdFile 'lock-tree/sub/b.bin' 2
        $c = New-ColdFile 'lock-other.bin' 2
        Lock-PageCache -Path (Join-Path $dir 'lock-tree') -Recurse | Should -HaveCount 2
        Lock-PageCache -Path $c | Out-Null
        (Unlock-PageCache -Path (Join-Path $dir 'lock-tree') -Recurse).Path | Should -Be @($a, $b)
        (Unlock-PageCache -All).Path | Should -Be @($c)
        [MmapTools.Caching.PageCache]::LockedMaps | Should -BeNullOrEmpty
    }
}
