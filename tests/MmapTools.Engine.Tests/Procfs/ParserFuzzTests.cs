using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Xunit;
using Xunit.Abstractions;

namespace MmapTools.Tests;

/// <summary>
/// Fuzzing of the /proc maps, smaps and smaps_rollup parsers with a seeded generator: each iteration takes a real
/// document (this process's files and the captured fixtures), replaces or inserts one line with a generated or
/// mutated line, and parses the document as Get-ProcessVma and Get-ProcessMemory do. Claims: no exception other
/// than MmapException escapes; the only error is ProcfsLineInvalid; and it names the line that was changed (the
/// document is otherwise valid). A seed and iteration that broke a claim is kept as a regression fixture in
/// Fixtures/fuzz-regressions/ (the document itself: the corpus includes this process's live /proc files, so a seed
/// alone does not replay), named KIND-LINE-SEED-ITERATION.txt, and replayed by
/// <see cref="EveryRegressionFixture_ParsesCleanly"/>. The one kept so far is the case that taught the oracle that an
/// empty line is skipped: an smaps block whose header became empty is an error at its first key line, line 2.
/// </summary>
public sealed class ParserFuzzTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _scratch = Path.Combine("/dev/shm", $"mmaptools-fuzz-{Environment.ProcessId}-{Guid.NewGuid():N}");

    public ParserFuzzTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => File.Delete(_scratch);

    [Fact]
    public void Fuzz_MapsSmapsAndRollupLines_Slice() => Run(100_000, seed: 6401).ReportAndAssert(_output);

    [Fact]
    [Trait("Category", "Stress")]
    public void Fuzz_MapsSmapsAndRollupLines_1000000() => Run(1_000_000, seed: 6402).ReportAndAssert(_output);

    public static TheoryData<string> RegressionFixtures()
    {
        var data = new TheoryData<string>();
        string dir = Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz-regressions");
        if (Directory.Exists(dir))
        {
            foreach (string f in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(f));
            }
        }

        if (data.Count == 0)
        {
            data.Add(string.Empty);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RegressionFixtures))]
    public void EveryRegressionFixture_ParsesCleanly(string name)
    {
        if (name.Length == 0)
        {
            return;
        }

        // name: <kind>-<line>-<seed>-<iteration>.txt ; kind maps|smaps|rollup; line: the changed line's number.
        string[] parts = name.Split('-');
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz-regressions", name);
        byte[] doc = File.ReadAllBytes(path);
        var counts = new StressCounts("regression " + name);
        ParseOne(parts[0], doc, long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), counts, name);
        Assert.True(counts.ViolationCount == 0, string.Join(Environment.NewLine, counts.Violations));
    }

    private StressCounts Run(int iterations, int seed)
    {
        var counts = new StressCounts($"procfs-parser-fuzz ({iterations:N0} generated or mutated lines, seed {seed}; operations = documents parsed)");
        var corpus = new Corpus();
        var random = new Random(seed);
        var gen = new LineGenerator(random);
        long accepted = 0;
        int kept = 0;
        for (int i = 0; i < iterations; i++)
        {
            string kind = (i % 5) switch { 0 or 1 => "maps", 2 or 3 => "smaps", _ => "rollup" };
            List<byte[]> lines = corpus.Document(kind, random);
            int at = random.Next(0, lines.Count + 1);
            bool replace = at < lines.Count && random.Next(3) != 0;
            byte[] fuzzed = random.Next(3) == 0 ? gen.Generate(kind) : gen.Mutate(replace ? lines[at] : lines[random.Next(lines.Count)]);
            if (replace)
            {
                lines[at] = fuzzed;
            }
            else
            {
                lines.Insert(at, fuzzed);
            }

            byte[] doc = Join(lines);
            long violationsBefore = counts.ViolationCount;
            // An empty line is skipped (the kernel never writes one): an error then belongs to the next line, such as
            // an smaps block's first key line once its header is gone.
            if (ParseOne(kind, doc, fuzzed.Length == 0 ? at + 2 : at + 1, counts, $"seed {seed} iteration {i}"))
            {
                accepted++;
            }

            if (counts.ViolationCount > violationsBefore && kept++ < 5)
            {
                Keep(kind, fuzzed.Length == 0 ? at + 2 : at + 1, seed, i, doc);
            }

            counts.Round();
        }

        _output.WriteLine($"lines accepted as valid {accepted:N0}, rejected as ProcfsLineInvalid at their own line {counts.ErrorCount(ErrorIds.ProcfsLineInvalid):N0}");
        return counts;
    }

    /// <summary>Parses one document; returns true when it parsed without error. Records violations.</summary>
    private bool ParseOne(string kind, byte[] doc, long changedLine, StressCounts counts, string where)
    {
        try
        {
            if (kind == "rollup")
            {
                _ = ProcessMemory.ParseRollup(doc, "fuzz/smaps_rollup", 1, "fuzz");
            }
            else
            {
                using (SafeFileHandle h = File.OpenHandle(_scratch, FileMode.Create, FileAccess.Write))
                {
                    RandomAccess.Write(h, doc, 0);
                }

                using VmaReader reader = ProcessMemory.ReadFile(_scratch, kind == "smaps", 1);
                foreach (ProcessVma v in reader)
                {
                    if (v.End < v.Start)
                    {
                        counts.Violation($"{where}: a VMA ends at {v.End:x}, below its start {v.Start:x}");
                    }
                }
            }

            counts.Ok();
            return true;
        }
        catch (MmapException e)
        {
            counts.Error(e.ErrorId);
            if (e.ErrorId != ErrorIds.ProcfsLineInvalid)
            {
                counts.Violation($"{where} ({kind}): {e.ErrorId}: {e.Message}");
            }
            else if (e.Offset != changedLine || !e.Message.Contains($"Line {changedLine} ", StringComparison.Ordinal))
            {
                counts.Violation($"{where} ({kind}): the error names line {e.Offset}, the changed line is {changedLine}: {e.Message}");
            }

            return false;
        }
        catch (Exception e)
        {
            counts.Error(e.GetType().Name);
            counts.Violation($"{where} ({kind}): unhandled {e.GetType().Name}: {e.Message}");
            return false;
        }
    }

    private static void Keep(string kind, long line, int seed, int iteration, byte[] doc)
    {
        // Saved beside the source, to be committed as a regression fixture.
        string dir = Path.Combine(CatalogueTests.RepoRoot(), "tests", "MmapTools.Engine.Tests", "Fixtures", "fuzz-regressions");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, $"{kind}-{line}-{seed}-{iteration}.txt"), doc);
    }

    private static byte[] Join(List<byte[]> lines)
    {
        var ms = new MemoryStream();
        foreach (byte[] l in lines)
        {
            ms.Write(l);
            ms.WriteByte((byte)'\n');
        }

        return ms.ToArray();
    }

    /// <summary>Real documents: this process's /proc files and the captured fixtures, split into lines.</summary>
    private sealed class Corpus
    {
        private readonly List<byte[]> _maps = new(), _rollup = new();
        private readonly List<List<byte[]>> _smapsBlocks = new();

        public Corpus()
        {
            AddMaps(File.ReadAllBytes("/proc/self/maps"));
            AddSmaps(File.ReadAllBytes("/proc/self/smaps"));
            _rollup.AddRange(Lines(File.ReadAllBytes("/proc/self/smaps_rollup")));
            string fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
            foreach (string f in new[] { "maps-cat.txt", "maps-edge.txt" })
            {
                if (File.Exists(Path.Combine(fixtures, f)))
                {
                    AddMaps(File.ReadAllBytes(Path.Combine(fixtures, f)));
                }
            }

            if (File.Exists(Path.Combine(fixtures, "smaps-cat.txt")))
            {
                AddSmaps(File.ReadAllBytes(Path.Combine(fixtures, "smaps-cat.txt")));
            }
        }

        private static List<byte[]> Lines(byte[] doc) =>
            Encoding.Latin1.GetString(doc).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Encoding.Latin1.GetBytes).ToList();

        private void AddMaps(byte[] doc) => _maps.AddRange(Lines(doc));

        private void AddSmaps(byte[] doc)
        {
            List<byte[]>? block = null;
            foreach (byte[] l in Lines(doc))
            {
                if (VmaFormat.IsHeaderLine(l) || block is null)
                {
                    block = new List<byte[]>();
                    _smapsBlocks.Add(block);
                }

                block.Add(l);
            }
        }

        /// <summary>A valid document of the kind: consecutive lines (maps), consecutive blocks (smaps), the rollup.</summary>
        public List<byte[]> Document(string kind, Random random)
        {
            switch (kind)
            {
                case "maps":
                {
                    // Consecutive lines of one source keep the addresses ascending; take from this process's part.
                    int n = random.Next(1, 12);
                    int first = random.Next(0, Math.Max(1, _maps.Count - n));
                    return _maps.Skip(first).Take(n).ToList();
                }

                case "smaps":
                {
                    int n = random.Next(1, 3);
                    int first = random.Next(0, Math.Max(1, _smapsBlocks.Count - n));
                    return _smapsBlocks.Skip(first).Take(n).SelectMany(b => b).ToList();
                }

                default:
                    return new List<byte[]>(_rollup);
            }
        }
    }

    /// <summary>Lines from the grammar of maps/smaps/rollup, with random faults, and byte-level mutations of real lines.</summary>
    private sealed class LineGenerator
    {
        private static readonly byte[] Interesting = "0123456789abcdefABCDEF -:/[]()\\\t\r\0\u00ff\u00e9kBxX\u0080+.".Select(c => (byte)c).ToArray();
        private readonly Random _r;

        public LineGenerator(Random random) => _r = random;

        private string Hex(int maxDigits)
        {
            if (_r.Next(10) == 0)
            {
                return new string('f', _r.Next(17, 40));
            }

            string digits = _r.NextInt64().ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
            return digits[..Math.Min(digits.Length, _r.Next(1, maxDigits + 1))];
        }

        public byte[] Generate(string kind)
        {
            string line = kind switch
            {
                "rollup" => _r.Next(4) == 0
                    ? $"{Hex(12)}-{Hex(12)} ---p 00000000 00:00 0                          [rollup]"
                    : $"{Pick("Rss", "Pss", "Pss_Dirty", "Shared_Clean", "Private_Dirty", "Swap", "X", "")}:{new string(' ', _r.Next(0, 12))}{Number()} {Pick("kB", "KB", "MB", "", "kB kB")}",
                "smaps" when _r.Next(2) == 0 => $"{Pick("Size", "Rss", "VmFlags", "THPeligible", "ProtectionKey", "Anonymous")}:{new string(' ', _r.Next(0, 12))}{(_r.Next(3) == 0 ? Pick("rd wr mr mw me ac sd", "zz", "") : Number())} {Pick("kB", "", "B")}",
                _ => $"{Hex(16)}{Pick("-", "", "--", " ")}{Hex(16)} {Perm()} {Hex(10)} {Hex(4)}{Pick(":", "", "::")}{Hex(6)} {Number()}{new string(' ', _r.Next(0, 30))}{Name()}",
            };
            return Encoding.UTF8.GetBytes(line);
        }

        private string Number() => _r.Next(8) switch
        {
            0 => "-1",
            1 => "99999999999999999999999",
            2 => string.Empty,
            3 => "0x10",
            _ => _r.NextInt64(0, 1L << 40).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        private string Perm()
        {
            var sb = new StringBuilder();
            int n = _r.Next(10) == 0 ? _r.Next(0, 7) : 4;
            for (int i = 0; i < n; i++)
            {
                sb.Append("rwxsp-?R"[_r.Next(8)]);
            }

            return sb.ToString();
        }

        private string Name() => Pick(string.Empty, "[heap]", "[stack]", "[vdso]", "/usr/lib/libc.so.6", "/tmp/a b (deleted)", "/x\\012y", "[anon:名前]", "/bin/\u00ff\u00fe", new string('/', _r.Next(1, 5000)));

        private string Pick(params string[] options) => options[_r.Next(options.Length)];

        public byte[] Mutate(byte[] line)
        {
            var b = new List<byte>(line);
            int ops = _r.Next(1, 4);
            for (int k = 0; k < ops; k++)
            {
                int at = b.Count == 0 ? 0 : _r.Next(b.Count);
                switch (_r.Next(8))
                {
                    case 0 when b.Count > 0:
                        b[at] = Interesting[_r.Next(Interesting.Length)];
                        break;
                    case 1 when b.Count > 0:
                        b[at] = (byte)_r.Next(256);
                        break;
                    case 2 when b.Count > 0:
                        b.RemoveAt(at);
                        break;
                    case 3:
                        b.Insert(at, Interesting[_r.Next(Interesting.Length)]);
                        break;
                    case 4 when b.Count > 0:
                        b.RemoveRange(at, b.Count - at);
                        break;
                    case 5 when b.Count > 0:
                        int len = _r.Next(1, Math.Min(40, b.Count - at) + 1);
                        b.InsertRange(at, b.GetRange(at, len));
                        break;
                    case 6:
                        b.InsertRange(at, Encoding.ASCII.GetBytes(_r.Next(2) == 0 ? "ffffffffffffffffffff" : "18446744073709551616"));
                        break;
                    default:
                        if (_r.Next(200) == 0)
                        {
                            b.InsertRange(at, Enumerable.Repeat((byte)'a', _r.Next(1, 300_000)));
                        }

                        break;
                }
            }

            // A line holds no newline (the kernel escapes it in names).
            for (int i = 0; i < b.Count; i++)
            {
                if (b[i] == (byte)'\n')
                {
                    b[i] = (byte)'?';
                }
            }

            return b.ToArray();
        }
    }
}
