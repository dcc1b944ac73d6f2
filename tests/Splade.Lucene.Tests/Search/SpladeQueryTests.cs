using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Splade.Encoder;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;

namespace Splade.Lucene.Tests.Search;

public sealed class SpladeQueryTests
{
    private static readonly Vocabulary Vocab = FakeSparseEncoder.BertVocabulary;

    private static int Id(string token) => Vocab.TryGetId(token, out int id) ? id : throw new ArgumentException(token);

    private static Dictionary<string, float> Weights(params (string Term, float Weight)[] pairs) => pairs.ToDictionary(p => p.Term, p => p.Weight);

    [Fact]
    public void ValueObjectEquality()
    {
        var fromVector = new SpladeQuery("splade", SparseVector.Create([Id("heart"), Id("cat")], [1.5f, 0.5f]), Vocab);
        var fromTerms = new SpladeQuery("splade", Weights(("cat", 0.5f), ("heart", 1.5f)));
        QueryAssert.Equal(fromVector, fromTerms);
        QueryAssert.NotEqual(fromTerms, new SpladeQuery("other", Weights(("cat", 0.5f), ("heart", 1.5f))));
        QueryAssert.NotEqual(fromTerms, new SpladeQuery("splade", Weights(("cat", 0.5f), ("heart", 1.25f))));
        QueryAssert.NotEqual(fromTerms, new SpladeQuery("splade", Weights(("cat", 0.5f), ("heart", 1.5f))) { Boost = 2 });
        QueryAssert.NotEqual(fromTerms, new TermQuery(new Term("splade", "cat")));

        var encoder = new FakeSparseEncoder();
        QueryAssert.Equal(new SpladeQuery("splade", "heart attack", encoder), new SpladeQuery("splade", "heart attack", encoder));
        QueryAssert.NotEqual(new SpladeQuery("splade", "heart attack", encoder), new SpladeQuery("splade", "heart", encoder));
        QueryAssert.NotEqual(new SpladeQuery("splade", "heart attack", encoder), new SpladeQuery("splade", "heart attack", new FakeSparseEncoder()));
        QueryAssert.NotEqual(new SpladeQuery("splade", "heart attack", encoder), new SpladeQuery("splade", "heart attack", encoder, new SpladeQueryOptions { TopK = 1 }));
        var clone = (SpladeQuery)fromTerms.Clone();
        QueryAssert.Equal(fromTerms, clone);
    }

    [Fact]
    public void ToStringShowsTermsOrTextAndBoost()
    {
        var q = new SpladeQuery("splade", Weights(("heart", 1.5f), ("##ing", 0.25f))) { Boost = 2 };
        Assert.Equal("splade(##ing:0.25 heart:1.5)^2.0", q.ToString("splade"));
        Assert.Equal("splade:splade(##ing:0.25 heart:1.5)^2.0", q.ToString("title"));
        Assert.Equal("body:splade(\"heart \\\"attack\\\"\")", new SpladeQuery("body", "heart \"attack\"", new FakeSparseEncoder()).ToString("title"));
    }

    [Fact]
    public void OptionsSelectAndScaleTerms()
    {
        var weights = Weights(("a", 0.05f), ("b", 2f), ("c", 1f), ("d", 1f), ("e", -1f));
        Assert.Equal(["a", "b", "c", "d"], new SpladeQuery("f", weights).TermWeights.Select(p => p.Key));
        Assert.Equal(["b", "c", "d"], new SpladeQuery("f", weights, new SpladeQueryOptions { MinWeight = 0.1f }).TermWeights.Select(p => p.Key));
        // Top 2: b, then c wins the tie with d by term order.
        Assert.Equal(["b", "c"], new SpladeQuery("f", weights, new SpladeQueryOptions { TopK = 2 }).TermWeights.Select(p => p.Key));
        var scaled = new SpladeQuery("f", weights, new SpladeQueryOptions { WeightScale = 51.2f }).TermWeights;
        Assert.Equal([("a", 3f), ("b", 102f), ("c", 51f), ("d", 51f)], scaled.Select(p => (p.Key, p.Value)));

        var vector = SparseVector.Create([Id("heart"), Id("cat"), Id("dog")], [0.5f, 3f, 0.5f]);
        var top = new SpladeQuery("f", vector, Vocab, new SpladeQueryOptions { TopK = 2 }).TermWeights;
        Assert.Equal(["cat", "heart"], top.Select(p => p.Key)); // heart (2540) beats dog (3899) on id
        Assert.Throws<ArgumentException>(() => new SpladeQuery("f", SparseVector.Create([40_000], [1f]), Vocab));
        Assert.Throws<ArgumentException>(() => new SpladeQuery("f", Weights(("a", float.NaN))));
        Assert.Throws<ArgumentException>(() => new SpladeQuery("f", weights, new SpladeQueryOptions { TopK = 0 }));
        var e = Assert.Throws<ArgumentException>(() => new SpladeQueryOptions { WeightScale = -1 }.Validate());
        Assert.Equal(nameof(SpladeQueryOptions.WeightScale), e.ParamName);
    }

    [Fact]
    public void TextQueryIsEncodedOnceAndRewrittenToTerms()
    {
        var encoder = new FakeSparseEncoder();
        using var dir = SmallIndex.Build(encoder);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader);
        var cache = new QueryEncodingCache(encoder);
        var query = new SpladeQuery("splade", "aspirin heart attack prevention", encoder, cache: cache) { Boost = 3 };
        var first = searcher.Search(query, 10);
        var second = searcher.Search(new SpladeQuery("splade", "aspirin heart attack prevention", encoder, cache: cache) { Boost = 3 }, 10);
        Assert.Equal(1, encoder.QueryCalls);
        Assert.Equal(first.ScoreDocs.Select(s => (s.Doc, s.Score)), second.ScoreDocs.Select(s => (s.Doc, s.Score)));
        Assert.Equal(0, first.ScoreDocs[0].Doc);

        var rewritten = Assert.IsType<SpladeQuery>(query.Rewrite(reader));
        Assert.Null(rewritten.Text);
        Assert.Equal(3f, rewritten.Boost);
        Assert.Equal(query.TermWeights, rewritten.TermWeights);
        var vector = encoder.EncodeQuery("aspirin heart attack prevention");
        QueryAssert.Equal(rewritten, new SpladeQuery("splade", vector, encoder.Vocabulary) { Boost = 3 });

        var terms = new HashSet<Term>();
        query.ExtractTerms(terms);
        Assert.Contains(new Term("splade", "heart"), terms);
        Assert.Equal(vector.Count, terms.Count);
    }

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void BoostedScoreIsBoostTimesDotProductAndExplainAgrees(SpladeStorageMode mode)
    {
        var encoder = new FakeSparseEncoder();
        using var dir = SmallIndex.Build(encoder, mode);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader) { Similarity = new DefaultSimilarity() };
        var plain = new SpladeQuery("splade", "heart attack prevention the", encoder);
        var boosted = new SpladeQuery("splade", "heart attack prevention the", encoder) { Boost = 0.3f };
        var plainHits = searcher.Search(plain, 10).ScoreDocs.ToDictionary(s => s.Doc, s => s.Score);
        var boostedHits = searcher.Search(boosted, 10).ScoreDocs;
        Assert.Equal(plainHits.Count, boostedHits.Length);
        foreach (var hit in boostedHits)
        {
            Assert.Equal(plainHits[hit.Doc] * 0.3f, hit.Score);
        }
        QueryAssert.ExplainEqualsScore(searcher, plain, 10);
        QueryAssert.ExplainEqualsScore(searcher, boosted, 10);
        var explanation = searcher.Explain(plain, 0);
        Assert.Contains("splade:heart", explanation.ToString(), StringComparison.Ordinal);
        Assert.False(searcher.Explain(plain, 2).IsMatch);

        // Doc 0 has heart, attack, prevention; check the value by hand from the fake encoder's rule.
        float expected = 0f;
        var docVector = encoder.EncodeDocument(SmallIndex.Bodies[0]);
        foreach (var (term, weight) in plain.TermWeights)
        {
            int impact = (int)Math.Round((double)docVector[Vocab.TryGetId(term, out int id) ? id : -1] * 100, MidpointRounding.AwayFromZero);
            if (impact > 0)
            {
                expected += weight * impact;
            }
        }
        Assert.Equal(expected, plainHits[0]);
    }

    [Fact]
    public void TopLevelBoostIsKeptAndQueryNormIgnored()
    {
        var encoder = new FakeSparseEncoder();
        using var dir = SmallIndex.Build(encoder);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader) { Similarity = new DefaultSimilarity() };
        var query = new SpladeQuery("splade", "heart attack", encoder) { Boost = 1.5f };
        var plain = searcher.Search(query, 10).ScoreDocs;
        var outer = new BooleanQuery(disableCoord: true)
        {
            { query, Occur.MUST },
            { new TermQuery(new Term("id", "none")), Occur.MUST_NOT },
        };
        outer.Boost = 4f;
        var boosted = searcher.Search(outer, 10).ScoreDocs;
        Assert.Equal(plain.Select(h => h.Doc), boosted.Select(h => h.Doc));
        for (int i = 0; i < plain.Length; i++)
        {
            Assert.Equal(plain[i].Score * 4f, boosted[i].Score, 1e-6f * boosted[i].Score);
        }
        QueryAssert.ExplainEqualsScore(searcher, outer, 10);
    }

    [Fact]
    public void QueriesWithoutMatchesFindNothing()
    {
        var encoder = new FakeSparseEncoder();
        using var dir = SmallIndex.Build(encoder);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader);
        Assert.Equal(0, searcher.Search(new SpladeQuery("splade", Weights()), 10).TotalHits);
        Assert.Equal(0, searcher.Search(new SpladeQuery("splade", Weights(("zzzz-not-indexed", 1f))), 10).TotalHits);
        Assert.Equal(0, searcher.Search(new SpladeQuery("no_such_field", Weights(("heart", 1f))), 10).TotalHits);
        Assert.Equal(0, searcher.Search(new SpladeQuery("splade", "", encoder), 10).TotalHits);
    }

    [Fact]
    public void DeletedDocumentsNeverAppear()
    {
        var encoder = new FakeSparseEncoder();
        using var dir = SmallIndex.Build(encoder);
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(global::Lucene.Net.Util.LuceneVersion.LUCENE_48, SmallIndex.CreateAnalyzer(encoder, SpladeStorageMode.TermFrequency))))
        {
            writer.DeleteDocuments(new Term("id", "0"));
        }
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader);
        var query = new SpladeQuery("splade", "heart attack", encoder);
        var hits = searcher.Search(query, 10).ScoreDocs;
        Assert.NotEmpty(hits);
        Assert.DoesNotContain(hits, h => h.Doc == 0);
        var daat = new BooleanQuery(disableCoord: true) { { query, Occur.MUST }, { new TermQuery(new Term("id", "none")), Occur.MUST_NOT } };
        Assert.Equal(hits.Select(h => (h.Doc, h.Score)), searcher.Search(daat, 10).ScoreDocs.Select(h => (h.Doc, h.Score)));
    }
}
