using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Splade.Lucene.Formats;

/// <summary>
/// Reads precomputed sparse vectors in Anserini's JsonVectorCollection layout,
/// <c>{"id": "...", "contents": "...", "vector": {"token": weight, ...}}</c> (<c>"_id"</c> accepted, an id may
/// be a JSON number, <c>"contents"</c> and other properties are ignored). As Anserini does, a file may hold
/// one object per line (JSON Lines), objects spread over several lines (pretty-printed), or one JSON array
/// of objects; files may be gzip-compressed (detected by content). Token strings are taken as written:
/// whether they belong to a vocabulary is decided where the vector is indexed.
/// </summary>
/// <remarks>
/// A bad record (not JSON, no id, no <c>"vector"</c> object, a weight that is not a finite number, invalid
/// UTF-8, an incomplete object) is reported with the line where it starts and skipped; the rest of the file
/// is read. Token strings are shared across the records returned by one instance, so use one instance per thread.
/// </remarks>
public sealed class JsonVectorReader
{
    /// <summary>The largest JSON object read (64 MiB); a longer one is reported and skipped.</summary>
    public const int DefaultMaxObjectBytes = 64 << 20;

    // Vocabularies are ~30k tokens: reusing token strings saves an allocation per entry.
    private const int MaxInternedTokens = 1 << 18;
    private readonly Dictionary<string, string> _tokens = new(OrdinalSpanComparer.Instance);
    private readonly char[] _chars = new char[256];

    // The size of the last vector read: the next one is usually about as long, so its dictionary is made that
    // large at once instead of growing (and rehashing) five or six times on the way to ~100 entries.
    private int _lastVectorCount;

    /// <summary>Reads the file at <paramref name="path"/> lazily (plain or gzip).</summary>
    /// <param name="path">The file.</param>
    /// <param name="onError">Receives each skipped record; a file that cannot be opened or read is reported here too, and reading stops.</param>
    public IEnumerable<VectorRecord> Read(string path, Action<VectorFormatError> onError)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(onError);
        return ReadFile(path, onError);
    }

    /// <summary>Reads <paramref name="stream"/> lazily (not decompressed; the caller owns and disposes it).</summary>
    /// <param name="stream">The JSON text, UTF-8.</param>
    /// <param name="source">The name used in error reports.</param>
    /// <param name="onError">Receives each skipped record; a read error is reported here too, and reading stops.</param>
    public IEnumerable<VectorRecord> Read(Stream stream, string source, Action<VectorFormatError> onError)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(onError);
        return ReadStream(stream, source, onError);
    }

    /// <summary>Parses one JSON object (which may span several lines).</summary>
    /// <param name="json">The object, UTF-8.</param>
    /// <param name="line">The line of the file where it starts, kept in the record.</param>
    /// <exception cref="FormatException">The object is not a valid vector record; the message says why (and on which line, relative to <paramref name="line"/>).</exception>
    public VectorRecord Parse(ReadOnlySpan<byte> json, long line = 1)
    {
        try
        {
            return ParseObject(json, line);
        }
        catch (JsonException e)
        {
            long at = line + (e.LineNumber ?? 0);
            throw new FormatException($"not valid JSON (line {at}): {e.Message.Split(" LineNumber:")[0]}", e);
        }
        catch (InvalidOperationException e)
        {
            // Invalid UTF-8 or a lone surrogate escape in a string.
            throw new FormatException($"invalid text in a string: {e.Message}", e);
        }
    }

    private IEnumerable<VectorRecord> ReadFile(string path, Action<VectorFormatError> onError)
    {
        // CA2000 cannot follow assign-in-try then `using` right after the try/catch (an iterator cannot yield inside a try with catch).
#pragma warning disable CA2000
        Stream stream;
        try
        {
            stream = OpenMaybeGzip(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            onError(new VectorFormatError(path, 0, $"cannot open: {e.Message}"));
            yield break;
        }
        using (stream)
#pragma warning restore CA2000
        {
            foreach (var record in ReadStream(stream, path, onError))
            {
                yield return record;
            }
        }
    }

    private IEnumerable<VectorRecord> ReadStream(Stream stream, string source, Action<VectorFormatError> onError)
    {
        var splitter = new JsonObjectSplitter(stream, DefaultMaxObjectBytes);
        while (true)
        {
            bool more;
            ReadOnlyMemory<byte> json;
            long line;
            string? error;
            VectorRecord? fast;
            try
            {
                fast = TryParseLine(splitter);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                onError(new VectorFormatError(source, 0, $"read error: {e.Message} (reading stopped; earlier records were kept)"));
                yield break;
            }
            if (fast is not null)
            {
                yield return fast;
                continue;
            }
            try
            {
                more = splitter.Next(out json, out line, out error);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                onError(new VectorFormatError(source, 0, $"read error: {e.Message} (reading stopped; earlier records were kept)"));
                yield break;
            }
            if (!more)
            {
                yield break;
            }
            if (error is not null)
            {
                onError(new VectorFormatError(source, line, error));
                continue;
            }
            VectorRecord? record = null;
            try
            {
                record = Parse(json.Span, line);
            }
            catch (FormatException e)
            {
                onError(new VectorFormatError(source, line, e.Message));
            }
            if (record is not null)
            {
                yield return record;
            }
        }
    }

    /// <summary>
    /// JSON Lines' common case, one valid object alone on its line, parsed straight from the read buffer: no copy,
    /// no second scan. Anything else (a pretty-printed or damaged object, text after it) returns null having
    /// consumed nothing, and the splitter then reads it byte by byte, reporting exactly as it always did.
    /// </summary>
    private VectorRecord? TryParseLine(JsonObjectSplitter splitter)
    {
        if (!splitter.TryPeekLine(out var json, out long line))
        {
            return null;
        }
        VectorRecord record;
        try
        {
            record = ParseObject(json, line);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
        splitter.SkipPeekedLine();
        return record;
    }

    private static Stream OpenMaybeGzip(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            int n = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private VectorRecord ParseObject(ReadOnlySpan<byte> json, long line)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("expected a JSON object");
        }
        string? id = null;
        Dictionary<string, float>? weights = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8) || reader.ValueTextEquals("_id"u8))
            {
                string name = reader.ValueTextEquals("id"u8) ? "id" : "_id";
                reader.Read();
                id = ReadId(ref reader, name);
            }
            else if (reader.ValueTextEquals("vector"u8))
            {
                reader.Read();
                weights = ReadVector(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (reader.Read())
        {
            throw new FormatException("text after the JSON object");
        }
        if (id is null)
        {
            throw new FormatException("no \"id\" or \"_id\"");
        }
        if (weights is null)
        {
            throw new FormatException($"vector '{id}' has no \"vector\" object");
        }
        return new VectorRecord(id, weights, line);
    }

    private static string ReadId(ref Utf8JsonReader reader, string property)
    {
        string? id = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
            _ => throw new FormatException($"\"{property}\" must be a string or a number, not {reader.TokenType}"),
        };
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new FormatException($"\"{property}\" is empty");
        }
        return id;
    }

    private Dictionary<string, float> ReadVector(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException($"\"vector\" must be an object of token: weight, not {reader.TokenType}");
        }
        var weights = new Dictionary<string, float>(_lastVectorCount, StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string token = Token(ref reader);
            reader.Read();
            // Weights are plain decimals: parsed from the token's bytes in one division, else by the general parser.
            float weight = 0;
            if (reader.TokenType != JsonTokenType.Number
                || !((!reader.HasValueSequence && DecimalFloatParser.TryParse(reader.ValueSpan, out weight)) || reader.TryGetSingle(out weight))
                || !float.IsFinite(weight))
            {
                throw new FormatException($"weight of token '{token}' is not a finite number ({reader.TokenType})");
            }
            weights[token] = weight;
        }
        _lastVectorCount = weights.Count;
        return weights;
    }

    private string Token(ref Utf8JsonReader reader)
    {
        int length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        if (length > _chars.Length)
        {
            return reader.GetString()!;
        }
        int n = reader.CopyString(_chars);
        var lookup = _tokens.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(_chars.AsSpan(0, n), out string? known))
        {
            return known;
        }
        string token = new(_chars, 0, n);
        if (_tokens.Count < MaxInternedTokens)
        {
            _tokens[token] = token;
        }
        return token;
    }
}
