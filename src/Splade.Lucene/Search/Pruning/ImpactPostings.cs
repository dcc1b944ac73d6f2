using System.Runtime.CompilerServices;
using Lucene.Net.Analysis.Payloads;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Splade.Lucene.Search;

/// <summary>
/// The postings of one query term in one segment, reading each document's impact from the term
/// frequency or from the payload. Both scorers compute a term's contribution here, with the same float
/// expression, which is what makes their scores bit-identical.
/// </summary>
internal sealed class ImpactPostings
{
    private readonly DocsEnum _docs;
    private readonly DocsAndPositionsEnum? _positions;
    private int _impactDoc = -1;
    private int _impact;

    public ImpactPostings(DocsEnum docs, string term, float weight)
    {
        _docs = docs;
        _positions = docs as DocsAndPositionsEnum;
        Term = term;
        Weight = weight;
    }

    public string Term { get; }

    public float Weight { get; }

    public int Doc { get; private set; } = -1;

    public bool FromPayload => _positions is not null;

    public long Cost => _docs.GetCost();

    public int NextDoc() => Doc = _docs.NextDoc();

    public int Advance(int target) => Doc = _docs.Advance(target);

    /// <summary>The impact in the current document.</summary>
    public int Impact()
    {
        if (_positions is null)
        {
            return _docs.Freq;
        }
        if (_impactDoc != Doc)
        {
            // One token per term and document in payload mode: its first position carries the impact.
            _positions.NextPosition();
            BytesRef? payload = _positions.GetPayload();
            _impact = payload is { Length: >= 4 } ? PayloadHelper.DecodeInt32(payload.Bytes, payload.Offset) : 0;
            _impactDoc = Doc;
        }
        return _impact;
    }

    /// <summary>query weight x impact for the current document.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Contribution() => Weight * (float)Impact();

    /// <summary>Adds this term's contribution of every remaining document to <paramref name="scores"/>; returns the number of postings read.</summary>
    public long AccumulateInto(float[] scores, FixedBitSet hits)
    {
        long count = 0;
        int doc;
        while ((doc = NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
        {
            scores[doc] += Contribution();
            hits.Set(doc);
            count++;
        }
        return count;
    }
}
