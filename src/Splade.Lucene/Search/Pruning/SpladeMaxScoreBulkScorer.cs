using System.Numerics;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Splade.Lucene.Search;

/// <summary>
/// Exact top-k evaluation with windowed MaxScore (the design of Lucene 9's MaxScoreBulkScorer, rebuilt
/// for impacts): the segment is cut into windows of <see cref="SegmentImpactBounds.BlockSize"/> documents.
/// In each window every term present there gets the upper bound <c>weight x block max impact</c>; a common
/// term with a high-impact tier is split into a high part (same bound) and a low part (bound
/// <c>weight x Tau</c>, a low percentile of its impacts). Parts sorted by bound are split into non-essential ones (the cheapest
/// whose bounds sum below the current k-th best score: a document matching only those cannot compete) and
/// essential ones. Essential terms are read term at a time into the window (from the postings, or from
/// the in-memory high tier when only a term's high part is essential); each document they hit then checks
/// the non-essential parts, heaviest first, by skipping (Advance), and is dropped as soon as its partial
/// score plus the remaining bounds (of its 128-document sub-block) falls below the threshold. A window
/// whose bounds all sum below the threshold is skipped without reading a posting.
/// <para>
/// Exactness: bounds and partial scores are doubles, compared with a relative slack that covers the
/// float rounding of the real score; a surviving document is rescored in float in query term order, the
/// order of <see cref="SpladeBulkScorer"/> and <see cref="SpladeScorer"/>, so collected scores are
/// bit-identical to exhaustive evaluation. Only documents that enter the shared top k
/// (<see cref="TopKThreshold"/>) reach the collector, in document order. Needs positive weights and boost.
/// </para>
/// </summary>
internal sealed class SpladeMaxScoreBulkScorer : WindowedMaxScoreBulkScorer<SpladeMaxScoreBulkScorer.Term>
{
    private const int Shift = SegmentImpactBounds.BlockShift;

    private readonly ImpactPostings[] _postings;
    private readonly float[] _weights;
    private readonly TermImpactBounds[] _termBounds;
    private readonly float _boost;
    private float[]? _floatScores;

    public SpladeMaxScoreBulkScorer(Weight weight, ImpactPostings[] postings, TermImpactBounds[] bounds, int maxDoc, int docBase, float boost, TopKThreshold top, SpladeSearchStats? stats, IBits? acceptDocs, bool tiers)
        : this(weight, postings, Array.ConvertAll(postings, p => p.Weight), bounds, maxDoc, docBase, boost, top, stats, acceptDocs, tiers)
    {
    }

    // Windows are the bounds' blocks. Partial scores are the contributions themselves (Term.Scaled) and the boost is in
    // the bound factor: a float sum of n positive terms exceeds the real sum by at most about (n - 1) x 2^-24
    // relative; each product and the final boost multiply add one more rounding: (n + 2) x 2^-23 covers them all,
    // doubled.
    private SpladeMaxScoreBulkScorer(Weight weight, ImpactPostings[] postings, float[] weights, TermImpactBounds[] bounds, int maxDoc, int docBase, float boost, TopKThreshold top, SpladeSearchStats? stats, IBits? acceptDocs, bool tiers)
        : base(weight, Array.ConvertAll(postings, p => new Term(p)), Array.ConvertAll(bounds, b => tiers && b.Tau >= 0 ? b : null), Shift, boost * (1.0 + ((postings.Length + 2) * Math.Pow(2, -22))), maxDoc, docBase, top, stats, acceptDocs)
    {
        _postings = postings;
        _weights = weights;
        _termBounds = bounds;
        _boost = boost;
    }

    /// <summary>A term's postings as the shared window code reads them: its value is the contribution <c>weight x impact</c>.</summary>
    /// <remarks>The weight is copied here so that the window's loops keep it in a register, as the copies they replaced did.</remarks>
    internal readonly struct Term : IWindowPostings
    {
        private readonly ImpactPostings _postings;
        private readonly float _weight;

        public Term(ImpactPostings postings)
        {
            _postings = postings;
            _weight = postings.Weight;
        }

        public int Doc => _postings.Doc;

        public int NextDoc() => _postings.NextDoc();

        public int Advance(int target) => _postings.Advance(target);

        // The float of ImpactPostings.Contribution: weight x (float)impact.
        public float Value() => _weight * (float)_postings.Impact();

        public float TierValue(int impact) => _weight * (float)impact;

        // Bounds are in contribution units (the boost is in the bound factor).
        public double Scaled(float value) => value;
    }

    // The per-candidate steps of the shared candidate loop, called directly (see IWindowCandidates).
    private readonly struct Candidates : IWindowCandidates
    {
        private readonly SpladeMaxScoreBulkScorer _scorer;
        private readonly int _block;
        private readonly int _firstSub;

        public Candidates(SpladeMaxScoreBulkScorer scorer, int block, int firstSub)
        {
            _scorer = scorer;
            _block = block;
            _firstSub = firstSub;
        }

        public void SubBlockBounds(int sub) => _scorer.SubBlockBounds(_firstSub + sub, _block);

        public float ExactScore(int doc) => _scorer.ExactScore(doc);
    }

    protected override void ScoreWindow(ICollector collector, int windowMin, int windowEnd)
    {
        int block = windowMin >> Shift;
        double threshold = Threshold;
        // Parts: item 2i + 1 is term i's high part (or the whole term), item 2i its low part; a key of -1 marks
        // a part absent from this window.
        var keys = Keys;
        for (int i = 0; i < _postings.Length; i++)
        {
            var b = _termBounds[i];
            int bm = b.BlockMax[block];
            if (bm < 0)
            {
                State[i] = Absent;
                keys[2 * i] = keys[(2 * i) + 1] = -1;
                continue;
            }
            State[i] = Full;
            keys[2 * i] = Tiers[i] is not null && b.Tau < bm ? (double)_weights[i] * b.Tau : -1;
            keys[(2 * i) + 1] = (double)_weights[i] * bm;
        }
        int firstEssential = SplitParts(threshold);
        if (firstEssential < 0)
        {
            return;
        }
        if (firstEssential == 0)
        {
            // No part can be left out (the threshold is still low, as at large k): score the window term at a
            // time in float, exactly as the exhaustive scorer does, without the bookkeeping of pruning.
            ScoreWindowExhaustively(collector, windowMin, windowEnd, threshold);
            return;
        }
        ReadEssentialParts(block, windowMin, windowEnd);
        SubBlockTotals(block, windowMin, windowEnd);
        ScoreCandidates(collector, windowMin, threshold, new Candidates(this, block, windowMin >> SubShift));
    }

    // Every present term's postings in the window, added in float in query term order (the exhaustive scorers'
    // order, so the sums are bit-identical); documents below the threshold are not offered.
    private void ScoreWindowExhaustively(ICollector collector, int windowMin, int windowEnd, double threshold)
    {
        var scores = _floatScores ??= new float[MaxWindowSize];
        var matched = Matched;
        for (int i = 0; i < _postings.Length; i++)
        {
            if (State[i] == Absent)
            {
                continue;
            }
            var p = _postings[i];
            float weight = _weights[i];
            int doc = p.Doc;
            if (doc < windowMin)
            {
                doc = p.Advance(windowMin);
            }
            int count = 0;
            while (doc < windowEnd)
            {
                int slot = doc - windowMin;
                scores[slot] += weight * (float)p.Impact();
                matched[slot >> 6] |= 1UL << slot;
                count++;
                doc = p.NextDoc();
            }
            PostingsRead += count;
        }
        for (int w = 0; w < matched.Length; w++)
        {
            ulong bits = matched[w];
            if (bits == 0)
            {
                continue;
            }
            matched[w] = 0;
            do
            {
                int slot = (w << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                float score = scores[slot] * _boost;
                scores[slot] = 0f;
                DocumentsScored++;
                if (score < threshold)
                {
                    continue;
                }
                Offer(collector, windowMin + slot, score, ref threshold);
            }
            while (bits != 0);
        }
    }

    // For each sub-block of the window (from its first), the sum of the bounds of all parts to check.
    private void SubBlockTotals(int block, int windowMin, int windowEnd)
    {
        int first = windowMin >> SubShift;
        int last = (windowEnd - 1) >> SubShift;
        int count = last - first + 1;
        Array.Clear(SubTotal, 0, SubTotal.Length);
        for (int j = 0; j < CheckCount; j++)
        {
            int i = Check[j];
            var b = _termBounds[i];
            double scale = (double)_weights[i] * b.BlockMax[block] / 255.0;
            double cap = State[i] == HighOnly ? (double)_weights[i] * b.Tau : double.MaxValue;
            var q = b.SubBlockMax;
            for (int k = 0; k < count; k++)
            {
                SubTotal[k] += Math.Min(scale * q[first + k], cap);
            }
        }
    }

    // Sub-block bounds of the parts to check, far tighter than the window's for all but the commonest terms:
    // prefix sums in check order, and which terms have no posting in the sub-block (sub counted from the segment's start).
    private void SubBlockBounds(int sub, int block)
    {
        double sum = 0;
        for (int j = 0; j < CheckCount; j++)
        {
            int i = Check[j];
            var b = _termBounds[i];
            int q = b.SubBlockMax[sub];
            SubAbsent[j] = q == 0;
            double bound = (double)b.BlockMax[block] * q / 255.0;
            if (State[i] == HighOnly)
            {
                bound = Math.Min(bound, b.Tau);
            }
            sum += _weights[i] * bound;
            SubPrefix[j] = sum;
        }
    }

    // The float sum in query term order, as the exhaustive scorers compute it. The postings of parts to check
    // were all advanced to doc by CheckNonEssential unless the sub-block has none; absent terms cannot match.
    private float ExactScore(int doc)
    {
        float sum = 0f;
        for (int i = 0; i < _postings.Length; i++)
        {
            if (Matches(i, doc, out float value))
            {
                sum += value;
            }
        }
        return sum * _boost;
    }
}
