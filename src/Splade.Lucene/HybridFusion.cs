namespace Splade.Lucene;

/// <summary>How a hybrid search combines BM25 and SPLADE.</summary>
public enum HybridFusion
{
    /// <summary>
    /// One Lucene query scoring <c>Bm25Weight x BM25 + SpladeWeight x SPLADE</c>, SPLADE in model units
    /// (a dot product), so that weights of 1 add the two scores as they are.
    /// </summary>
    Linear = 0,

    /// <summary>
    /// Reciprocal rank fusion of the two result lists (each <see cref="SpladeSearchOptions.FusionDepth"/> deep):
    /// <c>sum of 1 / (RrfK + rank)</c>.
    /// </summary>
    Rrf = 1,
}
