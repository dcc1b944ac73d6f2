namespace IndexPubMed.Searching;

/// <summary>How hybrid search combines the BM25 and SPLADE sides.</summary>
internal enum FusionMethod
{
    /// <summary>One Lucene query scoring <c>bm25Weight x BM25 + spladeWeight x SPLADE</c> (<c>HybridQuery</c>).</summary>
    Linear,

    /// <summary>Reciprocal rank fusion of the two top-depth lists.</summary>
    Rrf,

    /// <summary>Weighted sum of min-max normalised scores of the two top-depth lists.</summary>
    MinMax,
}
