using Lucene.Net.Index;
using Lucene.Net.Search;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;
using Xunit.Abstractions;

namespace Splade.Lucene.Tests.Search;

public sealed class HybridQueryTests
{
    private static readonly string[] Words = ["alpha", "beta", "gamma", "delta", "heart", "kidney", "aspirin", "stroke"];

    private readonly ITestOutputHelper _output;

    public HybridQueryTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency, 0.7f, 0.01f)]
    [InlineData(SpladeStorageMode.Payload, 2f, 0.5f)]
    public void HybridScoreIsTheWeightedSumOfSeparateScores(SpladeStorageMode mode, float bm25Weight, float spladeWeight)
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 800);
        var titles = Enumerable.Range(0, 800)
            .Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(1, 6)).Select(_ => Words[random.Next(Words.Length)])))
            .ToArray();
        using var dir = corpus.BuildIndex(mode, maxBufferedDocs: 100, title: d => titles[d]);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader) { Similarity = new SpladePerFieldSimilarity(RandomSpladeCorpus.FieldName) };
        for (int q = 0; q < 5; q++)
        {
            var bm25 = new BooleanQuery
            {
                { new TermQuery(new Term("title", Words[random.Next(Words.Length)])), Occur.SHOULD },
                { new TermQuery(new Term("title", Words[random.Next(Words.Length)])), Occur.SHOULD },
            };
            var splade = new SpladeQuery(RandomSpladeCorpus.FieldName, corpus.RandomQuery(random), corpus.Vocabulary);
            var bm25Scores = searcher.Search(bm25, 10_000).ScoreDocs.ToDictionary(h => h.Doc, h => h.Score);
            var spladeScores = searcher.Search(splade, 10_000).ScoreDocs.ToDictionary(h => h.Doc, h => h.Score);
            var hybrid = HybridQuery.Create(bm25, splade, bm25Weight, spladeWeight);
            Assert.Equal(1f, bm25.Boost); // the inputs are not modified
            var hits = searcher.Search(hybrid, 10_000);
            Assert.Equal(bm25Scores.Keys.Union(spladeScores.Keys).Count(), hits.TotalHits);
            foreach (var hit in hits.ScoreDocs)
            {
                float expected = (bm25Weight * bm25Scores.GetValueOrDefault(hit.Doc)) + (spladeWeight * spladeScores.GetValueOrDefault(hit.Doc));
                Assert.True(Math.Abs(expected - hit.Score) <= 1e-5f * expected, $"doc {hit.Doc}: hybrid {hit.Score:R}, expected {expected:R}");
            }
            // Lucene's BooleanScorer sums clause scores in double, its Explain in float: 1 ulp apart at times.
            QueryAssert.ExplainApproximatesScore(searcher, hybrid, 5);
        }
    }

    [Fact]
    public void WeightsAreValidated()
    {
        var a = new TermQuery(new Term("title", "a"));
        var b = new SpladeQuery("splade", new Dictionary<string, float> { ["a"] = 1f });
        Assert.Throws<ArgumentException>(() => HybridQuery.Create(a, b, -1f, 1f));
        Assert.Throws<ArgumentException>(() => HybridQuery.Create(a, b, 1f, float.NaN));
        var q = HybridQuery.Create(a, b, 0.5f, 2f);
        Assert.Equal(2, q.Clauses.Count);
        Assert.True(q.CoordDisabled);
        Assert.Equal(0.5f, q.Clauses[0].Query.Boost);
        Assert.Equal(2f, q.Clauses[1].Query.Boost);
    }
}
