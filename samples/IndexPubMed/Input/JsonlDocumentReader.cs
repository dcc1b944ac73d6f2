using System.Text.Json;

namespace IndexPubMed.Input;

/// <summary>
/// Reads JSON-lines corpora: one object per line with "_id" or "id", optional "title", and "text"
/// (Anserini's "contents" is accepted when there is no "text"); other properties are ignored. This
/// is BEIR's corpus.jsonl layout. Plain or gzip (detected by content).
/// </summary>
public static class JsonlDocumentReader
{
    /// <summary>
    /// Reads <paramref name="path"/> lazily. A bad line (not JSON, no id, no text) is reported to
    /// <paramref name="onError"/> with its line number and skipped; blank lines are ignored.
    /// </summary>
    public static IEnumerable<DocumentRecord> Read(string path, Action<InputError> onError)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(onError);
        return JsonLines.Read(path, onError, Parse).Select(x => x.Item);
    }

    internal static DocumentRecord Parse(ReadOnlySpan<byte> line)
    {
        var reader = JsonLines.Begin(line);
        string? id = null, title = null, text = null, contents = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string? name = reader.ValueTextEquals("_id"u8) ? "_id"
                : reader.ValueTextEquals("id"u8) ? "id"
                : reader.ValueTextEquals("title"u8) ? "title"
                : reader.ValueTextEquals("text"u8) ? "text"
                : reader.ValueTextEquals("contents"u8) ? "contents"
                : null;
            reader.Read();
            switch (name)
            {
                case "_id":
                case "id":
                    // "_id" is BEIR's key; when both appear, prefer it over a generic "id".
                    string value = JsonLines.ReadId(ref reader, name);
                    if (name == "_id" || id is null)
                    {
                        id = value;
                    }
                    break;
                case "title":
                    title = JsonLines.ReadString(ref reader, name);
                    break;
                case "text":
                    text = JsonLines.ReadString(ref reader, name);
                    break;
                case "contents":
                    contents = JsonLines.ReadString(ref reader, name);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        JsonLines.End(ref reader);
        if (id is null)
        {
            throw new FormatException("no \"_id\" or \"id\"");
        }
        text ??= contents;
        if (text is null)
        {
            throw new FormatException($"document '{id}' has no \"text\"");
        }
        return new DocumentRecord(id, title ?? "", text);
    }
}
