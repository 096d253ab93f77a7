// The engine's domains, one namespace per folder (docs/DEVELOPING.md). Imported once here so that a file moved
// between folders, or added in namespace MmapTools, compiles without a list of usings. Interop is not imported:
// a file that calls libc says so with its own `using MmapTools.Interop;`.
global using MmapTools.Caching;
global using MmapTools.Errors;
global using MmapTools.Mapping;
global using MmapTools.Patching;
global using MmapTools.Procfs;
global using MmapTools.Search;
