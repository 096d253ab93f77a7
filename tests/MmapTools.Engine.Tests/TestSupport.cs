using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace MmapTools.Tests;

/// <summary>A temporary folder (mode 0755, so a child running as nobody can reach it), removed afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = Directory.CreateTempSubdirectory("mmaptools-").FullName;
        System.IO.File.SetUnixFileMode(Path, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    public string Path { get; }

    public string File(string name, byte[] content, string mode = "644")
    {
        string path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllBytes(path, content);
        System.IO.File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode, 8));
        return path;
    }

    public string Name(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }

        if (Directory.Exists(Path))
        {
            // .NET cannot name a file whose name is not valid UTF-8 (the hostile-name tests make such files): rm can.
            using Process? rm = Process.Start(new ProcessStartInfo("rm", new[] { "-rf", "--", Path }) { UseShellExecute = false });
            rm?.WaitForExit(10_000);
        }
    }
}

public static class Bytes
{
    /// <summary>Deterministic, non-repeating-looking content: byte i is (i * 31 + 7) mod 256.</summary>
    public static byte[] Pattern(int length, int seed = 7)
    {
        var b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = unchecked((byte)((i * 31) + seed));
        }

        return b;
    }
}

/// <summary>Runs MmapTools.TestHost (built beside the tests) as a real second process.</summary>
public static class Child
{
    public static string HostDll => System.IO.Path.Combine(AppContext.BaseDirectory, "MmapTools.TestHost.dll");

    public static string DotNet => Environment.ProcessPath is { } p && System.IO.Path.GetFileNameWithoutExtension(p) == "dotnet"
        ? p
        : "dotnet";

    /// <summary>The command line that runs the host; with <paramref name="asNobody"/>, under setpriv as uid/gid 65534.</summary>
    public static ProcessStartInfo StartInfo(bool asNobody, string? wrapper, params string[] args)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        var words = new System.Collections.Generic.List<string>();
        if (wrapper is not null)
        {
            words.AddRange(new[] { "sh", "-c", wrapper + " \"$@\"", "sh" });
        }

        if (asNobody)
        {
            words.AddRange(new[] { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all" });
        }

        words.Add(DotNet);
        words.Add(HostDll);
        words.AddRange(args);
        psi.FileName = words[0];
        foreach (string w in words.Skip(1))
        {
            psi.ArgumentList.Add(w);
        }

        psi.Environment["DOTNET_CLI_HOME"] = "/tmp";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return psi;
    }

    /// <summary>Runs the host to completion and returns its one line of output.</summary>
    public static string Run(params string[] args) => RunWith(false, null, args);

    public static string RunAsNobody(params string[] args) => RunWith(true, null, args);

    public static string RunWith(bool asNobody, string? wrapper, params string[] args)
    {
        using Process p = Process.Start(StartInfo(asNobody, wrapper, args))!;
        p.StandardInput.Close();
        string output = p.StandardOutput.ReadToEnd().Trim();
        string error = p.StandardError.ReadToEnd().Trim();
        Assert.True(p.WaitForExit(60_000), "the child did not finish in 60 s");
        Assert.True(p.ExitCode == 0, $"child exit code {p.ExitCode}; stdout: {output}; stderr: {error}");
        return output;
    }
}

public static class MapAssert
{
    /// <summary>Asserts that <paramref name="action"/> throws an MmapException with this id, and returns it.</summary>
    public static MmapException Fails(string errorId, Action action)
    {
        MmapException e = Assert.Throws<MmapException>(action);
        Assert.Equal(errorId, e.ErrorId);
        Assert.NotEqual(MapErrorCategory.NotSpecified, e.Category);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        return e;
    }
}
