using System.Numerics;
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
internal sealed class HybridMaxScoreBulkScorer : BulkScorer
{
    private const int SubShift = SegmentImpactBounds.SubBlockShift;
    private const int BlockShift = SegmentImpactBounds.BlockShift;
    private const int MaxWindowSize = SegmentImpactBounds.BlockSize;
    private const int MaxSubBlocks = MaxWindowSize >> SubShift;

    // Per-window state of a clause.
    private const byte Absent = 0;
    private const byte Full = 1;
    private const byte HighOnly = 2;
    private const byte NonEssential = 3;

    private readonly HybridClause[] _clauses;
    private readonly TermImpactBounds?[] _tiers;
    private readonly int _lexicalCount;
    private readonly float[] _lexicalCoord;
    private readonly float _spladeBoost;
    private readonly float[] _outerCoord;
    private readonly double[] _scale;
    private readonly double _boundFactor;
    private readonly int _maxDoc;
    private readonly int _docBase;
    private readonly TopKThreshold _top;
    private readonly IBits? _acceptDocs;
    private readonly SpladeSearchStats? _stats;
    private readonly ScoreHolder _holder;

    private readonly byte[] _state;
    // Scaled sub-block bounds of the current window: clause i, sub-block s (from the window's first) at i x 16 + s; -1 absent.
    private readonly double[] _subBound;
    private readonly double[] _keyOf;
    private readonly double[] _itemKeys;
    private readonly int[] _items;
    private readonly int[] _order;
    private readonly int[] _check;
    private readonly double[] _subPrefix;
    private readonly bool[] _subAbsent;
    private readonly double[] _subTotal = new double[MaxSubBlocks];
    private readonly int[][] _bufferDocs;
    private readonly float[][] _bufferValues;
    private readonly int[] _bufferCount;
    private readonly int[] _cursor;
    private readonly float[] _value;
    private readonly int _shift = WindowShift;
    private readonly double[] _partial = new double[MaxWindowSize];
    private readonly ulong[] _matched = new ulong[MaxWindowSize / 64];
    private int _checkCount;
    private int _subBlock;

    private int _next;
    private long _documentsScored;
    private long _postingsRead;
    private long _windowsScored;
    private long _windowsSkipped;
    private long _tierEntriesRead;

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
    {
        _clauses = clauses;
        _lexicalCount = lexicalCount;
        _lexicalCoord = lexicalCoord;
        _spladeBoost = spladeBoost;
        _outerCoord = outerCoord;
        _maxDoc = maxDoc;
        _docBase = docBase;
        _top = top;
        _stats = stats;
        _acceptDocs = acceptDocs;
        _holder = new ScoreHolder(weight) { OffersToTopK = true };
        double outerMax = outerCoord.Max();
        double lexicalScale = lexicalCoord.Max() * outerMax;
        double spladeScale = spladeBoost * outerMax;
        int n = clauses.Length;
        _scale = new double[n];
        _tiers = new TermImpactBounds?[n];
        for (int i = 0; i < n; i++)
        {
            _scale[i] = i < lexicalCount ? lexicalScale : spladeScale;
            if (tiers && clauses[i] is SpladeClause { Bounds: { Tau: >= 0, HighOffsets: not null, HighImpacts: not null, HighBlockStart: not null } b })
            {
                _tiers[i] = b;
            }
        }
        // Float sums of n positive terms exceed the real sum by at most about n x 2^-24 relative; the products, casts
        // and double sums add a few more roundings: (n + 8) x 2^-22 covers them with a margin of 4.
        _boundFactor = 1.0 + ((n + 8) * Math.Pow(2, -22));
        _state = new byte[n];
        _subBound = new double[n * MaxSubBlocks];
        _keyOf = new double[2 * n];
        _itemKeys = new double[2 * n];
        _items = new int[2 * n];
        _order = new int[2 * n];
        for (int j = 0; j < _order.Length; j++)
        {
            _order[j] = j;
        }
        _check = new int[n];
        _subPrefix = new double[n];
        _subAbsent = new bool[n];
        _bufferDocs = new int[n][];
        _bufferValues = new float[n][];
        _bufferCount = new int[n];
        _cursor = new int[n];
        _value = new float[n];
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

    public override bool Score(ICollector collector, int max)
    {
        collector.SetScorer(_holder);
        int end = Math.Min(max, _maxDoc);
        while (_next < end)
        {
            int windowMin = _next;
            int windowEnd = Math.Min(((windowMin >> _shift) + 1) << _shift, end);
            ScoreWindow(collector, windowMin, windowEnd);
            _next = windowEnd;
        }
        _stats?.Add(_documentsScored, _postingsRead, _windowsScored, _windowsSkipped);
        if (_tierEntriesRead > 0)
        {
            Interlocked.Add(ref s_tierEntriesRead, _tierEntriesRead);
        }
        _documentsScored = _postingsRead = _windowsScored = _windowsSkipped = _tierEntriesRead = 0;
        return _next < _maxDoc;
    }

    private void ScoreWindow(ICollector collector, int windowMin, int windowEnd)
    {
        int firstSub = windowMin >> SubShift;
        int subs = ((windowEnd - 1) >> SubShift) - firstSub + 1;
        int block = windowMin >> BlockShift;
        double threshold = _top.Threshold;
        // Parts: item 2i + 1 is clause i's high part (or the whole clause), item 2i its low part (SPLADE terms with a
        // tier); a key of -1 marks a part absent from this window.
        var keys = _keyOf;
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
                _state[i] = Absent;
                keys[2 * i] = keys[(2 * i) + 1] = -1;
                continue;
            }
            _state[i] = Full;
            keys[(2 * i) + 1] = b;
            double low = -1;
            if (_tiers[i] is { } t)
            {
                low = (double)_clauses[i].TierWeight * t.Tau * scale;
                if (!(low < b))
                {
                    low = -1;
                }
            }
            keys[2 * i] = low;
        }
        int m = SortParts();
        if (m == 0)
        {
            _windowsSkipped++;
            return;
        }
        double sum = 0;
        int firstEssential = 0;
        while (firstEssential < m && (sum + _itemKeys[firstEssential]) * _boundFactor < threshold)
        {
            sum += _itemKeys[firstEssential];
            int item = _items[firstEssential++];
            // A low part sorts before its high part, so a high part here means the whole clause is non-essential.
            _state[item >> 1] = (item & 1) == 1 ? NonEssential : HighOnly;
        }
        if (firstEssential == m)
        {
            _windowsSkipped++;
            return;
        }
        _windowsScored++;
        for (int i = 0; i < _clauses.Length; i++)
        {
            switch (_state[i])
            {
                case Full:
                    ReadWindow(i, windowMin, windowEnd);
                    break;
                case HighOnly:
                    ReadHigh(i, block, windowMin, windowEnd);
                    break;
            }
        }
        // The parts to check, by increasing window bound: a HighOnly clause's bound is its low part's, a
        // NonEssential clause's its high part's (its low part, if any, is not checked separately).
        _checkCount = 0;
        for (int j = 0; j < firstEssential; j++)
        {
            int item = _items[j];
            int i = item >> 1;
            if ((item & 1) == 1 || _state[i] == HighOnly)
            {
                _check[_checkCount++] = i;
            }
        }
        SubBlockTotals(subs);
        _subBlock = -1;

        for (int w = 0; w < _matched.Length; w++)
        {
            ulong bits = _matched[w];
            if (bits == 0)
            {
                continue;
            }
            _matched[w] = 0;
            do
            {
                int slot = (w << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                double partial = _partial[slot];
                _partial[slot] = 0;
                int doc = windowMin + slot;
                if (_checkCount > 0)
                {
                    int sub = (doc >> SubShift) - firstSub;
                    // Most documents fail this one comparison with the sum of their sub-block's bounds.
                    if ((partial + _subTotal[sub]) * _boundFactor < threshold)
                    {
                        continue;
                    }
                    if (sub != _subBlock)
                    {
                        SubBlockBounds(sub);
                    }
                    if (!CheckNonEssential(doc, partial, threshold))
                    {
                        continue;
                    }
                }
                else if (partial * _boundFactor < threshold)
                {
                    // Every part was read: partial is the score up to rounding, below the k-th best.
                    continue;
                }
                float score = ExactScore(doc);
                _documentsScored++;
                if (_top.Offer(score, _docBase + doc, out float updated))
                {
                    threshold = updated;
                    _holder.Doc = doc;
                    _holder.Score = score;
                    collector.Collect(doc);
                }
            }
            while (bits != 0);
        }
    }

    // Equal keys keep the previous window's order, and a low part's key is below its high part's, so a low part always sorts first.
    private int SortParts() => WindowPartOrder.Sort(_keyOf, _order, _itemKeys, _items);

    // The bound of check entry j's part in sub-block s of the window (scaled), or -1 when it has no posting there.
    private double CheckBound(int j, int s)
    {
        int i = _check[j];
        double b = _subBound[(i * MaxSubBlocks) + s];
        return b >= 0 && _state[i] == HighOnly ? Math.Min(b, _keyOf[2 * i]) : b;
    }

    // For each sub-block of the window, the sum of the bounds of all parts to check.
    private void SubBlockTotals(int subs)
    {
        for (int s = 0; s < subs; s++)
        {
            double total = 0;
            for (int j = 0; j < _checkCount; j++)
            {
                total += Math.Max(0, CheckBound(j, s));
            }
            _subTotal[s] = total;
        }
    }

    // Sub-block bounds of the parts to check: prefix sums in check order, and which parts have no posting there.
    private void SubBlockBounds(int s)
    {
        _subBlock = s;
        double sum = 0;
        for (int j = 0; j < _checkCount; j++)
        {
            double b = CheckBound(j, s);
            _subAbsent[j] = b < 0;
            sum += Math.Max(0, b);
            _subPrefix[j] = sum;
        }
    }

    // Term at a time over [windowMin, windowEnd): buffers (doc, value) for the exact rescoring and adds the scaled
    // value to the window's partial scores.
    private void ReadWindow(int i, int windowMin, int windowEnd)
    {
        var c = _clauses[i];
        double scale = _scale[i];
        int doc = c.Doc;
        if (doc < windowMin)
        {
            doc = c.Advance(windowMin);
        }
        var docs = _bufferDocs[i] ??= new int[64];
        var values = _bufferValues[i] ??= new float[64];
        int count = 0;
        while (doc < windowEnd)
        {
            float value = c.Value();
            if (count == docs.Length)
            {
                Array.Resize(ref _bufferDocs[i], count * 2);
                Array.Resize(ref _bufferValues[i], count * 2);
                docs = _bufferDocs[i];
                values = _bufferValues[i];
            }
            docs[count] = doc;
            values[count++] = value;
            int slot = doc - windowMin;
            _partial[slot] += value * scale;
            _matched[slot >> 6] |= 1UL << slot;
            doc = c.NextDoc();
        }
        _postingsRead += count;
        _bufferCount[i] = count;
        _cursor[i] = 0;
    }

    // Term at a time over the window's entries of SPLADE clause i's in-memory high tier; the postings are not touched.
    // The tier was built without deletions, so entries are filtered by the live documents.
    private void ReadHigh(int i, int block, int windowMin, int windowEnd)
    {
        var b = _tiers[i]!;
        var offsets = b.HighOffsets!;
        var impacts = b.HighImpacts!;
        float weight = _clauses[i].TierWeight;
        double scale = _scale[i];
        int blockBase = block << BlockShift;
        int c = b.HighBlockStart![block];
        int end = b.HighBlockStart[block + 1];
        while (c < end && blockBase + offsets[c] < windowMin)
        {
            c++;
        }
        _cursor[i] = c;
        var accept = _acceptDocs;
        int first = c;
        for (; c < end && blockBase + offsets[c] < windowEnd; c++)
        {
            int doc = blockBase + offsets[c];
            if (accept is not null && !accept.Get(doc))
            {
                continue;
            }
            int slot = doc - windowMin;
            // The same float as ImpactPostings.Contribution: weight x (float)impact.
            _partial[slot] += (weight * (float)impacts[c]) * scale;
            _matched[slot >> 6] |= 1UL << slot;
        }
        _tierEntriesRead += c - first;
    }

    // Index of doc in clause i's high tier, or -1; documents of the current window are looked up in increasing order.
    private int InHighTier(int i, int doc)
    {
        var b = _tiers[i]!;
        var offsets = b.HighOffsets!;
        int block = doc >> BlockShift;
        int offset = doc - (block << BlockShift);
        int end = b.HighBlockStart![block + 1];
        int c = _cursor[i];
        while (c < end && offsets[c] < offset)
        {
            c++;
        }
        _cursor[i] = c;
        return c < end && offsets[c] == offset ? c : -1;
    }

    // Adds the parts to check, heaviest window bound first; false as soon as the partial score plus the remaining
    // sub-block bounds cannot reach the threshold. When true, every checked clause with a posting in doc's sub-block
    // is positioned at or after doc and _value holds the value of those on doc (HighOnly clauses: unless doc is in
    // the tier, whose value was already added).
    private bool CheckNonEssential(int doc, double partial, double threshold)
    {
        for (int j = _checkCount - 1; j >= 0; j--)
        {
            if ((partial + _subPrefix[j]) * _boundFactor < threshold)
            {
                return false;
            }
            if (_subAbsent[j])
            {
                continue;
            }
            int i = _check[j];
            if (_state[i] == HighOnly && InHighTier(i, doc) >= 0)
            {
                continue;
            }
            var c = _clauses[i];
            int d = c.Doc;
            if (d < doc)
            {
                d = c.Advance(doc);
                _postingsRead++;
            }
            if (d == doc)
            {
                float value = c.Value();
                _value[i] = value;
                partial += value * _scale[i];
            }
        }
        return partial * _boundFactor >= threshold;
    }

    // Whether clause i matches doc, and its value there.
    private bool Matches(int i, int doc, out float value)
    {
        switch (_state[i])
        {
            case Full:
            {
                var docs = _bufferDocs[i];
                int c = _cursor[i];
                int n = _bufferCount[i];
                while (c < n && docs[c] < doc)
                {
                    c++;
                }
                _cursor[i] = c;
                if (c < n && docs[c] == doc)
                {
                    value = _bufferValues[i][c];
                    return true;
                }
                break;
            }
            case HighOnly:
            {
                int c = InHighTier(i, doc);
                if (c >= 0)
                {
                    value = _clauses[i].TierWeight * (float)_tiers[i]!.HighImpacts![c];
                    return true;
                }
                if (_clauses[i].Doc == doc)
                {
                    value = _value[i];
                    return true;
                }
                break;
            }
            case NonEssential:
                if (_clauses[i].Doc == doc)
                {
                    value = _value[i];
                    return true;
                }
                break;
        }
        value = 0f;
        return false;
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
