using Lucene.Net.Index;
using Lucene.Net.Search;
using Splade.Encoder;
using Splade.Lucene.Search;

namespace Splade.Lucene.Tests.Support;

/// <summary>
/// What the pruning tests share: the k values, the options forcing the pruning scorer, the bit-exact comparison
/// of two rankings and the comparison of every optimised search of a query with Lucene's exhaustive search.
/// </summary>
public static class ExactSearchAssert
{
    /// <summary>The k values of the exactness properties (issue 10: 1, 10, 100 and the default run depth 1000).</summary>
    public static readonly int[] Ks = [1, 10, 100, 1000];

    /// <summary>
    /// Options forcing the pruning scorer at every k, whatever the per-segment chooser would pick for a small test
    /// corpus (which sends large k to term-at-a-time evaluation; the chooser's own test is SpladeEvaluationChooserTests).
    /// </summary>
    internal static SpladeQueryOptions MaxScore(SpladeQueryOptions? options = null)
    {
        var copy = options?.Clone() ?? new SpladeQueryOptions();
        copy.Evaluation = SpladeEvaluation.MaxScore;
        return copy;
    }

    /// <summary>The (doc, score) pairs of <paramref name="hits"/>, in order.</summary>
    public static List<(int Doc, float Score)> Pairs(ScoreDoc[] hits) => hits.Select(h => (h.Doc, h.Score)).ToList();

    /// <summary>Same documents, same order, bit-identical scores.</summary>
    public static void SameHits(ScoreDoc[] expected, ScoreDoc[] actual, string what) => SameHits(Pairs(expected), actual, what);

    /// <summary>Same documents, same order, bit-identical scores.</summary>
    public static void SameHits(IReadOnlyList<(int Doc, float Score)> expected, ScoreDoc[] actual, string what)
    {
        Assert.True(expected.Count == actual.Length, $"{what}: {actual.Length} hits, expected {expected.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(
                expected[i].Doc == actual[i].Doc && BitConverter.SingleToInt32Bits(expected[i].Score) == BitConverter.SingleToInt32Bits(actual[i].Score),
                $"{what}: rank {i}: got doc {actual[i].Doc} score {actual[i].Score:R}, expected doc {expected[i].Doc} score {expected[i].Score:R}");
        }
    }

    /// <summary>
    /// For every query and every k of <see cref="Ks"/>: <see cref="SpladeSearcher.Search"/> with the given options
    /// (default: the pruning scorer forced) on a sequential and on a parallel searcher, and Lucene's exhaustive search on
    /// the parallel searcher, all return exactly the sequential exhaustive <c>searcher.Search(query, k)</c>.
    /// </summary>
    /// <returns>How many of the (query, k) searches had at least one hit.</returns>
    internal static int PrunedEqualsExhaustive(IndexReader reader, Vocabulary vocabulary, IReadOnlyList<SparseVector> queries, string what, SpladeQueryOptions? options = null, SpladeSearchStats? stats = null)
    {
        var sequential = new IndexSearcher(reader);
        var parallel = new IndexSearcher(reader, TaskScheduler.Default);
        options ??= MaxScore();
        int nonEmpty = 0;
        for (int q = 0; q < queries.Count; q++)
        {
            var query = new SpladeQuery(RandomSpladeCorpus.FieldName, queries[q], vocabulary, options);
            foreach (int k in Ks)
            {
                var expected = Pairs(sequential.Search(query, k).ScoreDocs);
                nonEmpty += expected.Count > 0 ? 1 : 0;
                SameHits(expected, SpladeSearcher.Search(sequential, query, k, stats).ScoreDocs, $"{what} query {q} k={k}");
                SameHits(expected, SpladeSearcher.Search(parallel, query, k, stats).ScoreDocs, $"{what} query {q} k={k} parallel");
                SameHits(expected, parallel.Search(query, k).ScoreDocs, $"{what} query {q} k={k} parallel exhaustive");
            }
        }
        return nonEmpty;
    }
}
