using System.Management.Automation;

namespace MmapTools.Commands;

/// <summary>Releases every map still open when the module is removed (Remove-Module MmapTools).</summary>
public sealed class ModuleCleanup : IModuleAssemblyCleanup
{
    /// <inheritdoc />
    public void OnRemove(PSModuleInfo psModuleInfo) => MapRegistry.CloseAll();
}
