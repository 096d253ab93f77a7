#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Typed data end to end: Read-MappedBytes -As/-Layout/many offsets and Write-MappedBytes -As/-Layout -Field, checked
# against reference files that Python's struct module writes and reads (python3, no numpy).

BeforeDiscovery {
    $script:types = @(
        @{ Type = 'SByte'; Code = 'b' }, @{ Type = 'Byte'; Code = 'B' }, @{ Type = 'Int16'; Code = 'h' }, @{ Type = 'UInt16'; Code = 'H' },
        @{ Type = 'Int32'; Code = 'i' }, @{ Type = 'UInt32'; Code = 'I' }, @{ Type = 'Int64'; Code = 'q' }, @{ Type = 'UInt64'; Code = 'Q' },
        @{ Type = 'Half'; Code = 'e' }, @{ Type = 'Single'; Code = 'f' }, @{ Type = 'Double'; Code = 'd' }, @{ Type = 'Char'; Code = 'c' }
    )
    $script:cases = foreach ($t in $types) { foreach ($order in 'le', 'be') { $t + @{ Order = $order } } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../MmapTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    function Invoke-Python([string] $Code) {
        $out = $Code | & python3 - 2>&1
        if ($LASTEXITCODE -ne 0) { throw "python3 failed: $out" }
        $out
    }

    function Get-Sha256([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash }

    # Each type's test values (the extremes and some in between), as Python literals; Python packs them, both orders,
    # and writes the values it reads back with struct.unpack, one per line, so both sides compare exact numbers.
    $script:ref = Join-Path $TestDrive 'ref'
    New-Item -ItemType Directory -Path $ref | Out-Null
    Invoke-Python @"
import struct, os
d = '$ref'
values = {
    'b': [-128, -1, 0, 1, 127], 'B': [0, 1, 127, 128, 255],
    'h': [-32768, -2, 0, 258, 32767], 'H': [0, 1, 258, 65534, 65535],
    'i': [-2**31, -16909060, 0, 16909060, 2**31 - 1], 'I': [0, 1, 16909060, 2**32 - 2, 2**32 - 1],
    'q': [-2**63, -1, 0, 72623859790382856, 2**63 - 1], 'Q': [0, 1, 72623859790382856, 2**64 - 2, 2**64 - 1],
    'e': [-65504.0, -1.5, 0.0, 0.333251953125, 65504.0], 'f': [-3.4028234663852886e38, -1.5, 0.0, 0.1, 3.4028234663852886e38],
    'd': [-1.7976931348623157e308, -1.5, 0.0, 0.1, 1.7976931348623157e308], 'c': [b'A', b'z', b'\x00', b'\xe9', b'~'],
}
for code, vs in values.items():
    for order, prefix in (('le', '<'), ('be', '>')):
        packed = struct.pack(prefix + str(len(vs)) + code, *vs)
        open(os.path.join(d, code + '-' + order + '.bin'), 'wb').write(packed)
        back = struct.unpack(prefix + str(len(vs)) + code, packed)
        text = [str(ord(v)) if code == 'c' else repr(v) for v in back]
        open(os.path.join(d, code + '-' + order + '.txt'), 'w').write('\n'.join(text))
"@

    # Numbers as exact decimals (integers) or doubles (floating point), whatever their .NET type, to compare values.
    function ConvertTo-Exact($Value, [string] $Type) {
        $inv = [cultureinfo]::InvariantCulture
        if ($Type -in 'Half', 'Single', 'Double') { return [double]::Parse([string]::Format($inv, '{0:R}', [double] $Value), $inv) }
        if ($Type -eq 'Char') { return [decimal] [int] [char] $Value }
        [decimal] $Value
    }

    function Get-Reference([string] $Code, [string] $Order, [string] $Type) {
        $inv = [cultureinfo]::InvariantCulture
        foreach ($line in Get-Content -LiteralPath (Join-Path $ref "$Code-$Order.txt")) {
            if ($Type -in 'Half', 'Single', 'Double') { [double]::Parse($line, $inv) } else { [decimal]::Parse($line, $inv) }
        }
    }
}

AfterAll {
    Get-MemoryMap | Remove-MemoryMap -Confirm:$false
}

Describe 'Every type, both byte orders, against struct' {
    It 'reads <Type> (<Order>) as struct.unpack does, as one typed array' -ForEach $cases {
        $file = Join-Path $ref "$Code-$Order.bin"
        $a = Read-MappedBytes -Path $file -As $Type -Count 5 -BigEndian:($Order -eq 'be')
        , $a | Should -BeOfType ([Array])
        $a.GetType().GetElementType().Name | Should -Be $(if ($Type -eq 'Char') { 'Char' } else { $Type })
        $a.Length | Should -Be 5
        $expected = @(Get-Reference $Code $Order $Type)
        for ($i = 0; $i -lt 5; $i++) { ConvertTo-Exact $a[$i] $Type | Should -Be $expected[$i] -Because "element $i" }
    }

    It 'reads <Type> (<Order>) to the end of the file without -Count' -ForEach $cases {
        $a = Read-MappedBytes -Path (Join-Path $ref "$Code-$Order.bin") -As $Type -BigEndian:($Order -eq 'be')
        $a.Length | Should -Be 5
    }

    It 'writes <Type> (<Order>) byte for byte as struct.pack does, and reads it back' -ForEach $cases {
        $reference = [IO.File]::ReadAllBytes((Join-Path $ref "$Code-$Order.bin"))
        $file = New-TestFile "w-$Code-$Order.bin" ([byte[]]::new($reference.Length))
        $values = @(Get-Reference $Code $Order $Type)
        if ($Type -eq 'Char') { $values = @($values | ForEach-Object { [char] [int] $_ }) }
        Write-MappedBytes -Path $file -Offset 0 -As $Type -Value $values -BigEndian:($Order -eq 'be') -Confirm:$false
        ConvertTo-TestHex ([IO.File]::ReadAllBytes($file)) | Should -Be (ConvertTo-TestHex $reference)
        $back = Read-MappedBytes -Path $file -As $Type -Count 5 -BigEndian:($Order -eq 'be')
        $expected = @(Get-Reference $Code $Order $Type)
        for ($i = 0; $i -lt 5; $i++) { ConvertTo-Exact $back[$i] $Type | Should -Be $expected[$i] -Because "element $i" }
    }

    It 'reads at any offset: no alignment is needed' {
        $file = New-TestFile 'odd.bin' ([byte[]](0xFF) + [IO.File]::ReadAllBytes((Join-Path $ref 'd-le.bin')))
        (Read-MappedBytes -Path $file -Offset 1 -As Double -Count 5)[1] | Should -Be -1.5
        (Read-MappedBytes -Path $file -Offset 33 -As Double -Count 1)[0] | Should -Be 1.7976931348623157e308
    }

    It 'takes the numpy and C# names of the types in a layout' {
        $file = Join-Path $ref 'i-le.bin'
        $r = Read-MappedBytes -Path $file -Layout ([ordered]@{ A = 'int'; B = 'i4'; C = 'int32'; D = [int]; E = 'Int32LE' })
        $r.A, $r.B, $r.C, $r.D, $r.E | Should -Be @(-2147483648, -16909060, 0, 16909060, 2147483647)
    }
}

Describe 'The seed task: 10,000 ints, each up by one' {
    It 'takes three lines, and python3 finds every int up by exactly one' {
        $file = Join-Path $TestDrive 'seed.bin'
        Invoke-Python @"
import struct, random
random.seed(13)
open('$file', 'wb').write(struct.pack('<10000i', *[random.randint(-2**31, 2**31 - 2) for _ in range(10000)]))
"@
        $a = Read-MappedBytes -Path $file -As Int32 -Count 10000
        for ($i = 0; $i -lt $a.Length; $i++) { $a[$i]++ }
        Write-MappedBytes -Path $file -Offset 0 -As Int32 -Value $a -Confirm:$false

        $a.GetType() | Should -Be ([int[]])
        Invoke-Python @"
import struct, random
random.seed(13)
before = [random.randint(-2**31, 2**31 - 2) for _ in range(10000)]
data = open('$file', 'rb').read()
assert len(data) == 40000, len(data)
after = struct.unpack('<10000i', data)
bad = [i for i in range(10000) if after[i] != before[i] + 1]
print('bad', len(bad), bad[:5])
"@ | Should -Be 'bad 0 []'
    }

    It 'takes one line with -Add, as numpy''s m += 1, and python3 finds every int up by exactly one' {
        $file = Join-Path $TestDrive 'seed-add.bin'
        Invoke-Python @"
import struct, random
random.seed(14)
open('$file', 'wb').write(struct.pack('<10000i', *[random.randint(-2**31, 2**31 - 2) for _ in range(10000)]))
"@
        Write-MappedBytes -Path $file -Offset 0 -As Int32 -Add 1 -Confirm:$false
        Invoke-Python @"
import struct, random
random.seed(14)
before = [random.randint(-2**31, 2**31 - 2) for _ in range(10000)]
after = struct.unpack('<10000i', open('$file', 'rb').read())
print('bad', sum(1 for i in range(10000) if after[i] != before[i] + 1))
"@ | Should -Be 'bad 0'
    }
}

Describe 'Write-MappedBytes -Add: numbers changed in place' {
    BeforeAll {
        $script:addFile = Join-Path $TestDrive 'add.bin'
        function Reset-AddFile {
            Invoke-Python "import struct; open('$addFile', 'wb').write(struct.pack('>4H', 1, 2, 65535, 7) + struct.pack('<2d', 1.25, -3.0) + struct.pack('<2Q', 18446744073709551614, 5))"
        }
    }

    It 'adds and subtracts per type and byte order, as struct reads it back, at one offset or many' {
        Reset-AddFile
        Write-MappedBytes -Path $addFile -Offset 0 -As UInt16 -BigEndian -Count 2 -Add 10 -Confirm:$false
        Write-MappedBytes -Path $addFile -Offset 6 -As UInt16 -BigEndian -Count 1 -Add -7 -Confirm:$false
        Write-MappedBytes -Path $addFile -Offset 8, 16 -As Double -Count 1 -Add 0.5 -Confirm:$false
        Write-MappedBytes -Path $addFile -Offset 24 -As UInt64 -Count 1 -Add 1 -Confirm:$false
        Invoke-Python "import struct; d = open('$addFile', 'rb').read(); print(struct.unpack_from('>4H', d, 0), struct.unpack_from('<2d', d, 8), struct.unpack_from('<2Q', d, 24))" |
            Should -Be '(11, 12, 65535, 0) (1.75, -2.5) (18446744073709551615, 5)'
    }

    It 'refuses a sum that does not fit, naming its offset, and writes nothing at any offset' {
        Reset-AddFile
        $before = Get-Sha256 $addFile
        { Write-MappedBytes -Path $addFile -Offset 0 -As UInt16 -BigEndian -Count 3 -Add 1 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId (Get-ErrorIdFor TypedValueInvalid Write-MappedBytes) -ExpectedMessage '*UInt16 at offset 4 is 65535*65536 does not fit UInt16*Nothing was written*'
        { Write-MappedBytes -Path $addFile -Offset 24, 32 -As UInt64 -Count 1 -Add 2 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId (Get-ErrorIdFor TypedValueInvalid Write-MappedBytes) -ExpectedMessage '*offset 24*'
        { Write-MappedBytes -Path $addFile -Offset 0 -As Int16 -Count 1 -Add 0.5 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId (Get-ErrorIdFor TypedValueInvalid Write-MappedBytes) -ExpectedMessage '*-Add (0.5) must be a whole number*'
        Get-Sha256 $addFile | Should -Be $before
    }

    It 'adds to every whole element to the end without -Count, and says so when they are not whole' {
        Reset-AddFile
        Write-MappedBytes -Path $addFile -Offset 8 -As Int64 -Add 0 -Confirm:$false
        { Write-MappedBytes -Path $addFile -Offset 3 -As Int32 -Add 1 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId (Get-ErrorIdFor TypedLengthMisaligned Write-MappedBytes) -ExpectedMessage '*37 bytes*Give -Count*'
    }

    It '-WhatIf shows the old and new values and writes nothing; -Backup undoes it; an open map works too' {
        Reset-AddFile
        $before = Get-Sha256 $addFile
        $psd1 = Join-Path $PSScriptRoot '../MmapTools.psd1'
        $text = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command "Import-Module '$psd1'; Write-MappedBytes -Path '$addFile' -Offset 0 -As UInt16 -BigEndian -Count 2 -Add 3 -WhatIf" | Out-String
        $text | Should -Match 'Add 3 to 2 UInt16 value\(s\): 1, 2 -> 4, 5'
        Get-Sha256 $addFile | Should -Be $before
        $undo = Join-Path $TestDrive 'add.undo.json'
        $r = Write-MappedBytes -Path $addFile -Offset 0 -As UInt16 -BigEndian -Count 2 -Add 3 -Backup $undo -PassThru -Confirm:$false
        ConvertTo-TestHex $r.NewBytes | Should -Be '00040005'
        Restore-MappedBytes -LiteralPath $undo -Confirm:$false
        Get-Sha256 $addFile | Should -Be $before
        $map = New-MemoryMap -Path $addFile -Access ReadWrite
        Write-MappedBytes -Map $map -Offset 8 -As Double -Count 2 -Add -1 -Confirm:$false
        (Read-MappedBytes -Map $map -Offset 8 -As Double -Count 2) -join ' ' | Should -Be '0.25 -4'
        $map | Remove-MemoryMap
    }

    It 'refuses -Add without -As, with -Value or -Expect, -Count without -Add, and Char' {
        Reset-AddFile
        { Write-MappedBytes -Path $addFile -Offset 0 -Add 1 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor TypedOptionConflict Write-MappedBytes) -ExpectedMessage '*-As*'
        { Write-MappedBytes -Path $addFile -Offset 0 -As Int32 -Add 1 -Value 2 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor WriteValueConflict Write-MappedBytes)
        { Write-MappedBytes -Path $addFile -Offset 0 -As Int32 -Add 1 -Expect 1 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor TypedOptionConflict Write-MappedBytes) -ExpectedMessage '*-Expect*'
        { Write-MappedBytes -Path $addFile -Offset 0 -As Int32 -Value 1 -Count 1 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor TypedOptionConflict Write-MappedBytes) -ExpectedMessage '*-Count*'
        { Write-MappedBytes -Path $addFile -Offset 0 -As Char -Count 1 -Add 1 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor TypedValueInvalid Write-MappedBytes) -ExpectedMessage '*characters*'
        { Write-MappedBytes -Path $addFile -Offset 0 -As Int32 -Count -1 -Add 1 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor CountInvalid Write-MappedBytes)
    }
}

Describe 'Many offsets through one gathered read' {
    BeforeAll {
        $script:pattern = New-Pattern 65536
        $script:file = New-TestFile 'pattern.bin' $pattern
        $rng = [Random]::new(13)
        # 3,000 offsets: more than one batch of 1,024 ranges, in no order, with repeats.
        $script:offsets = [long[]] @(for ($i = 0; $i -lt 3000; $i++) { $rng.Next(0, 65536 - 16) })
        $offsets[1] = $offsets[0]
    }

    It 'returns one OffsetValue per offset, in order, tagged with its offset' {
        $r = Read-MappedBytes -Path $file -Offset $offsets -Count 16
        $r.Count | Should -Be 3000
        $r[0] | Should -BeOfType ([MmapTools.OffsetValue])
        for ($i = 0; $i -lt 3000; $i += 7) {
            $r[$i].Offset | Should -Be $offsets[$i]
            ConvertTo-TestHex $r[$i].Value | Should -Be ([Convert]::ToHexString($pattern, $offsets[$i], 16))
        }
        $r[2999].Source | Should -Be $file
    }

    It 'keeps Offset and Value through Export-Clixml and Import-Clixml' {
        $r = Read-MappedBytes -Path $file -Offset 3, 1001 -As Int16 -Count 2 -BigEndian
        $xml = Join-Path $TestDrive 'offsets.xml'
        $r | Export-Clixml -LiteralPath $xml
        $back = Import-Clixml -LiteralPath $xml
        $back[1].pstypenames[0] | Should -Be 'Deserialized.MmapTools.OffsetValue'
        $back[1].Offset | Should -Be 1001
        $back[1].Type | Should -Be 'Int16'
        @($back[1].Value) | Should -Be @($r[1].Value)
        ($back[1] | Format-Table | Out-String) | Should -Match '0x3E9 \(1001\)'
    }

    It 'reads -As values at each offset, through an open map too' {
        $map = New-MemoryMap -Path $file
        $r = Read-MappedBytes -Map $map -Offset 0, 2, 4 -As UInt16 -Count 2
        $r.Count | Should -Be 3
        $r[1].Value.GetType() | Should -Be ([uint16[]])
        $r[1].Value[0] | Should -Be ([BitConverter]::ToUInt16($pattern, 2))
        $r[2].Value[1] | Should -Be ([BitConverter]::ToUInt16($pattern, 6))
        $map | Remove-MemoryMap
    }

    It 'still takes one offset as -Offset 5, and one offset by property name from the pipeline (writes)' {
        ConvertTo-TestHex (Read-MappedBytes -Path $file -Offset 5 -Count 3) | Should -Be ([Convert]::ToHexString($pattern, 5, 3))
        $copy = New-TestFile 'copy.bin' $pattern
        [pscustomobject]@{ Offset = 9 } | Write-MappedBytes -Path $copy -As UInt16 -Value 0xBEEF -Confirm:$false
        [BitConverter]::ToUInt16([IO.File]::ReadAllBytes($copy), 9) | Should -Be 0xBEEF
    }

    It 'names a bad offset and reads none of the others' {
        $err = $null
        $r = Read-MappedBytes -Path $file -Offset 0, 65530, 16 -Count 16 -ErrorVariable err -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor AccessOutOfRange Read-MappedBytes)
        $err[0].Exception.Message | Should -Match 'offset 65530 '
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        { Read-MappedBytes -Path $file -Offset 0, -3 -Count 1 -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor OffsetInvalid Read-MappedBytes) -ExpectedMessage '*Offset -3*'
    }

    It 'writes the same value at many offsets, all or nothing' {
        $copy = New-TestFile 'many.bin' $pattern
        Write-MappedBytes -Path $copy -Offset 0, 100, 4000 -As Int32 -Value -7 -Confirm:$false
        $b = [IO.File]::ReadAllBytes($copy)
        foreach ($at in 0, 100, 4000) { [BitConverter]::ToInt32($b, $at) | Should -Be -7 }
        $before = Get-Sha256 $copy
        $err = $null
        Write-MappedBytes -Path $copy -Offset 8, 65534, 200 -As Int32 -Value 1 -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'AccessOutOfRange,*'
        $err[0].Exception.Message | Should -Match '65534'
        Get-Sha256 $copy | Should -Be $before
    }

    It '-Raw returns the bytes at every offset as one byte[], back to back in the order of the offsets' {
        (Read-MappedBytes -Path $file -Offset $offsets -Count 16 -Raw | Measure-Object).Count | Should -Be 1 -Because 'one array goes down the pipeline, not its elements'
        $r = Read-MappedBytes -Path $file -Offset $offsets -Count 16 -Raw
        $r.GetType() | Should -Be ([byte[]])
        $r.Length | Should -Be (3000 * 16)
        $expected = [byte[]]::new(3000 * 16)
        for ($i = 0; $i -lt 3000; $i++) { [Array]::Copy($pattern, $offsets[$i], $expected, $i * 16, 16) }
        [Convert]::ToHexString($r) | Should -Be ([Convert]::ToHexString($expected))
    }

    It '-Raw -As returns one typed array: value k of offset i is element i * Count + k, as python3 struct reads them' {
        $map = New-MemoryMap -Path $file
        $at = [long[]] @(7, 65000, 3, 3, 40001)
        $r = Read-MappedBytes -Map $map -Offset $at -As Int32 -Count 2 -Raw -BigEndian
        $map | Remove-MemoryMap
        $r.GetType() | Should -Be ([int[]])
        $py = Invoke-Python "import struct; d = open('$file', 'rb').read(); print(' '.join(str(v) for o in ($($at -join ', ')) for v in struct.unpack_from('>2i', d, o)))"
        ($r -join ' ') | Should -Be $py
        # The same values as the OffsetValue objects hold.
        $objects = Read-MappedBytes -Path $file -Offset $at -As Int32 -Count 2 -BigEndian
        (@($objects | ForEach-Object { $_.Value }) -join ' ') | Should -Be ($r -join ' ')
    }

    It '-Raw checks every offset first as the objects do, and refuses -Layout and -AsHex' {
        $err = $null
        $r = Read-MappedBytes -Path $file -Offset 0, 65530 -Count 16 -Raw -ErrorVariable err -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be (Get-ErrorIdFor AccessOutOfRange Read-MappedBytes)
        { Read-MappedBytes -Path $file -Offset 0, 8 -Layout ([ordered]@{ A = 'Int32' }) -Raw -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor TypedOptionConflict Read-MappedBytes) -ExpectedMessage '*-Raw*-Layout*'
        { Read-MappedBytes -Path $file -Offset 0 -Count 4 -AsHex -Raw -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor ReadFormatConflict Read-MappedBytes) -ExpectedMessage '*-Raw*-AsHex*'
        # One offset: -Raw changes nothing.
        ConvertTo-TestHex (Read-MappedBytes -Path $file -Offset 5 -Count 3 -Raw) | Should -Be ([Convert]::ToHexString($pattern, 5, 3))
    }

    It 'Write-MappedBytes -Raw writes part i of -Value at offset i: what Read-MappedBytes -Raw returned, changed, goes back' {
        $copy = New-TestFile 'raw-write.bin' $pattern
        $at = [long[]] @(100, 8, 60000)
        $v = Read-MappedBytes -Path $copy -Offset $at -As UInt16 -Count 3 -Raw -BigEndian
        for ($i = 0; $i -lt $v.Length; $i++) { $v[$i] = 1000 + $i }
        Write-MappedBytes -Path $copy -Offset $at -As UInt16 -Value $v -Raw -BigEndian -Confirm:$false
        Invoke-Python "import struct; d = open('$copy', 'rb').read(); print([struct.unpack_from('>3H', d, o) for o in (100, 8, 60000)])" |
            Should -Be '[(1000, 1001, 1002), (1003, 1004, 1005), (1006, 1007, 1008)]'
        # Bytes too, through an open map: everything else is as it was.
        $map = New-MemoryMap -Path $copy -Access ReadWrite
        Write-MappedBytes -Map $map -Offset 0, 2 -Hex 'AA BB CC DD' -Raw -Confirm:$false
        $map | Remove-MemoryMap
        $b = [IO.File]::ReadAllBytes($copy)
        [Convert]::ToHexString($b, 0, 4) | Should -Be 'AABBCCDD'
        [Convert]::ToHexString($b, 4, 4) | Should -Be ([Convert]::ToHexString($pattern, 4, 4))
    }

    It 'Write-MappedBytes -Raw refuses data that does not split evenly, and -Expect, writing nothing' {
        $copy = New-TestFile 'raw-bad.bin' $pattern
        $before = Get-Sha256 $copy
        { Write-MappedBytes -Path $copy -Offset 0, 8, 16 -As Int32 -Value 1, 2, 3, 4 -Raw -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId (Get-ErrorIdFor RawLengthMismatch Write-MappedBytes) -ExpectedMessage '*16 bytes (4 Int32) do not make 3 equal parts*'
        { Write-MappedBytes -Path $copy -Offset 0, 8 -Value 1, 2, 3 -Raw -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId (Get-ErrorIdFor RawLengthMismatch Write-MappedBytes)
        { Write-MappedBytes -Path $copy -Offset 0, 8 -Value 1, 2 -Raw -Expect 0 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId (Get-ErrorIdFor TypedOptionConflict Write-MappedBytes) -ExpectedMessage '*-Expect*'
        Get-Sha256 $copy | Should -Be $before
    }

    It 'refuses many offsets without -Count' {
        { Read-MappedBytes -Path $file -Offset 0, 1 -ErrorAction Stop } | Should -Throw -ErrorId (Get-ErrorIdFor CountRequired Read-MappedBytes)
    }
}

Describe 'Records by layout' {
    BeforeAll {
        # A header ('>IHH16s': big-endian, as network formats are) and 50 records '<HbxiI' (12 bytes, one pad byte), from struct.
        $script:db = Join-Path $TestDrive 'records.bin'
        Invoke-Python @"
import struct
h = struct.pack('>IHH16s', 0xCAFEBABE, 2, 0x8001, b'table')
recs = b''.join(struct.pack('<Hbxi4s', i, -i, i * 1000 - 7, bytes([65 + i % 26]) * 4) for i in range(50))
open('$db', 'wb').write(h + recs)
"@
        $script:header = [ordered]@{ Magic = 'UInt32'; Version = 'UInt16'; Flags = 'UInt16'; Name = 'Char[16]' }
        $script:record = [ordered]@{ Id = 'UInt16'; Delta = 'SByte'; _ = 'Pad'; Amount = 'Int32'; Tag = 'Char[4]' }
    }

    It 'reads a header as one object with the fields as properties' {
        $h = Read-MappedBytes -Path $db -Layout $header -BigEndian
        $h | Should -BeOfType ([pscustomobject])
        $h.Magic | Should -Be ([uint32] 3405691582)
        $h.Magic | Should -BeOfType ([uint32])
        $h.Version | Should -Be 2
        $h.Flags | Should -Be 0x8001
        $h.Name | Should -Be 'table'
        @($h.psobject.Properties.Name) | Should -Be @('Magic', 'Version', 'Flags', 'Name', 'PSOffset')
    }

    It 'takes the byte order per field' {
        $h = Read-MappedBytes -Path $db -Layout ([ordered]@{ Magic = '>UInt32'; Version = 'UInt16BE'; Flags = 'UInt16' })
        $h.Magic | Should -Be ([uint32] 3405691582)
        $h.Version | Should -Be 2
        $h.Flags | Should -Be 0x0180
    }

    It 'reads a table of records as one pipeline of objects, padding skipped' {
        $rows = Read-MappedBytes -Path $db -Offset 24 -Layout $record -Count 50
        $rows.Count | Should -Be 50
        $rows[7].Id | Should -Be 7
        $rows[7].Delta | Should -Be -7
        $rows[7].Amount | Should -Be 6993
        $rows[7].Tag | Should -Be 'HHHH'
        $rows[7].PSOffset | Should -Be (24 + 7 * 12)
        $rows[0].psobject.Properties.Name | Should -Not -Contain '_'
        ($rows | Where-Object Amount -GT 40000).Id | Should -Be @(41..49)
    }

    It 'reads records at many offsets, and arrays in a record' {
        $rows = Read-MappedBytes -Path $db -Offset (24 + 12 * 49), 24 -Layout ([ordered]@{ Id = 'UInt16'; Rest = 'Byte[10]' })
        $rows.Id | Should -Be @(49, 0)
        $rows[0].PSOffset | Should -Be (24 + 12 * 49)
        $rows[0].Rest.GetType() | Should -Be ([byte[]])
        (Read-MappedBytes -Path $db -Offset 24 -Layout ([ordered]@{ Words = 'UInt16[6]' })).Words.Count | Should -Be 6
    }

    It 'writes one field by name: exactly its bytes, with -Expect and an undo record' {
        $before = [IO.File]::ReadAllBytes($db)
        $undo = Join-Path $TestDrive 'undo.json'
        Write-MappedBytes -Path $db -Offset 0 -Layout $header -BigEndian -Field Version -Value 3 -Expect 2 -Backup $undo -Confirm:$false
        $after = [IO.File]::ReadAllBytes($db)
        $changed = @(for ($i = 0; $i -lt $after.Length; $i++) { if ($after[$i] -ne $before[$i]) { $i } })
        $changed | Should -Be @(5)
        Invoke-Python "import struct; print(struct.unpack_from('>IHH16s', open('$db', 'rb').read())[1])" | Should -Be '3'
        (Restore-MappedBytes -Path $undo -Confirm:$false) | Out-Null
        ConvertTo-TestHex ([IO.File]::ReadAllBytes($db)) | Should -Be (ConvertTo-TestHex $before)
    }

    It 'writes a text field and an array field, checking their size' {
        $copy = New-TestFile 'rec-copy.bin' ([IO.File]::ReadAllBytes($db))
        Write-MappedBytes -Path $copy -Offset 24 -Layout $record -Field Tag -Value 'xy' -Confirm:$false
        (Read-MappedBytes -Path $copy -Offset 24 -Layout $record).Tag | Should -Be 'xy'
        Write-MappedBytes -Path $copy -Offset 24 -Layout ([ordered]@{ W = 'Int16[2]' }) -Field W -Value -1, 2 -Confirm:$false
        (Read-MappedBytes -Path $copy -Offset 24 -Layout ([ordered]@{ W = 'Int16[2]' })).W | Should -Be @(-1, 2)
        Invoke-Python "import struct; print(struct.unpack_from('<hh', open('$copy', 'rb').read(), 24))" | Should -Be '(-1, 2)'
    }

    It '-WhatIf shows the old and new value of the field and writes nothing' {
        $before = Get-Sha256 $db
        $psd1 = Join-Path $PSScriptRoot '../MmapTools.psd1'
        $out = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -Command "Import-Module '$psd1'; Write-MappedBytes -Path '$db' -Offset 0 -Layout ([ordered]@{ Magic = 'UInt32'; Version = 'UInt16' }) -BigEndian -Field Version -Value 3 -Expect 2 -WhatIf; Write-MappedBytes -Path '$db' -Offset 24 -As Int32 -Value 5, 6 -WhatIf" | Out-String
        $out | Should -Match 'Version: 2 -> 3 \(-Expect matches\)'
        $out | Should -Match 'Write 2 Int32 value\(s\): 0, -7 -> 5, 6'
        Get-Sha256 $db | Should -Be $before
    }
}

Describe 'Typed errors: an ErrorRecord naming the field, offset or value, and nothing written' {
    BeforeAll {
        $script:small = New-TestFile 'small.bin' (New-Pattern 40)
        $script:layout = [ordered]@{ Magic = 'UInt32'; Version = 'UInt16'; Flags = 'UInt16'; Name = 'Char[16]' }
    }

    It '<Case>' -ForEach @(
        @{ Case = 'an unknown type names the field'; Id = 'TypeUnknown'; Command = 'Read-MappedBytes'; Message = "*'Flags'*'UInt17'*"; Call = { Read-MappedBytes -Path $small -Layout ([ordered]@{ Magic = 'UInt32'; Flags = 'UInt17' }) -ErrorAction Stop } }
        @{ Case = 'an unordered hashtable is refused'; Id = 'LayoutInvalid'; Command = 'Read-MappedBytes'; Message = '*[ordered]*'; Call = { Read-MappedBytes -Path $small -Layout @{ A = 'Byte'; B = 'Byte' } -ErrorAction Stop } }
        @{ Case = 'an array of length 0 names the field'; Id = 'LayoutInvalid'; Command = 'Read-MappedBytes'; Message = "*'Data'*"; Call = { Read-MappedBytes -Path $small -Layout ([ordered]@{ Data = 'Int32[0]' }) -ErrorAction Stop } }
        @{ Case = 'a record past the end names the field that does not fit'; Id = 'LayoutOutOfRange'; Command = 'Read-MappedBytes'; Message = "*field 'Name'*"; Call = { Read-MappedBytes -Path $small -Offset 20 -Layout $layout -ErrorAction Stop } }
        @{ Case = 'the second of two records past the end'; Id = 'LayoutOutOfRange'; Command = 'Read-MappedBytes'; Message = "*Record 1 at offset 24*field 'Name'*"; Call = { Read-MappedBytes -Path $small -Offset 0 -Layout $layout -Count 2 -ErrorAction Stop } }
        @{ Case = 'a field past the end is not written'; Id = 'LayoutOutOfRange'; Command = 'Write-MappedBytes'; Message = "*Field 'Name'*"; Call = { Write-MappedBytes -Path $small -Offset 30 -Layout $layout -Field Name -Value 'x' -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'an unknown field'; Id = 'FieldNotFound'; Command = 'Write-MappedBytes'; Message = "*'Versoin'*Magic, Version, Flags, Name*"; Call = { Write-MappedBytes -Path $small -Offset 0 -Layout $layout -Field Versoin -Value 3 -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'a value out of range'; Id = 'TypedValueInvalid'; Command = 'Write-MappedBytes'; Message = '*-Value`[1`] (300)*Byte*'; Call = { Write-MappedBytes -Path $small -Offset 0 -As Byte -Value 1, 300 -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'a fraction for an integer'; Id = 'TypedValueInvalid'; Command = 'Write-MappedBytes'; Message = '*1.5*whole number*'; Call = { Write-MappedBytes -Path $small -Offset 0 -As Int32 -Value 1.5 -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'text that is not a number'; Id = 'TypedValueInvalid'; Command = 'Write-MappedBytes'; Message = "*'abc'*"; Call = { Write-MappedBytes -Path $small -Offset 0 -As Double -Value 'abc' -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'text too long for its field'; Id = 'TypedValueInvalid'; Command = 'Write-MappedBytes'; Message = "*Field 'Name'*holds 16*"; Call = { Write-MappedBytes -Path $small -Offset 0 -Layout $layout -Field Name -Value ('x' * 17) -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'a field value of the wrong type'; Id = 'TypedValueInvalid'; Command = 'Write-MappedBytes'; Message = "*Field 'Version'*65536*"; Call = { Write-MappedBytes -Path $small -Offset 0 -Layout $layout -Field Version -Value 65536 -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'a bytes -Value that is not a byte'; Id = 'TypedValueInvalid'; Command = 'Write-MappedBytes'; Message = '*256*'; Call = { Write-MappedBytes -Path $small -Offset 0 -Value 1, 256 -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'the old value is not -Expect'; Id = 'ExpectMismatch'; Command = 'Write-MappedBytes'; Message = '*Nothing was written*'; Call = { Write-MappedBytes -Path $small -Offset 0 -Layout $layout -Field Version -Value 3 -Expect 12345 -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'elements that do not fill the rest'; Id = 'TypedLengthMisaligned'; Command = 'Read-MappedBytes'; Message = '*38 bytes*Int32*'; Call = { Read-MappedBytes -Path $small -Offset 2 -As Int32 -ErrorAction Stop } }
        @{ Case = '-As with -Layout'; Id = 'TypedOptionConflict'; Command = 'Read-MappedBytes'; Message = '*-As and -Layout*'; Call = { Read-MappedBytes -Path $small -As Int32 -Layout $layout -ErrorAction Stop } }
        @{ Case = '-As with -AsHex'; Id = 'TypedOptionConflict'; Command = 'Read-MappedBytes'; Message = '*-AsHex*'; Call = { Read-MappedBytes -Path $small -As Int32 -AsHex -ErrorAction Stop } }
        @{ Case = '-BigEndian without a type'; Id = 'TypedOptionConflict'; Command = 'Read-MappedBytes'; Message = '*-BigEndian*'; Call = { Read-MappedBytes -Path $small -BigEndian -ErrorAction Stop } }
        @{ Case = '-Field without -Layout'; Id = 'TypedOptionConflict'; Command = 'Write-MappedBytes'; Message = '*-Field*'; Call = { Write-MappedBytes -Path $small -Offset 0 -Field Version -Value 3 -Confirm:$false -ErrorAction Stop } }
        @{ Case = '-Layout without -Field'; Id = 'TypedOptionConflict'; Command = 'Write-MappedBytes'; Message = '*-Field*'; Call = { Write-MappedBytes -Path $small -Offset 0 -Layout $layout -Value 3 -Confirm:$false -ErrorAction Stop } }
        @{ Case = '-As with -Hex'; Id = 'TypedOptionConflict'; Command = 'Write-MappedBytes'; Message = '*-Hex*'; Call = { Write-MappedBytes -Path $small -Offset 0 -As Int32 -Hex '00' -Confirm:$false -ErrorAction Stop } }
    ) {
        $before = Get-Sha256 $small
        $Call | Should -Throw -ErrorId (Get-ErrorIdFor $Id $Command) -ExpectedMessage $Message
        try { & $Call } catch { $_.CategoryInfo.Category | Should -Not -Be 'NotSpecified' }
        Get-Sha256 $small | Should -Be $before
        Get-MemoryMap | Should -BeNullOrEmpty
    }
}
