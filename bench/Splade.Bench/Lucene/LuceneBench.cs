using System.Diagnostics;
using System.Globalization;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;
using Splade.Lucene.Search;

namespace Splade.Bench.Lucene;

/// <summary>
/// <c>Splade.Bench lucene [--docs N] [--queries Q] [--mode tf|payload|both] [--seed S] [--dir PATH]</c>:
/// indexes a synthetic corpus, then times top-10 SpladeQuery searches against the plain Lucene baseline
/// (a BooleanQuery of boosted TermQuerys under SpladeSimilarity) and checks that they agree.
/// </summary>
internal static class LuceneBench
{
    public static int Run(string[] args)
    {
        int docs = 50_000, queries = 200, seed = 42;
        string mode = "both";
        string? root = null;
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
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}");
                    return 2;
            }
        }
        var corpus = new SyntheticCorpus(seed);
        Console.WriteLine($"synthetic corpus: seed {seed}, {docs} docs, ~{corpus.MeanTerms} terms/doc, Zipf offset {corpus.Offset:F1}, {queries} queries");
        var queryVectors = corpus.Queries(queries).ToArray();
        var modes = mode switch
        {
            "tf" => new[] { SpladeStorageMode.TermFrequency },
            "payload" => [SpladeStorageMode.Payload],
            _ => [SpladeStorageMode.TermFrequency, SpladeStorageMode.Payload],
        };
        root ??= Path.Combine(Path.GetTempPath(), "splade-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            foreach (var m in modes)
            {
                RunMode(corpus, docs, queryVectors, m, Path.Combine(root, m.ToString()));
            }
        }
        finally
        {
            if (System.IO.Directory.Exists(root))
            {
                System.IO.Directory.Delete(root, recursive: true);
            }
        }
        return 0;
    }

    private static void RunMode(SyntheticCorpus corpus, int docCount, SparseVector[] queries, SpladeStorageMode mode, string path)
    {
        var options = new SpladeFieldOptions { StorageMode = mode };
        var stats = new SpladeIndexingStats();
        var clock = Stopwatch.StartNew();
        using (var dir = FSDirectory.Open(path))
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48)) { RAMBufferSizeMB = 256 }))
        {
            SpladeField? field = null;
            foreach (var vector in corpus.Documents(docCount))
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
        Console.WriteLine($"[{mode}] indexed {docCount} docs in {indexSeconds:F1} s ({docCount / indexSeconds:F0} docs/s), {bytes / 1e6:F1} MB; {stats}");

        using var reader = DirectoryReader.Open(FSDirectory.Open(path));
        int maxDocFreq = 0;
        var termsEnum = MultiFields.GetTerms(reader, options.FieldName).GetEnumerator();
        while (termsEnum.MoveNext())
        {
            maxDocFreq = Math.Max(maxDocFreq, termsEnum.DocFreq);
        }
        Console.WriteLine($"[{mode}] commonest term is in {100.0 * maxDocFreq / docCount:F1}% of the documents");
        var searcher = new IndexSearcher(reader) { Similarity = new SpladePerFieldSimilarity(options.FieldName) };
        var splade = queries.Select(q => (Query)new SpladeQuery(options.FieldName, q, corpus.Vocabulary)).ToArray();
        var spladeMs = Time(searcher, splade, out var spladeTop);
        if (mode != SpladeStorageMode.TermFrequency)
        {
            // TermQuery scores the frequency (1 here), not the payload: there is no like-for-like baseline.
            Console.WriteLine($"[{mode}] segments {reader.Leaves.Count}; top-10 SpladeQuery {Summary(spladeMs)}");
            return;
        }
        var boolean = queries.Select(q => Baseline(options.FieldName, q, corpus.Vocabulary)).ToArray();
        var booleanMs = Time(searcher, boolean, out var booleanTop);
        int same = 0;
        for (int i = 0; i < queries.Length; i++)
        {
            if (spladeTop[i].SequenceEqual(booleanTop[i]))
            {
                same++;
            }
        }
        Console.WriteLine($"[{mode}] segments {reader.Leaves.Count}; top-10 SpladeQuery {Summary(spladeMs)}; BooleanQuery baseline {Summary(booleanMs)}; identical top-10 doc lists {same}/{queries.Length}");
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

    private static double[] Time(IndexSearcher searcher, Query[] queries, out int[][] top)
    {
        for (int i = 0; i < Math.Min(20, queries.Length); i++)
        {
            searcher.Search(queries[i], 10);
        }
        var ms = new double[queries.Length];
        top = new int[queries.Length][];
        for (int i = 0; i < queries.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            var hits = searcher.Search(queries[i], 10);
            ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            top[i] = hits.ScoreDocs.Select(h => h.Doc).ToArray();
        }
        return ms;
    }

    private static string Summary(double[] ms)
    {
        var sorted = ms.OrderBy(x => x).ToArray();
        return $"mean {ms.Average():F2} ms, p50 {sorted[sorted.Length / 2]:F2} ms, p95 {sorted[(int)(sorted.Length * 0.95)]:F2} ms";
    }
}
