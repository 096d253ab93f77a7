// The engine's domain namespaces (src/MmapTools.Engine/GlobalUsings.cs), imported once for the whole project.
global using MmapTools.Caching;
global using MmapTools.Errors;
global using MmapTools.Mapping;
global using MmapTools.Patching;
global using MmapTools.Procfs;
global using MmapTools.Search;
