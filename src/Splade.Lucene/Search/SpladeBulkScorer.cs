using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Splade.Lucene.Search;

/// <summary>
/// Term-at-a-time evaluation: one pass over each query term's postings (in query term order) adds
/// <c>weight x impact</c> into a per-segment score array, then the matching documents are collected in
/// document order, honouring the <c>max</c> windows that <c>BooleanScorer</c> asks for.
/// </summary>
internal sealed class SpladeBulkScorer : BulkScorer
{
    private readonly ImpactPostings[] _postings;
    private readonly int _maxDoc;
    private readonly float _boost;
    private readonly ScoreHolder _holder;
    private readonly SpladeSearchStats? _stats;
    private float[]? _scores;
    private FixedBitSet? _hits;
    private int _next;

    public SpladeBulkScorer(Weight weight, ImpactPostings[] postings, int maxDoc, float boost, SpladeSearchStats? stats = null)
    {
        _stats = stats;
        _postings = postings;
        _maxDoc = maxDoc;
        _boost = boost;
        _holder = new ScoreHolder(weight);
    }

    public override bool Score(ICollector collector, int max)
    {
        if (_scores is null)
        {
            _scores = new float[_maxDoc];
            _hits = new FixedBitSet(Math.Max(1, _maxDoc));
            long postingsRead = 0;
            foreach (var p in _postings)
            {
                postingsRead += p.AccumulateInto(_scores, _hits);
            }
            _stats?.Add(_hits.Cardinality, postingsRead, 0, 0);
        }
        collector.SetScorer(_holder);
        while (_next < _maxDoc)
        {
            int doc = _hits!.NextSetBit(_next);
            if (doc < 0 || doc >= _maxDoc)
            {
                _next = _maxDoc;
                break;
            }
            if (doc >= max)
            {
                _next = doc;
                return true;
            }
            _holder.Doc = doc;
            _holder.Score = _scores[doc] * _boost;
            collector.Collect(doc);
            _next = doc + 1;
        }
        return false;
    }
}
