using System;
using System.Globalization;
using System.Text;

namespace MmapTools.Procfs;

/// <summary>The writing side of <see cref="VmaFormat"/>: a VMA printed back as the kernel prints it in /proc/PID/maps.</summary>
public static partial class VmaFormat
{
    /// <summary>The name column as the kernel prints it: newlines escaped as "\012", " (deleted)" appended.</summary>
    public static string FormatName(ProcessVma vma)
    {
        if (vma.Path is null)
        {
            return string.Empty;
        }

        if (vma.Path.StartsWith('[') && vma.Path.EndsWith(']'))
        {
            return vma.Path;
        }

        return vma.Path.Replace("\n", "\\012", StringComparison.Ordinal) + (vma.IsDeleted ? " (deleted)" : string.Empty);
    }

    /// <summary>Formats a VMA as the kernel prints it in /proc/PID/maps (64-bit layout, without the newline).</summary>
    public static string FormatMapsLine(ProcessVma vma)
    {
        var sb = new StringBuilder(128);
        sb.Append(vma.Start.ToString("x8", CultureInfo.InvariantCulture)).Append('-')
          .Append(vma.End.ToString("x8", CultureInfo.InvariantCulture)).Append(' ')
          .Append(PermissionText(vma.Permission)).Append(' ')
          .Append(vma.Offset.ToString("x8", CultureInfo.InvariantCulture)).Append(' ')
          .Append(vma.Device).Append(' ')
          .Append(vma.Inode.ToString(CultureInfo.InvariantCulture)).Append(' ');
        string name = FormatName(vma);
        if (name.Length > 0)
        {
            if (sb.Length < NameColumn - 1)
            {
                sb.Append(' ', NameColumn - 1 - sb.Length);
            }

            sb.Append(' ').Append(name);
        }

        return sb.ToString();
    }
}
