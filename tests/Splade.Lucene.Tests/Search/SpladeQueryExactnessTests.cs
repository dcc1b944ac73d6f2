using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;
using Xunit.Abstractions;

namespace Splade.Lucene.Tests.Search;

/// <summary>
/// Scores must be exactly the dot product of query weights and quantized impacts, summed in query term
/// order, compared with a brute-force scorer over random vectors in a many-segment index with deletions.
/// </summary>
public sealed class SpladeQueryExactnessTests
{
    private const int DocCount = 2500;
    private const int QueryCount = 15;
    private static readonly int[] Ks = [1, 10, 100, 1000];

    private readonly ITestOutputHelper _output;

    public SpladeQueryExactnessTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void EveryPathScoresTheExactDotProduct(SpladeStorageMode mode)
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, DocCount);
        using var dir = corpus.BuildIndex(mode, maxBufferedDocs: 97);
        using var reader = DirectoryReader.Open(dir);
        Assert.True(reader.Leaves.Count > 20, $"expected many segments, got {reader.Leaves.Count}");
        Assert.True(reader.HasDeletions);
        AssertDocIdsAreAddOrder(reader);

        var splade = new IndexSearcher(reader) { Similarity = new SpladePerFieldSimilarity(RandomSpladeCorpus.FieldName) };
        var classic = new IndexSearcher(reader) { Similarity = new DefaultSimilarity() };
        for (int q = 0; q < QueryCount; q++)
        {
            var vector = corpus.RandomQuery(random);
            var query = new SpladeQuery(RandomSpladeCorpus.FieldName, vector, corpus.Vocabulary);
            var expected = corpus.BruteForce(vector);
            Assert.NotEmpty(expected);

            // Term at a time (the BulkScorer), for several k: the same documents in the same order, exact scores.
            foreach (int k in Ks)
            {
                var hits = splade.Search(query, k);
                AssertSameHits(expected.Take(k).ToList(), hits.ScoreDocs, $"query {q} k={k} TAAT");
                Assert.Equal(expected.Count, hits.TotalHits);
            }

            // The searcher's similarity must not matter.
            AssertSameHits(expected.Take(1000).ToList(), classic.Search(query, 1000).ScoreDocs, $"query {q} DefaultSimilarity");

            // Document at a time: inside a BooleanQuery with a required clause the Scorer is used.
            var daat = new BooleanQuery(disableCoord: true)
            {
                { query, Occur.MUST },
                { new TermQuery(new Term("id", "no such id")), Occur.MUST_NOT },
            };
            AssertSameHits(expected.Take(1000).ToList(), splade.Search(daat, 1000).ScoreDocs, $"query {q} DAAT");
            AssertSameHits(expected.Take(1000).ToList(), classic.Search(daat, 1000).ScoreDocs, $"query {q} DAAT DefaultSimilarity");

            // Optional clauses only: BooleanScorer drives the BulkScorer in windows of 2048 documents.
            var windowed = new BooleanQuery(disableCoord: true)
            {
                { query, Occur.SHOULD },
                { new TermQuery(new Term("id", "no such id")), Occur.SHOULD },
            };
            AssertSameHits(expected.Take(1000).ToList(), splade.Search(windowed, 1000).ScoreDocs, $"query {q} windowed");

            QueryAssert.ExplainEqualsScore(splade, query, 10);
        }
    }

    [Fact]
    public void StorageModesAndSegmentationGiveTheSameRanking()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 1500, deleteFraction: 0.1);
        using var tfMany = corpus.BuildIndex(SpladeStorageMode.TermFrequency, maxBufferedDocs: 50);
        using var payloadMany = corpus.BuildIndex(SpladeStorageMode.Payload, maxBufferedDocs: 50);
        using var tfOne = corpus.BuildIndex(SpladeStorageMode.TermFrequency, maxBufferedDocs: 100_000);
        using var r1 = DirectoryReader.Open(tfMany);
        using var r2 = DirectoryReader.Open(payloadMany);
        using var r3 = DirectoryReader.Open(tfOne);
        Assert.Single(r3.Leaves);
        Assert.True(r1.Leaves.Count >= 30);
        var searchers = new[] { new IndexSearcher(r1), new IndexSearcher(r2), new IndexSearcher(r3) };
        for (int q = 0; q < 10; q++)
        {
            var query = new SpladeQuery(RandomSpladeCorpus.FieldName, corpus.RandomQuery(random), corpus.Vocabulary);
            var reference = searchers[0].Search(query, 1000).ScoreDocs;
            Assert.NotEmpty(reference);
            foreach (var other in searchers.Skip(1))
            {
                var hits = other.Search(query, 1000).ScoreDocs;
                Assert.Equal(reference.Select(h => (h.Doc, h.Score)), hits.Select(h => (h.Doc, h.Score)));
            }
        }
    }

    [Fact]
    public void ScorerAndBulkScorerAgreeSegmentBySegment()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 600);
        using var dir = corpus.BuildIndex(SpladeStorageMode.Payload, maxBufferedDocs: 64);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader);
        var query = new SpladeQuery(RandomSpladeCorpus.FieldName, corpus.RandomQuery(random, 30, 40), corpus.Vocabulary) { Boost = 1.7f };
        var weight = searcher.CreateNormalizedWeight(query);
        int total = 0;
        foreach (var leaf in reader.Leaves)
        {
            var daat = new List<(int, float)>();
            var scorer = weight.GetScorer(leaf, leaf.AtomicReader.LiveDocs);
            if (scorer is not null)
            {
                Assert.True(scorer.GetCost() > 0);
                while (scorer.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
                {
                    Assert.True(scorer.Freq > 0);
                    daat.Add((scorer.DocID, scorer.GetScore()));
                }
                Assert.Equal(DocIdSetIterator.NO_MORE_DOCS, scorer.NextDoc());
            }
            var taat = new List<(int, float)>();
            weight.GetBulkScorer(leaf, true, leaf.AtomicReader.LiveDocs)?.Score(new ListCollector(taat));
            Assert.Equal(daat, taat);
            total += daat.Count;

            // Advance lands on the first match at or after the target with the same score.
            if (daat.Count > 2)
            {
                var again = weight.GetScorer(leaf, leaf.AtomicReader.LiveDocs)!;
                int mid = daat.Count / 2;
                var (targetDoc, targetScore) = daat[mid];
                Assert.Equal(targetDoc, again.Advance(daat[mid - 1].Item1 + 1));
                Assert.Equal(targetScore, again.GetScore());
            }
        }
        Assert.True(total > 0);
    }

    private static void AssertDocIdsAreAddOrder(IndexReader reader)
    {
        for (int d = 0; d < reader.MaxDoc; d += 37)
        {
            Assert.Equal(d.ToString(System.Globalization.CultureInfo.InvariantCulture), reader.Document(d).Get("id"));
        }
    }

    private static void AssertSameHits(List<(int Doc, float Score)> expected, ScoreDoc[] actual, string what)
    {
        Assert.True(expected.Count == actual.Length, $"{what}: {actual.Length} hits, expected {expected.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].Doc == actual[i].Doc && expected[i].Score == actual[i].Score,
                $"{what}: rank {i}: got doc {actual[i].Doc} score {actual[i].Score:R}, expected doc {expected[i].Doc} score {expected[i].Score:R}");
        }
    }

    private sealed class ListCollector : ICollector
    {
        private readonly List<(int, float)> _hits;
        private Scorer? _scorer;

        public ListCollector(List<(int, float)> hits) => _hits = hits;

        public bool AcceptsDocsOutOfOrder => false;

        public void Collect(int doc) => _hits.Add((doc, _scorer!.GetScore()));

        public void SetNextReader(AtomicReaderContext context)
        {
        }

        public void SetScorer(Scorer scorer) => _scorer = scorer;
    }
}
