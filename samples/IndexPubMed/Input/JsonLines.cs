using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace IndexPubMed.Input;

/// <summary>Shared plumbing of the JSON-lines readers.</summary>
internal static class JsonLines
{
    /// <summary>
    /// Calls <paramref name="parse"/> on every non-blank line of <paramref name="path"/> (gzip
    /// detected by content) and yields its results with their line numbers; a line that throws <see cref="FormatException"/>
    /// or <see cref="JsonException"/> is reported with its line number and skipped.
    /// </summary>
    public static IEnumerable<(T Item, long Line)> Read<T>(string path, Action<InputError> onError, ParseLine<T> parse) where T : class
    {
        Utf8LineReader lines;
        try
        {
            // CA2000 cannot see that `using (lines)` right after this try/catch (nothing runs between) disposes it.
#pragma warning disable CA2000
            lines = new Utf8LineReader(InputStreams.Open(path));
#pragma warning restore CA2000
        }
        catch (Exception e) when (InputStreams.IsDataOrIoError(e))
        {
            onError(new InputError(path, 0, $"cannot open: {e.Message}"));
            yield break;
        }
        using (lines)
        {
            while (true)
            {
                T? item = null;
                bool more;
                try
                {
                    more = lines.TryReadLine(out var line);
                    if (more && !IsBlank(line.Span))
                    {
                        item = parse(line.Span);
                    }
                }
                catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
                {
                    // InvalidOperationException: a string that is not valid UTF-8 or holds a lone surrogate escape ("\ud800");
                    // ArgumentException: a value Lucene cannot take (see RecordLimits).
                    onError(new InputError(path, lines.LineNumber, Describe(e)));
                    continue;
                }
                catch (Exception e) when (InputStreams.IsDataOrIoError(e))
                {
                    onError(new InputError(path, lines.LineNumber + 1, $"read error: {e.Message} (reading stopped; earlier lines were kept)"));
                    yield break;
                }
                if (!more)
                {
                    yield break;
                }
                if (item is not null)
                {
                    yield return (item, lines.LineNumber);
                }
            }
        }
    }

    /// <summary>Parses one line (UTF-8, no terminator).</summary>
    public delegate T ParseLine<T>(ReadOnlySpan<byte> line);

    private static string Describe(Exception e) => e switch
    {
        JsonException j => $"not valid JSON: {j.Message.Split(" LineNumber:")[0]}",
        InvalidOperationException => $"not valid text: {e.Message} (invalid UTF-8 or a lone surrogate escape)",
        _ => e.Message,
    };

    public static bool IsBlank(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept(" \t\r"u8) < 0;

    /// <summary>
    /// Reads an id value: a JSON string, or a number kept as written (some corpora use integer ids).
    /// </summary>
    public static string ReadId(ref Utf8JsonReader reader, string property)
    {
        string? id = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
            _ => throw new FormatException($"\"{property}\" must be a string or a number, not {reader.TokenType}"),
        };
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new FormatException($"\"{property}\" is empty");
        }
        return id;
    }

    /// <summary>Reads a string or null property value.</summary>
    public static string? ReadString(ref Utf8JsonReader reader, string property) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new FormatException($"\"{property}\" must be a string, not {reader.TokenType}"),
    };

    /// <summary>Starts a line: positions the reader inside the top-level object.</summary>
    public static Utf8JsonReader Begin(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("a line must hold one JSON object");
        }
        return reader;
    }

    /// <summary>Checks nothing but whitespace follows the object (throws JsonException otherwise).</summary>
    public static void End(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new FormatException("text after the JSON object");
        }
    }

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
