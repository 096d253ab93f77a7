using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace MmapTools.Tests;

/// <summary>
/// Hostile paths and names: newlines, leading and trailing spaces, PATH_MAX and far beyond, bytes that are not
/// UTF-8, NUL, and shared-memory names built to escape /dev/shm. Each is mapped exactly or refused with an id.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ITestOutputHelper _output;

    public HostileInputTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("line\nbreak.bin")]
    [InlineData("\nleading-newline.bin")]
    [InlineData("carriage\rreturn.bin")]
    [InlineData(" leading-space.bin")]
    [InlineData("   three-spaces.bin")]
    [InlineData("trailing-space.bin ")]
    [InlineData("tab\there.bin")]
    [InlineData("-dash-first.bin")]
    [InlineData("quote'\"both.bin")]
    [InlineData("glob[*?].bin")]
    [InlineData("dollar$(id).bin")]
    [InlineData("ünïcødé-名前.bin")]
    [InlineData("\u202Eright-to-left.bin")]
    [InlineData("...")]
    public void AnOddButValidName_MapsExactlyThatFile(string name)
    {
        byte[] content = Bytes.Pattern(300, seed: name.Length);
        string path = _dir.File(name, content);

        // A decoy whose name is the odd name trimmed or normalised: it must never be the one mapped.
        string plain = new string(name.Trim().Where(c => !char.IsControl(c)).ToArray());
        if (plain.Length > 0 && plain != name)
        {
            _dir.File(plain, Bytes.Pattern(300, seed: 200));
        }

        using MemoryMap map = MemoryMap.OpenFile(path);
        Assert.Equal(path, map.Path);
        Assert.Equal(content, map.Read(0, 300));
        // The kernel names exactly this file for the map (it escapes a newline as \012 in /proc/self/maps).
        Assert.EndsWith(" " + path.Replace("\n", "\\012", StringComparison.Ordinal), ProcSelf.MapsLineFor(map.Address), StringComparison.Ordinal);
    }

    [Fact]
    public void APathOfExactlyPathMaxMinusOneBytes_Maps_AndOneByteMore_IsPathInvalid()
    {
        // PATH_MAX is 4096 with the terminating NUL: 4095 bytes is the longest path open(2) takes.
        string longest = BuildDeepPath(4095);
        Assert.Equal(4095, Encoding.UTF8.GetByteCount(longest));
        File.WriteAllBytes(longest, Bytes.Pattern(64));
        using (MemoryMap map = MemoryMap.OpenFile(longest))
        {
            Assert.Equal(Bytes.Pattern(64), map.Read(0, 64));
        }

        string tooLong = longest + "x";
        Assert.Equal(4096, Encoding.UTF8.GetByteCount(tooLong));
        MmapException e = MapAssert.Fails(ErrorIds.PathInvalid, () => MemoryMap.OpenFile(tooLong, MapAccess.ReadWrite, size: 4096));
        Assert.Equal("ENAMETOOLONG", e.ErrnoName);
        Assert.False(File.Exists(tooLong[..^1] + "y"));
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(5000)]
    [InlineData(65536)]
    [InlineData(1_000_000)]
    public void PathsFarBeyondPathMax_ArePathInvalid(int length)
    {
        string path = "/" + string.Join('/', Enumerable.Range(0, (length / 100) + 1).Select(i => new string((char)('a' + (i % 26)), 99)))[..(length - 1)];
        MmapException e = MapAssert.Fails(ErrorIds.PathInvalid, () => MemoryMap.OpenFile(path, MapAccess.ReadWrite, size: 4096));
        Assert.Equal("ENAMETOOLONG", e.ErrnoName);
        Assert.True(e.Message.Length < length + 500);
    }

    [Fact]
    public void AFileNameThatIsNotUtf8_IsAnsweredCleanly_AndLeftAlone()
    {
        // .NET strings cannot hold the byte 0xFF of such a name: listing the folder gives U+FFFD in its place,
        // which encodes to other bytes. Mapping that name is a clean PathNotFound, and the file is untouched.
        RunShell($"printf 'not utf-8' > \"$(printf '{_dir.Path}/bad\\377name.bin')\"");
        string listed = Directory.GetFiles(_dir.Path).Single(p => p.Contains("bad", StringComparison.Ordinal));
        Assert.Contains('\uFFFD', listed);
        MmapException e = MapAssert.Fails(ErrorIds.PathNotFound, () => MemoryMap.OpenFile(listed));
        Assert.Equal("ENOENT", e.ErrnoName);
        MapAssert.Fails(ErrorIds.PathNotFound, () => MemoryMap.OpenFile(_dir.Name("bad\uD800name.bin")));
        Assert.Equal("not utf-8", RunShell($"cat \"$(printf '{_dir.Path}/bad\\377name.bin')\""));
    }

    [Theory]
    [InlineData("a\0b")]
    [InlineData("\0")]
    [InlineData("file.bin\0../../etc/shadow")]
    public void ANulAnywhere_IsPathInvalid_BeforeAnythingIsOpened(string tail)
    {
        string target = _dir.File("file.bin", Bytes.Pattern(10));
        FileSnapshot before = FileSnapshot.Of(target);
        MapAssert.Fails(ErrorIds.PathInvalid, () => MemoryMap.OpenFile(_dir.Path + "/" + tail, MapAccess.ReadWrite, size: 1 << 20));
        Assert.Equal(before, FileSnapshot.Of(target));
        Assert.Single(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void SharedMemoryNames_NeverReachOutsideDevShm_100000Seeded()
    {
        // Names built from the characters that matter for escaping: every one is either refused with
        // SharedMemoryNameInvalid, or names a file directly inside /dev/shm that path normalisation leaves alone.
        const string Alphabet = "./\\\0\n -_aZ9%~:*?\u00E9\uFF0F\u2215\uD800";
        var random = new Random(6301);
        int refused = 0, accepted = 0;
        var sb = new StringBuilder();
        for (int i = 0; i < 100_000; i++)
        {
            sb.Clear();
            int length = random.Next(0, 12);
            for (int k = 0; k < length; k++)
            {
                sb.Append(random.Next(4) == 0 ? ".." : Alphabet[random.Next(Alphabet.Length)].ToString());
            }

            string name = sb.ToString();
            string path;
            try
            {
                path = SharedMemory.PathOf(name);
            }
            catch (MmapException e)
            {
                Assert.Equal(ErrorIds.SharedMemoryNameInvalid, e.ErrorId);
                refused++;
                continue;
            }

            accepted++;
            Assert.Equal(SharedMemory.Directory, Path.GetDirectoryName(path));
            Assert.Equal(path, Path.GetFullPath(path));
            string file = Path.GetFileName(path);
            Assert.False(file is "." or "..", name);
            Assert.All(file, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-', $"'{c}' in {name}"));
        }

        string line = $"shared-memory names: 100,000 seeded hostile names, {refused:N0} refused (SharedMemoryNameInvalid), {accepted:N0} accepted, 0 outside /dev/shm";
        _output.WriteLine(line);
        Figures.Append(line);
        Assert.True(refused > 0 && accepted > 0);
    }

    [Fact]
    public void ADotDotInsideAName_StaysAFileNameInDevShm()
    {
        string name = $"mmaptools-a..b-{Environment.ProcessId}";
        try
        {
            using MemoryMap map = MemoryMap.OpenSharedMemory(name, size: 4096);
            Assert.Equal("/dev/shm/" + name, map.Path);
            Assert.True(File.Exists("/dev/shm/" + name));
        }
        finally
        {
            SharedMemory.Remove(name);
        }
    }

    /// <summary>A folder chain under the temp folder whose full path is exactly <paramref name="bytes"/> long (ASCII).</summary>
    private string BuildDeepPath(int bytes)
    {
        string path = _dir.Path;
        while (bytes - path.Length - 1 > 255)
        {
            path = Path.Combine(path, new string('d', Math.Min(200, bytes - path.Length - 1 - 10)));
            Directory.CreateDirectory(path);
        }

        return path + "/" + new string('f', bytes - path.Length - 1);
    }

    private static string RunShell(string script)
    {
        using Process p = Process.Start(new ProcessStartInfo("sh", new[] { "-c", script }) { RedirectStandardOutput = true })!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return output;
    }
}
