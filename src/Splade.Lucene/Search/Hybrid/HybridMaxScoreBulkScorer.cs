using System.Numerics;
using Lucene.Net.Search;

namespace Splade.Lucene.Search;

/// <summary>
/// Exact top-k evaluation of a linear hybrid (BM25 term clauses + SPLADE terms) with windowed MaxScore, the idea of
/// <see cref="SpladeMaxScoreBulkScorer"/>: per window of <see cref="SegmentImpactBounds.BlockSize"/> documents (by default) every
/// clause present there gets an upper bound (text terms: the similarity's score of the window's largest frequency at
/// its shortest field; SPLADE terms: weight x the sub-block bound of the impacts); the cheapest clauses whose bounds sum below the
/// current k-th best score are non-essential, the others are read term at a time into the window, and each document
/// they hit checks the non-essential clauses by skipping, heaviest first, until it cannot reach the threshold.
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
    private const int MaxWindowSize = SegmentImpactBounds.BlockSize;

    private const byte Absent = 0;
    private const byte Essential = 1;
    private const byte NonEssential = 2;

    private readonly HybridClause[] _clauses;
    private readonly int _lexicalCount;
    private readonly float[] _lexicalCoord;
    private readonly float _spladeBoost;
    private readonly float[] _outerCoord;
    private readonly double[] _scale;
    private readonly double _boundFactor;
    private readonly int _maxDoc;
    private readonly int _docBase;
    private readonly TopKThreshold _top;
    private readonly SpladeSearchStats? _stats;
    private readonly ScoreHolder _holder;

    private readonly byte[] _state;
    private readonly double[] _bound;
    private readonly int[] _sorted;
    private readonly double[] _prefix;
    private readonly int[][] _bufferDocs;
    private readonly float[][] _bufferValues;
    private readonly int[] _bufferCount;
    private readonly int[] _cursor;
    private readonly float[] _value;
    private readonly int _shift = WindowShift;
    private readonly double[] _partial = new double[MaxWindowSize];
    private readonly ulong[] _matched = new ulong[MaxWindowSize / 64];

    private int _next;
    private long _documentsScored;
    private long _postingsRead;
    private long _windowsScored;
    private long _windowsSkipped;

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
    public HybridMaxScoreBulkScorer(Weight weight, HybridClause[] clauses, int lexicalCount, float[] lexicalCoord, float spladeBoost, float[] outerCoord, int maxDoc, int docBase, TopKThreshold top, SpladeSearchStats? stats)
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
        _holder = new ScoreHolder(weight) { OffersToTopK = true };
        double outerMax = outerCoord.Max();
        double lexicalScale = lexicalCoord.Max() * outerMax;
        double spladeScale = spladeBoost * outerMax;
        int n = clauses.Length;
        _scale = new double[n];
        for (int i = 0; i < n; i++)
        {
            _scale[i] = i < lexicalCount ? lexicalScale : spladeScale;
        }
        // Float sums of n positive terms exceed the real sum by at most about n x 2^-24 relative; the products, casts
        // and double sums add a few more roundings: (n + 8) x 2^-22 covers them with a margin of 4.
        _boundFactor = 1.0 + ((n + 8) * Math.Pow(2, -22));
        _state = new byte[n];
        _bound = new double[n];
        _sorted = new int[n];
        _prefix = new double[n];
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
        _documentsScored = _postingsRead = _windowsScored = _windowsSkipped = 0;
        return _next < _maxDoc;
    }

    private void ScoreWindow(ICollector collector, int windowMin, int windowEnd)
    {
        int firstSub = windowMin >> SubShift;
        int lastSub = (windowEnd - 1) >> SubShift;
        double threshold = _top.Threshold;
        int m = 0;
        for (int i = 0; i < _clauses.Length; i++)
        {
            var clause = _clauses[i];
            double b = clause.Bound(firstSub);
            for (int sub = firstSub + 1; sub <= lastSub; sub++)
            {
                b = Math.Max(b, clause.Bound(sub));
            }
            if (b < 0)
            {
                _state[i] = Absent;
                continue;
            }
            b *= _scale[i];
            _bound[i] = b;
            // Insertion sort by bound: the clauses are few.
            int k = m++;
            while (k > 0 && _bound[_sorted[k - 1]] > b)
            {
                _sorted[k] = _sorted[k - 1];
                k--;
            }
            _sorted[k] = i;
        }
        if (m == 0)
        {
            _windowsSkipped++;
            return;
        }
        double sum = 0;
        int firstEssential = 0;
        while (firstEssential < m && (sum + _bound[_sorted[firstEssential]]) * _boundFactor < threshold)
        {
            int i = _sorted[firstEssential++];
            sum += _bound[i];
            _prefix[firstEssential - 1] = sum;
            _state[i] = NonEssential;
        }
        if (firstEssential == m)
        {
            _windowsSkipped++;
            return;
        }
        _windowsScored++;
        for (int j = firstEssential; j < m; j++)
        {
            int i = _sorted[j];
            _state[i] = Essential;
            ReadWindow(i, windowMin, windowEnd);
        }

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
                if (firstEssential > 0 && !CheckNonEssential(doc, partial, firstEssential, threshold))
                {
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

    // Adds the non-essential clauses, heaviest bound first; false as soon as the partial score plus the remaining
    // bounds cannot reach the threshold. When true, every non-essential clause is positioned at or after doc and
    // _value holds the value of those on doc.
    private bool CheckNonEssential(int doc, double partial, int count, double threshold)
    {
        for (int j = count - 1; j >= 0; j--)
        {
            if ((partial + _prefix[j]) * _boundFactor < threshold)
            {
                return false;
            }
            int i = _sorted[j];
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
            case Essential:
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
