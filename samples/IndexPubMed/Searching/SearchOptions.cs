using Splade.Lucene.Search;

namespace IndexPubMed.Searching;

/// <summary>How <see cref="PubMedSearcher"/> ranks: fusion, weights and depths.</summary>
internal sealed class SearchOptions
{
    /// <summary>How hybrid requests are combined.</summary>
    public FusionMethod Fusion { get; set; } = FusionMethod.Linear;

    /// <summary>Weight of the BM25 side (linear and min-max fusion).</summary>
    public float Bm25Weight { get; set; } = 1f;

    /// <summary>
    /// Weight of the SPLADE side (linear and min-max fusion). Null (default): 1. SPLADE scores are dot products in
    /// the model's own units (the impact sum divided by the scale), the size of BM25 scores.
    /// </summary>
    public float? SpladeWeight { get; set; }

    /// <summary>The RRF constant.</summary>
    public int RrfK { get; set; } = RankFusion.DefaultK;

    /// <summary>Length of each side's list before rank fusion (rrf, minmax).</summary>
    public int FusionDepth { get; set; } = 1000;

    /// <summary>
    /// Score every document containing a query term instead of pruning SPLADE top-k searches (the results
    /// are the same either way; for comparing speed and work done). Hybrid linear queries are always exhaustive.
    /// </summary>
    public bool Exhaustive { get; set; }

    /// <summary>Checks every property.</summary>
    /// <exception cref="ArgumentException">A property is out of range; the message names it.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Fusion))
        {
            throw new ArgumentException($"{nameof(Fusion)} {(int)Fusion} is not a {nameof(FusionMethod)}.", nameof(Fusion));
        }
        if (!float.IsFinite(Bm25Weight) || Bm25Weight < 0)
        {
            throw new ArgumentException($"The BM25 weight must be a finite non-negative number, not {Bm25Weight}.", nameof(Bm25Weight));
        }
        if (SpladeWeight is float w && (!float.IsFinite(w) || w < 0))
        {
            throw new ArgumentException($"The SPLADE weight must be a finite non-negative number, not {SpladeWeight}.", nameof(SpladeWeight));
        }
        if (RrfK < 0)
        {
            throw new ArgumentException($"The RRF k must be non-negative, not {RrfK}.", nameof(RrfK));
        }
        if (FusionDepth <= 0)
        {
            throw new ArgumentException($"The depth must be positive, not {FusionDepth}.", nameof(FusionDepth));
        }
    }
}
