using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Splade.Bench.Lucene;
using Splade.Encoder;
using Splade.Lucene.Search;

namespace Splade.Bench.Pruning;

/// <summary>
/// <c>Splade.Bench pruning [--docs 200000,1000000] [--queries Q] [--segments S] [--seed S] [--dir PATH]
/// [--query-vectors DIR] [--build-only] [--per-query] [--profile-rounds N]</c>: top-10 latency of SpladeSearcher.Search (pruned) against the same
/// SpladeQuery searched exhaustively and against a BooleanQuery of boosted TermQuerys, with one thread and
/// with segments searched in parallel, on the synthetic corpus in term-frequency mode. Variants run
/// interleaved per query (rotating order) after a warm-up pass; results are checked for identity.
/// </summary>
internal static class PruningBench
{
    private const int K = 10;

    public static int Run(string[] args)
    {
        var docCounts = new List<int>();
        int seed = 42, segments = 8, queryCount = 300;
        string root = "/work/bench-data";
        string? vectorsDir = null;
        bool buildOnly = false;
        bool perQuery = false;
        int profileRounds = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--docs": docCounts.AddRange(Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))); break;
                case "--queries": queryCount = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--segments": segments = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--dir": root = Next(); break;
                case "--query-vectors": vectorsDir = Next(); break;
                case "--build-only": buildOnly = true; break;
                case "--per-query": perQuery = true; break;
                case "--profile-rounds": profileRounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}");
                    return 2;
            }
        }
        if (docCounts.Count == 0)
        {
            docCounts.AddRange([200_000, 1_000_000]);
        }
        var corpus = new SyntheticCorpus(seed);
        var querySets = new List<(string Name, SparseVector[] Queries)>
        {
            ($"synthetic ({queryCount} queries, 12-36 terms)", corpus.Queries(queryCount).ToArray()),
        };
        if (vectorsDir is not null)
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(vectorsDir, "*.jsonl").Order(StringComparer.Ordinal))
            {
                var shapes = ReadWeights(file);
                var queries = shapes.Select((w, i) => corpus.QueryWithWeights(i, w)).ToArray();
                querySets.Add(($"{Path.GetFileName(file)} shapes ({queries.Length} queries, median {Median(queries.Select(q => (double)q.Count))} terms)", queries));
            }
        }
        Console.WriteLine($"{DateTime.UtcNow:u}; {Environment.ProcessorCount} cores; load {LoadAverage()}");
        foreach (int docs in docCounts)
        {
            string path = BenchIndex.Ensure(corpus, seed, docs, segments, root);
            if (profileRounds > 0)
            {
                Profile(path, corpus, querySets[0].Queries, profileRounds);
            }
            else if (!buildOnly)
            {
                RunIndex(path, docs, corpus, querySets, perQuery);
            }
        }
        return 0;
    }

    private static void RunIndex(string path, int docs, SyntheticCorpus corpus, List<(string Name, SparseVector[] Queries)> querySets, bool perQuery)
    {
        using var reader = DirectoryReader.Open(FSDirectory.Open(path));
        const string field = "splade";
        var similarity = new SpladePerFieldSimilarity(field);
        var searchers = new[]
        {
            ("1 thread", new IndexSearcher(reader) { Similarity = similarity }),
            ("parallel segments", new IndexSearcher(reader, TaskScheduler.Default) { Similarity = similarity }),
        };
        Console.WriteLine($"\n== {docs} docs, {reader.Leaves.Count} segments, {path}");
        foreach (var (setName, vectors) in querySets)
        {
            var splade = vectors.Select(q => new SpladeQuery(field, q, corpus.Vocabulary)).ToArray();
            var noTiers = vectors.Select(q => new SpladeQuery(field, q, corpus.Vocabulary, new SpladeQueryOptions { ImpactTiers = false })).ToArray();
            var boolean = vectors.Select(q => Baseline(field, q, corpus.Vocabulary)).ToArray();

            // First pruned pass computes the per-segment bounds and tiers of every query term (cached afterwards).
            long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            long start = Stopwatch.GetTimestamp();
            foreach (var q in splade)
            {
                SpladeSearcher.Search(searchers[0].Item2, q, K);
            }
            double firstPass = Stopwatch.GetElapsedTime(start).TotalSeconds;
            long heapAfter = GC.GetTotalMemory(forceFullCollection: true);
            Console.WriteLine($"-- {setName}: first pruned pass (computes impact bounds and tiers) {firstPass:F1} s; managed heap +{(heapAfter - heapBefore) / 1e6:F0} MB (cache for this query set's new terms), now {heapAfter / 1e6:F0} MB");

            foreach (var (threads, searcher) in searchers)
            {
                var variants = new (string Name, Func<int, TopDocs> Search)[]
                {
                    ("pruned", i => SpladeSearcher.Search(searcher, splade[i], K)),
                    ("exhaustive", i => searcher.Search(splade[i], K)),
                    ("BooleanQuery", i => searcher.Search(boolean[i], K)),
                    ("pruned, no tiers", i => SpladeSearcher.Search(searcher, noTiers[i], K)),
                };
                // Warm-up: every query once per variant.
                for (int i = 0; i < splade.Length; i++)
                {
                    foreach (var v in variants)
                    {
                        v.Search(i);
                    }
                }
                var ms = variants.Select(_ => new double[splade.Length]).ToArray();
                var tops = variants.Select(_ => new ScoreDoc[splade.Length][]).ToArray();
                string loadBefore = LoadAverage();
                for (int i = 0; i < splade.Length; i++)
                {
                    for (int r = 0; r < variants.Length; r++)
                    {
                        int v = (i + r) % variants.Length;
                        long t = Stopwatch.GetTimestamp();
                        var hits = variants[v].Search(i);
                        ms[v][i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                        tops[v][i] = hits.ScoreDocs;
                    }
                }
                int exact = 0, sameDocs = 0;
                for (int i = 0; i < splade.Length; i++)
                {
                    bool pruned = tops[0][i].Select(h => (h.Doc, h.Score)).SequenceEqual(tops[1][i].Select(h => (h.Doc, h.Score)));
                    bool untiered = tops[3][i].Select(h => (h.Doc, h.Score)).SequenceEqual(tops[1][i].Select(h => (h.Doc, h.Score)));
                    exact += pruned && untiered ? 1 : 0;
                    sameDocs += tops[0][i].Select(h => h.Doc).SequenceEqual(tops[2][i].Select(h => h.Doc)) ? 1 : 0;
                }
                var stats = new[] { new SpladeSearchStats(), new SpladeSearchStats() };
                for (int i = 0; i < splade.Length; i++)
                {
                    var one = new[] { new SpladeSearchStats(), new SpladeSearchStats() };
                    SpladeSearcher.Search(searcher, splade[i], K, one[0]);
                    SpladeSearcher.Search(searcher, new SpladeQuery(field, vectors[i], corpus.Vocabulary, new SpladeQueryOptions { Exhaustive = true }), K, one[1]);
                    for (int s = 0; s < 2; s++)
                    {
                        stats[s].Add(one[s]);
                    }
                    if (perQuery)
                    {
                        Console.WriteLine($"   q{i} terms {vectors[i].Count}: pruned {ms[0][i]:F2} ms exhaustive {ms[1][i]:F2} ms BooleanQuery {ms[2][i]:F2} ms; postings pruned/exhaustive {one[0].PostingsRead}/{one[1].PostingsRead} = {one[0].PostingsRead / (double)one[1].PostingsRead:F2}");
                    }
                }
                double boolMedian = Median(ms[2]);
                Console.WriteLine($"   [{threads}] load {loadBefore} -> {LoadAverage()}");
                for (int v = 0; v < variants.Length; v++)
                {
                    Console.WriteLine($"   [{threads}] {variants[v].Name,-16} median {Median(ms[v]),7:F2} ms  p99 {Percentile(ms[v], 0.99),7:F2} ms  mean {ms[v].Average(),7:F2} ms  BooleanQuery/this {boolMedian / Median(ms[v]):F2}x (median)");
                }
                Console.WriteLine($"   [{threads}] pruned (both) == exhaustive (docs and scores) {exact}/{splade.Length}; pruned docs == BooleanQuery docs {sameDocs}/{splade.Length}");
                Console.WriteLine($"   [{threads}] per query: pruned scored {stats[0].DocumentsScored / (double)splade.Length:F0} docs, read {stats[0].PostingsRead / (double)splade.Length:F0} postings, windows scored/skipped {stats[0].WindowsScored / (double)splade.Length:F1}/{stats[0].WindowsSkipped / (double)splade.Length:F1}; exhaustive scored {stats[1].DocumentsScored / (double)splade.Length:F0} docs, read {stats[1].PostingsRead / (double)splade.Length:F0} postings");
            }
        }
    }

    // Only the pruned synthetic queries, one thread, for a sampling profiler (perf with DOTNET_PerfMapEnabled=1).
    private static void Profile(string path, SyntheticCorpus corpus, SparseVector[] vectors, int rounds)
    {
        using var reader = DirectoryReader.Open(FSDirectory.Open(path));
        var searcher = new IndexSearcher(reader) { Similarity = new SpladePerFieldSimilarity("splade") };
        var splade = vectors.Select(q => new SpladeQuery("splade", q, corpus.Vocabulary)).ToArray();
        var boolean = vectors.Select(q => Baseline("splade", q, corpus.Vocabulary)).ToArray();
        foreach (var q in splade)
        {
            SpladeSearcher.Search(searcher, q, K);
        }
        for (int r = 0; r < rounds; r++)
        {
            var ms = new double[splade.Length];
            var bms = new double[splade.Length];
            for (int i = 0; i < splade.Length; i++)
            {
                long t = Stopwatch.GetTimestamp();
                SpladeSearcher.Search(searcher, splade[i], K);
                ms[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                t = Stopwatch.GetTimestamp();
                if (Environment.GetEnvironmentVariable("PROFILE_PRUNED_ONLY") is null)
                {
                    searcher.Search(boolean[i], K);
                }
                bms[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }
            Console.WriteLine($"round {r}: pruned median {Median(ms):F2} ms mean {ms.Average():F2} ms; BooleanQuery median {Median(bms):F2} ms; ratio {Median(bms) / Median(ms):F2}x; load {LoadAverage()}");
        }
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

    // Real SPLADE query vectors ({"id", "vector": {token: weight}}): only the weights are kept, rescaled so
    // that the heaviest is 3.5 like the synthetic queries; their tokens have no counterpart in the corpus.
    internal static List<float[]> ReadWeights(string file)
    {
        var result = new List<float[]>();
        foreach (var line in File.ReadLines(file))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            using var json = JsonDocument.Parse(line);
            var weights = json.RootElement.GetProperty("vector").EnumerateObject().Select(p => p.Value.GetDouble()).Where(w => w > 0).ToArray();
            if (weights.Length == 0)
            {
                continue;
            }
            double max = weights.Max();
            result.Add(weights.Select(w => (float)(3.5 * w / max)).ToArray());
        }
        return result;
    }

    internal static double Median(IEnumerable<double> values) => Percentile(values.ToArray(), 0.5);

    internal static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
