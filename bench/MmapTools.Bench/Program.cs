using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;

namespace MmapTools.Bench;

/// <summary>One benchmark. Each area adds classes in a file of its own; Program finds them by reflection.</summary>
public interface IBenchmark
{
    /// <summary>The name to run it by: `dotnet run -- NAME`.</summary>
    string Name { get; }

    /// <summary>What it compares.</summary>
    string Description { get; }

    /// <summary>Runs, printing its figures (times, ratios, targets met or not).</summary>
    void Run();
}

internal static class Program
{
    private static int Main(string[] args)
    {
        var all = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
            .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
        if (args.Contains("--list"))
        {
            foreach (IBenchmark b in all)
            {
                Console.WriteLine($"{b.Name,-20} {b.Description}");
            }

            return 0;
        }

        var chosen = args.Length == 0 ? all : all.Where(b => args.Contains(b.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (chosen.Count == 0)
        {
            Console.Error.WriteLine($"No benchmark named {string.Join(", ", args)}; --list shows them.");
            return 2;
        }

        Console.WriteLine($"MmapTools benchmarks — {Environment.ProcessorCount} cores, {RuntimeInformationText()}");
        foreach (IBenchmark b in chosen)
        {
            Console.WriteLine();
            Console.WriteLine($"== {b.Name}: {b.Description}");
            b.Run();
        }

        return 0;
    }

    private static string RuntimeInformationText() =>
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription + " on " + System.Runtime.InteropServices.RuntimeInformation.OSDescription;
}

/// <summary>Timing helpers shared by the benchmarks.</summary>
public static class Measure
{
    /// <summary>Runs <paramref name="action"/> <paramref name="repeat"/> times after one warm-up and returns the best time in ms.</summary>
    public static double BestMs(Action action, int repeat = 5)
    {
        action();
        double best = double.MaxValue;
        for (int i = 0; i < repeat; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }

        return best;
    }

    /// <summary>"12.3 ms".</summary>
    public static string Ms(double ms) => ms.ToString("0.0##", CultureInfo.InvariantCulture) + " ms";

    /// <summary>Prints a comparison line with the ratio and whether a target ratio was met.</summary>
    public static void Compare(string what, double baselineMs, string baselineName, double oursMs, string oursName, double targetSpeedup)
    {
        double ratio = baselineMs / oursMs;
        Console.WriteLine($"{what}: {baselineName} {Ms(baselineMs)}, {oursName} {Ms(oursMs)} — {ratio.ToString("0.00", CultureInfo.InvariantCulture)}x " +
                          $"(target ≥ {targetSpeedup.ToString("0.0#", CultureInfo.InvariantCulture)}x: {(ratio >= targetSpeedup ? "met" : "NOT met")})");
    }
}
