using System.Globalization;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Bench.Lucene;
using Splade.Encoder;
using Splade.Lucene.Search;

namespace Splade.Bench.Pruning;

/// <summary>
/// <c>Splade.Bench largek-bound --docs N [--segments S] [--seed S] [--dir PATH] [--k 1000] [--queries Q] [--query-vectors FILE]</c>: how much an exact
/// term-at-a-time MaxScore with early termination could at best save at a given k, before building it. Per query and
/// segment, the terms are taken by descending upper bound (<c>weight x max impact in the segment</c>); once the
/// bounds of the terms left sum below the final k-th best score of the whole index (an oracle: the best threshold any
/// exact algorithm could have, known from the start), no unseen document can enter the top k, so the terms left need
/// only be probed for the candidates (documents seen so far whose partial score plus the bounds left reach the
/// threshold). Prints the postings that must still be decoded in full, the candidate probes, and the resulting
/// upper bound of the speed-up over decoding every posting (term at a time), assuming a probe costs a posting.
/// </summary>
internal static class LargeKBound
{
    public static int Run(string[] args)
    {
        var options = new IndexBenchOptions("/work/bench-data", queries: 100, k: 1000);
        string? vectors = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            if (options.TryRead(args[i], Next))
            {
                continue;
            }
            switch (args[i])
            {
                case "--query-vectors": vectors = Next(); break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}");
                    return 2;
            }
        }
        (int docs, int seed, int segments, int queryCount, int k, string root) = (options.Docs, options.Seed, options.Segments, options.Queries, options.K, options.Root);
        var corpus = new SyntheticCorpus(seed);
        string path = BenchIndex.Ensure(corpus, seed, docs, segments, root);
        SparseVector[] queries = vectors is null
            ? corpus.Queries(queryCount).ToArray()
            : PruningBench.ReadWeights(vectors).Take(queryCount).Select((w, i) => corpus.QueryWithWeights(i, w)).ToArray();
        using var reader = DirectoryReader.Open(FSDirectory.Open(path));
        var searcher = new IndexSearcher(reader);
        long total = 0, decoded = 0, probes = 0, candidates = 0, segmentsStopped = 0, segmentCount = 0;
        var perQuery = new List<double>();
        foreach (var vector in queries)
        {
            var query = new SpladeQuery("splade", vector, corpus.Vocabulary, new SpladeQueryOptions { Exhaustive = true });
            var top = SpladeSearcher.Search(searcher, query, k).ScoreDocs;
            double threshold = top.Length < k ? double.PositiveInfinity : top[^1].Score;
            long qTotal = 0, qWork = 0;
            foreach (var leaf in reader.Leaves)
            {
                var terms = leaf.AtomicReader.GetTerms("splade");
                if (terms is null)
                {
                    continue;
                }
                segmentCount++;
                var te = terms.GetEnumerator();
                var list = new List<(double Bound, double Weight, int[] Docs, int[] Impacts)>();
                for (int t = 0; t < vector.Count; t++)
                {
                    if (!te.SeekExact(new BytesRef(corpus.Vocabulary[vector.Indices[t]])))
                    {
                        continue;
                    }
                    var d = te.Docs(null, null, DocsFlags.FREQS);
                    var ds = new List<int>();
                    var imp = new List<int>();
                    int max = 0;
                    while (d.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
                    {
                        ds.Add(d.DocID);
                        imp.Add(d.Freq);
                        max = Math.Max(max, d.Freq);
                    }
                    list.Add(((double)vector.Values[t] * max, vector.Values[t], ds.ToArray(), imp.ToArray()));
                }
                list.Sort((a, b) => b.Bound.CompareTo(a.Bound));
                long segTotal = list.Sum(x => (long)x.Docs.Length);
                var suffix = new double[list.Count + 1];
                for (int i = list.Count - 1; i >= 0; i--)
                {
                    suffix[i] = suffix[i + 1] + list[i].Bound;
                }
                var partial = new double[leaf.AtomicReader.MaxDoc];
                var seen = new bool[leaf.AtomicReader.MaxDoc];
                long segDecoded = 0;
                int p = 0;
                // Decode in full until the bounds left cannot reach the threshold (with a margin for float rounding).
                while (p < list.Count && suffix[p] >= threshold * (1 - 1e-6))
                {
                    var (_, w, ds, imp) = list[p];
                    for (int j = 0; j < ds.Length; j++)
                    {
                        partial[ds[j]] += w * imp[j];
                        seen[ds[j]] = true;
                    }
                    segDecoded += ds.Length;
                    p++;
                }
                long segProbes = 0;
                if (p < list.Count)
                {
                    segmentsStopped++;
                    // Candidates shrink as the terms left are added; each term left probes the candidates still alive.
                    var alive = Enumerable.Range(0, partial.Length).Where(doc => seen[doc] && partial[doc] + suffix[p] >= threshold * (1 - 1e-6)).ToList();
                    candidates += alive.Count;
                    for (int q = p; q < list.Count && alive.Count > 0; q++)
                    {
                        var (_, w, ds, imp) = list[q];
                        segProbes += Math.Min(alive.Count, ds.Length);
                        var index = new Dictionary<int, int>(ds.Length);
                        for (int j = 0; j < ds.Length; j++)
                        {
                            index[ds[j]] = imp[j];
                        }
                        foreach (int doc in alive)
                        {
                            if (index.TryGetValue(doc, out int impact))
                            {
                                partial[doc] += w * impact;
                            }
                        }
                        alive = alive.Where(doc => partial[doc] + suffix[q + 1] >= threshold * (1 - 1e-6)).ToList();
                    }
                }
                total += segTotal;
                decoded += segDecoded;
                probes += segProbes;
                qTotal += segTotal;
                qWork += segDecoded + segProbes;
            }
            perQuery.Add(qWork == 0 ? 1 : (double)qTotal / qWork);
        }
        string set = vectors is null ? "synthetic" : Path.GetFileName(vectors);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"largek-bound docs={docs} k={k} set={set} ({queries.Length} q): postings {total:N0}; decoded in full {decoded:N0} ({100.0 * decoded / total:F1}%); " +
            $"candidate probes {probes:N0}; candidates {candidates:N0}; segments that could stop early {segmentsStopped}/{segmentCount}; " +
            $"speed-up bound (postings / (decoded + probes)): overall {(double)total / (decoded + probes):F2}x, median query {PruningBench.Median(perQuery):F2}x"));
        return 0;
    }
}
