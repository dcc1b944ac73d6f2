using Lucene.Net.Search;
using Splade.Lucene.Search;

namespace Splade.Lucene;

/// <summary>What <see cref="SpladeIndex.Search"/> returns and how it ranks. Validated on each search.</summary>
public sealed class SpladeSearchOptions
{
    /// <summary>How to rank. Default <see cref="SpladeSearchMode.Splade"/>.</summary>
    public SpladeSearchMode Mode { get; set; } = SpladeSearchMode.Splade;

    /// <summary>How many hits to return. Default 10.</summary>
    public int Top { get; set; } = 10;

    /// <summary>How a hybrid search combines the two sides. Default <see cref="HybridFusion.Linear"/>.</summary>
    public HybridFusion Fusion { get; set; } = HybridFusion.Linear;

    /// <summary>Weight of BM25 in a linear hybrid. Default 1.</summary>
    public float Bm25Weight { get; set; } = 1f;

    /// <summary>Weight of the SPLADE dot product (model units) in a linear hybrid. Default 1.</summary>
    public float SpladeWeight { get; set; } = 1f;

    /// <summary>The RRF constant. Default 60.</summary>
    public int RrfK { get; set; } = RankFusion.DefaultK;

    /// <summary>Hits fetched per side for RRF (at least <see cref="Top"/> are). Default 100.</summary>
    public int FusionDepth { get; set; } = 100;

    /// <summary>Fields searched by BM25 (bag of words of the query's analyzed terms); null (the default) is the text field alone.</summary>
    public IReadOnlyList<string>? Bm25Fields { get; set; }

    /// <summary>Only documents this filter accepts are returned; scores are unchanged. Default none.</summary>
    public Filter? Filter { get; set; }

    /// <summary>Only documents matching this query are returned (it does not score); an alternative to <see cref="Filter"/>. Default none.</summary>
    public Query? FilterQuery { get; set; }

    /// <summary>Term selection of the SPLADE query (<c>WeightScale</c> must stay null). Default none.</summary>
    public SpladeQueryOptions? QueryOptions { get; set; }

    /// <summary>Fill <see cref="SpladeHit.MatchedTerms"/> (SPLADE and hybrid modes). Default true.</summary>
    public bool IncludeMatchedTerms { get; set; } = true;

    /// <summary>Checks every property.</summary>
    /// <exception cref="ArgumentException">A property is out of range; the message names it.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentException($"{nameof(Mode)} {(int)Mode} is not a {nameof(SpladeSearchMode)}.", nameof(Mode));
        }
        if (!Enum.IsDefined(Fusion))
        {
            throw new ArgumentException($"{nameof(Fusion)} {(int)Fusion} is not a {nameof(HybridFusion)}.", nameof(Fusion));
        }
        if (Top < 1)
        {
            throw new ArgumentException($"{nameof(Top)} must be at least 1, not {Top}.", nameof(Top));
        }
        if (!float.IsFinite(Bm25Weight) || Bm25Weight < 0)
        {
            throw new ArgumentException($"{nameof(Bm25Weight)} must be a finite non-negative number, not {Bm25Weight}.", nameof(Bm25Weight));
        }
        if (!float.IsFinite(SpladeWeight) || SpladeWeight < 0)
        {
            throw new ArgumentException($"{nameof(SpladeWeight)} must be a finite non-negative number, not {SpladeWeight}.", nameof(SpladeWeight));
        }
        if (RrfK < 0)
        {
            throw new ArgumentException($"{nameof(RrfK)} must be non-negative, not {RrfK}.", nameof(RrfK));
        }
        if (FusionDepth < 1)
        {
            throw new ArgumentException($"{nameof(FusionDepth)} must be at least 1, not {FusionDepth}.", nameof(FusionDepth));
        }
        if (Bm25Fields is { } fields && (fields.Count == 0 || fields.Any(string.IsNullOrEmpty)))
        {
            throw new ArgumentException($"{nameof(Bm25Fields)} must name at least one field and no empty one.", nameof(Bm25Fields));
        }
        if (Filter is not null && FilterQuery is not null)
        {
            throw new ArgumentException($"Give {nameof(Filter)} or {nameof(FilterQuery)}, not both.", nameof(FilterQuery));
        }
        QueryOptions?.Validate();
        if (QueryOptions?.WeightScale is not null)
        {
            throw new ArgumentException($"{nameof(QueryOptions)}.WeightScale must be null: scores are in model units.", nameof(QueryOptions));
        }
    }

    /// <summary>A shallow copy.</summary>
    public SpladeSearchOptions Clone() => (SpladeSearchOptions)MemberwiseClone();
}
