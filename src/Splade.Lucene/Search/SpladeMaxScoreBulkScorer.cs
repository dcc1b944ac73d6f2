using System.Numerics;
using Lucene.Net.Search;

namespace Splade.Lucene.Search;

/// <summary>
/// Exact top-k evaluation with windowed MaxScore (the design of Lucene 9's MaxScoreBulkScorer, rebuilt
/// for impacts): the segment is cut into windows of <see cref="SegmentImpactBounds.BlockSize"/> documents.
/// In each window every term present there gets the upper bound <c>weight x block max impact</c>; terms
/// sorted by bound are split into non-essential ones (the cheapest terms whose bounds sum below the
/// current k-th best score: a document matching only those cannot compete) and essential ones. The
/// essential terms are read term at a time into the window; each document they hit then checks the
/// non-essential terms, heaviest first, by skipping (Advance), and is dropped as soon as its partial score
/// plus the remaining bounds falls below the threshold. A window whose bounds all sum below the threshold
/// is skipped without reading a posting.
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

    private readonly ImpactPostings[] _postings;
    private readonly float[] _weights;
    private readonly int[][] _blockMax;
    private readonly byte[][] _subBlockMax;
    private readonly int _maxDoc;
    private readonly int _docBase;
    private readonly float _boost;
    private readonly double _boundFactor;
    private readonly TopKThreshold _top;
    private readonly SpladeSearchStats? _stats;
    private readonly ScoreHolder _holder;

    private readonly double[] _bounds;
    private readonly double[] _sortKeys;
    private readonly int[] _order;
    private readonly double[] _prefix;
    private readonly bool[] _essential;
    private readonly double[] _subPrefix;
    private readonly bool[] _subAbsent;
    private int _subBlock;
    private readonly int[][] _bufferDocs;
    private readonly int[][] _bufferImpacts;
    private readonly int[] _bufferCount;
    private readonly int[] _bufferCursor;
    private readonly double[] _partial = new double[WindowSize];
    private readonly ulong[] _matched = new ulong[WindowSize / 64];

    private int _next;
    private long _documentsScored;
    private long _postingsRead;
    private long _windowsScored;
    private long _windowsSkipped;

    public SpladeMaxScoreBulkScorer(Weight weight, ImpactPostings[] postings, TermImpactBounds[] bounds, int maxDoc, int docBase, float boost, TopKThreshold top, SpladeSearchStats? stats)
    {
        _postings = postings;
        _weights = Array.ConvertAll(postings, p => p.Weight);
        _blockMax = Array.ConvertAll(bounds, b => b.BlockMax);
        _subBlockMax = Array.ConvertAll(bounds, b => b.SubBlockMax);
        _maxDoc = maxDoc;
        _docBase = docBase;
        _boost = boost;
        // Float sums of n positive terms exceed the real sum by at most (n - 1) ulps-ish relative error, each
        // product and the final boost multiply add one more rounding: (n + 2) x 2^-23 covers them all, doubled.
        _boundFactor = boost * (1.0 + ((postings.Length + 2) * Math.Pow(2, -22)));
        _top = top;
        _stats = stats;
        _holder = new ScoreHolder(weight);
        int n = postings.Length;
        _bounds = new double[n];
        _sortKeys = new double[n];
        _order = new int[n];
        _prefix = new double[n];
        _essential = new bool[n];
        _subPrefix = new double[n];
        _subAbsent = new bool[n];
        _bufferDocs = new int[n][];
        _bufferImpacts = new int[n][];
        _bufferCount = new int[n];
        _bufferCursor = new int[n];
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
        int present = 0;
        for (int i = 0; i < _postings.Length; i++)
        {
            _essential[i] = false;
            int bm = _blockMax[i][block];
            if (bm < 0)
            {
                continue;
            }
            _bounds[i] = (double)_weights[i] * bm;
            _sortKeys[present] = _bounds[i];
            _order[present++] = i;
        }
        if (present == 0)
        {
            _windowsSkipped++;
            return;
        }
        Array.Sort(_sortKeys, _order, 0, present);
        double sum = 0;
        int firstEssential = 0;
        for (int j = 0; j < present; j++)
        {
            sum += _bounds[_order[j]];
            _prefix[j] = sum;
            if (firstEssential == j && sum * _boundFactor < threshold)
            {
                firstEssential = j + 1;
            }
        }
        if (firstEssential == present)
        {
            _windowsSkipped++;
            return;
        }
        _windowsScored++;
        _subBlock = -1;

        for (int j = firstEssential; j < present; j++)
        {
            int i = _order[j];
            _essential[i] = true;
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
                if (firstEssential > 0)
                {
                    int sub = doc >> SegmentImpactBounds.SubBlockShift;
                    if (sub != _subBlock)
                    {
                        SubBlockBounds(sub, block, firstEssential);
                    }
                }
                if (!CheckNonEssential(doc, ref partial, firstEssential, threshold))
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

    // Term at a time over [windowMin, windowEnd): buffers (doc, impact) for the exact rescoring and adds the
    // contribution to the window's partial scores.
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
        _bufferCursor[i] = 0;
    }

    // The non-essential terms' bounds in one 128-document sub-block, far tighter than the window's for all
    // but the commonest terms: prefix sums in the window's order, and which terms have no posting there.
    private void SubBlockBounds(int sub, int block, int firstEssential)
    {
        _subBlock = sub;
        double sum = 0;
        for (int j = 0; j < firstEssential; j++)
        {
            int i = _order[j];
            int q = _subBlockMax[i][sub];
            _subAbsent[j] = q == 0;
            sum += (double)_weights[i] * _blockMax[i][block] * q / 255.0;
            _subPrefix[j] = sum;
        }
    }

    // Adds the non-essential terms, heaviest window bound first, skipping those absent from the sub-block;
    // false as soon as the partial score plus the remaining sub-block bounds cannot reach the threshold.
    private bool CheckNonEssential(int doc, ref double partial, int firstEssential, double threshold)
    {
        for (int j = firstEssential - 1; j >= 0; j--)
        {
            if ((partial + _subPrefix[j]) * _boundFactor < threshold)
            {
                return false;
            }
            if (_subAbsent[j])
            {
                continue;
            }
            int i = _order[j];
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

    // The float sum in query term order, as the exhaustive scorers compute it. Non-essential terms were
    // all advanced to doc by CheckNonEssential; terms absent from the window cannot match.
    private float ExactScore(int doc)
    {
        float sum = 0f;
        int block = doc >> Shift;
        for (int i = 0; i < _postings.Length; i++)
        {
            if (_essential[i])
            {
                var docs = _bufferDocs[i];
                int c = _bufferCursor[i];
                int n = _bufferCount[i];
                while (c < n && docs[c] < doc)
                {
                    c++;
                }
                _bufferCursor[i] = c;
                if (c < n && docs[c] == doc)
                {
                    sum += _weights[i] * (float)_bufferImpacts[i][c];
                }
            }
            else if (_blockMax[i][block] >= 0 && _postings[i].Doc == doc)
            {
                sum += _postings[i].Contribution();
            }
        }
        return sum * _boost;
    }
}
