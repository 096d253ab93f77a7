@{
    # The module's version lives here and only here; Directory.Build.props reads it for the assemblies.
    ModuleVersion        = '0.1.0'
    GUID                 = '5b7c2c8e-6f4d-4f0e-9a51-3d2b8c1e7a40'
    RootModule           = 'bin/MmapTools.dll'
    Author               = 'MmapTools contributors'
    CompanyName          = 'MmapTools contributors'
    Copyright            = '(c) MmapTools contributors. MIT License.'
    Description          = 'mmap and the process address space for PowerShell on Linux: map files and shared memory, read and patch them safely, inspect what processes have mapped.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('bin/MmapTools.Format.ps1xml', 'bin/PageCache.Format.ps1xml', 'bin/FindPatch.Format.ps1xml', 'bin/ProcessMemory.Format.ps1xml', 'bin/ProcessVma.Format.ps1xml', 'bin/Storage.Format.ps1xml', 'bin/TypedData.Format.ps1xml')
    TypesToProcess       = @('bin/MmapTools.Types.ps1xml')
    CmdletsToExport      = @(
        'New-MemoryMap'
        'Get-MemoryMap'
        'Read-MappedBytes'
        'Write-MappedBytes'
        'Sync-MemoryMap'
        'Remove-MemoryMap'
        'Get-SharedMemory'
        'Remove-SharedMemory'
        'Get-PageCacheResidency'
        'Import-PageCache'
        'Clear-PageCache'
        'Lock-PageCache'
        'Unlock-PageCache'
        'Set-MemoryMap'
        'Lock-MemoryMap'
        'Unlock-MemoryMap'
        'Find-MappedBytes'
        'Restore-MappedBytes'
        'Get-ProcessVma'
        'Get-ProcessMemory'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('mmap', 'memory', 'Linux', 'procfs', 'shared-memory', 'page-cache', 'binary', 'patch')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
