using System;
using System.Diagnostics;
using System.IO;
using System.Management.Automation;
using System.Threading;

namespace MmapTools.Commands;

/// <summary>
/// <para type="synopsis">Finds a byte pattern (bytes, hex with ?? wildcards, or text) in maps or files.</para>
/// </summary>
[Cmdlet(VerbsCommon.Find, "MappedBytes", DefaultParameterSetName = MapSet)]
[OutputType(typeof(MappedBytesMatch))]
public sealed class FindMappedBytesCommand : MapTargetCmdlet, IDisposable
{
    private const long ProgressThreshold = 64L << 20;

    /// <summary>The bytes to look for.</summary>
    [Parameter]
    [ByteArrayTransformation]
    public byte[]? Value { get; set; }

    /// <summary>The bytes to look for as hex; ?? matches any byte: 'DE AD ?? EF'.</summary>
    [Parameter]
    public string? Hex { get; set; }

    /// <summary>Text to look for, encoded with -Encoding.</summary>
    [Parameter]
    public string? String { get; set; }

    /// <summary>The encoding for -String: utf8 (default), unicode (UTF-16LE), utf-16be, utf32, ascii, latin1, or any .NET name or code page.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    public string Encoding { get; set; } = "utf8";

    /// <summary>Where to start: a map offset for -Map/-Id, a file offset for -Path.</summary>
    [Parameter]
    [ValidateRange(0L, long.MaxValue)]
    public long Offset { get; set; }

    /// <summary>How many bytes to search from -Offset (default: the rest). A match lies wholly inside.</summary>
    [Parameter]
    [ValidateRange(0L, long.MaxValue)]
    [Alias("Count")]
    public long Length { get; set; }

    /// <summary>Stop after this many matches in each map or file.</summary>
    [Parameter]
    [ValidateRange(1L, long.MaxValue)]
    public long First { get; set; }

    /// <summary>Bytes of context to return before and after each match.</summary>
    [Parameter]
    [ValidateRange(0, 1 << 20)]
    public int Context { get; set; }

    /// <summary>Resume after the end of each match (as grep -o), instead of at the next byte.</summary>
    [Parameter]
    public SwitchParameter NoOverlap { get; set; }

    /// <summary>Map files this many bytes at a time (default 1 GiB); windows overlap so no match is lost.</summary>
    [Parameter]
    [ValidateRange(1L, 1L << 46)]
    public long WindowSize { get; set; } = SearchOptions.DefaultWindowSize;

    private BytePattern _pattern = null!;
    private bool _namedOnCommandLine;
    private readonly CancellationTokenSource _stop = new();
    private int _activity;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        // Parameters given on the command line are bound before BeginProcessing; pipeline input only after it.
        _namedOnCommandLine = MyInvocation.BoundParameters.ContainsKey(nameof(Path)) || MyInvocation.BoundParameters.ContainsKey(nameof(LiteralPath));
        int given = (Value is null ? 0 : 1) + (Hex is null ? 0 : 1) + (String is null ? 0 : 1);
        if (given == 0)
        {
            ThrowTerminatingError(NewError(ErrorIds.PatternMissing, ErrorCategory.InvalidArgument,
                "Nothing to look for: give the pattern with -Value, -Hex or -String.", null));
        }

        if (given > 1)
        {
            ThrowTerminatingError(NewError(ErrorIds.PatternConflict, ErrorCategory.InvalidArgument,
                "Give the pattern once: -Value, -Hex and -String cannot be combined.", null));
        }

        try
        {
            _pattern = Value is not null ? BytePattern.FromBytes(Value) : Hex is not null ? BytePattern.FromHex(Hex) : BytePattern.FromText(String!, Encoding);
        }
        catch (MmapException e)
        {
            ThrowMapError(e, (object?)Hex ?? String ?? (object?)Value);
        }
    }

    private SearchOptions Options => new()
    {
        Offset = Offset,
        Length = MyInvocation.BoundParameters.ContainsKey(nameof(Length)) ? Length : null,
        First = MyInvocation.BoundParameters.ContainsKey(nameof(First)) ? First : null,
        Context = Context,
        NoOverlap = NoOverlap,
        WindowSize = WindowSize,
    };

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (IsFileTarget)
        {
            bool literal = ParameterSetName == LiteralPathSet;
            foreach (string path in literal ? LiteralPath : Path)
            {
                // A directory met through a wildcard or on the pipeline (Get-ChildItem) is skipped; one named
                // on the command line is an error, as for every other cmdlet that takes files.
                bool named = _namedOnCommandLine && (literal || !WildcardPattern.ContainsWildcardCharacters(path));
                foreach (string file in ResolveFileSystemPaths(new[] { path }, literal))
                {
                    if (!named && Directory.Exists(file))
                    {
                        WriteVerbose($"Skipping the directory '{file}'.");
                        continue;
                    }

                    try
                    {
                        Emit(ByteSearch.InFile(file, _pattern, Options, Progress(file), _stop.Token), file);
                    }
                    catch (MmapException e)
                    {
                        WriteMapError(e, file);
                    }
                }
            }

            return;
        }

        MemoryMap? map = ParameterSetName == IdSet ? FindMap(Id) : Map;
        if (map is null)
        {
            return;
        }

        try
        {
            Emit(ByteSearch.InMap(map, _pattern, Options, Progress(map.Path ?? map.Describe()), _stop.Token), map);
        }
        catch (MmapException e)
        {
            WriteMapError(e, map);
        }
    }

    private void Emit(System.Collections.Generic.IEnumerable<MappedBytesMatch> matches, object target)
    {
        try
        {
            foreach (MappedBytesMatch m in matches)
            {
                WriteObject(m);
            }
        }
        catch (OperationCanceledException)
        {
            // StopProcessing: the pipeline is being stopped (Ctrl+C, Select-Object -First).
        }
    }

    /// <summary>A progress callback for one target: Write-Progress for large searches, at most every 250 ms.</summary>
    private Action<SearchProgress> Progress(string what)
    {
        int activity = ++_activity;
        var clock = Stopwatch.StartNew();
        bool shown = false;
        long last = -1;
        return p =>
        {
            if (p.Total < ProgressThreshold)
            {
                return;
            }

            bool done = p.Done >= p.Total;
            if (!done && last >= 0 && clock.ElapsedMilliseconds - last < 250)
            {
                return;
            }

            last = clock.ElapsedMilliseconds;
            if (done && !shown)
            {
                return;
            }

            shown = true;
            var record = new ProgressRecord(activity, "Find-MappedBytes " + _pattern, $"{what}: {Units.FormatBytes(p.Done)} of {Units.FormatBytes(p.Total)}, {p.Found} found")
            {
                PercentComplete = (int)Math.Min(100, p.Done * 100 / Math.Max(1, p.Total)),
                RecordType = done ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            WriteProgress(record);
        };
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stop.Cancel();

    /// <inheritdoc />
    public void Dispose() => _stop.Dispose();
}
