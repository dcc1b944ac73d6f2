using Lucene.Net.Search;
using Splade.Lucene.Search;

namespace Splade.Lucene.Tests.Search;

public sealed class RankFusionTests
{
    private static ScoreDoc[] List(params (int Doc, float Score)[] hits) => hits.Select(h => new ScoreDoc(h.Doc, h.Score)).ToArray();

    [Fact]
    public void ReciprocalRankFusionByHand()
    {
        var bm25 = List((1, 9f), (2, 8f), (3, 7f));
        var splade = List((3, 50f), (4, 40f), (1, 30f));
        var fused = RankFusion.Reciprocal([bm25, splade]);
        // doc 1: 1/61 + 1/63; doc 3: 1/63 + 1/61 (tie, doc 1 first); doc 2: 1/62; doc 4: 1/62 (tie, doc 2 first).
        Assert.Equal([1, 3, 2, 4], fused.Select(s => s.Doc));
        Assert.Equal((float)(1.0 / 61 + 1.0 / 63), fused[0].Score);
        Assert.Equal(fused[0].Score, fused[1].Score);
        Assert.Equal((float)(1.0 / 62), fused[2].Score);
        var top = RankFusion.Reciprocal([bm25, splade], k: 0, topN: 1);
        Assert.Equal((float)(1.0 / 1 + 1.0 / 3), Assert.Single(top).Score);
    }

    [Fact]
    public void MinMaxCombinationByHand()
    {
        var bm25 = List((1, 10f), (2, 6f), (3, 2f));
        var splade = List((3, 300f), (4, 100f));
        var fused = RankFusion.MinMaxCombination([bm25, splade], [0.25f, 0.75f]);
        // bm25 normalised: 1 -> 1, 2 -> 0.5, 3 -> 0; splade: 3 -> 1, 4 -> 0.
        // doc 3: 0.75; doc 1: 0.25; doc 2: 0.125; doc 4: 0.
        Assert.Equal([3, 1, 2, 4], fused.Select(s => s.Doc));
        Assert.Equal([0.75f, 0.25f, 0.125f, 0f], fused.Select(s => s.Score));
    }

    [Fact]
    public void AllEqualScoresNormaliseToOne()
    {
        var flat = List((5, 3f), (2, 3f));
        var fused = RankFusion.MinMaxCombination([flat, List()], [2f, 1f]);
        Assert.Equal([2, 5], fused.Select(s => s.Doc));
        Assert.All(fused, s => Assert.Equal(2f, s.Score));
    }

    [Fact]
    public void ParametersAreValidated()
    {
        var a = List((1, 1f));
        Assert.Throws<ArgumentException>(() => RankFusion.Reciprocal([]));
        Assert.Throws<ArgumentException>(() => RankFusion.Reciprocal([a], k: -1));
        Assert.Throws<ArgumentException>(() => RankFusion.Reciprocal([a], topN: -1));
        Assert.Throws<ArgumentException>(() => RankFusion.Reciprocal([List((1, 2f), (1, 1f))]));
        Assert.Throws<ArgumentException>(() => RankFusion.MinMaxCombination([a], [1f, 1f]));
        Assert.Throws<ArgumentException>(() => RankFusion.MinMaxCombination([a], [-1f]));
        Assert.Throws<ArgumentException>(() => RankFusion.MinMaxCombination([a], [float.NaN]));
        Assert.Throws<ArgumentException>(() => RankFusion.MinMaxCombination([List((1, float.NaN))], [1f]));
    }
}
