using System.Text;

namespace IndexPubMed.Input;

/// <summary>
/// Texts to encode from a file or stdin (<c>-</c>): JSONL documents (id or _id, text, optional title; a title
/// is joined to the text with a space, BEIR's convention) or plain text, one text per non-blank line whose id
/// is its line number (<c>FILE:LINE</c> when several inputs are read).
/// </summary>
internal static class TextInputReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="path">A file (gzip detected by content) or <c>-</c> for stdin.</param>
    /// <param name="format"><c>auto</c> (JSONL when the first non-blank line starts with <c>{</c>), <c>jsonl</c> or <c>text</c>.</param>
    /// <param name="qualifyIds">Whether plain-text ids carry the file name.</param>
    /// <param name="onError">Receives each skipped line.</param>
    public static IEnumerable<(string Id, string Text)> Read(string path, string format, bool qualifyIds, Action<InputError> onError)
    {
        string name = path == "-" ? "stdin" : path;
        // CA2000 cannot follow assign-in-try then `using` right after the try/catch (an iterator cannot yield inside a try with catch).
#pragma warning disable CA2000
        Utf8LineReader lines;
        try
        {
            lines = new Utf8LineReader(path == "-" ? Console.OpenStandardInput() : InputStreams.Open(path));
        }
        catch (Exception e) when (InputStreams.IsDataOrIoError(e))
        {
            onError(new InputError(name, 0, $"cannot open: {e.Message}"));
            yield break;
        }
        using (lines)
#pragma warning restore CA2000
        {
            bool? jsonl = format switch { "jsonl" => true, "text" => false, _ => null };
            while (true)
            {
                (string Id, string Text)? item = null;
                try
                {
                    if (!lines.TryReadLine(out var memory))
                    {
                        yield break;
                    }
                    var line = memory.Span;
                    if (JsonLines.IsBlank(line))
                    {
                        continue;
                    }
                    jsonl ??= line.TrimStart(" \t"u8).StartsWith("{"u8) || line.StartsWith("\uFEFF{"u8);
                    if (jsonl == true)
                    {
                        var doc = JsonlDocumentReader.Parse(line);
                        item = (doc.Id, doc.Title.Length > 0 ? doc.Title + " " + doc.Text : doc.Text);
                    }
                    else
                    {
                        string text = StrictUtf8.GetString(line).TrimEnd('\r');
                        string number = lines.LineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        item = (qualifyIds ? $"{name}:{number}" : number, text);
                    }
                }
                catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or DecoderFallbackException or InvalidOperationException or ArgumentException)
                {
                    onError(new InputError(name, lines.LineNumber, e is DecoderFallbackException ? "invalid UTF-8" : e.Message));
                    continue;
                }
                catch (Exception e) when (InputStreams.IsDataOrIoError(e))
                {
                    onError(new InputError(name, lines.LineNumber + 1, $"read error: {e.Message} (reading stopped; earlier lines were kept)"));
                    yield break;
                }
                yield return item.Value;
            }
        }
    }
}
