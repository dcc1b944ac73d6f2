using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Splade.Lucene.Search;

/// <summary>The hybrid top-k search behind <see cref="SpladeSearcher.SearchHybrid"/>.</summary>
internal static class HybridSearch
{
    public static TopDocs Search(IndexSearcher searcher, BooleanQuery hybridQuery, int k, SpladeSearchStats? stats)
    {
        var rewritten = searcher.Rewrite(hybridQuery);
        var splade = HybridShape.FindSplade(rewritten);
        var shape = splade is null || splade.Options.Exhaustive ? null : HybridShape.Recognise(rewritten, searcher.Similarity);
        if (splade?.Options.TieBreakField is not { } idField)
        {
            return shape is null
                ? searcher.Search(rewritten, k)
                : searcher.Search(new PrunedHybridQuery(shape, new SpladePruning(k, stats)), k);
        }
        var top = new TopKThreshold(k, new ExternalIds(searcher.IndexReader, idField));
        var collector = new Collector(top);
        searcher.Search(shape is null ? rewritten : new PrunedHybridQuery(shape, new SpladePruning(k, stats, top)), collector);
        var hits = top.Sorted();
        return new TopDocs(collector.Collected, hits, hits.Length == 0 ? float.NaN : hits[0].Score);
    }

    // Offers what exhaustive scorers collect to the top k; pruned scorers offer by themselves. Accepts documents out
    // of order so that the hybrid is scored by BooleanScorer, as searcher.Search(hybrid, k) scores it.
    private sealed class Collector : ICollector
    {
        private readonly TopKThreshold _top;
        private Scorer? _scorer;
        private bool _offer;
        private int _docBase;

        public Collector(TopKThreshold top) => _top = top;

        public int Collected { get; private set; }

        public bool AcceptsDocsOutOfOrder => true;

        public void SetScorer(Scorer scorer)
        {
            _scorer = scorer;
            _offer = scorer is not ScoreHolder { OffersToTopK: true };
        }

        public void SetNextReader(AtomicReaderContext context) => _docBase = context.DocBase;

        public void Collect(int doc)
        {
            Collected++;
            if (_offer)
            {
                _top.Offer(_scorer!.GetScore(), _docBase + doc, out _);
            }
        }
    }
}
