using System.CommandLine;
using IndexPubMed.Indexing;
using IndexPubMed.Input;
using Splade.Encoder;
using Splade.Lucene.Index;

namespace IndexPubMed.Commands;

/// <summary>
/// <c>index</c>: adds PubMed XML files, JSONL documents and precomputed vectors to an index with BM25
/// fields and a SPLADE field; incremental, idempotent and resumable after a crash.
/// </summary>
internal static class IndexCommand
{
    public static Command Create()
    {
        var index = new Option<DirectoryInfo>("--index") { Description = "index folder (created if missing)", Required = true };
        var model = new Option<DirectoryInfo?>("--model")
        {
            Description = "SPLADE model folder; its ONNX file encodes texts. For precomputed vectors alone a folder without model.onnx is enough (its vocabulary checks the tokens)",
        };
        var vocab = new Option<FileInfo?>("--vocab") { Description = "vocabulary (vocab.txt or tokenizer.json) that precomputed vector tokens are checked against, when there is no --model" };
        var modelId = new Option<string?>("--model-id") { Description = "model id recorded in the index for precomputed vectors indexed without an ONNX model (default: unknown, not checked)" };
        var storage = CommonOptions.Storage("tf");
        var scale = new Option<float>("--scale") { Description = "impact = round(weight x scale); stored in the index", DefaultValueFactory = _ => SpladeFieldOptions.DefaultScale };
        var noSplade = new Option<bool>("--no-splade") { Description = "BM25 fields only (no model needed)" };
        var vectors = new Option<string[]>("--vectors") { Description = "precomputed vector files (Anserini JsonVectorCollection: {\"id\", \"vector\": {token: weight}}, one per line or pretty-printed), indexed without running the model", AllowMultipleArgumentsPerToken = true };
        var commitEvery = new Option<long?>("--commit-every") { Description = $"commit progress every N records (and after each file); default {PubMedIndexerOptions.DefaultCommitEvery:N0} records of text, {PubMedIndexerOptions.DefaultVectorCommitEvery:N0} of precomputed vectors" };
        var commitInterval = new Option<double>("--commit-interval") { Description = "also commit progress when this many seconds have passed since the last commit", DefaultValueFactory = _ => 60 };
        var crashAfter = new Option<long?>("--crash-after") { Description = "test hook: kill the process after N documents", Hidden = true };
        // Tests and benchmarks compare one writer thread with the default.
        var writerThreads = new Option<int?>("--writer-threads") { Description = "threads writing precomputed vectors into the index (default 1)", Hidden = true };
        // Tests and benchmarks compare the held-and-joined vector path with adding each document.
        var noBulkVectors = new Option<bool>("--no-bulk-vectors") { Description = "write every precomputed vector with AddDocument (no one-segment join)", Hidden = true };
        // Tests make the held vectors flush after every batch, as a large run does after millions of postings.
        var bulkMaxPostings = new Option<long?>("--bulk-max-postings") { Description = "test hook: flush held vectors once this many postings are held", Hidden = true };
        var threads = CommonOptions.Threads();
        var batch = CommonOptions.BatchSize();
        var quiet = CommonOptions.Quiet();
        var encoding = new EncodingOptions();
        var shard = new Option<string?>("--shard") { Description = "index only share K of N (K = 0..N-1) of the PMIDs, by a stable hash of the id (records, updates and deletions alike); join the N shard indexes with merge (docs/SCALING.md)" };
        var inputs = new Argument<string[]>("INPUT") { Description = "PubMed XML (.xml, .xml.gz), JSONL documents or vectors, or folders of them; applied in order", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("index", "Index PubMed XML (baseline and update files), JSONL documents and precomputed SPLADE vectors.")
        {
            index, model, vocab, modelId, storage, scale, noSplade, vectors, commitEvery, commitInterval, crashAfter, writerThreads, noBulkVectors, bulkMaxPostings, threads, batch, quiet, inputs,
        };
        encoding.AddTo(command, withMaxLength: false);
        command.Options.Add(shard);
        command.Validators.Add(result =>
        {
            if (result.GetValue(shard) is { } text && !RecordShard.TryParse(text, out _, out string error))
            {
                result.AddError(error);
            }
        });
        command.SetAction((parse, cancellation) => Run(new Arguments
        {
            Index = parse.GetValue(index)!,
            Model = parse.GetValue(model),
            Vocab = parse.GetValue(vocab),
            ModelId = parse.GetValue(modelId),
            Storage = parse.GetValue(storage)!,
            Scale = parse.GetValue(scale),
            NoSplade = parse.GetValue(noSplade),
            Vectors = parse.GetValue(vectors) ?? [],
            CommitEvery = parse.GetValue(commitEvery),
            CommitInterval = parse.GetValue(commitInterval),
            CrashAfter = parse.GetValue(crashAfter),
            WriterThreads = parse.GetValue(writerThreads),
            NoBulkVectors = parse.GetValue(noBulkVectors),
            BulkMaxPostings = parse.GetValue(bulkMaxPostings),
            Threads = parse.GetValue(threads),
            BatchSize = parse.GetValue(batch),
            Quiet = parse.GetValue(quiet),
            Inputs = parse.GetValue(inputs) ?? [],
            EncoderOptions = encoding.Apply(parse, new SpladeEncoderOptions()),
            Shard = parse.GetValue(shard) is { } s && RecordShard.TryParse(s, out var k, out _) ? k : RecordShard.All,
        }, parse.InvocationConfiguration.Error, cancellation));
        return command;
    }

    private static async Task<int> Run(Arguments a, TextWriter error, CancellationToken cancellation)
    {
        // Refuse unusable numbers before anything is opened or committed.
        if ((ArgumentChecks.Scale(a.Scale) ?? (a.CommitEvery is long every ? ArgumentChecks.Positive("--commit-every", every) : null) ?? ArgumentChecks.PositiveSeconds("--commit-interval", a.CommitInterval)
            ?? ArgumentChecks.Positive("--batch-size", a.BatchSize) ?? ArgumentChecks.NotNegative("--threads", a.Threads) ?? (a.WriterThreads is int w ? ArgumentChecks.Positive("--writer-threads", w) : null)
            ?? (a.BulkMaxPostings is long m ? ArgumentChecks.Positive("--bulk-max-postings", m) : null)) is { } bad)
        {
            error.WriteLine($"index: {bad}");
            return 2;
        }
        if (a.Inputs.Length == 0 && a.Vectors.Length == 0)
        {
            error.WriteLine("index: give at least one INPUT or --vectors file.");
            return 2;
        }
        if (a.Vocab is not null && a.Model is not null)
        {
            error.WriteLine("index: give --model or --vocab, not both (a model folder has its own vocabulary).");
            return 2;
        }
        if (a.NoSplade && (a.Model is not null || a.Vocab is not null || a.ModelId is not null))
        {
            error.WriteLine("index: --no-splade indexes BM25 fields only: --model, --vocab and --model-id do not apply.");
            return 2;
        }
        long errors = 0;
        void Report(InputError e)
        {
            Interlocked.Increment(ref errors);
            error.WriteLine($"skipped: {e}");
        }
        var files = InputFiles.Expand(a.Inputs, Report).ToList();
        files.AddRange(a.Vectors.Select(v => new InputFile(Path.GetFullPath(v), InputKind.Vectors)));
        if (files.Count == 0)
        {
            error.WriteLine("index: no input file found.");
            return 1;
        }

        SpladeEncoder? encoder = null;
        Vocabulary? vocabulary = null;
        try
        {
            // CA2000 cannot see that `using var disposeEncoder` right after this try/catch (nothing runs between) disposes it.
#pragma warning disable CA2000
            if (a.Model is not null && HasOnnx(a.Model.FullName))
            {
                a.EncoderOptions.IntraOpNumThreads = a.Threads;
                a.EncoderOptions.BatchSize = a.BatchSize;
                encoder = SpladeEncoder.Create(a.Model.FullName, a.EncoderOptions);
            }
            else if (a.Model is not null)
            {
                vocabulary = LoadVocabulary(a.Model.FullName);
            }
            else if (a.Vocab is not null)
            {
                vocabulary = LoadVocabulary(a.Vocab.FullName);
            }
#pragma warning restore CA2000
        }
        catch (Exception e) when (e is SpladeModelException or IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException or ArgumentException)
        {
            error.WriteLine($"index: {e.Message}");
            return 2;
        }
        using var disposeEncoder = encoder;
        if (encoder is null && !a.NoSplade && !files.Any(f => f.Kind == InputKind.Vectors))
        {
            error.WriteLine(a.Model is not null
                ? $"index: the model folder {a.Model.FullName} has no model.onnx to encode texts for the SPLADE field (precomputed vectors need none); pass --no-splade for BM25 only."
                : "index: --model DIR is needed to encode texts for the SPLADE field (or pass --no-splade for BM25 only).");
            return 2;
        }
        var options = new PubMedIndexerOptions
        {
            IndexDirectory = a.Index.FullName,
            Encoder = encoder,
            NoSplade = a.NoSplade,
            VectorVocabulary = vocabulary,
            VectorModelId = a.ModelId,
            Splade = new SpladeFieldOptions
            {
                FieldName = PubMedSchema.Splade,
                StorageMode = CommonOptions.ParseStorage(a.Storage) ?? SpladeStorageMode.TermFrequency,
                Scale = a.Scale,
                // Term-frequency storage indexed as one token per term (the writer's codec makes it the frequency).
                OneTokenTermFrequency = true,
            },
            BatchSize = Math.Max(a.BatchSize, 1) * 2,
            CommitEvery = a.CommitEvery,
            CommitInterval = TimeSpan.FromSeconds(a.CommitInterval),
            Quiet = a.Quiet,
            CrashAfterDocuments = a.CrashAfter,
            WriterThreads = a.WriterThreads ?? 1,
            BulkVectors = !a.NoBulkVectors,
            BulkMaxPostings = a.BulkMaxPostings ?? VectorBulkWriter.DefaultMaxPostings,
            Shard = a.Shard,
        };
        IndexSummary summary;
        try
        {
            summary = await new PubMedIndexer(options).RunAsync(files, Report, cancellation);
        }
        catch (Exception e) when (e is SpladeIndexMismatchException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Refusals that leave the index as it was (another writer holds it, its SPLADE settings differ, the lock
            // file cannot be written) and failures that stop at the last commit (a full disk).
            error.WriteLine($"index: {e.Message}");
            return 2;
        }
        // Input problems found while listing files count as skipped too.
        summary.Skipped = Interlocked.Read(ref errors);
        if (!a.Quiet)
        {
            error.WriteLine(summary);
        }
        return Interlocked.Read(ref errors) > 0 ? 1 : 0;
    }

    /// <summary>Whether a model folder has the ONNX file the encoder would load.</summary>
    internal static bool HasOnnx(string folder) =>
        File.Exists(Path.Combine(folder, "model.onnx")) || File.Exists(Path.Combine(folder, "onnx", "model.onnx"));

    /// <summary>The vocabulary of a model folder (vocab.txt, else tokenizer.json) or of a vocabulary file.</summary>
    private static Vocabulary LoadVocabulary(string path)
    {
        if (System.IO.Directory.Exists(path))
        {
            string txt = Path.Combine(path, "vocab.txt"), json = Path.Combine(path, "tokenizer.json");
            return File.Exists(txt) ? Vocabulary.LoadVocabTxt(txt)
                : File.Exists(json) ? Vocabulary.LoadTokenizerJson(json)
                : throw new IOException($"The model folder {path} has neither vocab.txt nor tokenizer.json.");
        }
        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? Vocabulary.LoadTokenizerJson(path) : Vocabulary.LoadVocabTxt(path);
    }

    private sealed class Arguments
    {
        public required DirectoryInfo Index { get; init; }

        public DirectoryInfo? Model { get; init; }

        public FileInfo? Vocab { get; init; }

        public string? ModelId { get; init; }

        public required string Storage { get; init; }

        public float Scale { get; init; }

        public bool NoSplade { get; init; }

        public required string[] Vectors { get; init; }

        public long? CommitEvery { get; init; }

        public double CommitInterval { get; init; }

        public long? CrashAfter { get; init; }

        public int? WriterThreads { get; init; }

        public bool NoBulkVectors { get; init; }

        public long? BulkMaxPostings { get; init; }

        public int Threads { get; init; }

        public int BatchSize { get; init; }

        public bool Quiet { get; init; }

        public required string[] Inputs { get; init; }

        public required SpladeEncoderOptions EncoderOptions { get; init; }

        public RecordShard Shard { get; init; } = RecordShard.All;
    }
}
