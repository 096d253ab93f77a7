using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;

namespace MmapTools.Mapping;

/// <summary>
/// The maps open in this process, by id. A map joins when created and leaves when disposed;
/// the module closes whatever is left when it is removed from the session.
/// </summary>
public static class MapRegistry
{
    private static readonly ConcurrentDictionary<int, MemoryMap> s_maps = new();

    internal static void Add(MemoryMap map) => s_maps[map.Id] = map;

    internal static void Remove(MemoryMap map) => s_maps.TryRemove(map.Id, out _);

    /// <summary>The open maps, oldest first.</summary>
    public static IReadOnlyList<MemoryMap> All => s_maps.Values.OrderBy(m => m.Id).ToList();

    /// <summary>Finds an open map by id.</summary>
    public static bool TryGet(int id, out MemoryMap? map) => s_maps.TryGetValue(id, out map);

    /// <summary>Disposes every open map; returns how many there were.</summary>
    public static int CloseAll()
    {
        int n = 0;
        foreach (MemoryMap map in All)
        {
            map.Dispose();
            n++;
        }

        return n;
    }
}
