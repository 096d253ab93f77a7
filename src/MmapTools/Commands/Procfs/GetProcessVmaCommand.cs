using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Lists the virtual memory areas (VMAs) of processes: /proc/PID/maps, or smaps with -Detailed.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ProcessVma", DefaultParameterSetName = IdSet)]
[OutputType(typeof(ProcessVma), typeof(DetailedProcessVma), typeof(ProcessVmaGroup), typeof(DetailedProcessVmaGroup), typeof(ProcessVmaSummary))]
public sealed class GetProcessVmaCommand : ProcessTargetCmdlet
{
    private StaleFileCheck? _stale;
    private VmaGrouping? _grouping;
    private WildcardPattern[]? _paths;
    private VmaPermissionFilter[]? _permissions;
    private ulong[]? _addresses;
    private ulong _rangeStart;
    private ulong _rangeEnd = ulong.MaxValue;
    private bool _hasRange;

    /// <summary>Only VMAs whose path or label matches (the file's path, "[heap]", "[anon:NAME]"); wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? Path { get; set; }

    /// <summary>Only VMAs of these kinds.</summary>
    [Parameter]
    public VmaKind[]? Kind { get; set; }

    /// <summary>
    /// Only VMAs with these permissions: letters that must all be present ("w", "rx", "s" shared, "p" private), or
    /// a four-character pattern as the kernel prints it ("rw-p", "r?xp"). Several values: any of them.
    /// </summary>
    [Parameter]
    public string[]? Permission { get; set; }

    /// <summary>Only the VMA that contains each address (a number or a "0x…" string): what is mapped there. An address no VMA contains is an error.</summary>
    [Parameter]
    public object[]? Address { get; set; }

    /// <summary>Only VMAs that reach at or above this address (with -EndAddress, a range like pmap -A).</summary>
    [Parameter]
    public object? StartAddress { get; set; }

    /// <summary>Only VMAs that begin below this address (exclusive).</summary>
    [Parameter]
    public object? EndAddress { get; set; }

    /// <summary>
    /// Only VMAs whose file was deleted or replaced on disk since it was mapped (the kernel's "(deleted)", or
    /// another inode at the path now, as the process sees it): what still runs an old library and needs a restart.
    /// </summary>
    [Parameter]
    public SwitchParameter Stale { get; set; }

    /// <summary>Path: one row per path and process (as -Grouped). Process: one object per process, with the distinct paths.</summary>
    [Parameter]
    public VmaGrouping GroupBy { get; set; }

    /// <summary>Read /proc/PID/smaps: every VMA with its memory figures (Rss, Pss, Private, Swap, ...), VmFlags and every kernel key.</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    /// <summary>One row per path (per kind for unnamed anonymous memory) and process, with summed sizes.</summary>
    [Parameter]
    public SwitchParameter Grouped { get; set; }

    /// <inheritdoc />
    protected override string Activity => Detailed.IsPresent ? "Reading /proc/PID/smaps" : "Reading /proc/PID/maps";

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        foreach (string name in new[] { nameof(Address), nameof(StartAddress), nameof(EndAddress) })
        {
            if (MyInvocation.BoundParameters.TryGetValue(name, out object? bound) &&
                (bound is null || (bound is object[] list && (list.Length == 0 || Array.Exists(list, a => a is null)))))
            {
                ThrowTerminatingError(NewError(ErrorIds.AddressInvalid, ErrorCategory.InvalidArgument,
                    $"-{name} is $null (or empty): give an address (0x7f3a12340000, 7f3a12340000 or a number), or leave -{name} out to select every VMA.", null));
            }
        }

        if (MyInvocation.BoundParameters.ContainsKey(nameof(GroupBy)))
        {
            _grouping = GroupBy;
        }

        if (Grouped.IsPresent && _grouping is { } g && g != VmaGrouping.Path)
        {
            ThrowTerminatingError(NewError(ErrorIds.VmaGroupingConflict, ErrorCategory.InvalidArgument,
                $"-Grouped groups by path; it cannot be used with -GroupBy {g}. Use -GroupBy alone.", g));
        }

        if (Grouped.IsPresent)
        {
            _grouping = VmaGrouping.Path;
        }

        if (Stale.IsPresent)
        {
            _stale = new StaleFileCheck();
        }

        if (Path is not null)
        {
            _paths = ToWildcards(Path).ToArray();
        }

        if (Permission is not null)
        {
            _permissions = Permission.Select(ParsePermission).ToArray();
        }

        if (Address is not null)
        {
            _addresses = Address.Select(a => AddressOrThrow(a, nameof(Address))).ToArray();
        }

        if (StartAddress is not null)
        {
            _rangeStart = AddressOrThrow(StartAddress, nameof(StartAddress));
            _hasRange = true;
        }

        if (EndAddress is not null)
        {
            _rangeEnd = AddressOrThrow(EndAddress, nameof(EndAddress));
            _hasRange = true;
        }

        if (_rangeStart > _rangeEnd)
        {
            ThrowTerminatingError(NewError(ErrorIds.AddressRangeInvalid, ErrorCategory.InvalidArgument,
                $"-StartAddress 0x{_rangeStart:x} is above -EndAddress 0x{_rangeEnd:x}.", StartAddress));
        }
    }

    private VmaPermissionFilter ParsePermission(string filter)
    {
        if (!VmaPermissionFilter.TryParse(filter, out VmaPermissionFilter? parsed))
        {
            ThrowTerminatingError(NewError(ErrorIds.PermissionFilterInvalid, ErrorCategory.InvalidArgument,
                $"-Permission '{filter}' is neither letters of 'rwxsp' (all must be present: 'w', 'rx', 's' shared, 'p' private), nor a pattern like 'rw-p' or 'r?xp', " +
                "nor the names the Permission property shows ('Read, Execute', 'Read, Write, Shared', 'None').", filter));
        }

        return parsed!;
    }

    private bool Matches(ProcessVma v)
    {
        if (Kind is not null && Array.IndexOf(Kind, v.Kind) < 0)
        {
            return false;
        }

        if (_hasRange && (v.End <= _rangeStart || v.Start >= _rangeEnd))
        {
            return false;
        }

        if (_addresses is not null && !_addresses.Any(v.Contains))
        {
            return false;
        }

        if (_permissions is not null && !_permissions.Any(p => p.Matches(v)))
        {
            return false;
        }

        if (_paths is not null && (v.Path is null || !_paths.Any(p => p.IsMatch(v.Path))))
        {
            return false;
        }

        if (_stale is not null)
        {
            VmaStaleReason? reason = _stale.Check(v);
            if (reason is null or VmaStaleReason.Current)
            {
                return false;
            }

            v.StaleReason = reason;
        }

        return true;
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (int pid in TargetProcessIds())
        {
            if (StopRequested)
            {
                return;
            }

            ProcessIdentity? identity = IdentityOrSkip(pid);
            if (identity is null)
            {
                continue;
            }

            var found = _addresses is null || Sweeping ? null : new bool[_addresses.Length];
            VmaReader? counted = null;
            try
            {
                using VmaReader reader = ProcessMemory.GetVmas(pid, Detailed.IsPresent, identity);
                counted = reader;
                IEnumerable<ProcessVma> selected = reader
                    .TakeWhile(_ => !StopRequested)
                    .Select(v =>
                    {
                        if ((reader.Count & 1023) == 0)
                        {
                            Progress(pid, reader.Count);
                        }

                        return v;
                    })
                    .Where(Matches);
                if (found is not null)
                {
                    selected = selected.Select(v =>
                    {
                        for (int i = 0; i < _addresses!.Length; i++)
                        {
                            found[i] |= v.Contains(_addresses[i]);
                        }

                        return v;
                    });
                }

                if (_grouping == VmaGrouping.Path)
                {
                    foreach (ProcessVmaGroup g in ProcessMemory.Group(selected))
                    {
                        WriteObject(g);
                    }
                }
                else if (_grouping == VmaGrouping.Process)
                {
                    if (ProcessVmaSummary.Of(selected) is { } summary)
                    {
                        WriteObject(summary);
                    }
                }
                else
                {
                    foreach (ProcessVma v in selected)
                    {
                        WriteObject(v);
                    }
                }
            }
            catch (MmapException e)
            {
                WriteProcessError(e, pid);
                continue;
            }
            finally
            {
                Progress(pid, counted?.Count ?? 0, processDone: true);
            }

            if (found is not null)
            {
                for (int i = 0; i < found.Length; i++)
                {
                    if (!found[i])
                    {
                        WriteError(NewError(ErrorIds.AddressNotMapped, ErrorCategory.ObjectNotFound,
                            $"Nothing is mapped at 0x{_addresses![i]:x} in process {pid}" + (_paths is not null || Kind is not null || _permissions is not null || _hasRange ? " (that the other filters let through)." : "."),
                            _addresses[i]));
                    }
                }
            }
        }
    }
}
