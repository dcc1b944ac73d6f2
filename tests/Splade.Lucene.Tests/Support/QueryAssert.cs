using Lucene.Net.Search;

namespace Splade.Lucene.Tests.Support;

/// <summary>Query value-object and explanation checks, like Lucene's QueryUtils.</summary>
public static class QueryAssert
{
    public static void Equal(Query a, Query b)
    {
        Assert.True(a.Equals(b), $"{a} should equal {b}");
        Assert.True(b.Equals(a), $"{b} should equal {a}");
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    public static void NotEqual(Query a, Query b)
    {
        Assert.False(a.Equals(b), $"{a} should differ from {b}");
        Assert.False(b.Equals(a), $"{b} should differ from {a}");
    }

    /// <summary>For every hit of the top <paramref name="n"/>, the explanation is a match and its value is the score, exactly.</summary>
    public static void ExplainEqualsScore(IndexSearcher searcher, Query query, int n)
    {
        foreach (var hit in searcher.Search(query, n).ScoreDocs)
        {
            var explanation = searcher.Explain(query, hit.Doc);
            Assert.True(explanation.IsMatch, $"doc {hit.Doc}: explanation is not a match: {explanation}");
            Assert.True(explanation.Value == hit.Score, $"doc {hit.Doc}: explanation {explanation.Value:R} != score {hit.Score:R}\n{explanation}");
        }
    }

    /// <summary>
    /// For queries whose scorer Lucene itself sums differently from its Explain (BooleanScorer accumulates
    /// in double, BooleanWeight.Explain in float): explanation and score agree within a relative tolerance.
    /// </summary>
    public static void ExplainApproximatesScore(IndexSearcher searcher, Query query, int n, float relativeTolerance = 1e-6f)
    {
        foreach (var hit in searcher.Search(query, n).ScoreDocs)
        {
            var explanation = searcher.Explain(query, hit.Doc);
            Assert.True(explanation.IsMatch, $"doc {hit.Doc}: explanation is not a match: {explanation}");
            Assert.True(Math.Abs(explanation.Value - hit.Score) <= relativeTolerance * Math.Abs(hit.Score),
                $"doc {hit.Doc}: explanation {explanation.Value:R} vs score {hit.Score:R}\n{explanation}");
        }
    }
}
