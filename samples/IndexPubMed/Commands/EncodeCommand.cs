using System.CommandLine;
using System.Text.Json;
using Splade.Encoder;

namespace IndexPubMed.Commands;

/// <summary>
/// <c>encode</c>: JSONL texts in, Anserini JsonVectorCollection lines out
/// (<c>{"id": ..., "vector": {"token": weight}}</c>), so vectors can be made once and indexed anywhere.
/// </summary>
internal static class EncodeCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model(required: true);
        var input = new Option<FileInfo>("--input", "-i") { Description = "JSONL lines with id (or _id), text and optionally title; .gz allowed; - for stdin", Required = true };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "output JSONL (default: stdout)" };
        var query = new Option<bool>("--query") { Description = "encode as queries (query prompt) instead of documents" };
        var ids = new Option<bool>("--ids") { Description = "also write the model's input_ids" };
        var top = new Option<int?>("--top") { Description = "instead of JSON, print each text's N heaviest tokens in plain text" };
        var threads = CommonOptions.Threads();
        var batch = CommonOptions.BatchSize();
        var quiet = CommonOptions.Quiet();
        var command = new Command("encode", "Encode texts into SPLADE vectors (Anserini JsonVectorCollection JSONL).")
        {
            model, input, output, query, ids, top, threads, batch, quiet,
        };
        command.SetAction(parse => Run(
            parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(output), parse.GetValue(query), parse.GetValue(ids),
            parse.GetValue(top), parse.GetValue(threads), parse.GetValue(batch), parse.GetValue(quiet)));
        return command;
    }

    private static int Run(DirectoryInfo modelDir, FileInfo input, FileInfo? output, bool asQuery, bool writeIds, int? top, int threads, int batchSize, bool quiet)
    {
        using var encoder = SpladeEncoder.Create(modelDir.FullName, new SpladeEncoderOptions { IntraOpNumThreads = threads, BatchSize = batchSize });
        using var outStream = output is null ? Console.OpenStandardOutput() : new FileStream(output.FullName, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        using var writer = new Utf8JsonWriter(outStream);
        var progress = new Progress("texts", null, quiet);
        long done = 0, skipped = 0;
        var pending = new List<(JsonElement Id, string Text)>();

        void Flush()
        {
            var texts = pending.Select(p => p.Text).ToList();
            var vectors = asQuery ? encoder.EncodeQueries(texts) : encoder.EncodeDocuments(texts);
            for (int i = 0; i < pending.Count; i++)
            {
                if (top is int k)
                {
                    var pairs = encoder.Decode(vectors[i], k).Select(p => FormattableString.Invariant($"{p.Token} {p.Weight:F3}"));
                    var line = System.Text.Encoding.UTF8.GetBytes($"{pending[i].Id.ToString()}\t{vectors[i].Count} active\t{string.Join(", ", pairs)}\n");
                    outStream.Write(line);
                    continue;
                }
                WriteVector(writer, pending[i].Id, vectors[i], encoder.Vocabulary, writeIds ? encoder.GetInputIds(texts[i], asQuery) : null);
                writer.Flush();
                outStream.WriteByte((byte)'\n');
                writer.Reset();
            }
            done += pending.Count;
            pending.Clear();
            progress.Report(done);
        }

        string source = input.Name == "-" ? "stdin" : input.FullName;
        using var reader = input.Name == "-" ? new StreamReader(Console.OpenStandardInput()) : TextFiles.OpenText(input.FullName);
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException("the line is not a JSON object");
                }
                JsonElement id = root.TryGetProperty("id", out var i1) ? i1 : root.TryGetProperty("_id", out var i2) ? i2 : throw new FormatException("no \"id\" or \"_id\"");
                if (id.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
                {
                    throw new FormatException("the id is not a string or number");
                }
                string text = root.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : throw new FormatException("no \"text\" string");
                if (root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String && title.GetString() is { Length: > 0 } titleText)
                {
                    // BEIR's convention for title + body models: title, a space, then the text.
                    text = titleText + " " + text;
                }
                pending.Add((id.Clone(), text));
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                skipped++;
                Console.Error.WriteLine($"{source}:{lineNumber}: skipped: {e.Message}");
            }
            if (pending.Count >= 256)
            {
                Flush();
            }
        }
        if (pending.Count > 0)
        {
            Flush();
        }
        progress.Finish(done);
        if (!quiet || skipped > 0)
        {
            Console.Error.WriteLine($"encoded {done:N0} texts, skipped {skipped:N0} lines");
        }
        return skipped > 0 ? 1 : 0;
    }

    internal static void WriteVector(Utf8JsonWriter writer, JsonElement id, SparseVector vector, Vocabulary vocabulary, int[]? inputIds)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("id");
        id.WriteTo(writer);
        writer.WriteStartObject("vector");
        var indices = vector.Indices;
        var values = vector.Values;
        for (int i = 0; i < indices.Length; i++)
        {
            writer.WriteNumber(vocabulary[indices[i]], values[i]);
        }
        writer.WriteEndObject();
        if (inputIds is not null)
        {
            writer.WriteStartArray("input_ids");
            foreach (int t in inputIds)
            {
                writer.WriteNumberValue(t);
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }
}
