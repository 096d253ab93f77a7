#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# The default views as a person meets them: every output type of every cmdlet, rendered by Out-String at 80
# columns (pwsh's width without a terminal) and at 120. No line may pass the width, no header may be split over
# two lines, and the column (or group header) that says what the object is must show the whole name of a short
# file. Every output type also has a list view that shows its key properties.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
    $widths = @(80, 120)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force

    # A short folder of our own: TestDrive's GUID path is longer than some tables leave at 80 columns, which only
    # the wrap test wants.
    $script:dir = Join-Path ([IO.Path]::GetTempPath()) ('mtv' + [guid]::NewGuid().ToString('n').Substring(0, 6))
    New-Item -ItemType Directory -Path $script:dir | Out-Null
    $script:file = Join-Path $script:dir 'v.bin'
    $bytes = [byte[]]::new(64KB)
    [Text.Encoding]::ASCII.GetBytes('# MmapTools quick start, hello!!').CopyTo($bytes, 0)
    [IO.File]::WriteAllBytes($script:file, $bytes)

    function Render {
        <# The lines Out-String writes at a width, without the blank ones. #>
        param([Parameter(Mandatory)] [object[]] $InputObject, [Parameter(Mandatory)] [int] $Width, [switch] $List)
        $lines = if ($List) { $InputObject | Format-List | Out-String -Width $Width -Stream } else { $InputObject | Out-String -Width $Width -Stream }
        @($lines | ForEach-Object { $_ -split "`n" } | Where-Object { $_.Trim() })
    }

    function Assert-Table {
        <# Every line fits; the header line holds exactly these labels in this order; a line holds $Shows whole. #>
        param([string[]] $Lines, [int] $Width, [string[]] $Header, [string[]] $Shows)
        foreach ($line in $Lines) {
            $line.Length | Should -BeLessOrEqual $Width -Because "no line may pass $Width columns: '$line'"
        }
        $headerLine = @($Lines | Where-Object { $_ -match ('^\s*' + [regex]::Escape($Header[0]) + '\s') })[0]
        $headerLine | Should -Not -BeNullOrEmpty -Because "the header starts with $($Header[0]):`n$($Lines -join "`n")"
        ($headerLine.Trim() -split '\s+') | Should -Be $Header -Because 'every label is whole on the header line'
        $underline = $Lines[[array]::IndexOf($Lines, $headerLine) + 1]
        $underline | Should -Match '^[\s-]+$' -Because 'a split header would put its second half where the dashes belong'
        foreach ($text in $Shows) {
            ($Lines | Where-Object { $_.Contains($text) }) | Should -Not -BeNullOrEmpty -Because "'$text' should be whole:`n$($Lines -join "`n")"
        }
    }
}

AfterAll {
    Get-MemoryMap | Remove-MemoryMap -Confirm:$false
    Remove-Item -LiteralPath $script:dir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Table views at <_> columns' -ForEach $widths {
    BeforeAll { $width = $_ }

    It 'MemoryMap: the file''s path whole, no address or Open column crowding it' {
        $map = New-MemoryMap -Path $file
        try {
            $lines = Render $map $width
            Assert-Table $lines $width @('Id', 'Kind', 'Access', 'Offset', 'Length', 'Path') @($file, '64 KiB')
        }
        finally { $map | Remove-MemoryMap -Confirm:$false }
        # A removed map says so where its path is.
        Render $map $width | Should -Contain ($lines[-1] + ' (removed)')
    }

    It 'MemoryMap: a long path wraps inside its column rather than being cut' {
        $deep = Join-Path $TestDrive ('a-rather-long-folder-name-' * 3)
        New-Item -ItemType Directory -Path $deep | Out-Null
        $long = Join-Path $deep 'long-file-name.bin'
        [IO.File]::WriteAllBytes($long, [byte[]]::new(4096))
        $map = New-MemoryMap -Path $long
        try { $lines = Render $map $width }
        finally { $map | Remove-MemoryMap -Confirm:$false }
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual $width }
        ($lines -join "`n") | Should -Not -Match '…'
        $column = $lines[0].IndexOf('Path')
        (($lines | Select-Object -Skip 2 | ForEach-Object { $_.Substring([Math]::Min($column, $_.Length)) }) -join '') | Should -Be $long
    }

    It 'HexDumpRow: 16 bytes and their text on a line that fits' {
        $map = New-MemoryMap -Path $file
        try { $lines = Render (Read-MappedBytes -Map $map -Count 32 -AsHex) $width }
        finally { $map | Remove-MemoryMap -Confirm:$false }
        Assert-Table $lines $width @('Offset', 'Bytes', 'Ascii') @('00000000', '# MmapTools quic', 'k start, hello!!', '23 20 4D 6D 61 70 54 6F 6F 6C 73 20 71 75 69 63')
    }

    It 'WriteResult: grouped under the whole path, old and new bytes side by side' {
        $target = Join-Path $dir 'w.bin'
        [IO.File]::WriteAllBytes($target, [byte[]](0..15))
        $result = Write-MappedBytes -Path $target -Offset 2 -Hex 'AA BB' -PassThru
        $lines = Render $result $width
        Assert-Table $lines $width @('Offset', 'Length', 'Synced', 'Old', 'New') @("Path: $target", '0x2 (2)')
        (($lines) -join "`n") | Should -Match '02 03\s+AA BB'
    }

    It 'SharedMemoryInfo: the name whole, the size readable' {
        $name = 'mtv' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $shm = New-MemoryMap -Name $name -Size 1MB
        try {
            $lines = Render (Get-SharedMemory -Name $name) $width
            Assert-Table $lines $width @('Length', 'Allocated', 'Mode', 'Owner', 'LastWriteTime', 'Name') @($name, '1 MiB')
        }
        finally {
            $shm | Remove-MemoryMap -Confirm:$false
            Remove-SharedMemory -Name $name -Confirm:$false
        }
    }

    It 'MappedBytesMatch: grouped under the whole path, the match in brackets with its context' {
        $lines = Render (Find-MappedBytes -Path $file -String 'quick' -Context 2) $width
        Assert-Table $lines $width @('Offset', 'Length', 'Match') @("Path: $file", '0xC (12)', '[71 75 69 63 6B]')
    }

    It 'RestoreResult: the path whole, the bytes readable' {
        $target = Join-Path $dir 'r.bin'
        $undo = Join-Path $dir 'r.undo.json'
        [IO.File]::WriteAllBytes($target, [byte[]]::new(16))
        Write-MappedBytes -Path $target -Offset 4 -Hex 'FF FF' -Backup $undo -Confirm:$false
        $result = Restore-MappedBytes -Path $undo -PassThru -Confirm:$false
        $lines = Render $result $width
        Assert-Table $lines $width @('Ranges', 'Bytes', 'Identical', 'Synced', 'Path') @($target, '2 B')
        Remove-Item -LiteralPath $undo -Force
    }

    It 'PageCacheResidency: bytes only, the range apart from the file''s size, the path whole' {
        Clear-PageCache -Path $file | Out-Null
        $lines = Render (Import-PageCache -Path $file -Length 16KB) $width
        Assert-Table $lines $width @('Resident', 'Range', 'Percent', 'Dirty', 'FileSize', 'Path') @($file)
        $row = $lines | Where-Object { $_.Contains($file) }
        # 100% of a 16 KiB range, of a 64 KiB file: the two sizes are both there and told apart.
        $row | Should -Match '^\s*16 KiB\s+16 KiB\s+100%\s+(\d+(\.\d)? (B|KiB)|-)\s+64 KiB\s'
    }

    It 'PageCacheResidency: Dirty is in bytes, not pages' {
        $target = Join-Path $dir 'd.bin'
        [IO.File]::WriteAllBytes($target, [byte[]]::new(8192))
        $residency = Get-PageCacheResidency -Path $target
        $row = Render $residency $width | Where-Object { $_.Contains($target) }
        if ($null -ne $residency.Dirty) {
            $row | Should -Match ('\s' + [regex]::Escape([MmapTools.Units]::FormatBytes($residency.Dirty * $residency.PageSize)) + '\s+8 KiB\s')
        }
        else { $row | Should -Match '\s-\s+8 KiB\s' }
    }

    It 'PageCacheRange: grouped under the whole path' {
        Clear-PageCache -Path $file | Out-Null
        Import-PageCache -Path $file -Length 16KB | Out-Null
        $lines = Render (Get-PageCacheResidency -Path $file -Ranges) $width
        Assert-Table $lines $width @('Offset', 'Length', 'FirstPage', 'Pages', 'State') @("Path: $file", 'NotResident')
        (($lines) -join "`n") | Should -Match '(?m)^0x0\s+16 KiB\s+0\s+4\s+Resident$'
    }

    Context 'Get-ProcessVma and Get-ProcessMemory' {
        BeforeAll {
            $map = New-MemoryMap -Path $file
        }
        AfterAll { $map | Remove-MemoryMap -Confirm:$false }

        It 'ProcessVma: pmap''s columns without -Detailed, no empty Rss or Dirty' {
            $lines = Render (Get-ProcessVma -Id $PID -Path $file) $width
            Assert-Table $lines $width @('Start', 'Size', 'Perm', 'Path') @($file, ('0x{0:x16}' -f $map.Address))
        }

        It 'ProcessVma -Detailed: pmap -x''s columns, filled' {
            $vma = Get-ProcessVma -Id $PID -Path $file -Detailed
            $lines = Render $vma $width
            Assert-Table $lines $width @('Start', 'Size', 'Rss', 'Dirty', 'Perm', 'Path') @($file)
            $row = $lines | Where-Object { $_.Contains($file) }
            $row | Should -Match ('^0x[0-9a-f]{16}\s+64 KiB\s+' + [regex]::Escape([MmapTools.Units]::FormatBytes($vma.Rss)) + '\s+\d+(\.\d)? (B|KiB)\s+r--s\s')
        }

        It 'ProcessVmaGroup: VMAs and size without -Detailed, no empty columns' {
            $lines = Render (Get-ProcessVma -Id $PID -Path $file -Grouped) $width
            Assert-Table $lines $width @('VMAs', 'Size', 'Path') @($file)
        }

        It 'ProcessVmaGroup -Detailed: Rss, Pss, Private and Swap, filled' {
            $lines = Render (Get-ProcessVma -Id $PID -Path $file -Grouped -Detailed) $width
            Assert-Table $lines $width @('VMAs', 'Size', 'Rss', 'Pss', 'Private', 'Swap', 'Path') @($file)
            $lines | Where-Object { $_.Contains($file) } | Should -Match '^\s*1\s+64 KiB(\s+\d+(\.\d)? (B|KiB)){4}\s'
        }

        It 'a detailed VMA brought back from another process keeps its view' {
            $vma = Get-ProcessVma -Id $PID -Path $file -Detailed
            $back = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($vma))
            $back.pstypenames[0] | Should -Be 'Deserialized.MmapTools.DetailedProcessVma'
            ((Render $back $width) -join "`n") | Should -Be ((Render $vma $width) -join "`n")
        }

        It 'ProcessMemoryInfo: the process name whole, last, and sizes readable' {
            $info = Get-ProcessMemory -Id $PID
            $lines = Render $info $width
            Assert-Table $lines $width @('Id', 'User', 'Swap', 'Uss', 'Pss', 'Rss', 'Pss%', 'Name') @($info.ProcessName)
            $lines | Where-Object { $_ -match "^\s*$PID\s" } | Should -Match ('\s' + [regex]::Escape($info.ProcessName) + '$')
        }
    }
}

Describe 'List views' {
    BeforeDiscovery {
        $types = Get-Command -Module MmapTools -CommandType Cmdlet | ForEach-Object { $_.OutputType.Name } |
            Where-Object { $_ -like 'MmapTools.*' } | Sort-Object -Unique
    }

    It '<_> has a list view (and its Deserialized twin)' -ForEach $types {
        foreach ($name in $_, "Deserialized.$_") {
            $data = Get-FormatData -TypeName $name -PowerShellVersion $PSVersionTable.PSVersion
            @($data.FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.ListControl] }) |
                Should -Not -BeNullOrEmpty -Because "Format-List of $name should have a view"
        }
    }

    It 'shows each type''s key properties' {
        $map = New-MemoryMap -Path $file
        try {
            ((Render $map 80 -List) -join "`n") | Should -Match "(?m)^Path\s*: $([regex]::Escape($file))$"
            ((Render $map 80 -List) -join "`n") | Should -Match '(?m)^Address\s*: 0x[0-9a-f]{16}$'
            ((Render (Read-MappedBytes -Map $map -Count 16 -AsHex) 80 -List) -join "`n") | Should -Match '(?m)^Hex\s*: 23 20 4D'
            ((Render (Find-MappedBytes -Map $map -String 'quick') 80 -List) -join "`n") | Should -Match '(?m)^Bytes\s*: 71 75 69 63 6B$'
            ((Render (Get-ProcessVma -Id $PID -Path $file) 80 -List) -join "`n") | Should -Match "(?m)^Path\s*: $([regex]::Escape($file))$"
            ((Render (Get-ProcessVma -Id $PID -Path $file -Detailed) 80 -List) -join "`n") | Should -Match '(?m)^Rss\s*: \d'
            ((Render (Get-ProcessVma -Id $PID -Path $file -Grouped) 80 -List) -join "`n") | Should -Match '(?m)^VMAs\s*: 1$'
        }
        finally { $map | Remove-MemoryMap -Confirm:$false }
        $residency = Get-PageCacheResidency -Path $file
        $list = Render $residency 80 -List
        (($list) -join "`n") | Should -Match "(?m)^Path\s*: $([regex]::Escape($file))$"
        (($list) -join "`n") | Should -Match ('(?m)^Resident\s*: {0} of {1} pages \(' -f $residency.ResidentPages, $residency.Pages)
        if ($null -ne $residency.Evicted) { ($list -join "`n") | Should -Match '(?m)^Evicted\s*: \d+ pages \(' }
        ((Render (Get-PageCacheResidency -Path $file -Ranges) 80 -List) -join "`n") | Should -Match '(?m)^State\s*: (Resident|NotResident)$'
        ((Render (Get-ProcessMemory -Id $PID) 80 -List) -join "`n") | Should -Match '(?m)^Uss\s*: \d'

        $target = Join-Path $dir 'l.bin'
        $undo = Join-Path $dir 'l.undo.json'
        [IO.File]::WriteAllBytes($target, [byte[]]::new(16))
        $write = Write-MappedBytes -Path $target -Offset 4 -Hex 'FF FF' -Backup $undo -PassThru -Confirm:$false
        ((Render $write 80 -List) -join "`n") | Should -Match '(?m)^NewBytes\s*: FF FF$'
        $restore = Restore-MappedBytes -Path $undo -PassThru -Confirm:$false
        ((Render $restore 80 -List) -join "`n") | Should -Match '(?m)^Bytes\s*: 2 B \(2 bytes\)$'
        ((Render $restore 80 -List) -join "`n") | Should -Match '(?m)^Identical\s*: True$'
    }
}
