using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;

namespace Splade.Lucene.Search;

/// <summary>
/// The private query <see cref="SpladeSearcher"/> searches for a recognised linear hybrid (<see cref="HybridShape"/>):
/// its weight is the hybrid <see cref="BooleanQuery"/>'s own weight (normalised by the searcher as usual), and per
/// segment it either hands out that weight's bulk scorer (exhaustive) or a <see cref="HybridMaxScoreBulkScorer"/> built
/// from the same normalisation: each text term's similarity weight is computed with the same calls and arguments as
/// Lucene's <c>TermWeight</c>, so term scores are the same floats.
/// </summary>
internal sealed class PrunedHybridQuery : Query
{
    public PrunedHybridQuery(HybridShape shape, SpladePruning pruning)
    {
        Shape = shape;
        Pruning = pruning;
    }

    public HybridShape Shape { get; }

    public SpladePruning Pruning { get; }

    public override Weight CreateWeight(IndexSearcher searcher) => new HybridWeight(this, searcher);

    public override string ToString(string field) => "pruned(" + Shape.Outer.ToString(field) + ")";

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    private sealed class HybridWeight : Weight
    {
        private readonly PrunedHybridQuery _query;
        private readonly IndexSearcher _searcher;
        private readonly Weight _inner;
        private readonly TopKThreshold _top;
        private readonly TermStatistics?[] _termStats;
        private readonly CollectionStatistics?[] _collectionStats;
        private Similarity.SimWeight?[]? _simWeights;
        private SpladeWeight? _splade;
        private float[]? _lexicalCoord;
        private float[]? _outerCoord;

        public HybridWeight(PrunedHybridQuery query, IndexSearcher searcher)
        {
            _query = query;
            _searcher = searcher;
            _inner = query.Shape.Outer.CreateWeight(searcher);
            _top = query.Pruning.Top ?? new TopKThreshold(query.Pruning.K);
            var terms = query.Shape.Terms;
            _termStats = new TermStatistics?[terms.Length];
            _collectionStats = new CollectionStatistics?[terms.Length];
            for (int i = 0; i < terms.Length; i++)
            {
                // What TermQuery.CreateWeight passes to the similarity.
                var term = terms[i].Term;
                var context = TermContext.Build(searcher.TopReaderContext, term);
                _collectionStats[i] = searcher.CollectionStatistics(term.Field);
                _termStats[i] = searcher.TermStatistics(term, context);
            }
        }

        public override Query Query => _query;

        public override bool ScoresDocsOutOfOrder => _inner.ScoresDocsOutOfOrder;

        public override float GetValueForNormalization() => _inner.GetValueForNormalization();

        public override void Normalize(float norm, float topLevelBoost)
        {
            _inner.Normalize(norm, topLevelBoost);
            var shape = _query.Shape;
            var similarity = _searcher.Similarity;
            // BooleanWeight.Normalize: topLevelBoost *= Boost, passed to every clause's weight.
            float outerBoost = topLevelBoost * shape.Outer.Boost;
            _splade = (SpladeWeight)shape.Splade.CreateWeight(_searcher);
            _splade.Normalize(norm, outerBoost);
            float termTopLevel = shape.Lexical is BooleanQuery lexical ? outerBoost * lexical.Boost : outerBoost;
            _simWeights = new Similarity.SimWeight?[shape.Terms.Length];
            for (int i = 0; i < shape.Terms.Length; i++)
            {
                var sw = similarity.ComputeWeight(shape.Terms[i].Boost, _collectionStats[i], _termStats[i]);
                sw.Normalize(norm, termTopLevel);
                _simWeights[i] = sw;
            }
            _lexicalCoord = shape.Lexical is BooleanQuery bq ? CoordFactors(similarity, bq.CoordDisabled, bq.Clauses.Count) : [1f, 1f];
            _outerCoord = CoordFactors(similarity, shape.Outer.CoordDisabled, 2);
        }

        // BooleanScorer's coord factors for up to maxCoord matching clauses (BooleanWeight.Coord: 1 when maxCoord is 1).
        private static float[] CoordFactors(Similarity similarity, bool disabled, int maxCoord)
        {
            var factors = new float[maxCoord + 1];
            for (int i = 0; i < factors.Length; i++)
            {
                factors[i] = disabled || maxCoord == 1 ? 1f : similarity.Coord(i, maxCoord);
            }
            return factors;
        }

        public override Scorer? GetScorer(AtomicReaderContext context, IBits? acceptDocs) => _inner.GetScorer(context, acceptDocs);

        public override BulkScorer? GetBulkScorer(AtomicReaderContext context, bool scoreDocsInOrder, IBits? acceptDocs)
        {
            var pruning = _query.Pruning;
            var options = _query.Shape.Splade.Options;
            bool prune = SpladeEvaluationChooser.Prune(options.Evaluation, pruning.K, context.AtomicReader.MaxDoc)
                && Array.TrueForAll(_lexicalCoord!, c => c >= 0) && Array.TrueForAll(_outerCoord!, c => c >= 0);
            pruning.Stats?.AddSegment(prune);
            if (!prune)
            {
                return _inner.GetBulkScorer(context, scoreDocsInOrder, acceptDocs);
            }
            var clauses = new List<HybridClause>();
            var reader = context.AtomicReader;
            var shape = _query.Shape;
            // Lexical clauses in the order BooleanScorer adds their scores: last clause first.
            for (int i = shape.Terms.Length - 1; i >= 0; i--)
            {
                var term = shape.Terms[i].Term;
                var terms = reader.GetTerms(term.Field);
                if (terms is null)
                {
                    continue;
                }
                var termsEnum = terms.GetEnumerator();
                if (!termsEnum.SeekExact(term.Bytes))
                {
                    continue;
                }
                var bounds = Bm25BlockBounds.Get(reader, term.Field, term.Text, termsEnum);
                var docs = termsEnum.Docs(acceptDocs, null, DocsFlags.FREQS);
                if (docs is null)
                {
                    continue;
                }
                clauses.Add(new Bm25Clause(docs, _searcher.Similarity.GetSimScorer(_simWeights![i], context), bounds));
            }
            int lexicalCount = clauses.Count;
            var blockMax = new List<TermImpactBounds>();
            var postings = _splade!.OpenPostings(context, acceptDocs, blockMax);
            if (postings is not null)
            {
                for (int i = 0; i < postings.Length; i++)
                {
                    clauses.Add(new SpladeClause(postings[i], blockMax[i]));
                }
            }
            if (clauses.Count == 0)
            {
                return null;
            }
            return new HybridMaxScoreBulkScorer(this, clauses.ToArray(), lexicalCount, _lexicalCoord!, _splade.Boost, _outerCoord!, reader.MaxDoc, context.DocBase, _top, pruning.Stats, acceptDocs, options.ImpactTiers);
        }

        public override Explanation Explain(AtomicReaderContext context, int doc) => _inner.Explain(context, doc);
    }
}
