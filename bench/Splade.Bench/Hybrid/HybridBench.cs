using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Bench.Lucene;
using Splade.Bench.Pruning;
using Splade.Lucene.Codecs;
using Splade.Lucene.Search;

namespace Splade.Bench.Hybrid;

/// <summary>
/// <c>Splade.Bench hybrid --docs N [--segments S] [--seed S] [--dir PATH] [--k 10] [--queries Q] [--first pruned|exhaustive]
/// [--evaluation auto|maxscore|exhaustive] [--bm25-weight 1] [--splade-weight 0.01] [--window-shifts 7,9,11] [--persisted]</c>: a linear hybrid (bag-of-words
/// BM25 on a text field + SPLADE, <see cref="HybridQuery.Create"/>) searched with <see cref="SpladeSearcher.SearchHybrid"/>,
/// pruned vs exhaustive (the BooleanQuery through <c>searcher.Search</c>, as before). The SPLADE side is the pruning
/// bench's index (<see cref="BenchIndex"/>, term-frequency mode, S equal segments; with <c>--persisted</c>, the same
/// postings written as users' indexes are, one token per term by <see cref="SpladeCodec"/> with persisted bounds); the text side is a second index of
/// synthetic Zipf text (50,000 words, 20 to 220 words per document) written with the same segment boundaries and read
/// beside it through a <see cref="ParallelCompositeReader"/>. The first batch (each query once, fresh process) runs the
/// <c>--first</c> variant; then warm medians of both, interleaved per query in rotating order, checking that both return
/// the same top k with bit-identical scores. Run one process per measurement.
/// </summary>
internal static class HybridBench
{
    private const int TextVocabulary = 50_000;

    public static int Run(string[] args)
    {
        var options = new IndexBenchOptions("/work/bench-data/hybrid");
        bool firstPruned = true;
        float bm25Weight = 1f, spladeWeight = 0.01f;
        var evaluation = SpladeEvaluation.Auto;
        int[] shifts = [HybridMaxScoreBulkScorer.WindowShift];
        bool persisted = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            if (options.TryRead(args[i], Next))
            {
                continue;
            }
            switch (args[i])
            {
                case "--first": firstPruned = Next() switch { "pruned" => true, "exhaustive" => false, var v => throw new ArgumentException($"--first pruned|exhaustive, not {v}") }; break;
                case "--evaluation": evaluation = Enum.Parse<SpladeEvaluation>(Next(), ignoreCase: true); break;
                case "--bm25-weight": bm25Weight = float.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--splade-weight": spladeWeight = float.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--persisted": persisted = true; break;
                case "--window-shifts": shifts = Next().Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray(); break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}");
                    return 2;
            }
        }
        (int docs, int seed, int segments, int queryCount, int k, string root) = (options.Docs, options.Seed, options.Segments, options.Queries, options.K, options.Root);
        var corpus = new SyntheticCorpus(seed);
        string spladePath = persisted ? BenchIndex.EnsureOneToken(corpus, seed, docs, segments, root) : BenchIndex.Ensure(corpus, seed, docs, segments, root);
        string textPath = EnsureText(spladePath, seed);

        long t0 = Stopwatch.GetTimestamp();
        using var spladeReader = DirectoryReader.Open(FSDirectory.Open(spladePath));
        using var textReader = DirectoryReader.Open(FSDirectory.Open(textPath));
        using var reader = new ParallelCompositeReader(false, spladeReader, textReader);
        var searcher = new IndexSearcher(reader) { Similarity = new SpladePerFieldSimilarity("splade") };
        double openMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;

        var analyzer = new WhitespaceAnalyzer(LuceneVersion.LUCENE_48);
        var text = new TextWords(seed);
        var vectors = corpus.Queries(queryCount).ToArray();
        var pruned = new BooleanQuery[queryCount];
        var exhaustive = new BooleanQuery[queryCount];
        double bm25Terms = 0;
        for (int i = 0; i < queryCount; i++)
        {
            var bm25 = BagOfWordsQuery.Build(analyzer, "text", text.Query(i));
            bm25Terms += bm25.Clauses.Count;
            pruned[i] = HybridQuery.Create(bm25, new SpladeQuery("splade", vectors[i], corpus.Vocabulary, new SpladeQueryOptions { Evaluation = evaluation }), bm25Weight, spladeWeight);
            exhaustive[i] = HybridQuery.Create(bm25, new SpladeQuery("splade", vectors[i], corpus.Vocabulary, new SpladeQueryOptions { Exhaustive = true }), bm25Weight, spladeWeight);
        }

        // The batch as a fresh CLI process runs it: each query once.
        var first = firstPruned ? pruned : exhaustive;
        var cold = new double[queryCount];
        for (int i = 0; i < queryCount; i++)
        {
            long t = Stopwatch.GetTimestamp();
            SpladeSearcher.SearchHybrid(searcher, first[i], k);
            cold[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        foreach (var q in firstPruned ? exhaustive : pruned)
        {
            SpladeSearcher.SearchHybrid(searcher, q, k);
        }
        int failures = 0;
        foreach (int shift in shifts)
        {
            HybridMaxScoreBulkScorer.WindowShift = shift;
            var warm = new[] { new double[queryCount], new double[queryCount] };
            int same = 0;
            var stats = new SpladeSearchStats();
            string load = PruningBench.LoadAverage();
            long tierBefore = HybridMaxScoreBulkScorer.TierEntriesRead;
            for (int i = 0; i < queryCount; i++)
            {
                var results = new TopDocs[2];
                for (int r = 0; r < 2; r++)
                {
                    int v = (i + r) % 2;
                    long t = Stopwatch.GetTimestamp();
                    results[v] = SpladeSearcher.SearchHybrid(searcher, v == 0 ? pruned[i] : exhaustive[i], k, v == 0 ? stats : null);
                    warm[v][i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                }
                same += results[0].ScoreDocs.Select(h => (h.Doc, BitConverter.SingleToInt32Bits(h.Score)))
                    .SequenceEqual(results[1].ScoreDocs.Select(h => (h.Doc, BitConverter.SingleToInt32Bits(h.Score)))) ? 1 : 0;
            }
            double p = PruningBench.Median(warm[0]), e = PruningBench.Median(warm[1]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"hybrid docs={docs} window {1 << shift} segments={reader.Leaves.Count} k={k} evaluation={evaluation} weights {bm25Weight}/{spladeWeight} ({queryCount} q, mean {bm25Terms / queryCount:F1} BM25 terms, {vectors.Average(v => v.Count):F1} SPLADE terms) load {load}: open {openMs:F0} ms; " +
                $"first batch ({(firstPruned ? "pruned" : "exhaustive")}): first query {cold[0]:F1} ms, mean {cold.Average():F2} ms; " +
                $"warm median pruned {p:F2} ms exhaustive {e:F2} ms (exhaustive/pruned {e / p:F2}x); warm mean pruned {warm[0].Average():F2} exhaustive {warm[1].Average():F2}; " +
                $"identical {same}/{queryCount}; warm pruned pass: {stats}, tier entries read {HybridMaxScoreBulkScorer.TierEntriesRead - tierBefore}"));
            failures += queryCount - same;
        }
        return failures == 0 ? 0 : 1;
    }

    // The text index beside the SPLADE one: the same number of documents, flushed at the same segment boundaries.
    private static string EnsureText(string spladePath, int seed)
    {
        string path = spladePath + "-text";
        if (File.Exists(Path.Combine(path, "complete")))
        {
            return path;
        }
        if (System.IO.Directory.Exists(path))
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
        int[] sizes;
        using (var splade = DirectoryReader.Open(FSDirectory.Open(spladePath)))
        {
            sizes = splade.Leaves.Select(l => l.AtomicReader.MaxDoc).ToArray();
        }
        var clock = Stopwatch.StartNew();
        var words = new TextWords(seed);
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))
        {
            RAMBufferSizeMB = 512,
            MergePolicy = NoMergePolicy.NO_COMPOUND_FILES,
            Similarity = new SpladePerFieldSimilarity("splade"),
        };
        using (var dir = FSDirectory.Open(path))
        using (var writer = new IndexWriter(dir, config))
        {
            var field = new TextField("text", "", Field.Store.NO);
            var doc = new Document { field };
            int d = 0;
            foreach (int size in sizes)
            {
                for (int i = 0; i < size; i++)
                {
                    field.SetStringValue(words.Document(d++));
                    writer.AddDocument(doc);
                }
                writer.Commit();
            }
        }
        File.WriteAllText(Path.Combine(path, "complete"), DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        Console.WriteLine($"indexed {sizes.Sum()} text documents in {clock.Elapsed.TotalSeconds:F0} s: {path}");
        return path;
    }

    /// <summary>Deterministic Zipf text: word of rank r is "w{r}", drawn with probability proportional to 1/(r + 2.7).</summary>
    private sealed class TextWords
    {
        private readonly int _seed;
        private readonly double[] _cdf = new double[TextVocabulary];

        public TextWords(int seed)
        {
            _seed = seed;
            double sum = 0;
            for (int r = 0; r < TextVocabulary; r++)
            {
                sum += 1.0 / (r + 2.7);
                _cdf[r] = sum;
            }
            for (int r = 0; r < TextVocabulary; r++)
            {
                _cdf[r] /= sum;
            }
        }

        public string Document(int index)
        {
            var random = new Random(unchecked((_seed * 7919) + (index * 31) + 1));
            int n = random.Next(20, 221);
            var sb = new StringBuilder(n * 7);
            for (int i = 0; i < n; i++)
            {
                sb.Append('w').Append(Rank(random)).Append(' ');
            }
            return sb.ToString();
        }

        /// <summary>3 to 10 words, skipping the 20 commonest (stop words).</summary>
        public string Query(int index)
        {
            var random = new Random(unchecked((_seed * 104_729) + (index * 17) + 2));
            int n = random.Next(3, 11);
            var words = new List<string>(n);
            while (words.Count < n)
            {
                int rank = Rank(random);
                if (rank >= 20)
                {
                    words.Add("w" + rank.ToString(CultureInfo.InvariantCulture));
                }
            }
            return string.Join(' ', words);
        }

        private int Rank(Random random)
        {
            int rank = Array.BinarySearch(_cdf, random.NextDouble());
            return rank < 0 ? Math.Min(~rank, TextVocabulary - 1) : rank;
        }
    }
}
