using Lucene.Net.Analysis.Standard;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;

namespace Splade.Lucene.Tests.Search;

public sealed class SpladeQueryParserTests
{
    private static SpladeQueryParser Parser(FakeSparseEncoder encoder) =>
        new(LuceneVersion.LUCENE_48, "title", new StandardAnalyzer(LuceneVersion.LUCENE_48), "splade", encoder);

    [Fact]
    public void SpladeClausesBecomeSpladeQueriesAndOthersStayLexical()
    {
        var encoder = new FakeSparseEncoder();
        var query = Assert.IsType<BooleanQuery>(Parser(encoder).Parse("title:aspirin AND splade:\"aspirin heart attack prevention\"^2"));
        Assert.Equal(2, query.Clauses.Count);
        var title = Assert.IsType<TermQuery>(query.Clauses[0].Query);
        Assert.Equal(new Term("title", "aspirin"), title.Term);
        Assert.Equal(Occur.MUST, query.Clauses[0].Occur);
        var splade = Assert.IsType<SpladeQuery>(query.Clauses[1].Query);
        Assert.Equal("aspirin heart attack prevention", splade.Text);
        Assert.Equal(2f, splade.Boost);
        Assert.Equal(Occur.MUST, query.Clauses[1].Occur);
        Assert.Equal(0, encoder.QueryCalls); // encoding waits for the search
    }

    [Fact]
    public void ParsedHybridQuerySearches()
    {
        var encoder = new FakeSparseEncoder();
        using var dir = SmallIndex.Build(encoder);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader) { Similarity = new SpladePerFieldSimilarity("splade") };
        var parsed = Parser(encoder).Parse("title:aspirin AND splade:\"heart attack prevention\"");
        var hits = searcher.Search(parsed, 10).ScoreDocs;
        // Only documents 0 and 3 have aspirin in the title; document 3 shares no SPLADE term with the query.
        Assert.Equal([0], hits.Select(h => h.Doc));
        var bm25 = searcher.Search(new TermQuery(new Term("title", "aspirin")), 10).ScoreDocs.Single(h => h.Doc == 0).Score;
        var splade = searcher.Search(new SpladeQuery("splade", "heart attack prevention", encoder), 10).ScoreDocs.Single(h => h.Doc == 0).Score;
        Assert.Equal(bm25 + splade, hits[0].Score, 1e-5f * hits[0].Score);
        QueryAssert.ExplainApproximatesScore(searcher, parsed, 10); // ConjunctionScorer sums in double
    }
}
