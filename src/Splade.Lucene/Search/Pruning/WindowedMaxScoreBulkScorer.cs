using System.Numerics;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Splade.Lucene.Search;

/// <summary>
/// What the two windowed MaxScore scorers share, <see cref="SpladeMaxScoreBulkScorer"/> (SPLADE terms) and
/// <see cref="HybridMaxScoreBulkScorer"/> (BM25 and SPLADE clauses): the loop over windows; the split of a window's
/// parts, sorted by bound, into non-essential ones (the cheapest whose bounds sum below the k-th best score) and
/// essential ones; term-at-a-time reading of the essential parts, from the postings (buffered for the exact rescoring)
/// or from a SPLADE term's in-memory high tier; and the candidate loop, which compares each document hit with its
/// sub-block's bounds, checks the non-essential parts by skipping, heaviest first, and offers the survivors' exact
/// scores to the shared top k. What differs stays in the scorers: where the window's and sub-blocks' bounds come from,
/// and the exact score's arithmetic.
/// </summary>
/// <remarks>
/// <para>
/// Parts: term (or clause) i is item 2i + 1, its high part or the whole term, and item 2i, its low part when it has a
/// high-impact tier (bound <c>weight x Tau</c>). A scorer fills <see cref="Keys"/> with the window's bounds in its own
/// units; <see cref="IWindowPostings.Scaled"/> turns a part's float value into those units (SPLADE-only: the value
/// itself, the keys being the contributions' bounds; the hybrid: times its coord and boost factors), and
/// <see cref="BoundFactor"/> covers the float rounding of the real score and the units' common factor (the SPLADE boost).
/// </para>
/// <para>
/// Speed: the inner loops run here, with no virtual call in them: <typeparamref name="TPostings"/> is a struct (the JIT
/// compiles this class once per postings type, the postings' calls inlined, and the SPLADE-only scorer pays no scaling
/// multiply), and the two per-candidate calls into the
/// scorer go through a struct <see cref="IWindowCandidates"/> passed as a generic argument, for the same reason. Only
/// <see cref="ScoreWindow"/>, once per window, is virtual.
/// </para>
/// </remarks>
internal abstract class WindowedMaxScoreBulkScorer<TPostings> : BulkScorer
    where TPostings : struct, IWindowPostings
{
    protected const int SubShift = SegmentImpactBounds.SubBlockShift;
    protected const int BlockShift = SegmentImpactBounds.BlockShift;
    protected const int MaxWindowSize = SegmentImpactBounds.BlockSize;
    protected const int MaxSubBlocks = MaxWindowSize >> SubShift;

    // Per-window state of a term or clause.
    protected const byte Absent = 0;
    protected const byte Full = 1;
    protected const byte HighOnly = 2;
    protected const byte NonEssential = 3;

    private readonly TPostings[] _postings;
    private readonly int _shift;
    private readonly int _maxDoc;
    private readonly int _docBase;
    private readonly TopKThreshold _top;
    private readonly IBits? _acceptDocs;
    private readonly SpladeSearchStats? _stats;
    private readonly ScoreHolder _holder;

    private readonly double[] _itemKeys;
    private readonly int[] _items;
    private readonly int[] _order;
    private readonly int[][] _bufferDocs;
    private readonly float[][] _bufferValues;
    private readonly int[] _bufferCount;
    // Full parts: position in the window's buffer; HighOnly parts: position in the high tier.
    private readonly int[] _cursor;
    // The value of a checked part in the current candidate, when its postings are on it.
    private readonly float[] _value;
    private int _next;
    private long _windowsScored;
    private long _windowsSkipped;

    /// <summary>Per term, its bounds when its high-impact tier may be used (<c>Tau &gt;= 0</c>, tier built), else null.</summary>
    protected readonly TermImpactBounds?[] Tiers;

    /// <summary>Applied to sums of bounds and partial scores before they are compared with the threshold.</summary>
    protected readonly double BoundFactor;

    /// <summary>Per term: <see cref="Absent"/> or <see cref="Full"/> as the scorer sets it, then as the split decided.</summary>
    protected readonly byte[] State;

    /// <summary>The window's bound of every part (item 2i + 1: term i's high part or whole term; 2i: its low part); -1 absent.</summary>
    protected readonly double[] Keys;

    /// <summary>The terms to check, by increasing window bound; the first <see cref="CheckCount"/> are valid.</summary>
    protected readonly int[] Check;

    /// <summary>How many entries of <see cref="Check"/> the window has.</summary>
    protected int CheckCount;

    /// <summary>Set by <see cref="IWindowCandidates.SubBlockBounds"/>: per check entry, the sum of its and the lighter entries' sub-block bounds.</summary>
    protected readonly double[] SubPrefix;

    /// <summary>Set by <see cref="IWindowCandidates.SubBlockBounds"/>: per check entry, whether its term has no posting in the sub-block.</summary>
    protected readonly bool[] SubAbsent;

    /// <summary>Per sub-block of the window (from its first), the sum of the bounds of all parts to check.</summary>
    protected readonly double[] SubTotal = new double[MaxSubBlocks];

    /// <summary>Partial scores of the window's documents (by slot), in the units of <see cref="Keys"/>.</summary>
    protected readonly double[] Partial = new double[MaxWindowSize];

    /// <summary>The window's slots hit by an essential part.</summary>
    protected readonly ulong[] Matched = new ulong[MaxWindowSize / 64];

    protected long DocumentsScored;

    protected long PostingsRead;

    /// <summary>High-tier entries read since the scorer was made (the hybrid scorer publishes and resets it).</summary>
    protected long TierEntryCount;

    /// <param name="weight">The weight the collector sees.</param>
    /// <param name="postings">The terms or clauses, in the order the scorer's exact score adds them.</param>
    /// <param name="tiers">Per term, its bounds when its high-impact tier may be used, else null.</param>
    /// <param name="shift">log2 of the window size, at most <see cref="BlockShift"/>.</param>
    /// <param name="boundFactor">The factor applied to every sum of bounds and partial scores before comparing it with the threshold.</param>
    /// <param name="maxDoc">The segment's MaxDoc.</param>
    /// <param name="docBase">The segment's first global document id.</param>
    /// <param name="top">The search's shared top k.</param>
    /// <param name="stats">Work counters, or null.</param>
    /// <param name="acceptDocs">The live documents the postings were opened with (the tiers include deleted ones), or null.</param>
    protected WindowedMaxScoreBulkScorer(Weight weight, TPostings[] postings, TermImpactBounds?[] tiers, int shift, double boundFactor, int maxDoc, int docBase, TopKThreshold top, SpladeSearchStats? stats, IBits? acceptDocs)
    {
        _postings = postings;
        Tiers = tiers;
        _shift = shift;
        BoundFactor = boundFactor;
        _maxDoc = maxDoc;
        _docBase = docBase;
        _top = top;
        _stats = stats;
        _acceptDocs = acceptDocs;
        _holder = new ScoreHolder(weight) { OffersToTopK = true };
        int n = postings.Length;
        State = new byte[n];
        Keys = new double[2 * n];
        _itemKeys = new double[2 * n];
        _items = new int[2 * n];
        _order = new int[2 * n];
        for (int j = 0; j < _order.Length; j++)
        {
            _order[j] = j;
        }
        Check = new int[n];
        SubPrefix = new double[n];
        SubAbsent = new bool[n];
        _bufferDocs = new int[n][];
        _bufferValues = new float[n][];
        _bufferCount = new int[n];
        _cursor = new int[n];
        _value = new float[n];
    }

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
        _stats?.Add(DocumentsScored, PostingsRead, _windowsScored, _windowsSkipped);
        DocumentsScored = PostingsRead = _windowsScored = _windowsSkipped = 0;
        return _next < _maxDoc;
    }

    /// <summary>The search's current k-th best score (a document must reach it to enter the top k).</summary>
    protected double Threshold => _top.Threshold;

    /// <summary>Scores the documents of [<paramref name="windowMin"/>, <paramref name="windowEnd"/>), inside one window.</summary>
    protected abstract void ScoreWindow(ICollector collector, int windowMin, int windowEnd);

    /// <summary>
    /// Once the scorer has set every term's <see cref="State"/> (<see cref="Absent"/> or <see cref="Full"/>) and
    /// <see cref="Keys"/> for the window: sorts the parts by bound, marks the non-essential prefix in <see cref="State"/>
    /// (<see cref="HighOnly"/>: only the low part; <see cref="NonEssential"/>: the whole term) and lists the terms to
    /// check in <see cref="Check"/>. Returns the number of non-essential parts, or -1 when the window cannot hold a
    /// competitive document (no part, or all bounds together below the threshold), counted as skipped.
    /// </summary>
    protected int SplitParts(double threshold)
    {
        int m = WindowPartOrder.Sort(Keys, _order, _itemKeys, _items);
        if (m == 0)
        {
            _windowsSkipped++;
            return -1;
        }
        double sum = 0;
        int firstEssential = 0;
        while (firstEssential < m && (sum + _itemKeys[firstEssential]) * BoundFactor < threshold)
        {
            sum += _itemKeys[firstEssential];
            int item = _items[firstEssential++];
            // A low part sorts before its high part (its key is lower), so a high part here means the whole term is non-essential.
            State[item >> 1] = (item & 1) == 1 ? NonEssential : HighOnly;
        }
        if (firstEssential == m)
        {
            _windowsSkipped++;
            return -1;
        }
        _windowsScored++;
        // The parts to check, by increasing bound, come straight from the sorted non-essential prefix: a HighOnly
        // term's bound is its low part's key, a NonEssential term's its high part's key (its low part, if any, is
        // not checked separately).
        int count = 0;
        for (int j = 0; j < firstEssential; j++)
        {
            int item = _items[j];
            int i = item >> 1;
            if ((item & 1) == 1 || State[i] == HighOnly)
            {
                Check[count++] = i;
            }
        }
        CheckCount = count;
        return firstEssential;
    }

    /// <summary>Reads every essential part into the window: whole terms from their postings, HighOnly terms from their tier.</summary>
    protected void ReadEssentialParts(int block, int windowMin, int windowEnd)
    {
        for (int i = 0; i < _postings.Length; i++)
        {
            switch (State[i])
            {
                case Full:
                    ReadWindow(i, windowMin, windowEnd);
                    break;
                case HighOnly:
                    ReadHigh(i, block, windowMin, windowEnd);
                    break;
            }
        }
    }

    /// <summary>
    /// The candidate loop: every document hit by an essential part, in document order, is compared with the sum of its
    /// sub-block's bounds of the parts to check, checks them (<see cref="CheckNonEssential"/>) and, if it can still
    /// reach the threshold, is rescored exactly and offered to the top k. Clears <see cref="Partial"/> and
    /// <see cref="Matched"/> for the next window.
    /// </summary>
    protected void ScoreCandidates<TCandidates>(ICollector collector, int windowMin, double threshold, TCandidates candidates)
        where TCandidates : struct, IWindowCandidates
    {
        int firstSub = windowMin >> SubShift;
        int subBlock = -1;
        var matched = Matched;
        var partials = Partial;
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
                double partial = partials[slot];
                partials[slot] = 0;
                int doc = windowMin + slot;
                if (CheckCount > 0)
                {
                    int sub = (doc >> SubShift) - firstSub;
                    // Most documents fail this one comparison with the sum of their sub-block's bounds.
                    if ((partial + SubTotal[sub]) * BoundFactor < threshold)
                    {
                        continue;
                    }
                    if (sub != subBlock)
                    {
                        subBlock = sub;
                        candidates.SubBlockBounds(sub);
                    }
                    if (!CheckNonEssential(doc, partial, threshold))
                    {
                        continue;
                    }
                }
                else if (partial * BoundFactor < threshold)
                {
                    // Every part was read: partial is the score up to rounding, below the k-th best.
                    continue;
                }
                float score = candidates.ExactScore(doc);
                DocumentsScored++;
                Offer(collector, doc, score, ref threshold);
            }
            while (bits != 0);
        }
    }

    /// <summary>Offers an exactly scored document to the shared top k and, when it enters, to the collector.</summary>
    protected void Offer(ICollector collector, int doc, float score, ref double threshold)
    {
        if (_top.Offer(score, _docBase + doc, out float updated))
        {
            threshold = updated;
            _holder.Doc = doc;
            _holder.Score = score;
            collector.Collect(doc);
        }
    }

    /// <summary>
    /// Whether term i matches the candidate <paramref name="doc"/>, and its value there: from the window's buffer
    /// (<see cref="Full"/>), the tier (<see cref="HighOnly"/>) or the value <see cref="CheckNonEssential"/> read.
    /// Candidates must be asked in increasing document order within a window.
    /// </summary>
    protected bool Matches(int i, int doc, out float value)
    {
        switch (State[i])
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
                    value = _postings[i].TierValue(Tiers[i]!.HighImpacts![c]);
                    return true;
                }
                if (_postings[i].Doc == doc)
                {
                    value = _value[i];
                    return true;
                }
                break;
            }
            case NonEssential:
                if (_postings[i].Doc == doc)
                {
                    value = _value[i];
                    return true;
                }
                break;
        }
        value = 0f;
        return false;
    }

    // Term at a time over [windowMin, windowEnd) from the postings: buffers (doc, value) for the exact rescoring and
    // adds the scaled value to the window's partial scores.
    private void ReadWindow(int i, int windowMin, int windowEnd)
    {
        var p = _postings[i];
        int doc = p.Doc;
        if (doc < windowMin)
        {
            doc = p.Advance(windowMin);
        }
        var docs = _bufferDocs[i] ??= new int[64];
        var values = _bufferValues[i] ??= new float[64];
        var partial = Partial;
        var matched = Matched;
        int count = 0;
        while (doc < windowEnd)
        {
            float value = p.Value();
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
            partial[slot] += p.Scaled(value);
            matched[slot >> 6] |= 1UL << slot;
            doc = p.NextDoc();
        }
        PostingsRead += count;
        _bufferCount[i] = count;
        _cursor[i] = 0;
    }

    // Term at a time over the window's entries of term i's in-memory high tier; the postings are not touched. The
    // tier was built without deletions, so entries are filtered by the live documents.
    private void ReadHigh(int i, int block, int windowMin, int windowEnd)
    {
        var b = Tiers[i]!;
        var offsets = b.HighOffsets!;
        var impacts = b.HighImpacts!;
        var p = _postings[i];
        int blockBase = block << BlockShift;
        int c = b.HighBlockStart![block];
        int end = b.HighBlockStart[block + 1];
        while (c < end && blockBase + offsets[c] < windowMin)
        {
            c++;
        }
        _cursor[i] = c;
        var accept = _acceptDocs;
        var partial = Partial;
        var matched = Matched;
        if (accept is null && windowMin == blockBase && windowEnd - windowMin == MaxWindowSize)
        {
            // The usual case, a whole block without deletions: every remaining entry is in the window and its
            // offset is its slot.
            var slots = offsets.AsSpan(c, end - c);
            var values = impacts.AsSpan(c, slots.Length);
            for (int j = 0; j < slots.Length; j++)
            {
                int slot = slots[j];
                partial[slot] += p.Scaled(p.TierValue(values[j]));
                matched[slot >> 6] |= 1UL << slot;
            }
            TierEntryCount += slots.Length;
            return;
        }
        int first = c;
        for (; c < end && blockBase + offsets[c] < windowEnd; c++)
        {
            int doc = blockBase + offsets[c];
            if (accept is not null && !accept.Get(doc))
            {
                continue;
            }
            int slot = doc - windowMin;
            partial[slot] += p.Scaled(p.TierValue(impacts[c]));
            matched[slot >> 6] |= 1UL << slot;
        }
        TierEntryCount += c - first;
    }

    // Index of doc in term i's high tier, or -1; documents of the current window are looked up in increasing order.
    private int InHighTier(int i, int doc)
    {
        var b = Tiers[i]!;
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
    // sub-block bounds cannot reach the threshold. When true, every checked term with a posting in doc's sub-block is
    // positioned at or after doc and _value holds the value of those on doc (HighOnly terms: unless doc is in the
    // tier, whose value was already added).
    private bool CheckNonEssential(int doc, double partial, double threshold)
    {
        for (int j = CheckCount - 1; j >= 0; j--)
        {
            if ((partial + SubPrefix[j]) * BoundFactor < threshold)
            {
                return false;
            }
            if (SubAbsent[j])
            {
                continue;
            }
            int i = Check[j];
            if (State[i] == HighOnly && InHighTier(i, doc) >= 0)
            {
                // Already counted from the high tier.
                continue;
            }
            var p = _postings[i];
            int d = p.Doc;
            if (d < doc)
            {
                d = p.Advance(doc);
                PostingsRead++;
            }
            if (d == doc)
            {
                float value = p.Value();
                _value[i] = value;
                partial += p.Scaled(value);
            }
        }
        return partial * BoundFactor >= threshold;
    }
}
