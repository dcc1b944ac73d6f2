namespace Splade.Lucene;

/// <summary>How <see cref="SpladeIndex.Search"/> ranks documents.</summary>
public enum SpladeSearchMode
{
    /// <summary>SPLADE alone: the dot product of the query and document vectors, in model units (exact top k with dynamic pruning).</summary>
    Splade = 0,

    /// <summary>BM25 alone, on the text field (and any other fields named in <see cref="SpladeSearchOptions.Bm25Fields"/>).</summary>
    Bm25 = 1,

    /// <summary>BM25 and SPLADE combined as <see cref="SpladeSearchOptions.Fusion"/> says.</summary>
    Hybrid = 2,
}
