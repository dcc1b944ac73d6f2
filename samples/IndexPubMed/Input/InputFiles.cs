using System.Runtime.InteropServices;
using System.Text.Json;

namespace IndexPubMed.Input;

/// <summary>
/// Expands command-line inputs into the files to read, in the order to read them, and tells what
/// each one holds.
/// </summary>
public static class InputFiles
{
    // Long enough for the XML prolog or a long first JSON line (a document or a dense vector).
    private const int MaxSniffBytes = 4 << 20;

    /// <summary>
    /// Expands <paramref name="inputs"/>: files are kept in the given order; folders are searched
    /// recursively and their files sorted (NLM names by year and number, so update files apply in
    /// order; others by ordinal path). Hidden files and NLM's .md5 checksums are skipped. A missing
    /// path, or a file whose kind cannot be told, is reported to <paramref name="onError"/> and left
    /// out. A file reached twice is kept once, at its first place.
    /// </summary>
    public static IReadOnlyList<InputFile> Expand(IEnumerable<string> inputs, Action<InputError> onError)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(onError);
        var result = new List<InputFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string input in inputs)
        {
            if (File.Exists(input))
            {
                Add(input, result, seen, onError);
            }
            else if (Directory.Exists(input))
            {
                var files = FilesUnder(input, onError).Where(f => !IsIgnorable(input, f)).ToList();
                files.Sort(CompareForOrder);
                foreach (string file in files)
                {
                    Add(file, result, seen, onError);
                }
            }
            else
            {
                onError(new InputError(input, 0, "no such file or folder"));
            }
        }
        return result;
    }

    /// <summary>
    /// Tells what <paramref name="path"/> holds from its first non-blank byte after optional gzip:
    /// '&lt;' is PubMed XML; '{' is JSON lines, vectors when the first object has a "vector"
    /// property. Empty or unreadable content falls back to the name (.xml, .jsonl, .json, plus .gz).
    /// </summary>
    public static InputKind DetectKind(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        InputKind byContent;
        try
        {
            byContent = SniffContent(path);
        }
        catch (Exception e) when (InputStreams.IsDataOrIoError(e))
        {
            byContent = InputKind.Unknown;
        }
        return byContent != InputKind.Unknown ? byContent : KindFromName(path);
    }

    /// <summary>
    /// Folder order: same directory, NLM file names by (year, number); otherwise ordinal by path.
    /// </summary>
    internal static int CompareForOrder(string a, string b)
    {
        int byDirectory = string.CompareOrdinal(Path.GetDirectoryName(a), Path.GetDirectoryName(b));
        if (byDirectory == 0 && PubMedFileName.TryParse(a, out var na) && PubMedFileName.TryParse(b, out var nb))
        {
            int byName = na.CompareTo(nb);
            if (byName != 0)
            {
                return byName;
            }
        }
        return string.CompareOrdinal(a, b);
    }

    private static void Add(string file, List<InputFile> result, HashSet<string> seen, Action<InputError> onError)
    {
        string real;
        try
        {
            real = RealPath(file);
        }
        catch (IOException e)
        {
            onError(new InputError(file, 0, $"{e.Message}; skipped"));
            return;
        }
        // Symbolic links and repeated arguments reach the same file more than once: keep its first place only.
        if (!seen.Add(real))
        {
            return;
        }
        // A FIFO never ends (and opening one blocks until a writer comes), nor does a device such as /dev/zero.
        if (NonRegularKind(real) is { } special)
        {
            onError(new InputError(file, 0, $"{special}, not a regular file; skipped"));
            return;
        }
        var kind = DetectKind(file);
        if (kind == InputKind.Unknown)
        {
            onError(new InputError(file, 0, "neither PubMed XML nor JSON lines; skipped"));
            return;
        }
        result.Add(new InputFile(file, kind));
    }

    /// <summary>
    /// The files below <paramref name="root"/>, symbolic links followed, each folder visited once by its real path,
    /// so that a link loop (a folder linking to itself or an ancestor) neither hangs the walk nor repeats files.
    /// </summary>
    internal static List<string> FilesUnder(string root, Action<InputError> onError)
    {
        var files = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string folder = pending.Pop();
            try
            {
                if (!visited.Add(RealPath(folder)))
                {
                    continue;
                }
                foreach (string entry in Directory.EnumerateFileSystemEntries(folder))
                {
                    if (Directory.Exists(entry))
                    {
                        pending.Push(entry);
                    }
                    else if (File.Exists(entry))
                    {
                        files.Add(entry);
                    }
                    else
                    {
                        onError(new InputError(entry, 0, "broken symbolic link; skipped"));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                onError(new InputError(folder, 0, $"cannot list: {e.Message}; skipped"));
            }
        }
        return files;
    }

    /// <summary>
    /// <paramref name="path"/> with every symbolic link in it resolved (as realpath(3)); throws
    /// <see cref="IOException"/> after 40 links, as Linux does (ELOOP).
    /// </summary>
    internal static string RealPath(string path)
    {
        int links = 0;
        return Resolve(Path.GetFullPath(path), ref links);
    }

    private static string Resolve(string full, ref int links)
    {
        string root = Path.GetPathRoot(full) ?? "";
        string current = root;
        foreach (string part in full[root.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(current, part);
            string? target = new FileInfo(next).LinkTarget;
            if (target is not null)
            {
                if (++links > 40)
                {
                    throw new IOException($"too many levels of symbolic links in {full}");
                }
                next = Resolve(Path.GetFullPath(target, current), ref links);
            }
            current = next;
        }
        return current;
    }

    /// <summary>
    /// What <paramref name="path"/> (links already resolved) is when it is not a regular file (a FIFO, a character or block
    /// device, a socket), else null. Read with the stat(2) of .NET's own native library (whose file-type bits it
    /// normalises on every Unix); null where that is unavailable (Windows has none of these in a folder).
    /// </summary>
    internal static string? NonRegularKind(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        int mode;
        try
        {
            // SystemNative_Stat fills a FileStatus struct: int Flags, int Mode, ...; 256 bytes is more than it writes.
            Span<byte> status = stackalloc byte[256];
            if (SystemNativeStat(path, ref MemoryMarshal.GetReference(status)) != 0)
            {
                return null;   // gone or unreadable: opening it reports that
            }
            mode = MemoryMarshal.Read<int>(status[4..]);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        return (mode & 0xF000) switch
        {
            0x8000 => null,
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            0x4000 => "a folder",
            _ => "a special file",
        };
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SystemNativeStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref byte status);

    private static bool IsIgnorable(string root, string file)
    {
        string relative = Path.GetRelativePath(root, file);
        return relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Any(part => part.StartsWith('.'))
            || file.EndsWith(".md5", StringComparison.OrdinalIgnoreCase);
    }

    private static InputKind SniffContent(string path)
    {
        using var stream = InputStreams.Open(path);   // disposed here too if wrapping it throws
        using var lines = new Utf8LineReader(new LimitedStream(stream, MaxSniffBytes));
        while (lines.TryReadLine(out var memory))
        {
            var line = memory.Span.TrimStart(" \t\r\f"u8);
            if (line.IsEmpty)
            {
                continue;
            }
            if (line[0] == (byte)'<')
            {
                return InputKind.PubMedXml;
            }
            if (line[0] != (byte)'{' && line[0] != (byte)'[')
            {
                return InputKind.Unknown;
            }
            // A pretty-printed object or an array of objects (as Anserini's collections may be), a truncated
            // sniff or a bad first line: look at the first object over several lines, else the name decides.
            InputKind Undecided() => SniffFirstObject(path) ?? (KindFromName(path) is var k && k != InputKind.Unknown ? k : InputKind.Documents);
            if (line[0] == (byte)'[')
            {
                return Undecided();
            }
            try
            {
                return HasVectorProperty(line) ? InputKind.Vectors : InputKind.Documents;
            }
            catch (JsonException)
            {
                return Undecided();
            }
        }
        return InputKind.Unknown;
    }

    /// <summary>Whether the first JSON object of the file (maybe inside an array) has a "vector" property; null when undecided.</summary>
    private static InputKind? SniffFirstObject(string path)
    {
        var buffer = new byte[MaxSniffBytes];
        int n;
        using (var stream = InputStreams.Open(path))
        {
            n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        var reader = new Utf8JsonReader(buffer.AsSpan(0, n), isFinalBlock: false, default);
        try
        {
            int objectDepth = -1;
            while (reader.Read())
            {
                if (objectDepth < 0 && reader.TokenType == JsonTokenType.StartObject)
                {
                    objectDepth = reader.CurrentDepth;
                }
                else if (objectDepth >= 0 && reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == objectDepth + 1 && reader.ValueTextEquals("vector"u8))
                {
                    return InputKind.Vectors;
                }
                else if (objectDepth >= 0 && reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == objectDepth)
                {
                    return InputKind.Documents;
                }
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }

    private static bool HasVectorProperty(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("vector"u8))
            {
                return true;
            }
            reader.Read();
            reader.Skip();
        }
        return false;
    }

    private static InputKind KindFromName(string path)
    {
        string name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".gz", StringComparison.Ordinal))
        {
            name = name[..^3];
        }
        return Path.GetExtension(name) switch
        {
            ".xml" => InputKind.PubMedXml,
            ".jsonl" or ".json" => name.Contains("vector", StringComparison.Ordinal) ? InputKind.Vectors : InputKind.Documents,
            _ => InputKind.Unknown,
        };
    }

    // Stops sniffing after a few MB so a huge single-line file does not get read whole.
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _left = limit;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_left <= 0)
            {
                return 0;
            }
            int n = inner.Read(buffer, offset, (int)Math.Min(count, _left));
            _left -= n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
