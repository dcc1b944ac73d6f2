using System.CommandLine;
using System.Text;
using IndexPubMed.Input;
using Splade.Encoder;
using Splade.Lucene.Formats;

namespace IndexPubMed.Commands;

/// <summary>
/// <c>encode</c>: texts in (plain text lines or JSONL, from files or stdin), Anserini JsonVectorCollection lines
/// out (<c>{"id": ..., "vector": {"token": weight}}</c>), so vectors can be made once and indexed anywhere.
/// </summary>
internal static class EncodeCommand
{
    private const int PendingTexts = 256;

    public static Command Create()
    {
        var model = CommonOptions.Model(required: true);
        var input = new Option<string[]>("--input", "-i")
        {
            Description = "input files, or - for stdin; plain text (one text per line, id = line number) or JSONL with id (or _id), text and optionally title (BEIR corpus layout); gzip allowed",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var format = new Option<string>("--format") { Description = "input format: auto (JSONL when the first non-blank line starts with '{'), jsonl or text", DefaultValueFactory = _ => "auto" };
        format.AcceptOnlyFromAmong("auto", "jsonl", "text");
        var output = new Option<FileInfo?>("--output", "-o") { Description = "output JSONL (default: stdout)" };
        var query = new Option<bool>("--query") { Description = "encode as queries (query prompt) instead of documents" };
        var ids = new Option<bool>("--ids") { Description = "also write the model's input_ids" };
        var topTokens = new Option<int?>("--top-tokens") { Description = "instead of JSON, print each text's N heaviest tokens in plain text" };
        var threads = CommonOptions.Threads();
        var batch = CommonOptions.BatchSize();
        var quiet = CommonOptions.Quiet();
        var shard = new Option<string?>("--shard") { Description = "encode only share K of N (K = 0..N-1) of the records, chosen by a stable hash of the id: N jobs with the same inputs cover every record once (see docs/SCALING.md)" };
        var encoding = new EncodingOptions();
        var command = new Command("encode", "Encode texts into SPLADE vectors (Anserini JsonVectorCollection JSONL).")
        {
            model, input, format, output, query, ids, topTokens, threads, batch, quiet, shard,
        };
        encoding.AddTo(command, withMaxLength: true);
        command.Validators.Add(result =>
        {
            if (result.GetValue(shard) is { } text && !RecordShard.TryParse(text, out _, out string error))
            {
                result.AddError(error);
            }
            // A chunked document is several windows of ids; the ids written would be the first window's only.
            if (result.GetValue(ids) && result.GetValue(encoding.LongText) == "chunk" && !result.GetValue(query))
            {
                result.AddError("--ids writes one sequence of input ids per text: not available with --long-text chunk, which encodes several windows.");
            }
        });
        command.SetAction(parse => Run(new Arguments
        {
            Model = parse.GetValue(model)!,
            Inputs = parse.GetValue(input) ?? [],
            Format = parse.GetValue(format)!,
            Output = parse.GetValue(output),
            AsQuery = parse.GetValue(query),
            WriteIds = parse.GetValue(ids),
            TopTokens = parse.GetValue(topTokens),
            Threads = parse.GetValue(threads),
            BatchSize = parse.GetValue(batch),
            Quiet = parse.GetValue(quiet),
            EncoderOptions = encoding.Apply(parse, new SpladeEncoderOptions { IntraOpNumThreads = parse.GetValue(threads), BatchSize = parse.GetValue(batch) }),
            Shard = parse.GetValue(shard) is { } s && RecordShard.TryParse(s, out var k, out _) ? k : RecordShard.All,
        }, parse.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(Arguments a, TextWriter error)
    {
        if (a.TopTokens is <= 0)
        {
            error.WriteLine($"encode: --top-tokens must be positive, not {a.TopTokens}.");
            return 2;
        }
        if (a.BatchSize <= 0)
        {
            error.WriteLine($"encode: --batch-size must be positive, not {a.BatchSize}.");
            return 2;
        }
        if (a.Threads < 0)
        {
            error.WriteLine($"encode: --threads must be 0 (one per core) or more, not {a.Threads}.");
            return 2;
        }
        if (a.Inputs.Length == 0)
        {
            error.WriteLine("encode: give at least one --input FILE (or - for stdin).");
            return 2;
        }
        if (a.Inputs.FirstOrDefault(i => i != "-" && !File.Exists(i)) is { } missing)
        {
            error.WriteLine($"encode: --input {missing}: no such file.");
            return 2;
        }
        if (a.Inputs.Count(i => i == "-") > 1)
        {
            error.WriteLine("encode: --input - (stdin) can be given once.");
            return 2;
        }

        // CA2000 cannot follow assign-in-try then `using` right after the try/catch (nothing runs in between).
#pragma warning disable CA2000
        SpladeEncoder encoder;
        try
        {
            encoder = SpladeEncoder.Create(a.Model.FullName, a.EncoderOptions);
        }
        catch (Exception e) when (e is SpladeModelException or IOException or UnauthorizedAccessException or ArgumentException || e.GetType().Name == "OnnxRuntimeException")
        {
            error.WriteLine($"encode: --model {a.Model.FullName}: {FirstLine(e.Message)}");
            return 2;
        }
        using var disposeEncoder = encoder;
#pragma warning restore CA2000
        // CA2000 cannot follow assign-in-try then `using` right after the try/catch; the writer owns the stream.
#pragma warning disable CA2000
        Stream outStream;
        try
        {
            outStream = a.Output is null ? Console.OpenStandardOutput() : new FileStream(a.Output.FullName, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"encode: --output {a.Output?.FullName}: {e.Message}");
            return 2;
        }
        using var writer = new JsonVectorWriter(outStream);
#pragma warning restore CA2000
        var progress = new Progress("texts", null, a.Quiet);
        long done = 0, skipped = 0;
        var pending = new List<(string Id, string Text)>();

        void Flush()
        {
            var texts = pending.Select(p => p.Text).ToList();
            var vectors = a.AsQuery ? encoder.EncodeQueries(texts) : encoder.EncodeDocuments(texts);
            for (int i = 0; i < pending.Count; i++)
            {
                if (a.TopTokens is int k)
                {
                    var pairs = encoder.Decode(vectors[i], k).Select(p => FormattableString.Invariant($"{p.Token} {p.Weight:F3}"));
                    outStream.Write(Encoding.UTF8.GetBytes($"{pending[i].Id}\t{vectors[i].Count} active\t{string.Join(", ", pairs)}\n"));
                    continue;
                }
                writer.Write(pending[i].Id, vectors[i], encoder.Vocabulary, a.WriteIds ? encoder.GetInputIds(texts[i], a.AsQuery) : null);
            }
            done += pending.Count;
            pending.Clear();
            progress.Report(done);
        }

        try
        {
            foreach (string input in a.Inputs)
            {
                foreach (var (id, text) in TextInputReader.Read(input, a.Format, a.Inputs.Length > 1, e =>
                {
                    skipped++;
                    error.WriteLine($"skipped: {e}");
                }))
                {
                    if (!a.Shard.Contains(id))
                    {
                        continue;
                    }
                    pending.Add((id, text));
                    if (pending.Count >= PendingTexts)
                    {
                        Flush();
                    }
                }
            }
            if (pending.Count > 0)
            {
                Flush();
            }
            writer.Flush();
        }
        catch (IOException e)
        {
            error.WriteLine($"encode: writing {a.Output?.FullName ?? "stdout"} failed: {e.Message}");
            return 2;
        }
        progress.Finish(done);
        if (!a.Quiet)
        {
            error.WriteLine($"encoded {done:N0} texts, skipped {skipped:N0} lines");
        }
        return skipped > 0 ? 1 : 0;
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private sealed class Arguments
    {
        public required DirectoryInfo Model { get; init; }

        public required string[] Inputs { get; init; }

        public required string Format { get; init; }

        public FileInfo? Output { get; init; }

        public bool AsQuery { get; init; }

        public bool WriteIds { get; init; }

        public int? TopTokens { get; init; }

        public required SpladeEncoderOptions EncoderOptions { get; init; }

        public RecordShard Shard { get; init; } = RecordShard.All;

        public int Threads { get; init; }

        public int BatchSize { get; init; }

        public bool Quiet { get; init; }
    }
}
