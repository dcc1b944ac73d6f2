using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Splade.Lucene.Search;

/// <summary>
/// Term-at-a-time top-k evaluation of a segment from in-memory postings (<see cref="InMemoryTermPostings"/>; terms not
/// kept in memory are read from the index): every query term, in query term order, adds <c>weight x impact</c> into a
/// float score array, exactly as <see cref="SpladeBulkScorer"/> does, so scores are bit-identical; then one pass over
/// the array offers to the search's shared top k (<see cref="TopKThreshold"/>) only the live documents whose score
/// reaches its current k-th best, and collects those that enter, in document order. Needs positive query weights and
/// boost: a document then matches exactly when its sum is positive (impacts kept in memory are at least 1; an impact
/// of 0 or below read from the index is remembered in a bit set).
/// </summary>
internal sealed class InMemoryBulkScorer : BulkScorer
{
    private const int MaxPooledDocs = 1 << 22;

    [ThreadStatic]
    private static float[]? t_scores;

    private readonly InMemoryTermPostings?[] _memory;
    private readonly ImpactPostings?[] _postings;
    private readonly float[] _weights;
    private readonly int _maxDoc;
    private readonly int _docBase;
    private readonly float _boost;
    private readonly TopKThreshold _top;
    private readonly IBits? _acceptDocs;
    private readonly SpladeSearchStats? _stats;
    private readonly ScoreHolder _holder;
    private float[]? _scores;
    private bool _pooled;
    private FixedBitSet? _nonPositive;
    private int _next;

    /// <param name="weight">The weight (for the scorer handed to collectors).</param>
    /// <param name="memory">Per query term (in query term order), its in-memory postings, or null.</param>
    /// <param name="postings">Per query term, its postings in the index when not in memory (live documents only), or null.</param>
    /// <param name="weights">Per query term, its weight.</param>
    /// <param name="maxDoc">The segment's MaxDoc.</param>
    /// <param name="docBase">The segment's first global document id.</param>
    /// <param name="boost">The query boost times the top-level boost (positive).</param>
    /// <param name="top">The search's shared top k.</param>
    /// <param name="acceptDocs">The live documents (null: all), checked before a document is offered.</param>
    /// <param name="stats">Work counters, or null.</param>
    public InMemoryBulkScorer(Weight weight, InMemoryTermPostings?[] memory, ImpactPostings?[] postings, float[] weights, int maxDoc, int docBase, float boost, TopKThreshold top, IBits? acceptDocs, SpladeSearchStats? stats)
    {
        _memory = memory;
        _postings = postings;
        _weights = weights;
        _maxDoc = maxDoc;
        _docBase = docBase;
        _boost = boost;
        _top = top;
        _acceptDocs = acceptDocs;
        _stats = stats;
        _holder = new ScoreHolder(weight) { OffersToTopK = true };
    }

    public override bool Score(ICollector collector, int max)
    {
        if (_scores is null)
        {
            // Pooled per thread up to MaxPooledDocs (16 MB); a larger segment's array is allocated per search, as
            // SpladeBulkScorer's, so that idle threads do not hold it.
            Accumulate(pool: max >= _maxDoc && _maxDoc <= MaxPooledDocs);
        }
        collector.SetScorer(_holder);
        int end = Math.Min(max, _maxDoc);
        long offered = Collect(collector, _next, end);
        _next = end;
        _stats?.Add(offered, 0, 0, 0);
        if (_next < _maxDoc)
        {
            return true;
        }
        if (_pooled)
        {
            // The array goes back to this thread's pool (cleared when next taken).
            t_scores = _scores;
            _pooled = false;
        }
        _scores = null;
        return false;
    }

    // Optimised at first call: a fresh process's first queries would otherwise run these loops as tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Accumulate(bool pool)
    {
        float[] scores;
        if (pool && t_scores is { } cached && cached.Length >= _maxDoc)
        {
            // Taken out of the pool while in use, so that a nested search on this thread cannot share it.
            t_scores = null;
            scores = cached;
            Array.Clear(scores, 0, _maxDoc);
        }
        else
        {
            scores = new float[Math.Max(1, _maxDoc)];
        }
        _pooled = pool;
        _scores = scores;
        long read = 0;
        for (int i = 0; i < _weights.Length; i++)
        {
            float weight = _weights[i];
            if (_memory[i] is { } memory)
            {
                memory.AccumulateInto(scores, weight);
                read += memory.Count;
            }
            else if (_postings[i] is { } p)
            {
                int doc;
                while ((doc = p.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                {
                    float contribution = p.Contribution();
                    scores[doc] += contribution;
                    if (!(contribution > 0f))
                    {
                        (_nonPositive ??= new FixedBitSet(Math.Max(1, _maxDoc))).Set(doc);
                    }
                    read++;
                }
            }
        }
        _stats?.Add(0, read, 0, 0);
    }

    // Offers the matching live documents of [from, end) whose score reaches the threshold; returns how many were offered.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long Collect(ICollector collector, int from, int end)
    {
        var scores = _scores!;
        float boost = _boost;
        float threshold = _top.Threshold;
        long offered = 0;
        int doc = from;
        if (_nonPositive is null && Vector256.IsHardwareAccelerated)
        {
            // Eight documents at a time: most fail score >= threshold, or have no match (sum 0). The product is the
            // same IEEE float multiplication as the scalar one below.
            ref float s = ref MemoryMarshal.GetArrayDataReference(scores);
            var zero = Vector256<float>.Zero;
            var boostV = Vector256.Create(boost);
            var thresholdV = Vector256.Create(threshold);
            for (; doc + Vector256<float>.Count <= end; doc += Vector256<float>.Count)
            {
                var sums = Vector256.LoadUnsafe(ref s, (nuint)doc);
                var mask = Vector256.GreaterThan(sums, zero) & Vector256.GreaterThanOrEqual(sums * boostV, thresholdV);
                if (mask == Vector256<float>.Zero)
                {
                    continue;
                }
                uint bits = mask.ExtractMostSignificantBits();
                while (bits != 0)
                {
                    int d = doc + System.Numerics.BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    offered += Offer(collector, d, Unsafe.Add(ref s, d) * boost, ref threshold) ? 1 : 0;
                }
                thresholdV = Vector256.Create(threshold);
            }
        }
        for (; doc < end; doc++)
        {
            float sum = scores[doc];
            if (!(sum > 0f) && (_nonPositive is null || !_nonPositive.Get(doc)))
            {
                continue;
            }
            float score = sum * boost;
            if (score >= threshold)
            {
                offered += Offer(collector, doc, score, ref threshold) ? 1 : 0;
            }
        }
        return offered;
    }

    // Offers a candidate (not yet checked against the live documents); true when it was offered.
    private bool Offer(ICollector collector, int doc, float score, ref float threshold)
    {
        // The threshold may have risen since the candidate was picked.
        if (score < threshold || (_acceptDocs is not null && !_acceptDocs.Get(doc)))
        {
            return false;
        }
        if (_top.Offer(score, _docBase + doc, out float updated))
        {
            _holder.Doc = doc;
            _holder.Score = score;
            collector.Collect(doc);
        }
        threshold = updated;
        return true;
    }
}
