#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# The advice in an error message must be advice the user can follow with the command that wrote it: every
# parameter it names ("-Size", "-Access ReadWrite") is a parameter of that command, unless the message names
# another command with it ("Write-MappedBytes -Backup"), and then it is one of that command's. The engine makes
# the messages without knowing the command; advice that needs -Size is added only where the command has -Size.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
    $cases = @(
        @{ Name = 'Remove-SharedMemory, a name that does not exist'; Id = 'SharedMemoryNotFound'; Run = { Remove-SharedMemory -Name $missingShm -Confirm:$false } }
        @{ Name = 'Read-MappedBytes, a file that does not exist'; Id = 'PathNotFound'; Run = { Read-MappedBytes -Path $missing -Count 1 } }
        @{ Name = 'Read-MappedBytes, an empty file'; Id = 'FileEmpty'; Run = { Read-MappedBytes -Path $empty -Count 1 } }
        @{ Name = 'Read-MappedBytes, an offset past the end'; Id = 'RangeBeyondEndOfFile'; Run = { Read-MappedBytes -Path $four -Offset 10 -Count 1 } }
        @{ Name = 'Read-MappedBytes, a count past the end'; Id = 'RangeBeyondEndOfFile'; Run = { Read-MappedBytes -Path $four -Offset 0 -Count 10 } }
        @{ Name = 'Write-MappedBytes, a file that does not exist'; Id = 'PathNotFound'; Run = { Write-MappedBytes -Path $missing -Offset 0 -Hex 'AA' -Confirm:$false } }
        @{ Name = 'Write-MappedBytes, an empty file'; Id = 'FileEmpty'; Run = { Write-MappedBytes -Path $empty -Offset 0 -Hex 'AA' -Confirm:$false } }
        @{ Name = 'Write-MappedBytes, an offset past the end'; Id = 'RangeBeyondEndOfFile'; Run = { Write-MappedBytes -Path $four -Offset 10 -Hex 'AA' -Confirm:$false } }
        @{ Name = 'Write-MappedBytes, bytes past the end'; Id = 'RangeBeyondEndOfFile'; Run = { Write-MappedBytes -Path $four -Offset 2 -Hex 'AA BB CC' -Confirm:$false } }
        @{ Name = 'Find-MappedBytes, a file that does not exist'; Id = 'PathNotFound'; Run = { Find-MappedBytes -Path $missing -Hex 'AA' } }
        @{ Name = 'Get-PageCacheResidency, a file that does not exist'; Id = 'PathNotFound'; Run = { Get-PageCacheResidency -Path $missing } }
        @{ Name = 'Import-PageCache, a file that does not exist'; Id = 'PathNotFound'; Run = { Import-PageCache -Path $missing } }
        @{ Name = 'Clear-PageCache, a file that does not exist'; Id = 'PathNotFound'; Run = { Clear-PageCache -Path $missing } }
        @{ Name = 'Lock-PageCache, a file that does not exist'; Id = 'PathNotFound'; Run = { Lock-PageCache -Path $missing } }
        @{ Name = 'Restore-MappedBytes, a backup record that does not exist'; Id = 'PathNotFound'; Run = { Restore-MappedBytes -Path $missing -Confirm:$false } }
        # New-MemoryMap has -Size: there the advice to use it is given.
        @{ Name = 'New-MemoryMap, a file that does not exist'; Id = 'PathNotFound'; Run = { New-MemoryMap -Path $missing }; Advice = 'Use -Size to create a new file.' }
        @{ Name = 'New-MemoryMap, an empty file'; Id = 'FileEmpty'; Run = { New-MemoryMap -Path $empty }; Advice = 'Map it with -Access ReadWrite -Size to grow it first.' }
        @{ Name = 'New-MemoryMap -Access ReadWrite, an empty file'; Id = 'FileEmpty'; Run = { New-MemoryMap -Path $empty -Access ReadWrite }; Advice = 'Give -Size to grow it first.' }
        @{ Name = 'New-MemoryMap, bytes past the end'; Id = 'RangeBeyondEndOfFile'; Run = { New-MemoryMap -Path $four -Length 10 }; Advice = 'Or give -Size to grow the file first.' }
        @{ Name = 'New-MemoryMap, a shared-memory name that does not exist'; Id = 'SharedMemoryNotFound'; Run = { New-MemoryMap -Name $missingShm }; Advice = 'Give -Size to create it.' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:missing = Join-Path $TestDrive 'missing.bin'
    $script:empty = New-TestFile 'empty.bin'
    $script:four = New-TestFile 'four.bin' ([byte[]](1, 2, 3, 4))
    $script:missingShm = 'mmaptools-advice-' + [guid]::NewGuid().ToString('n').Substring(0, 8)

    function Get-NamedParameter {
        <# The parameters a message names, each with the command it belongs to: the one named before it, or $Default. #>
        param([string] $Message, [string] $Default)
        foreach ($m in [regex]::Matches($Message, '(?<![\w/.-])(?:(?<cmd>[A-Z][a-z]+-[A-Z][A-Za-z]+) )?-(?<p>[A-Z][A-Za-z]+)\b')) {
            [pscustomobject]@{ Command = if ($m.Groups['cmd'].Success) { $m.Groups['cmd'].Value } else { $Default }; Parameter = $m.Groups['p'].Value }
        }
    }
}

AfterAll {
    Get-MemoryMap | Remove-MemoryMap -Confirm:$false
}

Describe 'Error advice names only parameters the command has' {
    It '<Name>' -ForEach $cases {
        $command = ($Run.ToString().Trim() -split '\s+')[0]
        # Non-terminating errors come through 2>&1, terminating ones through catch.
        $err = @(try { & $Run 2>&1 } catch { $_ }) | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }
        $err | Should -Not -BeNullOrEmpty -Because "$command should report the failure"
        $record = @($err)[0]
        $record.FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor $Id $command)
        $record.CategoryInfo.Category | Should -Not -Be 'NotSpecified'
        $message = "$record"      # what the user sees: ErrorDetails where the cmdlet set it, else the exception's message
        $message | Should -Match ([regex]::Escape($(if ($Id -like 'SharedMemory*') { $missingShm } elseif ($Id -eq 'PathNotFound') { $missing } elseif ($Id -eq 'FileEmpty') { $empty } else { $four })))
        foreach ($named in @(Get-NamedParameter $message $command)) {
            $target = Get-Command $named.Command -ErrorAction Ignore
            $target | Should -Not -BeNullOrEmpty -Because "'$message' names $($named.Command)"
            $names = @($target.Parameters.Keys) + @($target.Parameters.Values.Aliases)
            $names | Should -Contain $named.Parameter -Because "'$message' advises -$($named.Parameter), which $($named.Command) must have"
        }
        if ($Advice) { $message | Should -BeLike "*$Advice" }
        else { $message | Should -Not -Match '-Size\b' }
    }
}
