using Lucene.Net.Search;

namespace Splade.Lucene.Search;

/// <summary>The scorer a bulk scorer hands to collectors: it only reports the current document and score.</summary>
internal sealed class ScoreHolder : Scorer
{
    public ScoreHolder(Weight weight)
        : base(weight)
    {
    }

    public int Doc { get; set; } = -1;

    /// <summary>True when the bulk scorer offers documents to the search's <see cref="TopKThreshold"/> itself (pruning).</summary>
    public bool OffersToTopK { get; init; }

    public float Score { get; set; }

    public override int DocID => Doc;

    // Term-at-a-time scoring does not keep per-document match counts.
    public override int Freq => throw new NotSupportedException("The SPLADE bulk scorer does not track the number of matching terms.");

    public override float GetScore() => Score;

    public override int NextDoc() => throw new NotSupportedException();

    public override int Advance(int target) => throw new NotSupportedException();

    public override long GetCost() => 1;
}
