#requires -Version 7.4
<#
.SYNOPSIS
    The cost of one call (issue 14): Read-MappedBytes and Write-MappedBytes on an open map against the engine
    method called from pwsh, the floor any compiled cmdlet pays in pwsh, and Import-Module against bare pwsh.
.DESCRIPTION
    Build first (./build.ps1), then:  pwsh -NoProfile -File ./bench/perf/Calls.Bench.ps1 [-Calls 20000] [-Rounds 5]
    Each per-call figure is the best of -Rounds interleaved runs of a pwsh loop of -Calls calls (after one warm-up
    run, so the JIT has tiered up), divided by -Calls, in this thread's CPU time (-WallClock: wall time). The
    import figures are wall times, the best of -Starts fresh processes.
    Returns the rows (MmapTools.BenchRow) and prints them as a table.
#>
[CmdletBinding()]
param(
    [int] $Calls = 20000,
    # Synced writes wait for the disk (msync MS_SYNC); fewer of them.
    [int] $SyncCalls = 500,
    [int] $Rounds = 5,
    [int] $Starts = 11,
    [string] $Scratch = [IO.Path]::GetTempPath(),
    # Per-call figures in wall time instead of this thread's CPU time.
    [switch] $WallClock
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'Perf.psm1') -Force
$manifest = (Resolve-Path (Join-Path $PSScriptRoot '../../MmapTools.psd1')).Path
Import-Module $manifest -Force

# The floors: a compiled cmdlet with one parameter that does nothing (what pwsh costs any cmdlet call), and one
# with exactly Read-MappedBytes' parameters (its sets and types: what binding them costs) that writes a byte[].
$refs = @([MmapTools.Commands.MapTargetCmdlet].Assembly.Location, [MmapTools.MemoryMap].Assembly.Location, [psobject].Assembly.Location,
    'System.Runtime', 'System.Collections', 'netstandard', 'System.ComponentModel.Primitives', 'System.Linq.Expressions')
$floor = Add-Type -PassThru -IgnoreWarnings -CompilerOptions '-nowarn:1701' -ReferencedAssemblies $refs -TypeDefinition @'
using System.Collections;
using System.Management.Automation;
namespace MmapTools.Bench
{
    [Cmdlet(VerbsLifecycle.Invoke, "EmptyCmdlet")]
    public sealed class InvokeEmptyCmdletCommand : PSCmdlet
    {
        [Parameter(Position = 0)] public object InputObject { get; set; }
        protected override void ProcessRecord() { }
    }

    [Cmdlet(VerbsCommunications.Read, "BenchShape", DefaultParameterSetName = "Map")]
    public sealed class ReadBenchShapeCommand : MmapTools.Commands.MapTargetCmdlet
    {
        private static readonly byte[] s_bytes = new byte[16];
        [Parameter(Position = 1)] [MmapTools.Commands.LongArrayTransformation] public long[] Offset { get; set; } = { 0 };
        [Parameter(Position = 2)] [Alias("Length")] public long Count { get; set; }
        [Parameter] public SwitchParameter AsHex { get; set; }
        [Parameter] public SwitchParameter AsString { get; set; }
        [Parameter] public string Encoding { get; set; } = "utf8";
        [Parameter] [MmapTools.Commands.ElementTypeTransformation] public MmapTools.ElementType As { get; set; }
        [Parameter] public SwitchParameter BigEndian { get; set; }
        [Parameter] public IDictionary Layout { get; set; }
        protected override void ProcessRecord() => WriteObject(s_bytes, false);
    }
}
'@
Import-Module $floor[0].Assembly -WarningAction Ignore

# Per-call figures are this thread's CPU time (getrusage RUSAGE_THREAD), not wall time: on a shared 2-core machine
# other processes' load doubles wall times from one run to the next, and a difference of a few µs between two
# ~30 µs calls is lost in it. The loops are synchronous on this thread, and the garbage collections they cause run
# on it too; -WallClock measures wall time instead (Perf.psm1's Measure-Interleaved).
Add-Type -TypeDefinition @'
using System.Runtime.InteropServices;
namespace MmapTools.Bench
{
    public static class ThreadCpu
    {
        [StructLayout(LayoutKind.Sequential)] private struct TimeVal { public long Sec; public long Usec; }
        [StructLayout(LayoutKind.Sequential)] private struct RUsage { public TimeVal User; public TimeVal System; [MarshalAs(UnmanagedType.ByValArray, SizeConst = 14)] public long[] Rest; }
        [DllImport("libc", SetLastError = true)] private static extern int getrusage(int who, out RUsage usage);
        /// <summary>CPU time of the calling thread (user + system), in milliseconds.</summary>
        public static double Milliseconds() { getrusage(1, out RUsage u); return (u.User.Sec + u.System.Sec) * 1e3 + (u.User.Usec + u.System.Usec) / 1e3; }
    }
}
'@

function Measure-Calls([System.Collections.Specialized.OrderedDictionary] $Case, [int] $Rounds) {
    # As Measure-Interleaved (one warm-up of each case, then rounds that run every case once, best kept), in thread CPU time.
    if ($WallClock) { return Measure-Interleaved -Case $Case -Rounds $Rounds }
    $best = [ordered]@{}
    foreach ($k in $Case.Keys) { $null = & $Case[$k]; $best[$k] = [double]::MaxValue }
    for ($r = 0; $r -lt $Rounds; $r++) {
        foreach ($k in $Case.Keys) {
            $t0 = [MmapTools.Bench.ThreadCpu]::Milliseconds()
            $null = & $Case[$k]
            $ms = [MmapTools.Bench.ThreadCpu]::Milliseconds() - $t0
            if ($ms -lt $best[$k]) { $best[$k] = $ms }
        }
    }
    $best
}

"MmapTools call costs — $([Environment]::ProcessorCount) cores, pwsh $($PSVersionTable.PSVersion), $([Runtime.InteropServices.RuntimeInformation]::FrameworkDescription); $Calls calls per loop, best of $Rounds, $(if ($WallClock) { 'wall time' } else { 'thread CPU time' })"
$rows = [System.Collections.Generic.List[object]]::new()
$file = Join-Path $Scratch "calls-bench-$PID.bin"
try {
    $null = New-BenchFile -Path $file -Size 1MB -WriteSize 1MB
    $m = New-MemoryMap -Path $file -Access ReadWrite
    $bytes = [byte[]](1..16)
    $int32 = [MmapTools.ElementType]::Int32

    $n = $Calls
    $t = Measure-Calls -Rounds $Rounds -Case ([ordered]@{
        engineRead  = { for ($i = 0; $i -lt $n; $i++) { $r = $m.Read(0, 16) } }
        emptyCmdlet = { for ($i = 0; $i -lt $n; $i++) { $r = Invoke-EmptyCmdlet $m } }
        shape       = { for ($i = 0; $i -lt $n; $i++) { $r = Read-BenchShape -Map $m -Offset 0 -Count 16 } }
        read        = { for ($i = 0; $i -lt $n; $i++) { $r = Read-MappedBytes -Map $m -Offset 0 -Count 16 } }
        engineInt   = { for ($i = 0; $i -lt $n; $i++) { $r = [MmapTools.Typed.TypedCodec]::Decode($int32, $m.Read(0, 16), $false) } }
        readInt     = { for ($i = 0; $i -lt $n; $i++) { $r = Read-MappedBytes -Map $m -Offset 0 -Count 4 -As Int32 } }
        engineWrite = { for ($i = 0; $i -lt $n; $i++) { $m.Write(0, $bytes) } }
        write       = { for ($i = 0; $i -lt $n; $i++) { Write-MappedBytes -Map $m -Offset 0 -Value $bytes -NoSync } }
    })
    $us = @{}; foreach ($k in $t.Keys) { $us[$k] = $t[$k] * 1000 / $n }

    $s = $SyncCalls
    # Waiting for the disk is the cost here, and it is not CPU time: wall time, always.
    $ts = Measure-Interleaved -Rounds ([math]::Max(3, [int]($Rounds / 2))) -Case ([ordered]@{
        engineSync = { for ($i = 0; $i -lt $s; $i++) { $m.Write(0, $bytes); $m.Sync(0, 16) } }
        writeSync  = { for ($i = 0; $i -lt $s; $i++) { Write-MappedBytes -Map $m -Offset 0 -Value $bytes } }
    })
    foreach ($k in $ts.Keys) { $us[$k] = $ts[$k] * 1000 / $s }
    Remove-MemoryMap -Map $m -Confirm:$false

    $rows.Add((Write-BenchRow -Work 'floor: an empty compiled cmdlet, one parameter' -Ours 'Invoke-EmptyCmdlet $m' -OursValue $us.emptyCmdlet -Reference '$m.Read(0, 16)' -ReferenceValue $us.engineRead -Unit 'µs/call'))
    $rows.Add((Write-BenchRow -Work 'floor: Read-MappedBytes'' parameters, no work' -Ours 'Read-BenchShape -Map -Offset 0 -Count 16' -OursValue $us.shape -Reference '$m.Read(0, 16)' -ReferenceValue $us.engineRead -Unit 'µs/call'))
    $rows.Add((Write-BenchRow -Work 'one read of 16 bytes, open map' -Ours 'Read-MappedBytes -Map $m -Offset 0 -Count 16' -OursValue $us.read -Reference '$m.Read(0, 16)' -ReferenceValue $us.engineRead -Target 1.5 -Unit 'µs/call'))
    $rows.Add((Write-BenchRow -Work 'one read of 4 Int32, open map' -Ours 'Read-MappedBytes -Map $m -Offset 0 -Count 4 -As Int32' -OursValue $us.readInt -Reference 'TypedCodec::Decode(Int32, $m.Read(0, 16))' -ReferenceValue $us.engineInt -Target 1.5 -Unit 'µs/call'))
    $rows.Add((Write-BenchRow -Work 'one write of 16 bytes, open map, no msync' -Ours 'Write-MappedBytes -Map $m -Offset 0 -Value $b -NoSync' -OursValue $us.write -Reference '$m.Write(0, $b)' -ReferenceValue $us.engineWrite -Target 1.5 -Unit 'µs/call'))
    $rows.Add((Write-BenchRow -Work 'one write of 16 bytes, open map, msync (default)' -Ours 'Write-MappedBytes -Map $m -Offset 0 -Value $b' -OursValue $us.writeSync -Reference '$m.Write(0, $b); $m.Sync(0, 16)' -ReferenceValue $us.engineSync -Target 1.5 -Unit 'µs/call'))
    $rows.Add((Write-BenchRow -Work 'our code above the binding floor (read)' -Ours 'Read-MappedBytes - floor' -OursValue ($us.read - $us.shape) -Reference '$m.Read(0, 16)' -ReferenceValue $us.engineRead -Unit 'µs/call'))

    # Import-Module: fresh processes, best of -Starts each, interleaved.
    $pwsh = Join-Path $PSHOME 'pwsh'
    $bare = [double]::MaxValue; $import = [double]::MaxValue
    for ($i = 0; $i -lt $Starts; $i++) {
        $sw = [Diagnostics.Stopwatch]::StartNew(); & $pwsh -NoProfile -NonInteractive -Command '1' | Out-Null; $bare = [math]::Min($bare, $sw.Elapsed.TotalMilliseconds)
        $sw = [Diagnostics.Stopwatch]::StartNew(); & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$manifest'" | Out-Null; $import = [math]::Min($import, $sw.Elapsed.TotalMilliseconds)
    }
    $rows.Add((Write-BenchRow -Work "Import-Module over bare pwsh (+ms; bare $([math]::Round($bare)) ms)" -Ours "pwsh -c 'Import-Module' minus pwsh -c '1'" -OursValue ($import - $bare) -Reference 'budget' -ReferenceValue 100 -Target 1 -Unit 'ms'))
} finally {
    Get-MemoryMap | Where-Object Path -EQ $file | Remove-MemoryMap -Confirm:$false
    Remove-Item -LiteralPath $file -ErrorAction Ignore
}

$rows | Format-Table Work, Ours, OursValue, Reference, ReferenceValue, Unit, Ratio, Target, Result -AutoSize | Out-String -Width 250 | Write-Host
$rows
