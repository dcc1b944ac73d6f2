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

    public float Score { get; set; }

    public int Matches { get; set; }

    public override int DocID => Doc;

    public override int Freq => Matches;

    public override float GetScore() => Score;

    public override int NextDoc() => throw new NotSupportedException();

    public override int Advance(int target) => throw new NotSupportedException();

    public override long GetCost() => 1;
}
