using Lucene.Net.Search.Similarities;

namespace Splade.Lucene.Search;

/// <summary>
/// The searcher similarity for indexes with SPLADE and text fields: <see cref="SpladeSimilarity"/> for
/// the SPLADE fields, another similarity (BM25 by default) for the rest, coord 1 and query norm 1, so
/// that a hybrid <c>BooleanQuery</c> scores <c>bm25Boost x BM25 + spladeBoost x SPLADE</c>
/// (BM25 ignores the query norm; coord is disabled by <see cref="HybridQuery"/>).
/// </summary>
public sealed class SpladePerFieldSimilarity : PerFieldSimilarityWrapper
{
    private readonly HashSet<string> _spladeFields;
    private readonly SpladeSimilarity _splade = new();

    /// <summary>Creates the similarity.</summary>
    /// <param name="spladeFields">The SPLADE fields.</param>
    /// <param name="otherFields">The similarity of every other field; <see cref="BM25Similarity"/> (k1 1.2, b 0.75) when null.</param>
    public SpladePerFieldSimilarity(IEnumerable<string> spladeFields, Similarity? otherFields = null)
    {
        ArgumentNullException.ThrowIfNull(spladeFields);
        _spladeFields = new HashSet<string>(spladeFields, StringComparer.Ordinal);
        if (_spladeFields.Count == 0)
        {
            throw new ArgumentException("At least one SPLADE field is needed.", nameof(spladeFields));
        }
        OtherFields = otherFields ?? new BM25Similarity();
    }

    /// <summary>Creates the similarity for one SPLADE field.</summary>
    public SpladePerFieldSimilarity(string spladeField, Similarity? otherFields = null)
        : this([spladeField ?? throw new ArgumentNullException(nameof(spladeField))], otherFields)
    {
    }

    /// <summary>The similarity of non-SPLADE fields.</summary>
    public Similarity OtherFields { get; }

    /// <summary>The SPLADE fields.</summary>
    public IReadOnlyCollection<string> SpladeFields => _spladeFields;

    /// <inheritdoc/>
    public override Similarity Get(string name) => _spladeFields.Contains(name) ? _splade : OtherFields;

    /// <summary>Always 1: clauses are not rescaled by the fraction of matching clauses.</summary>
    public override float Coord(int overlap, int maxOverlap) => 1f;

    /// <summary>Always 1: clause boosts act as plain weights.</summary>
    public override float QueryNorm(float valueForNormalization) => 1f;
}
