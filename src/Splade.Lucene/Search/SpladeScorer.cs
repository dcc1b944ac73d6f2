using Lucene.Net.Search;

namespace Splade.Lucene.Search;

/// <summary>
/// Document-at-a-time evaluation (used inside <c>BooleanQuery</c> and wherever a <see cref="Scorer"/> is
/// needed): advances every term's postings together and sums the contributions of the terms on the
/// current document in query term order, the order <see cref="SpladeBulkScorer"/> uses.
/// </summary>
internal sealed class SpladeScorer : Scorer
{
    private readonly ImpactPostings[] _postings;
    private readonly float _boost;
    private int _doc = -1;

    public SpladeScorer(Weight weight, ImpactPostings[] postings, float boost)
        : base(weight)
    {
        _postings = postings;
        _boost = boost;
    }

    public override int DocID => _doc;

    public override int Freq
    {
        get
        {
            int n = 0;
            foreach (var p in _postings)
            {
                if (p.Doc == _doc)
                {
                    n++;
                }
            }
            return n;
        }
    }

    public override float GetScore()
    {
        float sum = 0f;
        foreach (var p in _postings)
        {
            if (p.Doc == _doc)
            {
                sum += p.Contribution();
            }
        }
        return sum * _boost;
    }

    public override int NextDoc()
    {
        if (_doc == NO_MORE_DOCS)
        {
            return _doc;
        }
        int min = NO_MORE_DOCS;
        foreach (var p in _postings)
        {
            int d = p.Doc;
            if (d == _doc)
            {
                d = p.NextDoc();
            }
            if (d < min)
            {
                min = d;
            }
        }
        return _doc = min;
    }

    public override int Advance(int target)
    {
        int min = NO_MORE_DOCS;
        foreach (var p in _postings)
        {
            int d = p.Doc;
            if (d < target)
            {
                d = p.Advance(target);
            }
            if (d < min)
            {
                min = d;
            }
        }
        return _doc = min;
    }

    public override long GetCost()
    {
        long cost = 0;
        foreach (var p in _postings)
        {
            cost += p.Cost;
        }
        return cost;
    }
}
