using Lucene.Net.Search;

namespace Splade.Lucene.Search;

/// <summary>
/// The k best (score, global doc id) pairs seen so far in one search, shared by the segments of the search
/// (which may run in parallel), and the score of the worst of them once there are k: a document whose
/// score is below it cannot enter the final top k (one whose score equals it still can). Order is
/// TopScoreDocCollector's: higher score first, ties by smaller doc id; with an <see cref="ExternalIds"/>,
/// ties by smaller external id (read only when scores tie), then doc id.
/// </summary>
internal sealed class TopKThreshold
{
    private readonly int _k;
    private readonly ExternalIds? _ids;
    private float[] _heapScores;
    private int[] _heapDocs;
    private byte[]?[]? _heapIds;
    private readonly object _lock = new();
    private int _count;
    private float _threshold = float.NegativeInfinity;

    public TopKThreshold(int k, ExternalIds? ids = null)
    {
        _k = k;
        _ids = ids;
        // Grown on demand: k may be far larger than the number of matches.
        _heapScores = new float[Math.Min(k, 1024)];
        _heapDocs = new int[_heapScores.Length];
        _heapIds = ids is null ? null : new byte[]?[_heapScores.Length];
    }

    /// <summary>The top k so far, best first (a snapshot; call when the search is over).</summary>
    public ScoreDoc[] Sorted()
    {
        lock (_lock)
        {
            var order = Enumerable.Range(0, _count).ToArray();
            Array.Sort(order, (a, b) => Worse(a, b) ? 1 : Worse(b, a) ? -1 : 0);
            return Array.ConvertAll(order, i => new ScoreDoc(_heapDocs[i], _heapScores[i]));
        }
    }

    /// <summary>The k-th best score so far, or negative infinity while fewer than k documents were offered. Never decreases.</summary>
    public float Threshold => Volatile.Read(ref _threshold);

    /// <summary>Adds the document if it belongs to the top k so far; true if it does. <paramref name="threshold"/> receives the new threshold.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool Offer(float score, int doc, out float threshold)
    {
        lock (_lock)
        {
            bool added;
            if (_count < _k)
            {
                if (_count == _heapScores.Length)
                {
                    int size = (int)Math.Min(_k, 2L * _heapScores.Length);
                    Array.Resize(ref _heapScores, size);
                    Array.Resize(ref _heapDocs, size);
                    if (_heapIds is not null)
                    {
                        Array.Resize(ref _heapIds, size);
                    }
                }
                int i = _count++;
                _heapScores[i] = score;
                _heapDocs[i] = doc;
                if (_heapIds is not null)
                {
                    _heapIds[i] = null;
                }
                SiftUp(i);
                added = true;
                if (_count == _k)
                {
                    Volatile.Write(ref _threshold, _heapScores[0]);
                }
            }
            else if (_ids is null ? Worse(_heapScores[0], _heapDocs[0], score, doc) : WorseThanCandidate(score, doc))
            {
                _heapScores[0] = score;
                _heapDocs[0] = doc;
                if (_heapIds is not null)
                {
                    _heapIds[0] = _candidateId;
                }
                SiftDown(0);
                Volatile.Write(ref _threshold, _heapScores[0]);
                added = true;
            }
            else
            {
                added = false;
            }
            threshold = _threshold;
            return added;
        }
    }

    // (s1, d1) ranks below (s2, d2).
    private static bool Worse(float s1, int d1, float s2, int d2) => s1 < s2 || (s1 == s2 && d1 > d2);

    private byte[]? _candidateId;

    // Whether the heap's worst entry ranks below the candidate (score, doc); with ids, the candidate's id is
    // read (into _candidateId) only when the scores tie.
    private bool WorseThanCandidate(float score, int doc)
    {
        _candidateId = null;
        float top = _heapScores[0];
        if (top != score)
        {
            return top < score;
        }
        _candidateId = _ids!.Get(doc);
        int c = IdOf(0).AsSpan().SequenceCompareTo(_candidateId);
        return c != 0 ? c > 0 : _heapDocs[0] > doc;
    }

    private byte[] IdOf(int i) => _heapIds![i] ??= _ids!.Get(_heapDocs[i]);

    // Entry a ranks below entry b.
    private bool Worse(int a, int b)
    {
        float sa = _heapScores[a], sb = _heapScores[b];
        if (sa != sb)
        {
            return sa < sb;
        }
        if (_ids is not null)
        {
            int c = IdOf(a).AsSpan().SequenceCompareTo(IdOf(b));
            if (c != 0)
            {
                return c > 0;
            }
        }
        return _heapDocs[a] > _heapDocs[b];
    }

    private void Swap(int a, int b)
    {
        (_heapScores[a], _heapScores[b]) = (_heapScores[b], _heapScores[a]);
        (_heapDocs[a], _heapDocs[b]) = (_heapDocs[b], _heapDocs[a]);
        if (_heapIds is not null)
        {
            (_heapIds[a], _heapIds[b]) = (_heapIds[b], _heapIds[a]);
        }
    }

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Worse(i, parent))
            {
                break;
            }
            Swap(i, parent);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= _count)
            {
                break;
            }
            if (child + 1 < _count && Worse(child + 1, child))
            {
                child++;
            }
            if (!Worse(child, i))
            {
                break;
            }
            Swap(i, child);
            i = child;
        }
    }
}
