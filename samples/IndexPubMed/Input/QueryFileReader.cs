using System.Text;
using System.Text.Json;

namespace IndexPubMed.Input;

/// <summary>
/// Reads query files: BEIR's queries.jsonl (<c>{"_id", "text", ...}</c>, "id" accepted) or
/// TSV lines <c>id&lt;TAB&gt;text</c> (Anserini topics). The format is chosen from the first
/// non-blank character: '{' means JSON lines.
/// </summary>
public static class QueryFileReader
{
    // Throws (an ArgumentException, reported with the line number) on bytes that are not UTF-8, instead of turning them into U+FFFD.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads all queries of <paramref name="path"/> in file order. Bad lines (no id, no text, not
    /// JSON, no tab) and repeated ids are reported to <paramref name="onError"/> and skipped.
    /// </summary>
    public static IReadOnlyList<QueryRecord> Read(string path, Action<InputError> onError)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(onError);
        bool? json = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queries = new List<QueryRecord>();
        foreach (var (query, line) in JsonLines.Read(path, onError, span =>
        {
            json ??= span.TrimStart(" \t"u8).StartsWith("{"u8);
            return json.Value ? ParseJson(span) : ParseTsv(span);
        }))
        {
            if (!seen.Add(query.Id))
            {
                onError(new InputError(path, line, $"query id '{query.Id}' repeated; this one is skipped"));
                continue;
            }
            queries.Add(query);
        }
        return queries;
    }

    private static QueryRecord ParseJson(ReadOnlySpan<byte> line)
    {
        var reader = JsonLines.Begin(line);
        string? id = null, text = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isId = reader.ValueTextEquals("_id"u8) || reader.ValueTextEquals("id"u8);
            bool isText = reader.ValueTextEquals("text"u8);
            reader.Read();
            if (isId)
            {
                id = JsonLines.ReadId(ref reader, "_id");
            }
            else if (isText)
            {
                text = JsonLines.ReadString(ref reader, "text");
            }
            else
            {
                reader.Skip();
            }
        }
        JsonLines.End(ref reader);
        if (id is null)
        {
            throw new FormatException("no \"_id\" or \"id\"");
        }
        return Make(id.Trim(), text);
    }

    private static QueryRecord ParseTsv(ReadOnlySpan<byte> line)
    {
        int tab = line.IndexOf((byte)'\t');
        if (tab < 0)
        {
            throw new FormatException("expected id<TAB>text");
        }
        string id = StrictUtf8.GetString(line[..tab]).Trim();
        if (id.Length == 0)
        {
            throw new FormatException("empty query id");
        }
        return Make(id, StrictUtf8.GetString(line[(tab + 1)..]));
    }

    private static QueryRecord Make(string id, string? text)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            throw new FormatException($"query '{id}' has no text");
        }
        return new QueryRecord(id, text);
    }
}
