using System.CommandLine;
using System.Text.Json;
using IndexPubMed.Input;
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
        var input = new Option<FileInfo>("--input", "-i") { Description = "JSONL lines with id (or _id), text and optionally title (BEIR corpus layout); gzip allowed", Required = true };
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
        // Unusable arguments, model or output location: one line naming it, exit 2, no stack trace.
        if ((ArgumentChecks.Positive("--batch-size", batchSize) ?? ArgumentChecks.NotNegative("--threads", threads)
            ?? (top is int t ? ArgumentChecks.Positive("--top", t) : null)) is { } bad)
        {
            Console.Error.WriteLine($"encode: {bad}");
            return 2;
        }
        if (!input.Exists)
        {
            Console.Error.WriteLine($"encode: --input {input.FullName}: no such file.");
            return 2;
        }
        SpladeEncoder encoder;
        try
        {
            encoder = SpladeEncoder.Create(modelDir.FullName, new SpladeEncoderOptions { IntraOpNumThreads = threads, BatchSize = batchSize });
        }
        catch (Exception e) when (e is SpladeModelException or IOException or UnauthorizedAccessException || e.GetType().Name == "OnnxRuntimeException")
        {
            Console.Error.WriteLine($"encode: --model {modelDir.FullName}: {FirstLine(e.Message)}");
            return 2;
        }
        using (encoder)
        {
            Stream outStream;
            try
            {
                outStream = output is null ? Console.OpenStandardOutput() : new FileStream(output.FullName, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"encode: --output {output!.FullName}: {e.Message}");
                return 2;
            }
            try
            {
                return Encode(encoder, input, outStream, asQuery, writeIds, top, quiet);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Input problems are reported per line by the reader, so this is the output (a full disk).
                Console.Error.WriteLine($"encode: cannot write {output?.FullName ?? "the output"}: {e.Message}");
                return 2;
            }
            finally
            {
                outStream.Dispose();
            }
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private static int Encode(SpladeEncoder encoder, FileInfo input, Stream outStream, bool asQuery, bool writeIds, int? top, bool quiet)
    {
        using var writer = new Utf8JsonWriter(outStream);
        var progress = new Progress("texts", null, quiet);
        long done = 0, skipped = 0;
        var pending = new List<(string Id, string Text)>();

        void Flush()
        {
            var texts = pending.Select(p => p.Text).ToList();
            var vectors = asQuery ? encoder.EncodeQueries(texts) : encoder.EncodeDocuments(texts);
            for (int i = 0; i < pending.Count; i++)
            {
                if (top is int k)
                {
                    var pairs = encoder.Decode(vectors[i], k).Select(p => FormattableString.Invariant($"{p.Token} {p.Weight:F3}"));
                    var line = System.Text.Encoding.UTF8.GetBytes($"{pending[i].Id}\t{vectors[i].Count} active\t{string.Join(", ", pairs)}\n");
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

        foreach (var record in JsonlDocumentReader.Read(input.FullName, error =>
        {
            skipped++;
            Console.Error.WriteLine($"skipped: {error}");
        }))
        {
            // BEIR's convention for title + body models: title, a space, then the text.
            pending.Add((record.Id, record.Title.Length > 0 ? record.Title + " " + record.Text : record.Text));
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

    internal static void WriteVector(Utf8JsonWriter writer, string id, SparseVector vector, Vocabulary vocabulary, int[]? inputIds)
    {
        writer.WriteStartObject();
        writer.WriteString("id", id);
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
