namespace MmapTools;

/// <summary>
/// How full /dev/shm is (<c>Get-SharedMemory -Summary</c>): the answer to "is shared memory the problem?".
/// It has no Name, so it never binds to Remove-SharedMemory by accident.
/// </summary>
public sealed class SharedMemoryUsage
{
    /// <summary>"/dev/shm".</summary>
    public string Path { get; init; } = string.Empty;
    /// <summary>The filesystem type, normally "tmpfs".</summary>
    public string FileSystemType { get; init; } = string.Empty;
    /// <summary>Its size in bytes (a container's default is 64 MiB).</summary>
    public long Size { get; init; }
    /// <summary>Bytes in use.</summary>
    public long Used { get; init; }
    /// <summary>Bytes still free.</summary>
    public long Free { get; init; }
    /// <summary>Used as a percentage of the size.</summary>
    public double UsedPercent { get; init; }
    /// <summary>How many shared-memory objects (regular files) it holds.</summary>
    public int Objects { get; init; }
    /// <summary>The sum of their lengths.</summary>
    public long ObjectsLength { get; init; }
    /// <summary>The bytes they really occupy (less than their lengths while they have holes).</summary>
    public long ObjectsAllocated { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Path}: {Units.FormatBytes(Size)}, {Units.FormatBytes(Used)} used ({UsedPercent.ToString("0", System.Globalization.CultureInfo.InvariantCulture)}%), {Units.FormatBytes(Free)} free, {Objects} object(s)";
}
