using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Unlinks a named POSIX shared-memory object; maps of it stay valid until removed.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "SharedMemory", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class RemoveSharedMemoryCommand : MmapCmdlet
{
    /// <summary>The name(s) to unlink.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SharedMemoryNameCompleter))]
    public string[] Name { get; set; } = null!;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (string name in Name)
        {
            try
            {
                string path = SharedMemory.PathOf(name);
                if (ShouldProcess(path, "Remove shared memory"))
                {
                    SharedMemory.Remove(name);
                }
            }
            catch (MmapException e)
            {
                WriteMapError(e, name);
            }
        }
    }
}
