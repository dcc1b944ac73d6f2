using Lucene.Net.Analysis.Payloads;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;

namespace Splade.Lucene.Search;

/// <summary>
/// Impact similarity (Anserini's <c>ImpactSimilarity</c>): a term scores <c>boost x freq</c> (or
/// <c>boost x payload</c> for payload queries through <see cref="Similarity.SimScorer.ComputePayloadFactor"/>),
/// with no idf, no length norm, coord 1 and query norm 1; the boost is <c>queryBoost x topLevelBoost</c>.
/// A <see cref="BooleanQuery"/> of boosted <see cref="TermQuery"/>s then scores the dot product of the
/// boosts and the indexed impacts. <see cref="SpladeQuery"/> does not need it (it scores by itself).
/// </summary>
public sealed class SpladeSimilarity : Similarity
{
    /// <summary>Coordination is off: a document matching fewer query terms is not penalised.</summary>
    public override float Coord(int overlap, int maxOverlap) => 1f;

    /// <summary>Query weights are used as given: no normalisation.</summary>
    public override float QueryNorm(float valueForNormalization) => 1f;

    /// <summary>SPLADE fields omit norms; a constant is returned for fields that do not.</summary>
    public override long ComputeNorm(FieldInvertState state) => 1L;

    /// <inheritdoc/>
    public override SimWeight ComputeWeight(float queryBoost, CollectionStatistics collectionStats, params TermStatistics[] termStats) =>
        new ImpactWeight(queryBoost);

    /// <inheritdoc/>
    public override SimScorer GetSimScorer(SimWeight weight, AtomicReaderContext context) =>
        new ImpactScorer(((ImpactWeight)weight).Boost);

    private sealed class ImpactWeight : SimWeight
    {
        private readonly float _queryBoost;

        public ImpactWeight(float queryBoost)
        {
            _queryBoost = queryBoost;
            Boost = queryBoost;
        }

        public float Boost { get; private set; }

        public override float GetValueForNormalization() => _queryBoost * _queryBoost;

        public override void Normalize(float queryNorm, float topLevelBoost) => Boost = _queryBoost * topLevelBoost;
    }

    private sealed class ImpactScorer : SimScorer
    {
        private readonly float _boost;

        public ImpactScorer(float boost) => _boost = boost;

        public override float Score(int doc, float freq) => _boost * freq;

        public override float ComputeSlopFactor(int distance) => 1f;

        public override float ComputePayloadFactor(int doc, int start, int end, BytesRef payload) =>
            payload is { Length: >= 4 } ? PayloadHelper.DecodeInt32(payload.Bytes, payload.Offset) : 1f;

        public override Explanation Explain(int doc, Explanation freq)
        {
            var result = new Explanation(Score(doc, freq.Value), $"score(doc={doc}), product of:");
            result.AddDetail(new Explanation(_boost, "boost (query weight)"));
            result.AddDetail(freq);
            return result;
        }
    }
}
