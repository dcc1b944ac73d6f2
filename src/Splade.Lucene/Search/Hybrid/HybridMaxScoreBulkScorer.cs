using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Splade.Lucene.Search;

/// <summary>
/// Exact top-k evaluation of a linear hybrid (BM25 term clauses + SPLADE terms) with windowed MaxScore, the idea of
/// <see cref="SpladeMaxScoreBulkScorer"/>: per window of <see cref="SegmentImpactBounds.BlockSize"/> documents (by default) every
/// clause present there gets an upper bound (text terms: the similarity's score of the window's largest frequency at
/// its shortest field; SPLADE terms: weight x the sub-block bound of the impacts). A SPLADE term with a high-impact
/// tier (<see cref="TermImpactBounds.Tau"/>) is split, as in <see cref="SpladeMaxScoreBulkScorer"/>, into a high part
/// (same bound) and a low part (bound weight x Tau). The cheapest parts whose bounds sum below the current k-th best
/// score are non-essential; the others are read term at a time into the window (a term whose low part alone is
/// non-essential is read from its in-memory tier, not its postings); each document they hit is first compared with
/// the sum of the non-essential parts' bounds in its 128-document sub-block, then checks those parts by skipping,
/// heaviest first, until it cannot reach the threshold.
/// <para>
/// Exactness: bounds and partial scores are doubles compared with a relative slack that covers the float rounding
/// of the real score. A surviving document is rescored with the arithmetic of the exhaustive evaluation, a
/// <c>BooleanScorer</c> of a <c>BooleanScorer</c> of term scorers and a <see cref="SpladeBulkScorer"/>: the term scores
/// summed in double, last clause first, times the coord factor and cast to float; the SPLADE contributions summed in
/// float in query term order, times the boost; the two added in double, times the outer coord factor, cast to float.
/// So scores are bit-identical to <c>searcher.Search(hybrid, k)</c>.
/// </para>
/// </summary>
internal sealed class HybridMaxScoreBulkScorer : WindowedMaxScoreBulkScorer<HybridMaxScoreBulkScorer.Clause>
{
    private readonly HybridClause[] _clauses;
    private readonly int _lexicalCount;
    private readonly float[] _lexicalCoord;
    private readonly float _spladeBoost;
    private readonly float[] _outerCoord;
    // Per clause, the factor from its value to the units of the window bounds (see Scales).
    private readonly double[] _scale;
    // Scaled sub-block bounds of the current window: clause i, sub-block s (from the window's first) at i x 16 + s; -1 absent.
    private readonly double[] _subBound;

    /// <param name="weight">The weight the collector sees.</param>
    /// <param name="clauses">Text terms first, in the order their scores are added (last lexical clause first), then SPLADE terms in query term order.</param>
    /// <param name="lexicalCount">How many of <paramref name="clauses"/> are text terms.</param>
    /// <param name="lexicalCoord">The lexical BooleanScorer's coord factors by number of matching terms.</param>
    /// <param name="spladeBoost">The SPLADE weight's boost.</param>
    /// <param name="outerCoord">The hybrid BooleanScorer's coord factors by number of matching sides.</param>
    /// <param name="maxDoc">The segment's MaxDoc.</param>
    /// <param name="docBase">The segment's first global document id.</param>
    /// <param name="top">The search's shared top k.</param>
    /// <param name="stats">Work counters, or null.</param>
    /// <param name="acceptDocs">The live documents the postings were opened with (the tiers include deleted ones), or null.</param>
    /// <param name="tiers">Whether SPLADE terms' high-impact tiers may be used.</param>
    public HybridMaxScoreBulkScorer(Weight weight, HybridClause[] clauses, int lexicalCount, float[] lexicalCoord, float spladeBoost, float[] outerCoord, int maxDoc, int docBase, TopKThreshold top, SpladeSearchStats? stats, IBits? acceptDocs = null, bool tiers = true)
        : this(weight, clauses, Scales(clauses.Length, lexicalCount, lexicalCoord, spladeBoost, outerCoord), lexicalCount, lexicalCoord, spladeBoost, outerCoord, maxDoc, docBase, top, stats, acceptDocs, tiers)
    {
    }

    private HybridMaxScoreBulkScorer(Weight weight, HybridClause[] clauses, double[] scale, int lexicalCount, float[] lexicalCoord, float spladeBoost, float[] outerCoord, int maxDoc, int docBase, TopKThreshold top, SpladeSearchStats? stats, IBits? acceptDocs, bool tiers)
        : base(weight, Wrap(clauses, scale), UsableTiers(clauses, tiers), WindowShift, BoundFactorOf(clauses.Length), maxDoc, docBase, top, stats, acceptDocs)
    {
        _scale = scale;
        _clauses = clauses;
        _lexicalCount = lexicalCount;
        _lexicalCoord = lexicalCoord;
        _spladeBoost = spladeBoost;
        _outerCoord = outerCoord;
        _subBound = new double[clauses.Length * MaxSubBlocks];
    }

    /// <summary>
    /// Internal (benchmarks): log2 of the window size, from 7 (one 128-document sub-block: tightest bounds, most
    /// per-window work) to 11 (2,048 documents); a window's bound of a clause is the largest of its sub-blocks'.
    /// </summary>
    /// <remarks>
    /// Default 11: measured 1.29x exhaustive at 2,048, 1.25x at 512, 1.15x at 128 (docs/PERFORMANCE.md); smaller
    /// windows score fewer documents but pay more per-window work than they save.
    /// </remarks>
    internal static int WindowShift { get; set; } = SegmentImpactBounds.BlockShift;

    /// <summary>Internal (tests, benchmarks): high-tier entries read by every hybrid scorer of the process so far.</summary>
    internal static long TierEntriesRead => Interlocked.Read(ref s_tierEntriesRead);

    private static long s_tierEntriesRead;

    /// <summary>A clause as the shared window code reads it: its value is the clause's float score.</summary>
    internal readonly struct Clause : IWindowPostings
    {
        private readonly HybridClause _clause;
        private readonly float _tierWeight;
        private readonly double _scale;

        public Clause(HybridClause clause, double scale)
        {
            _clause = clause;
            _tierWeight = clause.TierWeight;
            _scale = scale;
        }

        public int Doc => _clause.Doc;

        public int NextDoc() => _clause.NextDoc();

        public int Advance(int target) => _clause.Advance(target);

        public float Value() => _clause.Value();

        // The same float as ImpactPostings.Contribution: weight x (float)impact.
        public float TierValue(int impact) => _tierWeight * (float)impact;

        public double Scaled(float value) => value * _scale;
    }

    // The per-candidate steps of the shared candidate loop, called directly (see IWindowCandidates).
    private readonly struct Candidates : IWindowCandidates
    {
        private readonly HybridMaxScoreBulkScorer _scorer;

        public Candidates(HybridMaxScoreBulkScorer scorer) => _scorer = scorer;

        public void SubBlockBounds(int sub) => _scorer.SubBlockBounds(sub);

        public float ExactScore(int doc) => _scorer.ExactScore(doc);
    }

    private static Clause[] Wrap(HybridClause[] clauses, double[] scale)
    {
        var wrapped = new Clause[clauses.Length];
        for (int i = 0; i < clauses.Length; i++)
        {
            wrapped[i] = new Clause(clauses[i], scale[i]);
        }
        return wrapped;
    }

    // SPLADE clauses whose high-impact tier may be used.
    private static TermImpactBounds?[] UsableTiers(HybridClause[] clauses, bool tiers) => Array.ConvertAll(clauses, c =>
        tiers && c is SpladeClause { Bounds: { Tau: >= 0, HighOffsets: not null, HighImpacts: not null, HighBlockStart: not null } b } ? b : null);

    // A clause's bounds and partial scores are in units of the final score: its value times the largest coord factors
    // (and the SPLADE boost), which bounds what it adds to any document's score.
    private static double[] Scales(int n, int lexicalCount, float[] lexicalCoord, float spladeBoost, float[] outerCoord)
    {
        double outerMax = outerCoord.Max();
        double lexicalScale = lexicalCoord.Max() * outerMax;
        double spladeScale = spladeBoost * outerMax;
        var scale = new double[n];
        for (int i = 0; i < n; i++)
        {
            scale[i] = i < lexicalCount ? lexicalScale : spladeScale;
        }
        return scale;
    }

    // Float sums of n positive terms exceed the real sum by at most about n x 2^-24 relative; the products, casts
    // and double sums add a few more roundings: (n + 8) x 2^-22 covers them with a margin of 4.
    private static double BoundFactorOf(int n) => 1.0 + ((n + 8) * Math.Pow(2, -22));

    public override bool Score(ICollector collector, int max)
    {
        bool more = base.Score(collector, max);
        if (TierEntryCount > 0)
        {
            Interlocked.Add(ref s_tierEntriesRead, TierEntryCount);
            TierEntryCount = 0;
        }
        return more;
    }

    protected override void ScoreWindow(ICollector collector, int windowMin, int windowEnd)
    {
        int firstSub = windowMin >> SubShift;
        int subs = ((windowEnd - 1) >> SubShift) - firstSub + 1;
        int block = windowMin >> BlockShift;
        double threshold = Threshold;
        // Parts: item 2i + 1 is clause i's high part (or the whole clause), item 2i its low part (SPLADE terms with a
        // tier); a key of -1 marks a part absent from this window.
        var keys = Keys;
        for (int i = 0; i < _clauses.Length; i++)
        {
            var clause = _clauses[i];
            double scale = _scale[i];
            int row = i * MaxSubBlocks;
            double b = -1;
            for (int s = 0; s < subs; s++)
            {
                double sb = clause.Bound(firstSub + s);
                sb = sb < 0 ? -1 : sb * scale;
                _subBound[row + s] = sb;
                b = Math.Max(b, sb);
            }
            if (b < 0)
            {
                State[i] = Absent;
                keys[2 * i] = keys[(2 * i) + 1] = -1;
                continue;
            }
            State[i] = Full;
            keys[(2 * i) + 1] = b;
            double low = -1;
            if (Tiers[i] is { } t)
            {
                low = (double)_clauses[i].TierWeight * t.Tau * scale;
                if (!(low < b))
                {
                    low = -1;
                }
            }
            keys[2 * i] = low;
        }
        if (SplitParts(threshold) < 0)
        {
            return;
        }
        ReadEssentialParts(block, windowMin, windowEnd);
        SubBlockTotals(subs);
        ScoreCandidates(collector, windowMin, threshold, new Candidates(this));
    }

    // The bound of check entry j's part in sub-block s of the window (scaled), or -1 when it has no posting there.
    private double CheckBound(int j, int s)
    {
        int i = Check[j];
        double b = _subBound[(i * MaxSubBlocks) + s];
        return b >= 0 && State[i] == HighOnly ? Math.Min(b, Keys[2 * i]) : b;
    }

    // For each sub-block of the window, the sum of the bounds of all parts to check.
    private void SubBlockTotals(int subs)
    {
        for (int s = 0; s < subs; s++)
        {
            double total = 0;
            for (int j = 0; j < CheckCount; j++)
            {
                total += Math.Max(0, CheckBound(j, s));
            }
            SubTotal[s] = total;
        }
    }

    // Sub-block bounds of the parts to check: prefix sums in check order, and which parts have no posting there.
    private void SubBlockBounds(int s)
    {
        double sum = 0;
        for (int j = 0; j < CheckCount; j++)
        {
            double b = CheckBound(j, s);
            SubAbsent[j] = b < 0;
            sum += Math.Max(0, b);
            SubPrefix[j] = sum;
        }
    }

    // The exhaustive evaluation's arithmetic (see the class summary).
    private float ExactScore(int doc)
    {
        double lexical = 0;
        int lexicalMatches = 0;
        for (int i = 0; i < _lexicalCount; i++)
        {
            if (Matches(i, doc, out float value))
            {
                lexical += value;
                lexicalMatches++;
            }
        }
        float splade = 0f;
        bool spladeMatched = false;
        for (int i = _lexicalCount; i < _clauses.Length; i++)
        {
            if (Matches(i, doc, out float value))
            {
                splade += value;
                spladeMatched = true;
            }
        }
        double outer = 0;
        int sides = 0;
        if (spladeMatched)
        {
            outer += splade * _spladeBoost;
            sides++;
        }
        if (lexicalMatches > 0)
        {
            outer += (float)(lexical * _lexicalCoord[lexicalMatches]);
            sides++;
        }
        return (float)(outer * _outerCoord[sides]);
    }
}
