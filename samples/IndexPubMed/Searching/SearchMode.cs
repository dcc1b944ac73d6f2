namespace IndexPubMed.Searching;

/// <summary>How plain-text queries become Lucene queries.</summary>
internal enum SearchMode
{
    /// <summary>Anserini-style bag-of-words BM25 on <c>contents</c>.</summary>
    Bm25,

    /// <summary>A SPLADE query on the <c>splade</c> field.</summary>
    Splade,

    /// <summary>Both, combined by a <see cref="FusionMethod"/>.</summary>
    Hybrid,
}
