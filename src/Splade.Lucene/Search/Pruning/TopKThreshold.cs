namespace Splade.Lucene.Search;

/// <summary>
/// The k best (score, global doc id) pairs seen so far in one search, shared by the segments of the search
/// (which may run in parallel), and the score of the worst of them once there are k: a document whose
/// score is below it cannot enter the final top k. Order is TopScoreDocCollector's: higher score first,
/// ties by smaller doc id.
/// </summary>
internal sealed class TopKThreshold
{
    private readonly int _k;
    private float[] _heapScores;
    private int[] _heapDocs;
    private readonly object _lock = new();
    private int _count;
    private float _threshold = float.NegativeInfinity;

    public TopKThreshold(int k)
    {
        _k = k;
        // Grown on demand: k may be far larger than the number of matches.
        _heapScores = new float[Math.Min(k, 1024)];
        _heapDocs = new int[_heapScores.Length];
    }

    /// <summary>The k-th best score so far, or negative infinity while fewer than k documents were offered. Never decreases.</summary>
    public float Threshold => Volatile.Read(ref _threshold);

    /// <summary>Adds the document if it belongs to the top k so far; true if it does. <paramref name="threshold"/> receives the new threshold.</summary>
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
                }
                int i = _count++;
                _heapScores[i] = score;
                _heapDocs[i] = doc;
                SiftUp(i);
                added = true;
                if (_count == _k)
                {
                    Volatile.Write(ref _threshold, _heapScores[0]);
                }
            }
            else if (Worse(_heapScores[0], _heapDocs[0], score, doc))
            {
                _heapScores[0] = score;
                _heapDocs[0] = doc;
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

    private void SiftUp(int i)
    {
        float s = _heapScores[i];
        int d = _heapDocs[i];
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Worse(s, d, _heapScores[parent], _heapDocs[parent]))
            {
                break;
            }
            _heapScores[i] = _heapScores[parent];
            _heapDocs[i] = _heapDocs[parent];
            i = parent;
        }
        _heapScores[i] = s;
        _heapDocs[i] = d;
    }

    private void SiftDown(int i)
    {
        float s = _heapScores[i];
        int d = _heapDocs[i];
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= _count)
            {
                break;
            }
            if (child + 1 < _count && Worse(_heapScores[child + 1], _heapDocs[child + 1], _heapScores[child], _heapDocs[child]))
            {
                child++;
            }
            if (!Worse(_heapScores[child], _heapDocs[child], s, d))
            {
                break;
            }
            _heapScores[i] = _heapScores[child];
            _heapDocs[i] = _heapDocs[child];
            i = child;
        }
        _heapScores[i] = s;
        _heapDocs[i] = d;
    }
}
