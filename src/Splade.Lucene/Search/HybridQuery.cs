using Lucene.Net.Search;

namespace Splade.Lucene.Search;

/// <summary>
/// Builds a linear hybrid of a lexical (BM25) query and a SPLADE query in one Lucene query:
/// <c>bm25Weight x BM25 + spladeWeight x SPLADE</c>, a document matching either side being a hit.
/// Search it with a searcher whose similarity is <see cref="SpladePerFieldSimilarity"/> (BM25 for text
/// fields, query norm 1). The raw scores are on different scales (SPLADE scores are about
/// <c>scale x</c> the model's dot product), so choose the weights accordingly, or use
/// <see cref="RankFusion"/> on two separate result lists.
/// </summary>
public static class HybridQuery
{
    /// <summary>
    /// A <c>BooleanQuery</c> without coord holding copies of both queries as SHOULD clauses, their boosts
    /// multiplied by the weights.
    /// </summary>
    /// <exception cref="ArgumentException">A weight is negative, NaN or infinite.</exception>
    public static BooleanQuery Create(Query bm25Query, Query spladeQuery, float bm25Weight, float spladeWeight)
    {
        ArgumentNullException.ThrowIfNull(bm25Query);
        ArgumentNullException.ThrowIfNull(spladeQuery);
        CheckWeight(bm25Weight, nameof(bm25Weight));
        CheckWeight(spladeWeight, nameof(spladeWeight));
        var lexical = (Query)bm25Query.Clone();
        lexical.Boost *= bm25Weight;
        var splade = (Query)spladeQuery.Clone();
        splade.Boost *= spladeWeight;
        return new BooleanQuery(disableCoord: true)
        {
            { lexical, Occur.SHOULD },
            { splade, Occur.SHOULD },
        };
    }

    private static void CheckWeight(float weight, string name)
    {
        if (!float.IsFinite(weight) || weight < 0)
        {
            throw new ArgumentException($"{name} must be a finite non-negative number, not {weight}.", name);
        }
    }
}
