using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;

namespace Splade.Lucene.Tests.Search;

public sealed class SpladeSimilarityTests
{
    [Fact]
    public void TermQueryScoresBoostTimesFrequency()
    {
        var encoder = new FakeSparseEncoder();
        using var dir = SmallIndex.Build(encoder);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader) { Similarity = new SpladeSimilarity() };
        var term = new Term("splade", "heart");
        var query = new TermQuery(term) { Boost = 1.25f };
        var hits = searcher.Search(query, 10).ScoreDocs;
        Assert.NotEmpty(hits);
        foreach (var hit in hits)
        {
            var leaf = reader.Leaves[ReaderUtil.SubIndex(hit.Doc, reader.Leaves)];
            var docs = leaf.AtomicReader.GetTermDocsEnum(term);
            Assert.Equal(hit.Doc - leaf.DocBase, docs.Advance(hit.Doc - leaf.DocBase));
            Assert.Equal(1.25f * docs.Freq, hit.Score);
        }
        QueryAssert.ExplainEqualsScore(searcher, query, 10);
    }

    [Fact]
    public void BooleanOfBoostedTermQueriesMatchesSpladeQuery()
    {
        var encoder = new FakeSparseEncoder();
        using var dir = SmallIndex.Build(encoder);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader) { Similarity = new SpladePerFieldSimilarity("splade") };
        var splade = new SpladeQuery("splade", "aspirin heart attack prevention the dog", encoder);
        var boolean = new BooleanQuery();
        foreach (var (term, weight) in splade.TermWeights)
        {
            boolean.Add(new TermQuery(new Term("splade", term)) { Boost = weight }, Occur.SHOULD);
        }
        var expected = searcher.Search(splade, 10).ScoreDocs;
        var actual = searcher.Search(boolean, 10).ScoreDocs;
        Assert.Equal(expected.Select(h => h.Doc), actual.Select(h => h.Doc));
        for (int i = 0; i < expected.Length; i++)
        {
            // BooleanScorer sums clauses in its own order: equal up to float rounding.
            Assert.Equal(expected[i].Score, actual[i].Score, 1e-5f * expected[i].Score);
        }
    }

    [Fact]
    public void PerFieldSimilarityRoutesFieldsAndDisablesCoordAndQueryNorm()
    {
        var sim = new SpladePerFieldSimilarity(["splade", "splade2"]);
        Assert.IsType<SpladeSimilarity>(sim.Get("splade"));
        Assert.IsType<SpladeSimilarity>(sim.Get("splade2"));
        Assert.IsType<BM25Similarity>(sim.Get("title"));
        Assert.Equal(1f, sim.Coord(1, 5));
        Assert.Equal(1f, sim.QueryNorm(42f));
        var custom = new DefaultSimilarity();
        Assert.Same(custom, new SpladePerFieldSimilarity("splade", custom).Get("title"));
        Assert.Throws<ArgumentException>(() => new SpladePerFieldSimilarity(Array.Empty<string>()));
    }

    [Fact]
    public void PayloadFactorDecodesTheImpact()
    {
        var sim = new SpladeSimilarity();
        var weight = sim.ComputeWeight(2f, new CollectionStatistics("f", 1, 1, 1, 1));
        weight.Normalize(0.01f, 1.5f); // the query norm is ignored, the top-level boost kept
        var scorer = sim.GetSimScorer(weight, null!);
        Assert.Equal(3f * 7f, scorer.Score(0, 7f));
        var payload = new global::Lucene.Net.Util.BytesRef(global::Lucene.Net.Analysis.Payloads.PayloadHelper.EncodeInt32(123));
        Assert.Equal(123f, scorer.ComputePayloadFactor(0, 0, 1, payload));
    }
}
