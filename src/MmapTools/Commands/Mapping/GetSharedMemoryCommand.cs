using System.Linq;
using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Lists named POSIX shared-memory objects in /dev/shm.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SharedMemory", DefaultParameterSetName = "Name")]
[OutputType(typeof(SharedMemoryInfo), ParameterSetName = new[] { "Name" })]
[OutputType(typeof(SharedMemoryUsage), ParameterSetName = new[] { "Summary" })]
public sealed class GetSharedMemoryCommand : MmapCmdlet
{
    /// <summary>Only objects whose name matches; wildcards allowed. A name without wildcards that does not exist is an error.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = "Name")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SharedMemoryNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Output one object saying how full /dev/shm is (size, used, free, objects) instead of the objects.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Summary")]
    public SwitchParameter Summary { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (Summary)
        {
            if (SharedMemory.Usage() is { } usage)
            {
                WriteObject(usage);
            }
            else
            {
                WriteError(NewError(ErrorIds.SharedMemoryUnavailable, ErrorCategory.ResourceUnavailable,
                    $"{SharedMemory.Directory} does not exist or cannot be measured (statvfs failed), so there is no shared memory to summarise.", SharedMemory.Directory));
            }

            return;
        }

        var all = SharedMemory.List();
        if (Name is null)
        {
            WriteObject(all, enumerateCollection: true);
            return;
        }

        foreach (string name in Name)
        {
            var pattern = new WildcardPattern(name.TrimStart('/'), WildcardOptions.CultureInvariant);
            System.Collections.Generic.List<SharedMemoryInfo> found;
            try
            {
                // IsMatch parses the pattern: try it once so a malformed one is an error even when /dev/shm is empty.
                _ = pattern.IsMatch(string.Empty);
                found = all.Where(s => pattern.IsMatch(s.Name)).ToList();
            }
            catch (WildcardPatternException e)
            {
                WriteError(NewError(ErrorIds.SharedMemoryNameInvalid, ErrorCategory.InvalidArgument,
                    $"The shared-memory name pattern '{name}' is not valid: {e.Message}", name));
                continue;
            }

            if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(NewError(ErrorIds.SharedMemoryNotFound, ErrorCategory.ObjectNotFound,
                    $"No shared memory named '{name}' exists in {SharedMemory.Directory}.", name));
            }

            WriteObject(found, enumerateCollection: true);
        }
    }
}
