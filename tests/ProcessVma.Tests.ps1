#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# End-to-end tests of Get-ProcessVma and Get-ProcessMemory, against the module built into ../bin.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    # A quiet child with a static layout (sleep), and the id of a process that has exited.
    $script:sleeper = Start-Process -FilePath sleep -ArgumentList 300 -PassThru
    # A kernel thread, where the kernel shows them (not inside a pid namespace).
    $script:kthread = Get-ChildItem /proc -Directory -Name | Where-Object { $_ -match '^\d+$' } |
        Where-Object { [MmapTools.Procfs.ProcessMemory]::IsKernelThread([int] $_) } | Select-Object -First 1
    $gone = Start-Process -FilePath true -PassThru
    $gone.WaitForExit()
    $script:gonePid = $gone.Id
    # Let the dynamic loader finish in sleep, so its maps no longer change.
    Start-Sleep -Milliseconds 500
}

AfterAll {
    if ($sleeper -and -not $sleeper.HasExited) { $sleeper.Kill(); $sleeper.WaitForExit() }
    Get-MemoryMap | Remove-MemoryMap -Confirm:$false
}

Describe 'Get-ProcessVma (Id parameter set)' {
    It 'lists one process (-Id $PID) in ascending order, as ProcessVma objects' {
        $v = Get-ProcessVma -Id $PID
        $v.Count | Should -BeGreaterThan 10
        $v[0] | Should -BeOfType ([MmapTools.ProcessVma])
        $v.ProcessId | Select-Object -Unique | Should -Be $PID
        for ($i = 1; $i -lt $v.Count; $i++) { $v[$i].Start | Should -BeGreaterOrEqual $v[$i - 1].End }
        $v | Where-Object Kind -EQ 'Stack' | Should -Not -BeNullOrEmpty
        ($v | Where-Object Name -Like 'libc.so*') | Should -Not -BeNullOrEmpty
    }

    It 'takes -Id by position and several ids in one call' {
        $v = Get-ProcessVma $PID, $sleeper.Id
        ($v.ProcessId | Select-Object -Unique | Sort-Object) | Should -Be (@($PID, $sleeper.Id) | Sort-Object)
        ($v | Where-Object ProcessId -EQ $sleeper.Id | Select-Object -First 1).ProcessName | Should -Be 'sleep'
    }

    It 'takes processes from Get-Process on the pipeline (Id by property name)' {
        $v = Get-Process -Id $sleeper.Id | Get-ProcessVma
        $v.ProcessId | Select-Object -Unique | Should -Be $sleeper.Id
        ($v | Where-Object Path -Like '*sleep*') | Should -Not -BeNullOrEmpty
    }

    It 'matches what the kernel prints, line for line' {
        $text = [IO.File]::ReadAllText("/proc/$($sleeper.Id)/maps")
        $lines = Get-ProcessVma -Id $sleeper.Id | ForEach-Object { $_.ToString() + "`n" }
        -join $lines | Should -BeExactly $text
    }

    It 'finds a mapped file with a space and a newline in its name by -Address (number or hex string)' {
        $file = New-TestFile "two words`nnewline.bin" (New-Pattern 8192)
        $map = New-MemoryMap -LiteralPath $file
        try {
            $byNumber = Get-ProcessVma -Id $PID -Address $map.Address
            $byString = Get-ProcessVma -Id $PID -Address ('0x{0:x}' -f $map.Address)
            $byNumber.Path | Should -BeExactly $file
            $byString.Start | Should -Be $byNumber.Start
            $byNumber.Kind | Should -Be 'File'
            $byNumber.Permissions | Should -Be 'r--s'
            $byNumber.Size | Should -Be 8192
            $byNumber.Permission | Should -Be ([MmapTools.VmaPermission]'Read, Shared')
            (Get-ProcessVma -Id $PID -Address ($map.Address + 100)).Start | Should -Be $map.Address
        } finally { Remove-MemoryMap -Map $map -Confirm:$false }
    }

    It 'reports a mapped file that was deleted (IsDeleted, suffix removed)' {
        $file = New-TestFile 'doomed.bin' (New-Pattern 4096)
        $map = New-MemoryMap -LiteralPath $file
        try {
            Remove-Item -LiteralPath $file
            $v = Get-ProcessVma -Id $PID -Address $map.Address
            $v.IsDeleted | Should -BeTrue
            $v.Path | Should -BeExactly $file
            Get-ProcessVma -Id $PID | Where-Object IsDeleted | Where-Object Path -EQ $file | Should -Not -BeNullOrEmpty
        } finally { Remove-MemoryMap -Map $map -Confirm:$false }
    }

    It 'reads the top-of-range vsyscall page' {
        $v = Get-ProcessVma -Id $PID -Kind Vsyscall
        $v.Start | Should -Be 0xffffffffff600000u
        $v.End | Should -Be 0xffffffffff601000u
        # PowerShell reads 0xffffffffff600000 as a negative Int64; -Address takes its unsigned bits.
        (Get-ProcessVma -Id $PID -Address 0xffffffffff600000).Kind | Should -Be 'Vsyscall'
        (Get-ProcessVma -Id $PID -Address '0xffffffffff600fff').Kind | Should -Be 'Vsyscall'
    } -Skip:(-not (Select-String -Path /proc/self/maps -Pattern 'vsyscall' -Quiet))

    It 'filters by -Path with wildcards' {
        $v = Get-ProcessVma -Id $PID -Path '*libc.so*'
        $v | Should -Not -BeNullOrEmpty
        $v.Path | ForEach-Object { $_ | Should -BeLike '*libc.so*' }
        Get-ProcessVma -Id $PID -Path '`[stack`]' | Select-Object -ExpandProperty Kind | Should -Be 'Stack'
    }

    It 'filters by -Kind' {
        (Get-ProcessVma -Id $PID -Kind Stack).Kind | Should -Be 'Stack'
        $files = Get-ProcessVma -Id $PID -Kind File, Heap
        $files.Kind | Select-Object -Unique | ForEach-Object { $_ | Should -BeIn @('File', 'Heap') }
    }

    It 'filters by -Permission letters and by a kernel pattern' {
        $x = Get-ProcessVma -Id $PID -Permission x
        $x | Should -Not -BeNullOrEmpty
        $x.Permissions | ForEach-Object { $_[2] | Should -Be 'x' }
        $rw = Get-ProcessVma -Id $PID -Permission 'rw-p'
        $rw.Permissions | Select-Object -Unique | Should -Be 'rw-p'
        (Get-ProcessVma -Id $PID -Permission 'r?xp').Permissions | ForEach-Object { $_ | Should -BeLike 'r?xp' }
        (Get-ProcessVma -Id $PID -Permission 'wp').Permissions | ForEach-Object { $_ | Should -BeLike '?w?p' }
    }

    It 'refuses a -Permission filter it cannot read' {
        { Get-ProcessVma -Permission 'rwq' } | Should -Throw -ErrorId (Get-ErrorIdFor PermissionFilterInvalid Get-ProcessVma)
        { Get-ProcessVma -Permission 'sp' } | Should -Throw -ErrorId (Get-ErrorIdFor PermissionFilterInvalid Get-ProcessVma)
    }

    It 'selects an address range with -StartAddress and -EndAddress, like pmap -A' {
        $all = Get-ProcessVma -Id $sleeper.Id
        $mid = $all[[int]($all.Count / 2)]
        $r = Get-ProcessVma -Id $sleeper.Id -StartAddress $mid.Start -EndAddress ('0x{0:x}' -f $mid.End)
        $r.Count | Should -Be 1
        $r.Start | Should -Be $mid.Start
        (Get-ProcessVma -Id $sleeper.Id -StartAddress $mid.Start).Count | Should -Be ($all | Where-Object End -GT $mid.Start).Count
    }

    It 'refuses a malformed address and an inverted range' {
        { Get-ProcessVma -Address 'banana' } | Should -Throw -ErrorId (Get-ErrorIdFor AddressInvalid Get-ProcessVma)
        { Get-ProcessVma -StartAddress 0x2000 -EndAddress 0x1000 } | Should -Throw -ErrorId (Get-ErrorIdFor AddressRangeInvalid Get-ProcessVma)
    }

    It 'says so when nothing is mapped at an -Address' {
        { Get-ProcessVma -Id $PID -Address 0x1000 -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor AddressNotMapped Get-ProcessVma)
    }

    It 'reads smaps with -Detailed: typed figures, every key, VmFlags' {
        $v = Get-ProcessVma -Id $sleeper.Id -Detailed
        $v | Should -Not -BeNullOrEmpty
        $v | ForEach-Object {
            $_.IsDetailed | Should -BeTrue
            $_.Rss | Should -Not -BeNullOrEmpty
            $_.Smaps['Size'] | Should -Be $_.Size
            $_.Smaps.ContainsKey('Private_Dirty') | Should -BeTrue
            $_.VmFlagsText | Should -Not -BeNullOrEmpty
        }
        ($v | Measure-Object -Property Rss -Sum).Sum | Should -Be (Get-ProcessMemory -Id $sleeper.Id).Rss
        ($v | Where-Object Permissions -Like 'r*' | Select-Object -First 1).VmFlags.HasFlag([MmapTools.VmFlags]::Readable) | Should -BeTrue
    }

    It 'groups with -Grouped: one row per path, sizes summed' {
        $v = Get-ProcessVma -Id $sleeper.Id -Detailed
        $g = Get-ProcessVma -Id $sleeper.Id -Detailed -Grouped
        $g[0] | Should -BeOfType ([MmapTools.ProcessVmaGroup])
        $g[0].pstypenames[0] | Should -Be 'MmapTools.DetailedProcessVmaGroup' -Because 'its type selects the table with Rss'
        (Get-ProcessVma -Id $sleeper.Id -Grouped)[0].pstypenames[0] | Should -Be 'MmapTools.ProcessVmaGroup'
        $v[0].pstypenames[0] | Should -Be 'MmapTools.DetailedProcessVma'
        ($g | Measure-Object -Property Size -Sum).Sum | Should -Be ($v | Measure-Object -Property Size -Sum).Sum
        ($g | Measure-Object -Property Count -Sum).Sum | Should -Be $v.Count
        ($g | Measure-Object -Property Rss -Sum).Sum | Should -Be ($v | Measure-Object -Property Rss -Sum).Sum
        @($g.Path | Group-Object | Where-Object Count -GT 1).Count | Should -Be 0
    }

    It 'writes a non-terminating error for a vanished pid and goes on with the rest' {
        $v = Get-ProcessVma -Id $gonePid, $sleeper.Id -ErrorVariable err -ErrorAction SilentlyContinue
        $v.ProcessId | Select-Object -Unique | Should -Be $sleeper.Id
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor ProcessNotFound Get-ProcessVma)
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be $gonePid
    }

    It 'returns nothing and no error for a kernel thread' {
        if (-not $kthread) { Set-ItResult -Skipped -Because 'no kernel thread is visible (a pid namespace)'; return }
        $v = Get-ProcessVma -Id $kthread -ErrorVariable err
        $v | Should -BeNullOrEmpty
        $err | Should -BeNullOrEmpty
    }

    It 'objects survive Export-Clixml and ConvertTo-Json, and format the same' {
        $path = Join-Path $TestDrive 'vmas.xml'
        $v = Get-ProcessVma -Id $sleeper.Id -Detailed
        $v | Export-Clixml -Path $path
        $back = Import-Clixml -Path $path
        $back.Count | Should -Be $v.Count
        $back[0].PSObject.TypeNames | Should -Contain 'Deserialized.MmapTools.ProcessVma'
        $back[0].Start | Should -Be $v[0].Start
        $back[0].Path | Should -Be $v[0].Path
        $back[0].Smaps['Rss'] | Should -Be $v[0].Smaps['Rss']
        ($back | Format-Table | Out-String) | Should -Match '0x0000'
        ($v | ConvertTo-Json -Depth 3 | ConvertFrom-Json)[0].Start | Should -Be $v[0].Start
    }

    It 'has a pmap -x like table and a list view' {
        $table = Get-ProcessVma -Id $sleeper.Id -Detailed | Format-Table | Out-String
        $table | Should -Match 'Start\s+Size\s+Rss\s+Dirty\s+Perm\s+Path'
        $table | Should -Match "Process: $($sleeper.Id) \(sleep\)"
        $list = Get-ProcessVma -Id $sleeper.Id -Kind Stack | Format-List | Out-String
        $list | Should -Match 'Permissions\s*:\s*rw-p'
        $list | Should -Match 'Kind\s*:\s*Stack'
    }
}

Describe 'In a job (another process, as a remote host returns them)' {
    It 'brings VMAs, groups and totals back deserialized, and formats them' {
        $manifest = (Resolve-Path (Join-Path $PSScriptRoot '../MmapTools.psd1')).Path
        $target = $sleeper.Id
        $back = @(Start-Job -ScriptBlock {
                Import-Module $using:manifest
                Get-ProcessVma -Id $using:target -Detailed
                Get-ProcessVma -Id $using:target -Grouped
                Get-ProcessMemory -Id $using:target
            } | Receive-Job -Wait -AutoRemoveJob)
        function OfType([string] $Name) { @($back | Where-Object { $_.pstypenames -contains "Deserialized.MmapTools.$Name" }) }
        $local = @(Get-ProcessVma -Id $target -Detailed)
        (OfType ProcessVma).Count | Should -Be $local.Count
        (OfType ProcessVma)[0].Start | Should -Be $local[0].Start
        (OfType ProcessVma)[0].Rss | Should -Be $local[0].Rss
        (OfType ProcessVmaGroup).Count | Should -BeGreaterThan 0
        (OfType ProcessMemoryInfo)[0].Rss | Should -Be (Get-ProcessMemory -Id $target).Rss
        (OfType ProcessVma | Format-Table | Out-String) | Should -Match ([MmapTools.Units]::FormatAddress($local[0].Start))
        (OfType ProcessVmaGroup | Format-Table | Out-String) | Should -Match 'VMAs'
        (OfType ProcessMemoryInfo | Format-List | Out-String) | Should -Match 'Uss\s*:'
    }
}

Describe 'A large process read with -Detailed (read ahead on a second thread)' {
    BeforeAll {
        # python3: 20,000 VMAs (every other page of one map read-only), held until stdin closes.
        $code = "import ctypes, mmap, sys`nlibc = ctypes.CDLL(None)`nlibc.mmap.restype = ctypes.c_void_p`n" +
            "libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]`n" +
            "libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]`nn = 20000; page = mmap.PAGESIZE`n" +
            "base = libc.mmap(None, n * page, 3, 0x22, -1, 0)`nfor i in range(0, n, 2): libc.mprotect(base + i * page, page, 1)`n" +
            "print('READY', flush=True)`nsys.stdin.read()"
        $psi = [Diagnostics.ProcessStartInfo]::new('python3')
        $psi.ArgumentList.Add('-c'); $psi.ArgumentList.Add($code)
        $psi.RedirectStandardInput = $true; $psi.RedirectStandardOutput = $true; $psi.UseShellExecute = $false
        $script:many = [Diagnostics.Process]::Start($psi)
        $many.StandardOutput.ReadLine() | Should -Be 'READY'
        # The reader thread's name, as /proc/self/task/*/comm shows it.
        function script:Get-ReadAheadThreadCount {
            @(Get-ChildItem /proc/self/task -Directory | Where-Object {
                    (Get-Content -LiteralPath (Join-Path $_.FullName 'comm') -ErrorAction Ignore) -eq 'vma-read-ahead' }).Count
        }
    }

    AfterAll {
        if ($many -and -not $many.HasExited) { $many.StandardInput.Close(); if (-not $many.WaitForExit(5000)) { $many.Kill() } }
    }

    It 'gives every VMA, detailed, as maps lists them, and the reader thread is gone afterwards' {
        $maps = Get-ProcessVma -Id $many.Id
        $smaps = Get-ProcessVma -Id $many.Id -Detailed
        $smaps.Count | Should -BeGreaterOrEqual 20000
        ($smaps | Select-Object -Last 1).pstypenames[0] | Should -Be 'MmapTools.DetailedProcessVma'
        ($smaps.Start -join ',') | Should -Be ($maps.Start -join ',')
        ($smaps | Where-Object Rss -EQ $null) | Should -BeNullOrEmpty
        Get-ReadAheadThreadCount | Should -Be 0
    }

    It 'stops promptly when stopped (Ctrl+C), and joins its reader thread' {
        $ps = [PowerShell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument((Join-Path $PSScriptRoot '../MmapTools.psd1')).AddStatement()
            # A slow consumer: the read is under way, the reader thread waiting for the parser, when the stop comes.
            $null = $ps.AddScript("Get-ProcessVma -Id $($many.Id) -Detailed | ForEach-Object { Start-Sleep -Milliseconds 1 }")
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while ((Get-ReadAheadThreadCount) -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            Get-ReadAheadThreadCount | Should -Be 1
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            Get-ReadAheadThreadCount | Should -Be 0
        }
        finally {
            $ps.Dispose()
        }
    }
}

Describe 'Get-ProcessVma (Name parameter set)' {
    It 'finds processes by name with wildcards' {
        $v = Get-ProcessVma -Name 'slee*'
        $v.ProcessId | Should -Contain $sleeper.Id
    }

    It 'combines -Name with the VMA filters' {
        $v = Get-ProcessVma -Name sleep -Kind Stack
        ($v | Where-Object ProcessId -EQ $sleeper.Id).Kind | Should -Be 'Stack'
    }

    It 'says so when no process has the name' {
        { Get-ProcessVma -Name 'no-such-process-mmaptools' -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor ProcessNotFound Get-ProcessVma)
        Get-ProcessVma -Name 'no-such-process-mmaptools*' -ErrorVariable err | Should -BeNullOrEmpty
        $err | Should -BeNullOrEmpty
    }
}

Describe 'Get-ProcessMemory' {
    It 'totals one process (-Id $PID) from smaps_rollup' {
        $m = Get-ProcessMemory -Id $PID
        $m | Should -BeOfType ([MmapTools.ProcessMemoryInfo])
        $m.ProcessId | Should -Be $PID
        $m.Source | Should -Be 'smaps_rollup'
        $m.Rss | Should -BeGreaterThan 0
        $m.Uss | Should -Be ($m.PrivateClean + $m.PrivateDirty)
        $m.Uss | Should -BeLessOrEqual $m.Pss
        $m.Pss | Should -BeLessOrEqual $m.Rss
        $m.Values['Rss'] | Should -Be $m.Rss
    }

    It 'takes -Id, the pipeline and -Name' {
        (Get-ProcessMemory -Id $sleeper.Id).ProcessName | Should -Be 'sleep'
        (Get-Process -Id $sleeper.Id | Get-ProcessMemory).ProcessId | Should -Be $sleeper.Id
        (Get-ProcessMemory -Name 'slee*').ProcessId | Should -Contain $sleeper.Id
        (Get-ProcessVma -Id $sleeper.Id -Kind Stack | Get-ProcessMemory).ProcessId | Should -Be $sleeper.Id
    }

    It 'sums smaps when the rollup is refused (a kernel thread)' {
        if (-not $kthread) { Set-ItResult -Skipped -Because 'no kernel thread is visible (a pid namespace)'; return }
        $m = Get-ProcessMemory -Id $kthread
        $m.Source | Should -Be 'smaps'
        $m.VmaCount | Should -Be 0
    }

    It 'writes a non-terminating error for a vanished pid' {
        $m = Get-ProcessMemory -Id $gonePid, $PID -ErrorVariable err -ErrorAction SilentlyContinue
        $m.ProcessId | Should -Be $PID
        $err[0].FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor ProcessNotFound Get-ProcessMemory)
    }

    It 'has a table view' {
        Get-ProcessMemory -Id $PID | Format-Table | Out-String | Should -Match 'Id\s+User\s+Swap\s+Uss\s+Pss\s+Rss\s+Pss%\s+Name'
    }
}
