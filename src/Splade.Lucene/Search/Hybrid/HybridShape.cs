using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;

namespace Splade.Lucene.Search;

/// <summary>
/// A rewritten linear hybrid recognised for pruning: a <see cref="BooleanQuery"/> of two SHOULD clauses, one a
/// <see cref="SpladeQuery"/> and the other the lexical side (a <see cref="TermQuery"/>, or a <see cref="BooleanQuery"/>
/// of SHOULD <see cref="TermQuery"/> clauses), as <see cref="HybridQuery.Create"/> builds it from a bag-of-words query.
/// Anything else (other clause kinds, required or prohibited clauses, minimum-should-match, negative boosts, a text
/// similarity whose score is not known to grow with the frequency and the norm byte) is not recognised and is
/// evaluated exhaustively.
/// </summary>
internal sealed class HybridShape
{
    private HybridShape(BooleanQuery outer, int spladeClause, SpladeQuery splade, Query lexical, TermQuery[] terms)
    {
        Outer = outer;
        SpladeClause = spladeClause;
        Splade = splade;
        Lexical = lexical;
        Terms = terms;
    }

    public BooleanQuery Outer { get; }

    /// <summary>Index of the SPLADE clause in <see cref="Outer"/>.</summary>
    public int SpladeClause { get; }

    public SpladeQuery Splade { get; }

    /// <summary>The lexical clause: a TermQuery or a BooleanQuery of TermQuerys.</summary>
    public Query Lexical { get; }

    /// <summary>The lexical term clauses in clause order.</summary>
    public TermQuery[] Terms { get; }

    /// <summary>The SPLADE clause of a hybrid's outer query, whether or not the rest is prunable (null if none).</summary>
    public static SpladeQuery? FindSplade(Query query) =>
        query is BooleanQuery { Clauses.Count: 2 } bq
            ? bq.Clauses[0].Query as SpladeQuery ?? bq.Clauses[1].Query as SpladeQuery
            : null;

    /// <summary>The shape of <paramref name="rewritten"/> (a rewritten query), or null when it is not a prunable hybrid.</summary>
    public static HybridShape? Recognise(Query rewritten, Similarity similarity)
    {
        if (rewritten is not BooleanQuery { Clauses.Count: 2, MinimumNumberShouldMatch: 0 } outer || !(outer.Boost >= 0))
        {
            return null;
        }
        int spladeClause = outer.Clauses[0].Query is SpladeQuery ? 0 : outer.Clauses[1].Query is SpladeQuery ? 1 : -1;
        if (spladeClause < 0 || outer.Clauses.Any(c => c.Occur != Occur.SHOULD))
        {
            return null;
        }
        var splade = (SpladeQuery)outer.Clauses[spladeClause].Query;
        if (!(splade.Boost >= 0) || splade.TermWeights.Any(t => t.Value < 0))
        {
            return null;
        }
        var lexical = outer.Clauses[1 - spladeClause].Query;
        TermQuery[] terms;
        switch (lexical)
        {
            case TermQuery tq:
                terms = [tq];
                break;
            case BooleanQuery { MinimumNumberShouldMatch: 0 } bq when bq.Boost >= 0
                && bq.Clauses.All(c => c.Occur == Occur.SHOULD && c.Query is TermQuery):
                terms = bq.Clauses.Select(c => (TermQuery)c.Query).ToArray();
                break;
            default:
                return null;
        }
        foreach (var t in terms)
        {
            if (!(t.Boost >= 0) || !Monotone(similarity, t.Term.Field))
            {
                return null;
            }
        }
        return new HybridShape(outer, spladeClause, splade, lexical, terms);
    }

    // Similarities whose score for a fixed query term never decreases with the frequency or the (unsigned) norm byte.
    private static bool Monotone(Similarity similarity, string field)
    {
        var s = similarity is PerFieldSimilarityWrapper perField ? perField.Get(field) : similarity;
        var type = s?.GetType();
        return type == typeof(BM25Similarity) || type == typeof(DefaultSimilarity);
    }
}
