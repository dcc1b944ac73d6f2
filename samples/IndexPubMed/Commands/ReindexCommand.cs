using System.CommandLine;
using IndexPubMed.Indexing;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Splade.Encoder;
using Splade.Lucene.Index;
using Splade.Lucene.Reindexing;

namespace IndexPubMed.Commands;

/// <summary>
/// <c>reindex</c>: recomputes the SPLADE field of every document (after a model change), or adds one to
/// any existing Lucene.NET 4.8 index from its stored text fields. Resumable; the index changes in one
/// commit at the end.
/// </summary>
internal static class ReindexCommand
{
    public static Command Create()
    {
        var index = new Option<DirectoryInfo>("--index") { Description = "index folder (an IndexPubMed index or any Lucene.NET 4.8 index)", Required = true };
        var model = CommonOptions.Model(required: true);
        var textFields = new Option<string[]>("--text-fields")
        {
            Description = "stored fields to encode, joined by spaces (default: title abstract, the IndexPubMed fields)",
            AllowMultipleArgumentsPerToken = true,
        };
        var field = new Option<string>("--splade-field") { Description = "the SPLADE field to build", DefaultValueFactory = _ => PubMedSchema.Splade };
        var mode = CommonOptions.Storage(null);
        var scale = new Option<float?>("--scale") { Description = "impact scale (default: the index's stored setting, else 100)" };
        var commitEvery = new Option<int>("--commit-every") { Description = "commit progress every N documents", DefaultValueFactory = _ => 10_000 };
        var crashAfter = new Option<long?>("--crash-after") { Description = "test hook: kill the process after N documents", Hidden = true };
        var threads = CommonOptions.Threads();
        var batch = CommonOptions.BatchSize();
        var quiet = CommonOptions.Quiet();
        var encoding = new EncodingOptions();
        var command = new Command("reindex", "Recompute the SPLADE field of every document from stored text (after a model change), or add one to an existing Lucene.NET index.")
        {
            index, model, textFields, field, mode, scale, commitEvery, crashAfter, threads, batch, quiet,
        };
        // Long texts are handled as index handles them (--long-text, --stride), and the model runs where --device says.
        encoding.AddTo(command, withMaxLength: false);
        command.SetAction(parse => Run(parse.GetValue(index)!, parse.GetValue(model)!, parse.GetValue(textFields), parse.GetValue(field)!,
            parse.GetValue(mode), parse.GetValue(scale), parse.GetValue(commitEvery), parse.GetValue(crashAfter),
            encoding.Apply(parse, new SpladeEncoderOptions { IntraOpNumThreads = parse.GetValue(threads), BatchSize = parse.GetValue(batch) }),
            parse.GetValue(quiet), parse.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(DirectoryInfo index, DirectoryInfo model, string[]? textFields, string field, string? mode, float? scale,
        int commitEvery, long? crashAfter, SpladeEncoderOptions encoderOptions, bool quiet, TextWriter error)
    {
        try
        {
            SpladeIndexSettings? stored;
            using (var dir = FSDirectory.Open(index.FullName))
            {
                if (!IndexCommits.HasCommit(dir))
                {
                    error.WriteLine($"reindex: there is no index in {index.FullName}.");
                    return 2;
                }
                using var reader = DirectoryReader.Open(dir);
                stored = SpladeIndexSettings.Read(reader, field);
            }
            using var encoder = SpladeEncoder.Create(model.FullName, encoderOptions);
            string workPath = Path.GetFullPath(index.FullName).TrimEnd(Path.DirectorySeparatorChar) + ".splade-reindex";
            using var indexLock = IndexLock.Acquire(index.FullName);
            using var directory = FSDirectory.Open(index.FullName);
            using var work = FSDirectory.Open(workPath);
            var progress = new Progress("documents", null, quiet);
            var reindexer = new SpladeReindexer(new SpladeReindexerOptions
            {
                Index = directory,
                Work = work,
                Encoder = encoder,
                Splade = new SpladeFieldOptions
                {
                    FieldName = field,
                    StorageMode = CommonOptions.ParseStorage(mode) ?? stored?.StorageMode ?? SpladeStorageMode.TermFrequency,
                    Scale = scale ?? stored?.Scale ?? SpladeFieldOptions.DefaultScale,
                },
                TextFields = textFields is { Length: > 0 } ? textFields : [PubMedSchema.Title, PubMedSchema.Abstract],
                BatchSize = Math.Max(1, encoderOptions.BatchSize) * 2,
                CommitEvery = Math.Max(1, commitEvery),
                CreateJoinWriterConfig = () => Bm25Index.CreateWriterConfig(PubMedSchema.CreateAnalyzer()),
                Progress = new CallbackProgress(done =>
                {
                    progress.Report(done);
                    if (crashAfter is long crash && done >= crash)
                    {
                        // Test hook: die like kill -9, with no unwinding, flushing or committing.
                        System.Diagnostics.Process.GetCurrentProcess().Kill();
                    }
                }),
            });
            long documents = reindexer.Reindex();
            progress.Finish(reindexer.Encoded);
            System.IO.Directory.Delete(workPath, recursive: true);
            if (!quiet)
            {
                error.WriteLine($"reindexed {documents:N0} documents ({reindexer.Encoded:N0} encoded by this run) with model {encoder.ModelId}");
            }
            return 0;
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"reindex: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is SpladeModelException or SpladeIndexMismatchException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"reindex: {e.Message}");
            return 2;
        }
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports synchronously, on the reindexer's thread.</summary>
    private sealed class CallbackProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
