using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace MmapTools.HelpGen;

/// <summary>
/// MmapTools.HelpGen --assembly bin/MmapTools.dll --references refs.txt --docs docs/help
///                   [--about docs/about_MmapTools.md ...] --out bin/en-US [--out en-US ...]
/// Writes MmapTools.dll-Help.xml (MAML for every cmdlet that has docs/help/Verb-Noun.md) and
/// about_*.help.txt into every --out folder. Problems in the sources are reported, not fatal:
/// the contract tests are the gate, so a half-written help file never breaks a build.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var opts = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string key = args[i].TrimStart('-');
            if (!opts.TryGetValue(key, out List<string>? list))
            {
                opts[key] = list = new List<string>();
            }

            list.Add(args[i + 1]);
        }

        if (!opts.ContainsKey("assembly") || !opts.ContainsKey("docs") || !opts.ContainsKey("out"))
        {
            Console.Error.WriteLine("usage: MmapTools.HelpGen --assembly MODULE.dll [--references FILE] --docs DIR [--about FILE.md] --out DIR [--out DIR]");
            return 2;
        }

        string assembly = opts["assembly"][0];
        var references = opts.TryGetValue("references", out List<string>? r)
            ? r.SelectMany(File.ReadAllLines).Where(l => l.Trim().Length > 0).Select(l => l.Trim()).ToList()
            : new List<string>();
        string docs = opts["docs"][0];

        using var catalog = new CmdletCatalog(assembly, references);
        var commands = new List<(CmdletSpec, HelpSource)>();
        foreach (CmdletSpec cmdlet in catalog.Cmdlets())
        {
            string source = Path.Combine(docs, cmdlet.Name + ".md");
            if (!File.Exists(source))
            {
                Console.WriteLine($"HelpGen: {cmdlet.Name} has no {source}; Get-Help will show its syntax only.");
                continue;
            }

            HelpSource help = HelpSource.Load(source);
            foreach (string problem in help.Problems)
            {
                Console.WriteLine($"HelpGen: {source}: {problem}");
            }

            commands.Add((cmdlet, help));
        }

        string fileName = Path.GetFileName(assembly) + "-Help.xml";
        var maml = MamlWriter.Write(commands);
        var utf8 = new UTF8Encoding(false);
        foreach (string outDir in opts["out"])
        {
            Directory.CreateDirectory(outDir);
            using (var writer = new StreamWriter(Path.Combine(outDir, fileName), false, utf8))
            {
                maml.Save(writer);
            }

            foreach (string about in opts.TryGetValue("about", out List<string>? a) ? a : new List<string>())
            {
                string name = Path.GetFileNameWithoutExtension(about) + ".help.txt";
                File.WriteAllText(Path.Combine(outDir, name), AboutWriter.Render(about), utf8);
            }
        }

        Console.WriteLine($"HelpGen: {commands.Count} cmdlet(s) -> {string.Join(", ", opts["out"].Select(o => Path.Combine(o, fileName)))}");
        return 0;
    }
}
