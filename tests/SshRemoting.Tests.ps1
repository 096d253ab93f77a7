#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Fleets: PowerShell remoting over SSH against a real sshd (Debian's openssh-server) on a high loopback port,
# with its own config, host key and client key in a temp dir, pwsh as its "powershell" subsystem, started and
# stopped by this file by its pid. Two connections (127.0.0.1 and localhost) stand for two hosts.

BeforeDiscovery {
    $script:sshd = Get-Command /usr/sbin/sshd -ErrorAction Ignore
    $script:canRun = $sshd -and (Get-Command ssh -ErrorAction Ignore) -and (Get-Command ssh-keygen -ErrorAction Ignore) -and (id -u) -eq '0'
}

Describe 'Get-ProcessMemory and Get-ProcessVma over SSH remoting' -Skip:(-not $canRun) {
    BeforeAll {
        $script:psd1 = (Resolve-Path (Join-Path $PSScriptRoot '../MmapTools.psd1')).Path
        Import-Module $psd1 -Force
        $script:dir = Join-Path ([IO.Path]::GetTempPath()) "mmaptools-sshd-$PID"
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        chmod 0700 $dir
        ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key" 2>&1 | Out-Null
        ssh-keygen -q -t ed25519 -N '' -f "$dir/client_key" 2>&1 | Out-Null
        Copy-Item "$dir/client_key.pub" "$dir/authorized_keys"
        chmod 0600 "$dir/authorized_keys" "$dir/host_key" "$dir/client_key"
        # sshd needs its privilege-separation directory.
        if (-not (Test-Path /run/sshd)) { New-Item -ItemType Directory -Path /run/sshd | Out-Null; chmod 0755 /run/sshd }

        # A free high port on the loopback.
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $script:port = $listener.LocalEndpoint.Port; $listener.Stop()
        $pwsh = Join-Path $PSHOME 'pwsh'
        @"
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
Subsystem powershell $pwsh -sshs -NoLogo -NoProfile
"@ | Set-Content "$dir/sshd_config"
        $script:daemon = Start-Process -FilePath $sshd.Source -ArgumentList '-D', '-e', '-f', "$dir/sshd_config" -RedirectStandardError "$dir/sshd.log" -PassThru
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        do {
            Start-Sleep -Milliseconds 100
            $up = $false
            try { $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port); $c.Dispose(); $up = $true } catch { }
        } until ($up -or $daemon.HasExited -or [DateTime]::UtcNow -gt $deadline)
        if (-not $up) { throw "sshd did not start: $(Get-Content "$dir/sshd.log" -Raw)" }

        # -Options (ssh -o) is honoured with -HostName; the -SSHConnection hashtables of pwsh 7.6 do not pass it on.
        $script:ssh = @{
            HostName = 'localhost', '127.0.0.1'; Port = $port; UserName = 'root'; KeyFilePath = "$dir/client_key"
            Options = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }
        }
        $script:sleeper = Start-Process -FilePath sleep -ArgumentList 306 -PassThru
    }

    AfterAll {
        if ($sleeper -and -not $sleeper.HasExited) { $sleeper.Kill(); $sleeper.WaitForExit() }
        if ($daemon -and -not $daemon.HasExited) { $daemon.Kill(); $daemon.WaitForExit() }
        Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction Ignore
    }

    It 'Invoke-Command over SSH to two hosts returns groups that keep their data, with PSComputerName' {
        $r = Invoke-Command @ssh -ScriptBlock {
            Import-Module $using:psd1
            Get-ProcessMemory -GroupBy User
        }
        $r | Should -Not -BeNullOrEmpty
        ($r.PSComputerName | Sort-Object -Unique) | Should -Be @('127.0.0.1', 'localhost')
        foreach ($g in $r) {
            $g.PSObject.TypeNames[0] | Should -Be 'Deserialized.MmapTools.ProcessMemoryGroup'
            $g.Pss | Should -BeOfType ([long])
            $g.ProcessIds.Count | Should -Be $g.ProcessCount
        }
        $root = $r | Where-Object { $_.PSComputerName -eq '127.0.0.1' -and $_.Name -eq 'root' }
        $root.Uid | Should -Be 0
        $root.Pss | Should -BeGreaterThan 0
        $root.ProcessIds | Should -Contain $sleeper.Id
        # Sorts across hosts and formats with the view, grouped by computer, within 80 columns.
        $text = $r | Sort-Object PSComputerName, Pss | Out-String -Width 80
        $text | Should -Match 'Computer: 127\.0\.0\.1'
        $text | Should -Match 'Computer: localhost'
        $text | Should -Match 'Procs\s+Swap\s+Uss\s+Pss\s+Rss\s+Pss%\s+Name'
        $text -split "`n" | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }

    It 'per-process figures and who-maps-this-file answers come back typed and formatted' {
        $r = Invoke-Command @ssh -ScriptBlock {
            Import-Module $using:psd1
            Get-ProcessMemory -Id $using:sleeper.Id
            Get-ProcessVma -Id $using:sleeper.Id -Kind File -GroupBy Process
        }
        $m = $r | Where-Object { $_.PSObject.TypeNames[0] -eq 'Deserialized.MmapTools.ProcessMemoryInfo' }
        $m.Count | Should -Be 2
        $m.ProcessName | Select-Object -Unique | Should -Be 'sleep'
        $m.Rss | ForEach-Object { $_ | Should -BeGreaterThan 0 }
        ($m | Out-String -Width 80) | Should -Match 'Computer: localhost'
        ($m | Out-String -Width 80) | Should -Match "$($sleeper.Id)\s+sleep\s+root"
        $s = $r | Where-Object { $_.PSObject.TypeNames[0] -eq 'Deserialized.MmapTools.ProcessVmaSummary' }
        $s.Count | Should -Be 2
        $s[0].Paths | Should -Contain (Get-ProcessVma -Id $sleeper.Id -Kind File | Select-Object -First 1).Path
        ($s | Out-String -Width 80) | Should -Match 'Id\s+Name\s+User\s+VMAs\s+Paths'
    }

    It 'an error on the remote host comes back as the same error record' {
        $one = $ssh.Clone(); $one.HostName = '127.0.0.1'
        $null = Invoke-Command @one -ScriptBlock {
            Import-Module $using:psd1
            Get-ProcessMemory -Id 2147483647
        } -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ProcessNotFound,MmapTools.Commands.GetProcessMemoryCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
