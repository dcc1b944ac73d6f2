using Lucene.Net.Index;
using Lucene.Net.Search;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;
using Xunit.Abstractions;

namespace Splade.Lucene.Tests.Search;

/// <summary>
/// The per-segment choice between the pruning scorer and term-at-a-time evaluation changes only speed: whatever
/// it picks (and whatever is forced), SpladeSearcher returns exactly the exhaustive top k.
/// </summary>
public sealed class SpladeEvaluationChooserTests
{
    // Segments of 5,000, 5,000 and 2,000 documents: with 1,000 documents per k needed for pruning, k = 3 prunes the
    // two large segments and evaluates the small one term at a time, in the same search.
    private static readonly int[] Ks = [1, 2, 3, 10, 100, 1000];

    private readonly ITestOutputHelper _output;

    public SpladeEvaluationChooserTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void ChoosesByDocumentsPerK()
    {
        int perK = SpladeEvaluationChooser.MinDocsPerK;
        Assert.True(SpladeEvaluationChooser.Prune(SpladeEvaluation.Auto, 10, 10 * perK));
        Assert.False(SpladeEvaluationChooser.Prune(SpladeEvaluation.Auto, 10, (10 * perK) - 1));
        Assert.False(SpladeEvaluationChooser.Prune(SpladeEvaluation.Auto, 1000, 25_000));
        Assert.True(SpladeEvaluationChooser.Prune(SpladeEvaluation.Auto, 1, 25_000));
        // No overflow at the largest k and segment.
        Assert.False(SpladeEvaluationChooser.Prune(SpladeEvaluation.Auto, int.MaxValue, int.MaxValue));
        Assert.True(SpladeEvaluationChooser.Prune(SpladeEvaluation.MaxScore, 1000, 10));
        Assert.False(SpladeEvaluationChooser.Prune(SpladeEvaluation.Exhaustive, 1, int.MaxValue));
    }

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void EveryChoiceReturnsTheExhaustiveTopK(SpladeStorageMode mode)
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 12_000, deleteFraction: 0.05);
        using var dir = corpus.BuildIndex(mode, maxBufferedDocs: 5000);
        using var reader = DirectoryReader.Open(dir);
        Assert.Equal(new[] { 5000, 5000, 2000 }, reader.Leaves.Select(l => l.AtomicReader.MaxDoc));
        var sequential = new IndexSearcher(reader);
        var parallel = new IndexSearcher(reader, TaskScheduler.Default);
        var evaluations = new[] { SpladeEvaluation.Auto, SpladeEvaluation.MaxScore, SpladeEvaluation.Exhaustive };
        var stats = evaluations.ToDictionary(e => e, _ => Ks.ToDictionary(k => k, _ => new SpladeSearchStats()));
        for (int q = 0; q < 8; q++)
        {
            var vector = corpus.RandomQuery(random, 10, 60);
            var expected = corpus.BruteForce(vector);
            foreach (var evaluation in evaluations)
            {
                var query = new SpladeQuery(RandomSpladeCorpus.FieldName, vector, corpus.Vocabulary, new SpladeQueryOptions { Evaluation = evaluation, InMemoryPostings = false });
                foreach (int k in Ks)
                {
                    var want = expected.Take(k).ToList();
                    ExactSearchAssert.SameHits(want, SpladeSearcher.Search(sequential, query, k, stats[evaluation][k]).ScoreDocs, $"{evaluation} query {q} k={k}");
                    ExactSearchAssert.SameHits(want, SpladeSearcher.Search(parallel, query, k, stats[evaluation][k]).ScoreDocs, $"{evaluation} query {q} k={k} parallel");
                }
            }
        }
        foreach (var (evaluation, byK) in stats)
        {
            foreach (var (k, s) in byK)
            {
                _output.WriteLine($"{evaluation} k={k}: {s}");
            }
        }
        // Every query term set matches in every segment here (10+ random terms over 12,000 documents), so each
        // search evaluates all three segments: 8 queries x 2 searchers x 3 segments.
        foreach (int k in Ks)
        {
            var auto = stats[SpladeEvaluation.Auto][k];
            int prunedSegments = reader.Leaves.Count(l => (long)k * SpladeEvaluationChooser.MinDocsPerK <= l.AtomicReader.MaxDoc);
            Assert.Equal(16L * prunedSegments, auto.SegmentsPruned);
            Assert.Equal(16L * (3 - prunedSegments), auto.SegmentsExhaustive);
            Assert.Equal(48, stats[SpladeEvaluation.MaxScore][k].SegmentsPruned);
            Assert.Equal(48, stats[SpladeEvaluation.Exhaustive][k].SegmentsExhaustive);
            Assert.Equal(0, stats[SpladeEvaluation.Exhaustive][k].WindowsScored);
        }
        // The chooser made both choices within one search, and both kinds of search happened.
        Assert.Contains(Ks, k => stats[SpladeEvaluation.Auto][k].SegmentsPruned > 0 && stats[SpladeEvaluation.Auto][k].SegmentsExhaustive > 0);
        Assert.Equal(0, stats[SpladeEvaluation.Auto][1000].SegmentsPruned);
        Assert.Equal(0, stats[SpladeEvaluation.Auto][1].SegmentsExhaustive);
    }
}
