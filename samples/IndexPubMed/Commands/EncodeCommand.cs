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
        var shard = new Option<string?>("--shard") { Description = "encode only share K of N (K = 0..N-1) of the records, chosen by a stable hash of the id: N jobs with the same inputs cover every record once (see docs/SCALING.md)" };
        var encoding = new EncodingOptions();
        var command = new Command("encode", "Encode texts into SPLADE vectors (Anserini JsonVectorCollection JSONL).")
        {
            model, input, output, query, ids, top, threads, batch, quiet, shard,
        };
        encoding.AddTo(command, withMaxLength: true);
        command.Validators.Add(result =>
        {
            if (result.GetValue(shard) is { } text && !RecordShard.TryParse(text, out _, out string error))
            {
                result.AddError(error);
            }
        });
        command.SetAction(parse => Run(
            parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(output), parse.GetValue(query), parse.GetValue(ids),
            parse.GetValue(top), encoding.Apply(parse, new SpladeEncoderOptions { IntraOpNumThreads = parse.GetValue(threads), BatchSize = parse.GetValue(batch) }),
            parse.GetValue(shard) is { } s && RecordShard.TryParse(s, out var k, out _) ? k : RecordShard.All, parse.GetValue(quiet)));
        return command;
    }

    private static int Run(DirectoryInfo modelDir, FileInfo input, FileInfo? output, bool asQuery, bool writeIds, int? top, SpladeEncoderOptions encoderOptions, RecordShard shard, bool quiet)
    {
        SpladeEncoder encoderOrNull;
        try
        {
            encoderOrNull = SpladeEncoder.Create(modelDir.FullName, encoderOptions);
        }
        catch (Exception e) when (e is SpladeModelException or ArgumentException)
        {
            Console.Error.WriteLine($"encode: {e.Message}");
            return 2;
        }
        using var encoder = encoderOrNull;
        using var outStream = output is null ? Console.OpenStandardOutput() : new FileStream(output.FullName, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
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
            if (!shard.Contains(record.Id))
            {
                continue;
            }
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
