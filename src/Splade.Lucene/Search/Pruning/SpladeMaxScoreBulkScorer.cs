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
internal sealed class SpladeMaxScoreBulkScorer : BulkScorer
{
    private const int Shift = SegmentImpactBounds.BlockShift;
    private const int WindowSize = SegmentImpactBounds.BlockSize;
    private const int SubShift = SegmentImpactBounds.SubBlockShift;

    // Per-window state of a term.
    private const byte Absent = 0;
    private const byte Full = 1;
    private const byte HighOnly = 2;
    private const byte NonEssential = 3;

    private readonly ImpactPostings[] _postings;
    private readonly float[] _weights;
    private readonly TermImpactBounds[] _termBounds;
    private readonly int _maxDoc;
    private readonly int _docBase;
    private readonly float _boost;
    private readonly double _boundFactor;
    private readonly TopKThreshold _top;
    private readonly IBits? _acceptDocs;
    private readonly bool _tiers;
    private readonly SpladeSearchStats? _stats;
    private readonly ScoreHolder _holder;

    private readonly byte[] _state;
    private readonly double[] _itemKeys;
    private readonly int[] _items;
    private readonly int[] _check;
    private readonly double[] _keyOf;
    private readonly int[] _order;
    private readonly double[] _subPrefix;
    private readonly bool[] _subAbsent;
    private readonly int[][] _bufferDocs;
    private readonly int[][] _bufferImpacts;
    private readonly int[] _bufferCount;
    private readonly int[] _cursor;
    private readonly double[] _partial = new double[WindowSize];
    private float[]? _floatScores;
    private readonly ulong[] _matched = new ulong[WindowSize / 64];
    private readonly double[] _subTotal = new double[WindowSize >> SubShift];
    private int _checkCount;
    private int _subBlock;

    private int _next;
    private long _documentsScored;
    private long _postingsRead;
    private long _windowsScored;
    private long _windowsSkipped;

    public SpladeMaxScoreBulkScorer(Weight weight, ImpactPostings[] postings, TermImpactBounds[] bounds, int maxDoc, int docBase, float boost, TopKThreshold top, SpladeSearchStats? stats, IBits? acceptDocs, bool tiers)
    {
        _tiers = tiers;
        _acceptDocs = acceptDocs;
        _postings = postings;
        _weights = Array.ConvertAll(postings, p => p.Weight);
        _termBounds = bounds;
        _maxDoc = maxDoc;
        _docBase = docBase;
        _boost = boost;
        // A float sum of n positive terms exceeds the real sum by at most about (n - 1) x 2^-24 relative; each
        // product and the final boost multiply add one more rounding: (n + 2) x 2^-23 covers them all, doubled.
        _boundFactor = boost * (1.0 + ((postings.Length + 2) * Math.Pow(2, -22)));
        _top = top;
        _stats = stats;
        _holder = new ScoreHolder(weight) { OffersToTopK = true };
        int n = postings.Length;
        _state = new byte[n];
        _itemKeys = new double[2 * n];
        _items = new int[2 * n];
        _check = new int[n];
        _keyOf = new double[2 * n];
        _order = new int[2 * n];
        for (int j = 0; j < _order.Length; j++)
        {
            _order[j] = j;
        }
        _subPrefix = new double[n];
        _subAbsent = new bool[n];
        _bufferDocs = new int[n][];
        _bufferImpacts = new int[n][];
        _bufferCount = new int[n];
        _cursor = new int[n];
    }

    public override bool Score(ICollector collector, int max)
    {
        collector.SetScorer(_holder);
        int end = Math.Min(max, _maxDoc);
        while (_next < end)
        {
            int windowMin = _next;
            int windowEnd = Math.Min(((windowMin >> Shift) + 1) << Shift, end);
            ScoreWindow(collector, windowMin, windowEnd);
            _next = windowEnd;
        }
        _stats?.Add(_documentsScored, _postingsRead, _windowsScored, _windowsSkipped);
        _documentsScored = _postingsRead = _windowsScored = _windowsSkipped = 0;
        return _next < _maxDoc;
    }

    private void ScoreWindow(ICollector collector, int windowMin, int windowEnd)
    {
        int block = windowMin >> Shift;
        double threshold = _top.Threshold;

        // Parts: item 2i + 1 is term i's high part (or the whole term), item 2i its low part; a key of -1 marks
        // a part absent from this window.
        var keys = _keyOf;
        for (int i = 0; i < _postings.Length; i++)
        {
            var b = _termBounds[i];
            int bm = b.BlockMax[block];
            if (bm < 0)
            {
                _state[i] = Absent;
                keys[2 * i] = keys[(2 * i) + 1] = -1;
                continue;
            }
            _state[i] = Full;
            keys[2 * i] = _tiers && b.Tau >= 0 && b.Tau < bm ? (double)_weights[i] * b.Tau : -1;
            keys[(2 * i) + 1] = (double)_weights[i] * bm;
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
            // Low parts sort before their high parts, so a high part here means the whole term is non-essential.
            _state[item >> 1] = (item & 1) == 1 ? NonEssential : HighOnly;
        }
        if (firstEssential == m)
        {
            _windowsSkipped++;
            return;
        }
        _windowsScored++;
        if (firstEssential == 0)
        {
            // No part can be left out (the threshold is still low, as at large k): score the window term at a
            // time in float, exactly as the exhaustive scorer does, without the bookkeeping of pruning.
            ScoreWindowExhaustively(collector, windowMin, windowEnd, threshold);
            return;
        }
        for (int i = 0; i < _postings.Length; i++)
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
        // The parts to check, by increasing bound, come straight from the sorted non-essential prefix: a
        // HighOnly term's bound is its low part's key, a NonEssential term's its high part's key (its low part,
        // if any, is skipped).
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
        _subBlock = -1;
        SubBlockTotals(block, windowMin, windowEnd);

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
                    // Most documents fail this one comparison with the sum of their sub-block's bounds.
                    if ((partial + _subTotal[slot >> SubShift]) * _boundFactor < threshold)
                    {
                        continue;
                    }
                    int sub = doc >> SubShift;
                    if (sub != _subBlock)
                    {
                        SubBlockBounds(sub, block);
                    }
                    if (!CheckNonEssential(doc, ref partial, threshold))
                    {
                        continue;
                    }
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

    // Every present term's postings in the window, added in float in query term order (the exhaustive scorers'
    // order, so the sums are bit-identical); documents below the threshold are not offered.
    private void ScoreWindowExhaustively(ICollector collector, int windowMin, int windowEnd, double threshold)
    {
        var scores = _floatScores ??= new float[WindowSize];
        var matched = _matched;
        for (int i = 0; i < _postings.Length; i++)
        {
            if (_state[i] == Absent)
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
            _postingsRead += count;
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
                _documentsScored++;
                if (score < threshold)
                {
                    continue;
                }
                int doc = windowMin + slot;
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

    private int SortParts() => WindowPartOrder.Sort(_keyOf, _order, _itemKeys, _items);

    // Term at a time over [windowMin, windowEnd) from the postings: buffers (doc, impact) for the exact
    // rescoring and adds the contribution to the window's partial scores.
    private void ReadWindow(int i, int windowMin, int windowEnd)
    {
        var p = _postings[i];
        float weight = _weights[i];
        int doc = p.Doc;
        if (doc < windowMin)
        {
            doc = p.Advance(windowMin);
        }
        var docs = _bufferDocs[i] ??= new int[64];
        var impacts = _bufferImpacts[i] ??= new int[64];
        int count = 0;
        while (doc < windowEnd)
        {
            int impact = p.Impact();
            if (count == docs.Length)
            {
                Array.Resize(ref _bufferDocs[i], count * 2);
                Array.Resize(ref _bufferImpacts[i], count * 2);
                docs = _bufferDocs[i];
                impacts = _bufferImpacts[i];
            }
            docs[count] = doc;
            impacts[count++] = impact;
            int slot = doc - windowMin;
            _partial[slot] += weight * (float)impact;
            _matched[slot >> 6] |= 1UL << slot;
            doc = p.NextDoc();
        }
        _postingsRead += count;
        _bufferCount[i] = count;
        _cursor[i] = 0;
    }

    // Term at a time over the window's entries of the in-memory high tier; the postings are not touched.
    private void ReadHigh(int i, int block, int windowMin, int windowEnd)
    {
        var b = _termBounds[i];
        var offsets = b.HighOffsets!;
        var impacts = b.HighImpacts!;
        float weight = _weights[i];
        int blockBase = block << Shift;
        int c = b.HighBlockStart![block];
        int end = b.HighBlockStart[block + 1];
        while (c < end && blockBase + offsets[c] < windowMin)
        {
            c++;
        }
        _cursor[i] = c;
        var accept = _acceptDocs;
        if (accept is null && windowMin == blockBase && windowEnd - windowMin == WindowSize)
        {
            // The usual case, a whole block without deletions: every remaining entry is in the window and its
            // offset is its slot.
            var slots = offsets.AsSpan(c, end - c);
            var values = impacts.AsSpan(c, slots.Length);
            var partial = _partial;
            var matched = _matched;
            for (int j = 0; j < slots.Length; j++)
            {
                int slot = slots[j];
                partial[slot] += weight * (float)values[j];
                matched[slot >> 6] |= 1UL << slot;
            }
            return;
        }
        for (; c < end && blockBase + offsets[c] < windowEnd; c++)
        {
            int doc = blockBase + offsets[c];
            // The tier was built without deletions.
            if (accept is not null && !accept.Get(doc))
            {
                continue;
            }
            int slot = doc - windowMin;
            _partial[slot] += weight * (float)impacts[c];
            _matched[slot >> 6] |= 1UL << slot;
        }
    }

    // For each sub-block of the window, the sum of the bounds of all parts to check.
    private void SubBlockTotals(int block, int windowMin, int windowEnd)
    {
        int first = windowMin >> SubShift;
        int last = (windowEnd - 1) >> SubShift;
        int count = last - first + 1;
        Array.Clear(_subTotal, 0, _subTotal.Length);
        for (int j = 0; j < _checkCount; j++)
        {
            int i = _check[j];
            var b = _termBounds[i];
            double scale = (double)_weights[i] * b.BlockMax[block] / 255.0;
            double cap = _state[i] == HighOnly ? (double)_weights[i] * b.Tau : double.MaxValue;
            var q = b.SubBlockMax;
            for (int k = 0; k < count; k++)
            {
                _subTotal[k] += Math.Min(scale * q[first + k], cap);
            }
        }
        // Candidates look totals up by slot >> SubShift, which matches sub-blocks only when windowMin is aligned;
        // a window starting inside a sub-block (a caller's max cut the previous one) uses the largest total.
        if ((windowMin & ((1 << SubShift) - 1)) != 0)
        {
            double max = 0;
            for (int k = 0; k < count; k++)
            {
                max = Math.Max(max, _subTotal[k]);
            }
            Array.Fill(_subTotal, max);
        }
    }

    // Sub-block bounds of the parts to check, far tighter than the window's for all but the commonest terms:
    // prefix sums in check order, and which terms have no posting in the sub-block.
    private void SubBlockBounds(int sub, int block)
    {
        _subBlock = sub;
        double sum = 0;
        for (int j = 0; j < _checkCount; j++)
        {
            int i = _check[j];
            var b = _termBounds[i];
            int q = b.SubBlockMax[sub];
            _subAbsent[j] = q == 0;
            double bound = (double)b.BlockMax[block] * q / 255.0;
            if (_state[i] == HighOnly)
            {
                bound = Math.Min(bound, b.Tau);
            }
            sum += _weights[i] * bound;
            _subPrefix[j] = sum;
        }
    }

    // Adds the parts to check, heaviest window bound first; false as soon as the partial score plus the
    // remaining sub-block bounds cannot reach the threshold.
    private bool CheckNonEssential(int doc, ref double partial, double threshold)
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
                // Already counted from the high tier.
                continue;
            }
            var p = _postings[i];
            int d = p.Doc;
            if (d < doc)
            {
                d = p.Advance(doc);
                _postingsRead++;
            }
            if (d == doc)
            {
                partial += _weights[i] * (float)p.Impact();
            }
        }
        return partial * _boundFactor >= threshold;
    }

    // Index of doc in term i's high tier, or -1; documents of the current window are looked up in increasing order.
    private int InHighTier(int i, int doc)
    {
        var b = _termBounds[i];
        var offsets = b.HighOffsets!;
        int block = doc >> Shift;
        int offset = doc - (block << Shift);
        int end = b.HighBlockStart![block + 1];
        int c = _cursor[i];
        while (c < end && offsets[c] < offset)
        {
            c++;
        }
        _cursor[i] = c;
        return c < end && offsets[c] == offset ? c : -1;
    }

    // The float sum in query term order, as the exhaustive scorers compute it. The postings of parts to check
    // were all advanced to doc by CheckNonEssential unless the sub-block has none; absent terms cannot match.
    private float ExactScore(int doc)
    {
        float sum = 0f;
        for (int i = 0; i < _postings.Length; i++)
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
                        sum += _weights[i] * (float)_bufferImpacts[i][c];
                    }
                    break;
                }
                case HighOnly:
                {
                    int c = InHighTier(i, doc);
                    if (c >= 0)
                    {
                        sum += _weights[i] * (float)_termBounds[i].HighImpacts![c];
                    }
                    else if (_postings[i].Doc == doc)
                    {
                        sum += _postings[i].Contribution();
                    }
                    break;
                }
                case NonEssential:
                    if (_postings[i].Doc == doc)
                    {
                        sum += _postings[i].Contribution();
                    }
                    break;
            }
        }
        return sum * _boost;
    }
}
