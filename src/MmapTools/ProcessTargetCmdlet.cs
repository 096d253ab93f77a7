using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// A cmdlet about processes: -Id (pipeline by property name, so Get-Process output binds), -Name (wildcards),
/// or the current process. Each process that cannot be read is a non-terminating error and the rest go on.
/// </summary>
public abstract class ProcessTargetCmdlet : MmapCmdlet
{
    /// <summary>Parameter set: processes by id (the default; none means this process).</summary>
    protected const string IdSet = "Id";
    /// <summary>Parameter set: processes by name.</summary>
    protected const string NameSet = "Name";

    /// <summary>Process ids; Get-Process output binds by its Id property, MmapTools objects by ProcessId.</summary>
    [Parameter(Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("ProcessId", "PID")]
    public int[]? Id { get; set; }

    /// <summary>Process names (as Get-Process shows them); wildcards allowed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [SupportsWildcards]
    [Alias("ProcessName")]
    public string[] Name { get; set; } = null!;

    /// <summary>The processes to read for this record: the ids, the names resolved, or this process.</summary>
    protected IEnumerable<int> TargetProcessIds()
    {
        if (ParameterSetName == NameSet)
        {
            return ResolveNames();
        }

        return Id ?? new[] { Environment.ProcessId };
    }

    private List<int> ResolveNames()
    {
        Process[] all = Process.GetProcesses();
        var result = new List<int>();
        try
        {
            foreach (string name in Name)
            {
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
                var found = new List<int>();
                foreach (Process p in all)
                {
                    string? processName = null;
                    try
                    {
                        processName = p.ProcessName;
                    }
                    catch (InvalidOperationException)
                    {
                        // exited meanwhile
                    }

                    if (processName is not null && pattern.IsMatch(processName))
                    {
                        found.Add(p.Id);
                    }
                }

                if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                {
                    WriteError(NewError(ErrorIds.ProcessNotFound, ErrorCategory.ObjectNotFound,
                        $"No process is named '{name}'. Get-Process lists the processes you can see.", name));
                }

                result.AddRange(found.Where(id => !result.Contains(id)).OrderBy(id => id));
            }
        }
        finally
        {
            foreach (Process p in all)
            {
                p.Dispose();
            }
        }

        return result;
    }

    /// <summary>Parses an address parameter or stops the call with AddressInvalid.</summary>
    protected ulong AddressOrThrow(object? value, string parameter)
    {
        if (VmaAddress.TryParse(value is PSObject ps ? ps.BaseObject : value, out ulong address))
        {
            return address;
        }

        ThrowTerminatingError(NewError(ErrorIds.AddressInvalid, ErrorCategory.InvalidArgument,
            $"-{parameter} '{value}' is not an address: give a number (0x7f3a12340000 or 140000000) or a string '0x7f3a12340000'.", value));
        return 0;
    }
}
