using System.Diagnostics;
using System.Globalization;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Codecs;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;
using Splade.Lucene.Search;

namespace Splade.Bench.Lucene;

/// <summary>
/// <c>Splade.Bench lucene [--docs N] [--queries Q] [--mode tf|tf1|payload|both|all] [--index-only] [--seed S] [--dir PATH] [--keep]</c>:
/// indexes a synthetic corpus (vectors generated before the clock starts), then times top-10 searches on one
/// thread, SpladeQuery and the plain Lucene baseline (a BooleanQuery of boosted TermQuerys under
/// SpladeSimilarity) interleaved query by query, and checks that they agree. The baseline runs on the
/// term-frequency index only: on a payload index TermQuery scores the frequency (1), not the impact.
/// Every index is written through <see cref="SpladeCodec"/> (persisted bounds). <c>tf</c> emits each term
/// <c>impact</c> times; <c>tf1</c> indexes the same term-frequency index from one token per term
/// (<see cref="SpladeFieldOptions.OneTokenTermFrequency"/>); <c>all</c> runs tf1, payload and tf in that order, and
/// <c>--index-only</c> skips the searches.
/// </summary>
internal static class LuceneBench
{
    public static int Run(string[] args)
    {
        int docs = 50_000, queries = 200, seed = 42;
        string mode = "both";
        string? root = null;
        bool keep = false, indexOnly = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--docs": docs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--queries": queries = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--mode": mode = Next(); break;
                case "--dir": root = Next(); break;
                case "--keep": keep = true; break;
                case "--index-only": indexOnly = true; break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}");
                    return 2;
            }
        }
        var corpus = new SyntheticCorpus(seed);
        Console.WriteLine($"synthetic corpus: seed {seed}, {docs} docs, ~{corpus.MeanTerms} terms/doc, Zipf offset {corpus.Offset:F1}, {queries} queries");
        var queryVectors = corpus.Queries(queries).ToArray();
        Console.WriteLine($"queries: {queryVectors.Average(q => q.Count):F1} terms on average ({queryVectors.Min(q => q.Count)}-{queryVectors.Max(q => q.Count)}), weights {queryVectors.Min(q => q.Values.ToArray().Min()):G3}-{queryVectors.Max(q => q.Values.ToArray().Max()):G3}");
        var clock = Stopwatch.StartNew();
        var documents = corpus.Documents(docs).ToArray();
        Console.WriteLine($"generated {docs} document vectors in {clock.Elapsed.TotalSeconds:F1} s (not counted in indexing): {documents.Average(d => d.Count):F1} terms on average, weights {documents.Min(d => d.Values.ToArray().Min()):G3}-{documents.Max(d => d.Values.ToArray().Max()):G3}");
        var modes = mode switch
        {
            "tf" => new[] { (SpladeStorageMode.TermFrequency, false) },
            "tf1" => [(SpladeStorageMode.TermFrequency, true)],
            "payload" => [(SpladeStorageMode.Payload, false)],
            "all" => [(SpladeStorageMode.TermFrequency, true), (SpladeStorageMode.Payload, false), (SpladeStorageMode.TermFrequency, false)],
            _ => [(SpladeStorageMode.TermFrequency, false), (SpladeStorageMode.Payload, false)],
        };
        root ??= Path.Combine(Path.GetTempPath(), "splade-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            foreach (var (m, oneToken) in modes)
            {
                RunMode(corpus, documents, queryVectors, m, oneToken, indexOnly, Path.Combine(root, m.ToString() + (oneToken ? "-onetoken" : "")));
            }
        }
        finally
        {
            if (!keep && System.IO.Directory.Exists(root))
            {
                System.IO.Directory.Delete(root, recursive: true);
            }
        }
        return 0;
    }

    private static void RunMode(SyntheticCorpus corpus, SparseVector[] documents, SparseVector[] queries, SpladeStorageMode storage, bool oneToken, bool indexOnly, string path)
    {
        int docCount = documents.Length;
        string mode = storage == SpladeStorageMode.Payload ? "Payload" : oneToken ? "TermFrequency, one token" : "TermFrequency, repeated tokens";
        Console.WriteLine($"[{mode}] indexing starts, load average {LoadAverage()}");
        var options = new SpladeFieldOptions { StorageMode = storage, OneTokenTermFrequency = oneToken };
        var codec = oneToken ? new SpladeCodec([options.FieldName], [options.FieldName]) : new SpladeCodec(options.FieldName);
        var stats = new SpladeIndexingStats();
        var clock = Stopwatch.StartNew();
        using (var dir = FSDirectory.Open(path))
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48)) { RAMBufferSizeMB = 256, Codec = codec }))
        {
            SpladeField? field = null;
            foreach (var vector in documents)
            {
                if (field is null)
                {
                    field = new SpladeField(vector, corpus.Vocabulary, options, stats);
                }
                else
                {
                    field.SetVector(vector);
                }
                writer.AddDocument(new Document { field });
            }
            SpladeIndexSettings.From(options, "synthetic").Write(writer);
            writer.Commit();
        }
        double indexSeconds = clock.Elapsed.TotalSeconds;
        long bytes = new DirectoryInfo(path).EnumerateFiles().Sum(f => f.Length);
        Console.WriteLine($"[{mode}] indexed {docCount} docs in {indexSeconds:F1} s ({docCount / indexSeconds:F0} docs/s), {bytes / 1e6:F1} MB ({bytes / 1048576.0:F1} MiB), {(double)stats.Terms / stats.Documents:F1} indexed terms/doc; load average {LoadAverage()}; {stats}");

        using var reader = DirectoryReader.Open(FSDirectory.Open(path));
        int maxDocFreq = 0;
        var termsEnum = MultiFields.GetTerms(reader, options.FieldName).GetEnumerator();
        while (termsEnum.MoveNext())
        {
            maxDocFreq = Math.Max(maxDocFreq, termsEnum.DocFreq);
        }
        var fieldTerms = MultiFields.GetTerms(reader, options.FieldName);
        Console.WriteLine($"[{mode}] commonest term is in {100.0 * maxDocFreq / docCount:F1}% of the documents; sumDocFreq {fieldTerms.SumDocFreq}, sumTotalTermFreq {fieldTerms.SumTotalTermFreq}, positions {fieldTerms.HasPositions}");
        if (indexOnly)
        {
            return;
        }
        var searcher = new IndexSearcher(reader) { Similarity = new SpladePerFieldSimilarity(options.FieldName) };
        var splade = queries.Select(q => (Query)new SpladeQuery(options.FieldName, q, corpus.Vocabulary)).ToArray();
        Console.WriteLine($"[{mode}] segments {reader.Leaves.Count}; searching starts, load average {LoadAverage()}");
        if (storage != SpladeStorageMode.TermFrequency)
        {
            // TermQuery scores the frequency (1 here), not the payload: there is no like-for-like baseline.
            var ms = Time(searcher, [splade], out _);
            Console.WriteLine($"[{mode}] top-10 SpladeQuery {Summary(ms[0])}; load average {LoadAverage()}");
            return;
        }
        var boolean = queries.Select(q => Baseline(options.FieldName, q, corpus.Vocabulary)).ToArray();
        var both = Time(searcher, [splade, boolean], out var top);
        int same = 0;
        for (int i = 0; i < queries.Length; i++)
        {
            if (top[0][i].SequenceEqual(top[1][i]))
            {
                same++;
            }
        }
        Console.WriteLine($"[{mode}] top-10 SpladeQuery {Summary(both[0])}; BooleanQuery baseline {Summary(both[1])}; identical top-10 doc lists {same}/{queries.Length}; load average {LoadAverage()}");
    }

    private static Query Baseline(string field, SparseVector query, Vocabulary vocabulary)
    {
        var boolean = new BooleanQuery(disableCoord: true);
        for (int i = 0; i < query.Count; i++)
        {
            boolean.Add(new TermQuery(new Term(field, vocabulary[query.Indices[i]])) { Boost = query.Values[i] }, Occur.SHOULD);
        }
        return boolean;
    }

    // Interleaved: query i of every kind runs before query i + 1 of any, in an order that alternates, so that
    // a change in machine load or JIT state affects the kinds alike.
    private static double[][] Time(IndexSearcher searcher, Query[][] kinds, out int[][][] top)
    {
        int n = kinds[0].Length;
        for (int i = 0; i < Math.Min(20, n); i++)
        {
            foreach (var queries in kinds)
            {
                searcher.Search(queries[i], 10);
            }
        }
        var ms = kinds.Select(_ => new double[n]).ToArray();
        top = kinds.Select(_ => new int[n][]).ToArray();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < kinds.Length; j++)
            {
                int k = (i + j) % kinds.Length;
                long start = Stopwatch.GetTimestamp();
                var hits = searcher.Search(kinds[k][i], 10);
                ms[k][i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                top[k][i] = hits.ScoreDocs.Select(h => h.Doc).ToArray();
            }
        }
        return ms;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Summary(double[] ms)
    {
        var sorted = ms.OrderBy(x => x).ToArray();
        // Nearest-rank percentiles.
        double Percentile(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return $"mean {ms.Average():F2} ms, median {Percentile(0.5):F2} ms, p95 {Percentile(0.95):F2} ms, p99 {Percentile(0.99):F2} ms";
    }
}
