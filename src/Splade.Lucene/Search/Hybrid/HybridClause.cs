using Lucene.Net.Index;
using Lucene.Net.Search.Similarities;

namespace Splade.Lucene.Search;

/// <summary>One clause of a pruned hybrid in one segment: a text term scored by its similarity, or a SPLADE term.</summary>
internal abstract class HybridClause
{
    public int Doc { get; protected set; } = -1;

    public abstract int NextDoc();

    public abstract int Advance(int target);

    /// <summary>The clause's float score in the current document, as the exhaustive scorer computes it.</summary>
    public abstract float Value();

    /// <summary>
    /// An upper bound of <see cref="Value"/> over the documents of a sub-block of <see cref="SegmentImpactBounds.SubBlockSize"/>,
    /// or -1 when the clause has no posting there.
    /// </summary>
    public abstract double Bound(int subBlock);

    /// <summary>A SPLADE term's query weight (the factor of its tier's impacts); 0 for text terms.</summary>
    public virtual float TierWeight => 0f;
}

/// <summary>A text term: <c>simScorer.Score(doc, freq)</c>, exactly what Lucene's <c>TermScorer</c> returns.</summary>
internal sealed class Bm25Clause : HybridClause
{
    // The computed score is monotone in the norm byte at a fixed frequency, but only nearly so in the frequency
    // (w x f / (f + n) rounds three times), so a frontier point's score bounds the points it dominates only up to a
    // few ulps: 2^-20 relative covers the rounding with a wide margin.
    private const double Pad = 1.0 + (1.0 / (1 << 20));

    private readonly DocsEnum _docs;
    private readonly Similarity.SimScorer _scorer;
    private readonly Bm25BlockBounds _bounds;

    public Bm25Clause(DocsEnum docs, Similarity.SimScorer scorer, Bm25BlockBounds bounds)
    {
        _docs = docs;
        _scorer = scorer;
        _bounds = bounds;
    }

    public override int NextDoc() => Doc = _docs.NextDoc();

    public override int Advance(int target) => Doc = _docs.Advance(target);

    public override float Value() => _scorer.Score(Doc, _docs.Freq);

    public override double Bound(int subBlock)
    {
        var b = _bounds;
        int end = b.Start[subBlock + 1];
        int p = b.Start[subBlock];
        if (p == end)
        {
            return -1;
        }
        float best = _scorer.Score(b.Docs[p], b.Freqs[p]);
        for (p++; p < end; p++)
        {
            best = Math.Max(best, _scorer.Score(b.Docs[p], b.Freqs[p]));
        }
        return best * Pad;
    }
}

/// <summary>A SPLADE term: <c>weight x impact</c>, the contribution <see cref="SpladeBulkScorer"/> adds up.</summary>
internal sealed class SpladeClause : HybridClause
{
    private readonly ImpactPostings _postings;
    private readonly TermImpactBounds _bounds;

    public SpladeClause(ImpactPostings postings, TermImpactBounds bounds)
    {
        _postings = postings;
        _bounds = bounds;
    }

    /// <summary>The term's bounds in the segment, with its high-impact tier when one was built.</summary>
    public TermImpactBounds Bounds => _bounds;

    public override float TierWeight => _postings.Weight;

    public override int NextDoc() => Doc = _postings.NextDoc();

    public override int Advance(int target) => Doc = _postings.Advance(target);

    public override float Value() => _postings.Contribution();

    // The sub-block's quantized bound: its largest impact is at most block max x q / 255 (q = 0: absent).
    public override double Bound(int subBlock)
    {
        int q = _bounds.SubBlockMax[subBlock];
        return q == 0 ? -1 : (double)_postings.Weight * ((double)_bounds.BlockMax[subBlock >> (SegmentImpactBounds.BlockShift - SegmentImpactBounds.SubBlockShift)] * q / 255.0);
    }
}
