using IndexPubMed.Searching;
using IndexPubMed.Tests.Commands;
using Lucene.Net.Search;
using Splade.Encoder;
using Splade.Lucene.Search;

namespace IndexPubMed.Tests.Searching;

/// <summary>Hybrid scoring and fusion of <see cref="PubMedSearcher"/> against the separate BM25 and SPLADE rankings.</summary>
[Collection(PubMedIndexCollection.Name)]
public sealed class PubMedSearcherTests
{
    private const string Text = "lung cancer treatment with immunotherapy";
    private readonly PubMedIndexFixture _index;

    public PubMedSearcherTests(PubMedIndexFixture index) => _index = index;

    [Fact]
    public void LinearHybrid_ScoreIsTheWeightedSumOfBm25AndSplade()
    {
        using var encoder = SpladeEncoder.Create(Cli.ModelDir);
        const float bm25Weight = 0.7f, spladeWeight = 0.01f;
        using var searcher = PubMedSearcher.Open(_index.IndexDir, encoder, null, new SearchOptions { Bm25Weight = bm25Weight, SpladeWeight = spladeWeight });
        var request = new SearchRequest("q", searcher.Bm25Query(Text), searcher.SpladeQuery(Text));
        var bm25 = searcher.Top(request.Bm25!, 1000).ToDictionary(h => h.Id, h => h.Score);
        var splade = searcher.Top(request.Splade!, 1000).ToDictionary(h => h.Id, h => h.Score);

        var hybrid = searcher.Search(request, 1000);

        Assert.Equal(bm25.Keys.Union(splade.Keys).Count(), hybrid.Count);
        Assert.Contains(hybrid, h => bm25.ContainsKey(h.Id) && splade.ContainsKey(h.Id));
        foreach (var hit in hybrid)
        {
            double expected = (bm25Weight * (double)bm25.GetValueOrDefault(hit.Id)) + (spladeWeight * (double)splade.GetValueOrDefault(hit.Id));
            // Float sums of two float products: a few ulps apart at most.
            Assert.True(Math.Abs(hit.Score - expected) <= 1e-5 * Math.Max(1, expected), $"{hit.Id}: hybrid {hit.Score}, weighted sum {expected}");
        }
        AssertScoreThenIdOrder(hybrid);
    }

    [Theory]
    [InlineData("rrf")]
    [InlineData("minmax")]
    public void Fusion_GivesRankFusionScoresInScoreThenIdOrder(string method)
    {
        var fusion = method == "rrf" ? FusionMethod.Rrf : FusionMethod.MinMax;
        using var encoder = SpladeEncoder.Create(Cli.ModelDir);
        var options = new SearchOptions { Fusion = fusion, RrfK = 10, Bm25Weight = 0.3f, SpladeWeight = 0.7f, FusionDepth = 50 };
        using var searcher = PubMedSearcher.Open(_index.IndexDir, encoder, null, options);
        var request = new SearchRequest("q", searcher.Bm25Query(Text), searcher.SpladeQuery(Text));
        var bm25 = searcher.Top(request.Bm25!, 50);
        var splade = searcher.Top(request.Splade!, 50);
        ScoreDoc[][] lists = [bm25.Select(h => new ScoreDoc(h.Doc, h.Score)).ToArray(), splade.Select(h => new ScoreDoc(h.Doc, h.Score)).ToArray()];
        var expected = (fusion == FusionMethod.Rrf ? RankFusion.Reciprocal(lists, 10) : RankFusion.MinMaxCombination(lists, [0.3f, 0.7f]))
            .ToDictionary(sd => sd.Doc, sd => sd.Score);

        var ids = bm25.Concat(splade).GroupBy(h => h.Doc).ToDictionary(g => g.Key, g => g.First().Id);

        var fused = searcher.Search(request, 50);

        Assert.True(expected.Count > 50, "both lists are needed to test the cut");
        var top = expected.OrderByDescending(p => p.Value).ThenBy(p => ids[p.Key], StringComparer.Ordinal).Take(50).Select(p => p.Key);
        Assert.Equal(top, fused.Select(h => h.Doc));
        Assert.All(fused, h => Assert.Equal(expected[h.Doc], h.Score));
        AssertScoreThenIdOrder(fused);
        var cut = searcher.Search(request, 7);
        Assert.Equal(fused.Take(7).Select(h => h.Id), cut.Select(h => h.Id));
    }

    [Fact]
    public void ParsedQuery_FiltersByExactField()
    {
        using var searcher = PubMedSearcher.Open(_index.IndexDir, null, null);
        var all = searcher.Top(searcher.Parse("cancer"), 1000);
        var query = searcher.Parse("+cancer +language:eng");

        var hits = searcher.Top(query, 1000);

        Assert.NotEmpty(hits);
        Assert.All(hits, h => Assert.Contains("eng", searcher.Searcher.Doc(h.Doc).GetValues("language")));
        Assert.Subset(all.Select(h => h.Id).ToHashSet(), hits.Select(h => h.Id).ToHashSet());
    }

    [Fact]
    public void SpladeScoresAreModelUnitDotProductsAndParsedClausesAddThemToBm25()
    {
        using var encoder = SpladeEncoder.Create(Cli.ModelDir);
        using var searcher = PubMedSearcher.Open(_index.IndexDir, encoder, null);
        var splade = searcher.SpladeQuery(Text);
        var hits = searcher.Top(splade, 10);
        Assert.NotEmpty(hits);
        foreach (var hit in hits)
        {
            // The matched terms (data, not Explain text) are the score's parts: query weight x impact / scale.
            var terms = searcher.MatchedTerms(splade, hit.Doc);
            Assert.Equal(hit.Score, terms.Sum(t => (double)t.Contribution), 3);
            Assert.All(terms, t => Assert.Equal(t.Impact / 100.0, t.DocumentWeight, 6));
            Assert.InRange(hit.Score, 0.5, 50);   // a dot product of SPLADE weights, not a 100x impact sum
        }

        // title:cancer AND splade:"..." adds BM25 and the dot product, as the issue asked.
        var parsed = searcher.Top(searcher.Parse($"title:cancer AND splade:\"{Text}\""), 10);
        var bm25 = searcher.Parse("title:cancer");
        Assert.NotEmpty(parsed);
        foreach (var hit in parsed)
        {
            double expected = searcher.ScoreOf(bm25, hit.Doc) + (double)searcher.ScoreOf(splade, hit.Doc);
            Assert.True(Math.Abs(hit.Score - expected) <= 1e-5 * expected, $"{hit.Id}: {hit.Score} vs BM25 + SPLADE {expected}");
            Assert.True(searcher.ScoreOf(bm25, hit.Doc) > 0 && searcher.ScoreOf(splade, hit.Doc) > 0);
        }
    }

    private static void AssertScoreThenIdOrder(IReadOnlyList<RankedHit> hits)
    {
        for (int i = 1; i < hits.Count; i++)
        {
            bool ordered = hits[i - 1].Score > hits[i].Score
                || (hits[i - 1].Score == hits[i].Score && string.CompareOrdinal(hits[i - 1].Id, hits[i].Id) < 0);
            Assert.True(ordered, $"rank {i}: {hits[i - 1]} before {hits[i]}");
        }
    }
}
