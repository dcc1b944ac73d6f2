using System.Diagnostics;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Bench.Common;
using Splade.Bench.Encoder;
using Splade.Encoder;
using Splade.Lucene;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;

namespace Splade.Bench.Facade;

/// <summary>
/// Documents per second indexed through the <see cref="SpladeIndex"/> facade (<c>Add</c> of all documents, batched
/// encoding inside, then <c>Commit</c>) against hand-written batched indexing: <c>EncodeDocuments</c> per batch of the
/// same size, then a <see cref="SpladeField"/> per document added with an <see cref="IndexWriter"/>, then a commit.
/// Both write the same fields (id, stored BM25 text, SPLADE) into a new folder; runs alternate (AB BA ...) after a
/// warm-up and the report is the median of each and the ratio of the medians. Goal: facade >= 0.9x.
/// </summary>
internal static class FacadeIndexingBench
{
    public static int Run(BenchArguments args)
    {
        string modelDir = args.Get("model", Path.Combine(BenchEnvironment.RepositoryRoot, "tests", "fixtures", "tiny-splade"));
        int threads = args.Get("threads", 2);
        int batchSize = args.Get("batch", 32);
        int count = args.Get("docs", 256);
        int rounds = args.Get("rounds", 4);
        int minPieces = args.Get("min-pieces", 128);
        int seed = args.Get("seed", 42);
        args.RejectUnknown();

        BenchEnvironment.PrintHeader("Indexing: SpladeIndex facade vs EncodeDocuments + SpladeField");
        using var encoder = SpladeEncoder.Create(modelDir, new SpladeEncoderOptions { IntraOpNumThreads = threads, BatchSize = batchSize });
        var texts = BenchTexts.Documents(BenchEnvironment.ScifactCorpus, encoder.Tokenizer, count, minPieces, seed);
        Console.WriteLine($"model:        {modelDir}, {threads} intra-op threads");
        Console.WriteLine($"documents:    {texts.Count} SciFact-based texts of at least {minPieces} word pieces (seed {seed}), batches of {batchSize}");
        Console.WriteLine($"rounds:       {rounds} per path, alternating, after one warm-up of each");
        Console.WriteLine();

        string root = Path.Combine(Path.GetTempPath(), "splade-bench-facade-" + Environment.ProcessId);
        System.IO.Directory.CreateDirectory(root);
        try
        {
            int run = 0;
            double Facade()
            {
                string folder = Path.Combine(root, $"facade-{run++}");
                long start = Stopwatch.GetTimestamp();
                using (var index = SpladeIndex.Create(folder, encoder, new SpladeIndexOptions { BatchSize = batchSize }))
                {
                    index.Add(texts.Select((t, i) => new SpladeDocument(i.ToString(System.Globalization.CultureInfo.InvariantCulture), t)));
                    index.Commit();
                }
                return texts.Count / Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
            double Manual()
            {
                string folder = Path.Combine(root, $"manual-{run++}");
                long start = Stopwatch.GetTimestamp();
                var options = new SpladeFieldOptions();
                using (var directory = FSDirectory.Open(folder))
                using (var analyzer = new StandardAnalyzer(LuceneVersion.LUCENE_48))
                using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, analyzer) { RAMBufferSizeMB = 64 }))
                {
                    for (int b = 0; b < texts.Count; b += batchSize)
                    {
                        var batch = texts.Skip(b).Take(batchSize).ToList();
                        var vectors = encoder.EncodeDocuments(batch);
                        for (int i = 0; i < batch.Count; i++)
                        {
                            writer.AddDocument(new Document
                            {
                                new StringField("id", (b + i).ToString(System.Globalization.CultureInfo.InvariantCulture), Field.Store.YES),
                                new TextField("text", batch[i], Field.Store.YES),
                                new SpladeField(vectors[i], encoder.Vocabulary, options),
                            });
                        }
                    }
                    SpladeIndexSettings.From(options, encoder).Write(writer);
                    writer.Commit();
                }
                return texts.Count / Stopwatch.GetElapsedTime(start).TotalSeconds;
            }

            Console.WriteLine($"warm-up:      facade {Facade():F1} docs/s, encode + SpladeField {Manual():F1} docs/s");
            var facade = new List<double>();
            var manual = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                if (r % 2 == 0)
                {
                    facade.Add(Facade());
                    manual.Add(Manual());
                }
                else
                {
                    manual.Add(Manual());
                    facade.Add(Facade());
                }
                Console.WriteLine($"round {r + 1}:      facade {facade[^1]:F1} docs/s, encode + SpladeField {manual[^1]:F1} docs/s");
            }
            double f = Statistics.Median(facade), m = Statistics.Median(manual);
            Console.WriteLine();
            Console.WriteLine($"median:       facade {f:F1} docs/s, encode + SpladeField {m:F1} docs/s, ratio {f / m:F3}");
            return 0;
        }
        finally
        {
            System.IO.Directory.Delete(root, recursive: true);
        }
    }
}
