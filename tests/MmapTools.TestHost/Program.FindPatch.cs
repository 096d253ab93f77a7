using System;
using System.Globalization;
using System.Linq;
using MmapTools;

// Find-and-patch commands for the child process.
internal static partial class Program
{
    // find PATH HEX [WINDOW]: search the file for a hex pattern (?? wildcards) and print "OK off1 off2 ...".
    private static int Cmd_find(string[] a)
    {
        var options = new SearchOptions { WindowSize = a.Length > 3 ? L(a[3]) : SearchOptions.DefaultWindowSize };
        var offsets = ByteSearch.InFile(a[1], BytePattern.FromHex(a[2]), options).Select(m => m.Offset.ToString(CultureInfo.InvariantCulture));
        Console.WriteLine(("OK " + string.Join(' ', offsets)).TrimEnd());
        return 0;
    }

    // patch PATH OFFSET HEX [EXPECT]: patch the file (all or nothing, msync) and print "OK" or the first problem.
    private static int Cmd_patch(string[] a)
    {
        using var tx = new PatchTransaction();
        tx.Add(new PatchRequest { Path = a[1], Offset = L(a[2]), Data = Hex.Parse(a[3]), Expect = a.Length > 4 ? Hex.Parse(a[4]) : null });
        var problems = tx.Prepare();
        if (problems.Count > 0)
        {
            throw problems[0];
        }

        tx.Commit();
        Console.WriteLine("OK");
        return 0;
    }
}
