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
        var model = CommonOptions.Model(required: false);
        var mode = new Option<string>("--mode") { Description = "SPLADE storage: tf (impact as term frequency) or payload", DefaultValueFactory = _ => "tf" };
        mode.AcceptOnlyFromAmong("tf", "payload");
        var scale = new Option<float>("--scale") { Description = "impact = round(weight x scale)", DefaultValueFactory = _ => SpladeFieldOptions.DefaultScale };
        var noSplade = new Option<bool>("--no-splade") { Description = "BM25 fields only (no model needed)" };
        var vectors = new Option<string[]>("--vectors") { Description = "precomputed vector JSONL files ({\"id\", \"vector\": {token: weight}}), indexed without running the model", AllowMultipleArgumentsPerToken = true };
        var commitEvery = new Option<long>("--commit-every") { Description = "commit progress every N records (and after each file)", DefaultValueFactory = _ => 10_000 };
        var commitInterval = new Option<double>("--commit-interval") { Description = "also commit progress when this many seconds have passed since the last commit", DefaultValueFactory = _ => 60 };
        var crashAfter = new Option<long?>("--crash-after") { Description = "test hook: kill the process after N documents", Hidden = true };
        var threads = CommonOptions.Threads();
        var batch = CommonOptions.BatchSize();
        var quiet = CommonOptions.Quiet();
        var inputs = new Argument<string[]>("INPUT") { Description = "PubMed XML (.xml, .xml.gz), JSONL documents or vectors, or folders of them; applied in order", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("index", "Index PubMed XML (baseline and update files), JSONL documents and precomputed SPLADE vectors.")
        {
            index, model, mode, scale, noSplade, vectors, commitEvery, commitInterval, crashAfter, threads, batch, quiet, inputs,
        };
        command.SetAction((parse, cancellation) => Run(
            parse.GetValue(index)!, parse.GetValue(model), parse.GetValue(mode)!, parse.GetValue(scale), parse.GetValue(noSplade),
            parse.GetValue(vectors) ?? [], parse.GetValue(commitEvery), parse.GetValue(commitInterval), parse.GetValue(crashAfter), parse.GetValue(threads), parse.GetValue(batch),
            parse.GetValue(quiet), parse.GetValue(inputs) ?? [], cancellation));
        return command;
    }

    private static async Task<int> Run(DirectoryInfo index, DirectoryInfo? model, string mode, float scale, bool noSplade, string[] vectorFiles,
        long commitEvery, double commitInterval, long? crashAfter, int threads, int batchSize, bool quiet, string[] inputs, CancellationToken cancellation)
    {
        // Refuse unusable numbers before anything is opened or committed.
        if ((ArgumentChecks.Scale(scale) ?? ArgumentChecks.Positive("--commit-every", commitEvery) ?? ArgumentChecks.PositiveSeconds("--commit-interval", commitInterval)
            ?? ArgumentChecks.Positive("--batch-size", batchSize) ?? ArgumentChecks.NotNegative("--threads", threads)) is { } bad)
        {
            Console.Error.WriteLine($"index: {bad}");
            return 2;
        }
        if (inputs.Length == 0 && vectorFiles.Length == 0)
        {
            Console.Error.WriteLine("index: give at least one INPUT or --vectors file.");
            return 2;
        }
        if (model is null && !noSplade)
        {
            Console.Error.WriteLine("index: --model DIR is needed for the SPLADE field (or pass --no-splade for BM25 only).");
            return 2;
        }
        long errors = 0;
        void Report(InputError e)
        {
            Interlocked.Increment(ref errors);
            Console.Error.WriteLine($"skipped: {e}");
        }
        var files = InputFiles.Expand(inputs, Report).ToList();
        files.AddRange(vectorFiles.Select(v => new InputFile(Path.GetFullPath(v), InputKind.Vectors)));
        if (files.Count == 0)
        {
            Console.Error.WriteLine("index: no input file found.");
            return 1;
        }

        SpladeEncoder? encoder;
        try
        {
            encoder = model is null ? null : SpladeEncoder.Create(model.FullName, new SpladeEncoderOptions { IntraOpNumThreads = threads, BatchSize = batchSize });
        }
        catch (SpladeModelException e)
        {
            Console.Error.WriteLine($"index: {e.Message}");
            return 2;
        }
        using var disposeEncoder = encoder;
        var options = new PubMedIndexerOptions
        {
            IndexDirectory = index.FullName,
            Encoder = encoder,
            Splade = new SpladeFieldOptions
            {
                FieldName = PubMedSchema.Splade,
                StorageMode = mode == "payload" ? SpladeStorageMode.Payload : SpladeStorageMode.TermFrequency,
                Scale = scale,
            },
            BatchSize = Math.Max(batchSize, 1) * 2,
            CommitEvery = commitEvery,
            CommitInterval = TimeSpan.FromSeconds(commitInterval),
            Quiet = quiet,
            CrashAfterDocuments = crashAfter,
        };
        IndexSummary summary;
        try
        {
            summary = await new PubMedIndexer(options).RunAsync(files, Report, cancellation);
        }
        catch (Exception e) when (e is SpladeIndexMismatchException or IOException or UnauthorizedAccessException)
        {
            // Refusals that leave the index as it was (another writer holds it, its SPLADE settings differ, the lock
            // file cannot be written) and failures that stop at the last commit (a full disk).
            Console.Error.WriteLine($"index: {e.Message}");
            return 2;
        }
        // Input problems found while listing files count as skipped too.
        summary.Skipped = Interlocked.Read(ref errors);
        Console.Error.WriteLine(summary);
        return Interlocked.Read(ref errors) > 0 ? 1 : 0;
    }
}
