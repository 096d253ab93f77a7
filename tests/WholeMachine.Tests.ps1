#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Whole-machine answers of Get-ProcessMemory and Get-ProcessVma, against the real kernel and the tools ops
# engineers use instead: smem (per process, -u, -m) on a frozen set of processes, /proc/PID/maps and lsof for
# deleted or replaced libraries, and an unprivileged user who may not read most processes.

BeforeDiscovery {
    $script:isRoot = (id -u) -eq '0'
    $script:haveSmem = [bool](Get-Command smem -ErrorAction Ignore)
    $script:haveGcc = [bool](Get-Command gcc -ErrorAction Ignore)
    $script:haveLsof = [bool](Get-Command lsof -ErrorAction Ignore)
    $script:haveSetpriv = [bool](Get-Command setpriv -ErrorAction Ignore)
}

BeforeAll {
    $script:psd1 = (Resolve-Path (Join-Path $PSScriptRoot '../MmapTools.psd1')).Path
    Import-Module $psd1 -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    # A directory every user may enter, without spaces (smem splits map names at spaces).
    $script:work = Join-Path ([IO.Path]::GetTempPath()) "mmaptools-machine-$PID"
    New-Item -ItemType Directory -Path $work -Force | Out-Null
    chmod 0755 $work
    $script:started = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()

    function Start-Child {
        param([string] $File, [string[]] $ArgumentList)
        $p = Start-Process -FilePath $File -ArgumentList $ArgumentList -PassThru
        $script:started.Add($p)
        $p
    }

    function Wait-Maps {
        # Until the process's maps show the path (the loader has run), at most 5 s.
        param([int] $Id, [string] $Like)
        $deadline = [DateTime]::UtcNow.AddSeconds(5)
        while ([DateTime]::UtcNow -lt $deadline) {
            if ((Get-Content "/proc/$Id/maps" -ErrorAction Ignore) -like $Like) { return }
            Start-Sleep -Milliseconds 50
        }
        throw "process $Id never mapped $Like"
    }

    function Wait-Stopped {
        param([int[]] $Id)
        foreach ($i in $Id) {
            $deadline = [DateTime]::UtcNow.AddSeconds(5)
            while ((Get-Content "/proc/$i/stat" -Raw) -notmatch '^\d+ \(.*\) T ') {
                if ([DateTime]::UtcNow -gt $deadline) { throw "process $i did not stop" }
                Start-Sleep -Milliseconds 20
            }
        }
    }

    if ($haveGcc) {
        # A static program that waits forever: its pages are shared by nobody but its own copies, so once they
        # are stopped their figures cannot move while smem and Get-ProcessMemory read them one after the other.
        Set-Content -Path "$work/idle.c" -Value '#include <unistd.h>', 'int main(void) { for (;;) pause(); }'
        gcc -static -O1 -o "$work/idle" "$work/idle.c"
        # A tiny shared library to LD_PRELOAD into sleep, then delete or replace.
        Set-Content -Path "$work/probe.c" -Value 'int mmaptools_probe(void) { return 42; }'
        gcc -shared -fPIC -o "$work/libprobe.so" "$work/probe.c"
        Set-Content -Path "$work/probe2.c" -Value 'int mmaptools_probe(void) { return 43; }'
        gcc -shared -fPIC -o "$work/libprobe2.so" "$work/probe2.c"
        chmod 0755 "$work/idle"
    }
}

AfterAll {
    foreach ($p in $script:started) {
        if (-not $p.HasExited) { kill -CONT $p.Id 2>$null; $p.Kill(); $p.WaitForExit() }
    }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore
}

Describe 'Every process by default' {
    BeforeAll {
        $script:sleeper = Start-Child sleep 300
        Wait-Maps $sleeper.Id '*sleep*'
    }

    It 'Get-ProcessMemory without -Id reads every process with an address space, with user and command line as ps shows them' {
        $all = Get-ProcessMemory -WarningVariable warned
        $all.Count | Should -BeGreaterThan 1
        $all.ProcessId | Should -Contain $PID
        $all.ProcessId | Should -Contain $sleeper.Id
        # Kernel threads have no memory of their own and are left out, as smem leaves them out.
        $kthreads = Get-ChildItem /proc -Directory -Name | Where-Object { $_ -match '^\d+$' } |
            Where-Object { [MmapTools.Procfs.ProcessMemory]::IsKernelThread([int] $_) } | ForEach-Object { [int] $_ }
        @($all.ProcessId | Where-Object { $_ -in $kthreads }).Count | Should -Be 0
        $s = $all | Where-Object ProcessId -EQ $sleeper.Id
        $ps = (ps -o user=,uid= -p $sleeper.Id).Trim() -split '\s+'
        $s.User | Should -Be $ps[0]
        $s.Uid | Should -Be ([uint32] $ps[1])
        $s.CommandLine | Should -Be (ps -o args= -p $sleeper.Id).Trim()
        $s.CommandLine | Should -BeLike '*sleep 300'
        $s.ProcessName | Should -Be 'sleep'
        $s.MemoryTotal | Should -Be ([long]((Get-Content /proc/meminfo | Select-String '^MemTotal:\s+(\d+) kB').Matches[0].Groups[1].Value) * 1024)
        $s.PssPercent | Should -Be ([Math]::Round(100.0 * $s.Pss / $s.MemoryTotal, 2))
    }

    It 'Get-ProcessVma without -Id answers "who maps this file" across processes, with pid, name and user' {
        $sleepPath = (Get-ProcessVma -Id $sleeper.Id -Kind File | Select-Object -First 1).Path
        $v = Get-ProcessVma -Path $sleepPath
        $v.ProcessId | Should -Contain $sleeper.Id
        ($v | Where-Object ProcessId -EQ $sleeper.Id)[0].User | Should -Be (ps -o user= -p $sleeper.Id).Trim()
        # Every process whose maps name the file, and only those.
        $expected = Get-ChildItem /proc -Directory -Name | Where-Object { $_ -match '^\d+$' } |
            Where-Object { (Get-Content "/proc/$_/maps" -ErrorAction Ignore) -like "* $sleepPath" } | ForEach-Object { [int] $_ } | Sort-Object
        $g = Get-ProcessVma -Path $sleepPath -GroupBy Process
        $g[0] | Should -BeOfType ([MmapTools.ProcessVmaSummary])
        ($g.ProcessId | Sort-Object) | Should -Be ($expected | Where-Object { Test-Path "/proc/$_" })
        ($g | Where-Object ProcessId -EQ $sleeper.Id).Paths | Should -Be @($sleepPath)
        ($g | Where-Object ProcessId -EQ $sleeper.Id).VmaCount | Should -Be @($v | Where-Object ProcessId -EQ $sleeper.Id).Count
    }

    It 'an -Address across every process is no error in the processes that map nothing there' {
        $heap = Get-ProcessVma -Id $sleeper.Id -Kind Heap
        $v = Get-ProcessVma -Address $heap.Start -ErrorVariable err
        $err.Count | Should -Be 0
        $v.ProcessId | Should -Contain $sleeper.Id
    }

    It 'takes an address as the module and the kernel print it: with and without 0x, padded or not' {
        $heap = Get-ProcessVma -Id $sleeper.Id -Kind Heap
        $plain = '{0:x}' -f $heap.Start
        (Get-ProcessVma -Id $sleeper.Id -Address $plain).Start | Should -Be $heap.Start
        (Get-ProcessVma -Id $sleeper.Id -Address "0x$plain").Start | Should -Be $heap.Start
        (Get-ProcessVma -Id $sleeper.Id -Address ([MmapTools.Units]::FormatAddress($heap.Start))).Start | Should -Be $heap.Start
    }

    It 'refuses -Address $null and an empty -Address instead of selecting every VMA' {
        { Get-ProcessVma -Id $sleeper.Id -Address $null } | Should -Throw -ErrorId (Get-ErrorIdFor AddressInvalid Get-ProcessVma)
        { Get-ProcessVma -Id $sleeper.Id -Address @() } | Should -Throw -ErrorId (Get-ErrorIdFor AddressInvalid Get-ProcessVma)
        { Get-ProcessVma -Id $sleeper.Id -StartAddress $null } | Should -Throw -ErrorId (Get-ErrorIdFor AddressInvalid Get-ProcessVma)
    }

    It 'takes -Permission as the Permission property shows it' {
        $v = Get-ProcessVma -Id $sleeper.Id
        foreach ($shown in $v.Permission | Select-Object -Unique) {
            $got = Get-ProcessVma -Id $sleeper.Id -Permission "$shown"
            $got.Count | Should -Be @($v | Where-Object Permission -EQ $shown).Count
            $got.Permission | Select-Object -Unique | Should -Be $shown
        }
    }

    It 'refuses -Grouped with -GroupBy Process' {
        { Get-ProcessVma -Id $PID -Grouped -GroupBy Process } | Should -Throw -ErrorId (Get-ErrorIdFor VmaGroupingConflict Get-ProcessVma)
    }

    It 'Get-Process | Get-ProcessMemory -GroupBy Name adds up the piped processes' {
        $more = Start-Child sleep 301
        Wait-Maps $more.Id '*sleep*'
        $g = Get-Process -Id $sleeper.Id, $more.Id | Get-ProcessMemory -GroupBy Name
        $g.Count | Should -Be 1
        $g.Name | Should -Be 'sleep'
        $g.ProcessCount | Should -Be 2
        ($g.ProcessIds | Sort-Object) | Should -Be (@($sleeper.Id, $more.Id) | Sort-Object)
        $g.Rss | Should -Be ((Get-ProcessMemory -Id $sleeper.Id, $more.Id | Measure-Object Rss -Sum).Sum)
    }

    It 'views fit 80 columns and pipe into Sort-Object, Group-Object, Export-Csv and ConvertTo-Json' {
        $users = Get-ProcessMemory -GroupBy User
        foreach ($text in @(
                ($users | Out-String -Width 80),
                (Get-ProcessMemory -Id $PID, $sleeper.Id | Out-String -Width 80),
                (Get-ProcessVma -Id $sleeper.Id -GroupBy Process | Out-String -Width 80))) {
            $text -split "`n" | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
        }
        ($users | Out-String -Width 80) | Should -Match 'Procs\s+Swap\s+Uss\s+Pss\s+Rss\s+Pss%\s+Name'
        ($users | Sort-Object Pss -Descending)[0].Pss | Should -Be ($users | Measure-Object Pss -Maximum).Maximum
        $csv = Join-Path $work 'users.csv'
        $users | Export-Csv -Path $csv
        (Import-Csv $csv).Count | Should -Be $users.Count
        ((Get-ProcessMemory -GroupBy Total | ConvertTo-Json -Depth 2 | ConvertFrom-Json).Pss) | Should -BeGreaterThan 0
        $byName = Get-ProcessMemory | Group-Object ProcessName
        $byName.Name | Should -Contain 'sleep'
    }
}

Describe 'The same figures as smem on a frozen set of processes' -Skip:(-not ($haveSmem -and $haveGcc -and $haveSetpriv -and $isRoot)) {
    BeforeAll {
        # Four copies of a static program as a uid nothing else uses, stopped while both tools read them.
        $script:uid = 47119
        $script:frozen = 1..4 | ForEach-Object { Start-Child setpriv "--reuid=$uid", "--regid=$uid", '--clear-groups', "$work/idle" }
        foreach ($p in $frozen) { Wait-Maps $p.Id "*$work/idle" }
        $script:ids = [int[]] $frozen.Id
        kill -STOP @ids
        Wait-Stopped $ids
        $script:filter = "^$uid`$"

        function Read-Smem {
            # smem's rows as arrays of fields (sizes in KiB); -H: no header.
            param([string[]] $Arguments)
            $rows = @(smem -H -U $filter @Arguments | Where-Object { $_.Trim() } | ForEach-Object { , ($_.Trim() -split '\s+') })
            , $rows
        }
    }

    AfterAll {
        kill -CONT @ids 2>$null
    }

    It 'per process (smem): Rss, Uss and Swap to the byte; Pss at most 1 KiB per VMA above smem''s rounded sum' {
        $smem = Read-Smem '-c', 'pid maps uss pss rss swap'
        $smem.Count | Should -Be 4
        $ours = Get-ProcessMemory -Id $ids
        foreach ($row in $smem) {
            $m = $ours | Where-Object ProcessId -EQ ([int] $row[0])
            $m | Should -Not -BeNullOrEmpty
            $m.User | Should -Be "$uid"
            $m.Uid | Should -Be $uid
            $m.Uss | Should -Be ([long] $row[2] * 1024)
            $m.Rss | Should -Be ([long] $row[4] * 1024)
            $m.Swap | Should -Be ([long] $row[5] * 1024)
            # The rollup adds Pss before rounding; smem adds per-VMA Pss each rounded down to 1 KiB.
            $m.Pss | Should -BeGreaterOrEqual ([long] $row[3] * 1024)
            $m.Pss | Should -BeLessThan (([long] $row[3] + [long] $row[1]) * 1024)
            $m.Rss | Should -BeGreaterThan 0
        }
    }

    It 'by user (smem -u), with the percentage of physical memory of smem -p' {
        $smem = Read-Smem '-u', '-c', 'user count swap uss pss rss'
        $perProcess = Read-Smem '-c', 'maps'
        $maps = ($perProcess | ForEach-Object { [long] $_[0] } | Measure-Object -Sum).Sum
        $maps | Should -BeGreaterThan 0
        $g = Get-ProcessMemory -Id $ids -GroupBy User
        $g.Count | Should -Be 1
        $smem.Count | Should -Be 1
        $row = $smem[0]
        $g.Name | Should -Be $row[0]
        $g.Uid | Should -Be $uid
        $g.ProcessCount | Should -Be ([int] $row[1])
        $g.Swap | Should -Be ([long] $row[2] * 1024)
        $g.Uss | Should -Be ([long] $row[3] * 1024)
        $g.Rss | Should -Be ([long] $row[5] * 1024)
        $g.Pss | Should -BeGreaterOrEqual ([long] $row[4] * 1024)
        $g.Pss | Should -BeLessThan (([long] $row[4] + $maps) * 1024)
        $pct = Read-Smem '-u', '-p', '-c', 'user rss uss'
        "{0:0.00}%" -f $g.RssPercent | Should -Be $pct[0][1]
        "{0:0.00}%" -f $g.UssPercent | Should -Be $pct[0][2]
    }

    It 'by mapping (smem -m): every figure to the byte, for every mapping' {
        $smem = Read-Smem '-m', '-c', 'count pids swap uss pss rss vss map'
        $g = Get-ProcessMemory -Id $ids -GroupBy Mapping
        $g[0] | Should -BeOfType ([MmapTools.ProcessMemoryGroup])
        $g.Count | Should -Be $smem.Count
        foreach ($row in $smem) {
            # smem names unnamed memory <anonymous> and prints at most 40 characters of a name.
            $m = $g | Where-Object { $n = if ($_.Name -eq '[anon]') { '<anonymous>' } else { $_.Name }; $n.Substring(0, [Math]::Min(40, $n.Length)) -eq $row[7] }
            @($m).Count | Should -Be 1 -Because "smem's mapping $($row[7])"
            $m.VmaCount | Should -Be ([int] $row[0])
            $m.ProcessCount | Should -Be ([int] $row[1])
            $m.Swap | Should -Be ([long] $row[2] * 1024)
            $m.Uss | Should -Be ([long] $row[3] * 1024)
            $m.Pss | Should -Be ([long] $row[4] * 1024)
            $m.Rss | Should -Be ([long] $row[5] * 1024)
            $m.Size | Should -Be ([long] $row[6] * 1024)
        }
        ($g | Where-Object Name -EQ "$work/idle").ProcessCount | Should -Be 4
    }

    It 'the three views add up to the same totals' {
        $t = Get-ProcessMemory -Id $ids -GroupBy Total
        $u = Get-ProcessMemory -Id $ids -GroupBy User
        $m = Get-ProcessMemory -Id $ids -GroupBy Mapping
        $t.ProcessCount | Should -Be 4
        $t.Rss | Should -Be $u.Rss
        $t.Uss | Should -Be (($m | Measure-Object Uss -Sum).Sum)
        $t.Rss | Should -Be (($m | Measure-Object Rss -Sum).Sum)
        $t.Pss | Should -Be ((Get-ProcessMemory -Id $ids | Measure-Object Pss -Sum).Sum)
    }
}

Describe 'What needs a restart: deleted and replaced libraries, as /proc/PID/maps and lsof see them' -Skip:(-not ($haveGcc -and $haveLsof)) {
    BeforeAll {
        # Sleeps with a private library preloaded: one whose library is then deleted; one whose library a new file
        # is renamed over, as a package upgrade does, while a hard link keeps the old one (so its inode lives on);
        # one whose directory another is mounted over, so the path names a new file though the old one was
        # never unlinked; and one left alone.
        foreach ($d in 'deleted', 'renamed', 'replaced', 'mounted', 'intact') {
            New-Item -ItemType Directory -Path "$work/$d" -Force | Out-Null
            Copy-Item "$work/libprobe.so" "$work/$d/libprobe.so"
        }

        $script:del = Start-Child env "LD_PRELOAD=$work/deleted/libprobe.so", 'sleep', '302'
        $script:ren = Start-Child env "LD_PRELOAD=$work/renamed/libprobe.so", 'sleep', '303'
        $script:rep = Start-Child env "LD_PRELOAD=$work/replaced/libprobe.so", 'sleep', '305'
        $script:ok = Start-Child env "LD_PRELOAD=$work/intact/libprobe.so", 'sleep', '304'
        Wait-Maps $del.Id "*$work/deleted/libprobe.so"
        Wait-Maps $ren.Id "*$work/renamed/libprobe.so"
        Wait-Maps $rep.Id "*$work/replaced/libprobe.so"
        Wait-Maps $ok.Id "*$work/intact/libprobe.so"

        Remove-Item "$work/deleted/libprobe.so"
        New-Item -ItemType HardLink -Path "$work/renamed/keep.so" -Target "$work/renamed/libprobe.so" | Out-Null
        Copy-Item "$work/libprobe2.so" "$work/renamed/new.so"
        Move-Item "$work/renamed/new.so" "$work/renamed/libprobe.so" -Force
        $script:oldInode = [ulong] (stat -c %i "$work/replaced/libprobe.so")
        Copy-Item "$work/libprobe2.so" "$work/mounted/libprobe.so" -Force
        $script:mounted = $isRoot -and $null -ne (Get-Command mount -ErrorAction Ignore)
        if ($mounted) {
            mount --bind "$work/mounted" "$work/replaced" 2>$null
            $script:mounted = $LASTEXITCODE -eq 0
        }
    }

    AfterAll {
        if ($mounted) { umount "$work/replaced" }
    }

    It 'a library renamed over while still linked elsewhere is Deleted, as maps and lsof say, with its real path' {
        $v = Get-ProcessVma -Id $ren.Id -Stale
        $v.Count | Should -BeGreaterThan 0
        $v.StaleReason | Select-Object -Unique | Should -Be 'Deleted'
        $v.IsDeleted | Select-Object -Unique | Should -BeTrue
        $v.Path | Select-Object -Unique | Should -Be "$work/renamed/libprobe.so"
        $v.Inode | Select-Object -Unique | Should -Be ([ulong] (stat -c %i "$work/renamed/keep.so"))
        $lsof = lsof -nP -p $ren.Id 2>$null | Where-Object { ($_ -split '\s+')[3] -eq 'DEL' } | ForEach-Object { ($_ -split '\s+')[-1] } | Select-Object -Unique
        @($lsof) | Should -Be @("$work/renamed/libprobe.so")
    }

    It 'finds the deleted library exactly where /proc/PID/maps says (deleted) and lsof says DEL' {
        $v = Get-ProcessVma -Id $del.Id -Stale
        $maps = Get-Content "/proc/$($del.Id)/maps" | Where-Object { $_ -like '* (deleted)' }
        $v.Count | Should -Be $maps.Count
        $v.Count | Should -BeGreaterThan 0
        $v.StaleReason | Select-Object -Unique | Should -Be 'Deleted'
        $v.Path | Select-Object -Unique | Should -Be "$work/deleted/libprobe.so"
        # lsof: the FD column is DEL for a mapped file that was deleted; NAME is the path.
        $lsof = lsof -nP -p $del.Id 2>$null | Where-Object { ($_ -split '\s+')[3] -eq 'DEL' } | ForEach-Object { ($_ -split '\s+')[-1] } | Select-Object -Unique
        @($lsof) | Should -Be @($v.Path | Select-Object -Unique)
    }

    It 'finds a replaced library by its inode, as needrestart does, though maps and lsof do not mark it' {
        if (-not $mounted) { Set-ItResult -Skipped -Because 'mount --bind is not permitted here'; return }
        $v = Get-ProcessVma -Id $rep.Id -Stale
        $v.Count | Should -BeGreaterThan 0
        $v.StaleReason | Select-Object -Unique | Should -Be 'Replaced'
        $v.Path | Select-Object -Unique | Should -Be "$work/replaced/libprobe.so"
        $v.Inode | Select-Object -Unique | Should -Be $oldInode
        [ulong] (stat -c %i "$work/replaced/libprobe.so") | Should -Not -Be $oldInode
        Get-Content "/proc/$($rep.Id)/maps" | Where-Object { $_ -like '* (deleted)' } | Should -BeNullOrEmpty
        lsof -nP -p $rep.Id 2>$null | Where-Object { ($_ -split '\s+')[3] -eq 'DEL' } | Should -BeNullOrEmpty
    }

    It 'leaves a process whose files are all current alone' {
        Get-ProcessVma -Id $ok.Id -Stale | Should -BeNullOrEmpty
        Get-ProcessVma -Id $ok.Id -Stale -GroupBy Process | Should -BeNullOrEmpty
    }

    It 'across the machine, one object per process: pid, name, user and the stale paths, as lsof +L1 lists them' {
        $g = Get-ProcessVma -Stale -GroupBy Process
        $d = $g | Where-Object ProcessId -EQ $del.Id
        $d.ProcessName | Should -Be 'sleep'
        $d.User | Should -Be (ps -o user= -p $del.Id).Trim()
        $d.Paths | Should -Be @("$work/deleted/libprobe.so")
        $d.StaleReasons | Should -Be @('Deleted')
        ($g | Where-Object ProcessId -EQ $ren.Id).Paths | Should -Be @("$work/renamed/libprobe.so")
        if ($mounted) { ($g | Where-Object ProcessId -EQ $rep.Id).StaleReasons | Should -Be @('Replaced') }
        $g.ProcessId | Should -Not -Contain $ok.Id
        # Every process lsof lists with a deleted mapped file (DEL, type REG) that is still there is in the answer;
        # memfd, SysV and POSIX shared memory (also DEL to lsof) need no restart and are left out.
        $delRows = lsof -nP 2>$null | ForEach-Object { , ($_ -split '\s+') } | Where-Object {
            $_[3] -eq 'DEL' -and $_[4] -eq 'REG' -and $_[-1] -notmatch '^/(memfd:|SYSV|dev/shm/|dev/zero)' }
        $lsofPids = $delRows | ForEach-Object { [int] $_[1] } | Select-Object -Unique
        $lsofPids | Should -Contain $del.Id
        foreach ($p in $lsofPids) {
            if (Test-Path "/proc/$p") { $g.ProcessId | Should -Contain $p }
        }
        # And nothing that is no file: no memfd, no shared memory.
        $g.Paths | Where-Object { $_ -match '^/(memfd:|SYSV|dev/shm/|dev/zero)' } | Should -BeNullOrEmpty
    }
}

Describe 'An unprivileged user: unreadable processes counted, not an error flood' -Skip:(-not ($haveSetpriv -and $isRoot)) {
    BeforeAll {
        # pwsh as uid 65534 needs a readable copy of $PSHOME (/root is 0700) and of the module: Get-PwshForOtherUser.
        $script:home65534 = Join-Path $work 'home'
        New-Item -ItemType Directory -Path $home65534 -Force | Out-Null
        chown 65534:65534 $home65534
        $script:other = Get-PwshForOtherUser

        function Invoke-AsNobody {
            param([string] $Command)
            $env:HOME_SAVED = $env:HOME
            try {
                $env:HOME = $home65534
                $out = setpriv --reuid=65534 --regid=65534 --clear-groups $other.Pwsh -NoProfile -NonInteractive -Command "Import-Module '$($other.Manifest)'; $Command"
            } finally {
                $env:HOME = $env:HOME_SAVED
            }
            $out | Where-Object { $_ } | ConvertFrom-Json
        }
    }

    It 'reads its own processes, counts the others in one warning, and writes no error' {
        $r = Invoke-AsNobody '$m = Get-ProcessMemory -WarningVariable w -ErrorVariable e -WarningAction SilentlyContinue; [pscustomobject]@{ Pid = $PID; Ids = @($m.ProcessId); Uids = @($m.Uid | Select-Object -Unique); Warnings = @($w | ForEach-Object Message); Errors = $e.Count } | ConvertTo-Json -Compress'
        $r.Errors | Should -Be 0
        $r.Ids | Should -Contain $r.Pid
        $r.Uids | Should -Be @(65534)
        $r.Warnings.Count | Should -Be 1
        $r.Warnings[0] | Should -Match '^(\d+) process(es were| was) skipped: \1 EACCES \(permission denied\); run as root'
        $skipped = [int]([regex]::Match($r.Warnings[0], '^\d+').Value)
        # At least every process of another user with an address space that lived through the call.
        $others = Get-ChildItem /proc -Directory | Where-Object { $_.Name -match '^\d+$' } | Where-Object {
            $st = Get-Content "$($_.FullName)/status" -ErrorAction Ignore
            ($st -match '^VmSize:') -and -not ($st -match "^Uid:\s+65534\s")
        }
        $skipped | Should -BeGreaterThan 0
        [Math]::Abs($skipped - $others.Count) | Should -BeLessThan ([Math]::Max(5, $others.Count / 5)) -Because 'the other users'' processes (some may have come or gone meanwhile)'
    }

    It 'Get-ProcessVma -Stale across the machine: one warning too, no error' {
        $r = Invoke-AsNobody '$v = Get-ProcessVma -Stale -WarningVariable w -ErrorVariable e -WarningAction SilentlyContinue; [pscustomobject]@{ Warnings = @($w | ForEach-Object Message); Errors = $e.Count } | ConvertTo-Json -Compress'
        $r.Errors | Should -Be 0
        $r.Warnings.Count | Should -Be 1
        $r.Warnings[0] | Should -Match 'skipped: \d+ EACCES'
    }

    It 'an explicit -Id of another user''s process is still a ProcessAccessDenied error each' {
        $rootPids = Get-ChildItem /proc -Directory | Where-Object { $_.Name -match '^\d+$' } | Where-Object {
            $st = Get-Content "$($_.FullName)/status" -ErrorAction Ignore
            ($st -match '^VmSize:') -and ($st -match '^Uid:\s+0\s')
        } | Select-Object -First 2 | ForEach-Object { [int] $_.Name }
        $r = Invoke-AsNobody "`$m = Get-ProcessMemory -Id $($rootPids -join ',') -ErrorVariable e -ErrorAction SilentlyContinue; [pscustomobject]@{ Count = @(`$m).Count; Ids = @(`$e.FullyQualifiedErrorId); Categories = @(`$e | ForEach-Object { `$_.CategoryInfo.Category.ToString() }) } | ConvertTo-Json -Compress"
        $r.Count | Should -Be 0
        $r.Ids | Should -Be (@($rootPids) | ForEach-Object { Get-ErrorIdFor ProcessAccessDenied Get-ProcessMemory })
        $r.Categories | Select-Object -Unique | Should -Be 'PermissionDenied'
    }
}
