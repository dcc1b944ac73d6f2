using Lucene.Net.Analysis.Core;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;
using Xunit.Abstractions;

namespace Splade.Lucene.Tests.Search;

/// <summary>
/// SpladeSearcher's pruned top k must be exactly the exhaustive top k: the same documents in the same order
/// (ties by doc id) with bit-identical scores, for every k, storage mode, query shape and index shape.
/// </summary>
public sealed class SpladeSearcherPruningTests
{
    private static readonly int[] Ks = ExactSearchAssert.Ks;

    private static readonly SpladeQueryOptions MaxScore = ExactSearchAssert.MaxScore();

    private readonly ITestOutputHelper _output;

    public SpladeSearcherPruningTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void PrunedTopKIsTheExhaustiveTopK(SpladeStorageMode mode)
    {
        var random = TestRandom.Create(_output);
        // Segments of 4,500 documents span three pruning windows of 2,048; the last one is small.
        var corpus = new RandomSpladeCorpus(random, 10_000, deleteFraction: 0.05);
        using var dir = corpus.BuildIndex(mode, maxBufferedDocs: 4500);
        using var reader = DirectoryReader.Open(dir);
        Assert.Equal(3, reader.Leaves.Count);
        Assert.True(reader.HasDeletions);
        var searcher = new IndexSearcher(reader);
        var shapes = QueryShapes(corpus, random);
        foreach (var (name, vector) in shapes)
        {
            var query = new SpladeQuery(RandomSpladeCorpus.FieldName, vector, corpus.Vocabulary, MaxScore);
            var expected = corpus.BruteForce(vector);
            foreach (int k in Ks)
            {
                var pruned = SpladeSearcher.Search(searcher, query, k);
                ExactSearchAssert.SameHits(expected.Take(k).Select(h => (h.Doc, h.Score)).ToList(), pruned.ScoreDocs, $"{name} k={k}");
                Assert.Equal(expected.Count == 0 ? float.NaN : expected[0].Score, pruned.MaxScore);
            }
        }
    }

    [Fact]
    public void PruningAgreesAfterForceMergeAndWithParallelSegments()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 9000, deleteFraction: 0.2);
        using var dir = corpus.BuildIndex(SpladeStorageMode.TermFrequency, maxBufferedDocs: 1100);
        var queries = Enumerable.Range(0, 12).Select(_ => corpus.RandomQuery(random, 5, 60)).ToList();
        using (var reader = DirectoryReader.Open(dir))
        {
            Assert.True(reader.Leaves.Count >= 8);
            Assert.True(ExactSearchAssert.PrunedEqualsExhaustive(reader, corpus.Vocabulary, queries, "many segments") > 0);
        }
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))))
        {
            writer.ForceMerge(1);
            writer.Commit();
        }
        using (var reader = DirectoryReader.Open(dir))
        {
            Assert.Single(reader.Leaves);
            Assert.False(reader.HasDeletions);
            Assert.True(ExactSearchAssert.PrunedEqualsExhaustive(reader, corpus.Vocabulary, queries, "merged") > 0);
        }
    }

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void TiesAreBrokenByDocIdAsTheCollectorDoes(SpladeStorageMode mode)
    {
        var random = TestRandom.Create(_output);
        var corpus = new TiedSpladeCorpus(random, 12_000, termCount: 12);
        using var dir = corpus.BuildIndex(mode, maxBufferedDocs: 5000, deleteEvery: 7);
        using var reader = DirectoryReader.Open(dir);
        Assert.True(reader.HasDeletions);
        var queries = Enumerable.Range(0, 8).Select(q => corpus.Query(random, q)).ToList();
        Assert.True(ExactSearchAssert.PrunedEqualsExhaustive(reader, corpus.Vocabulary, queries, "ties") > 0);
    }

    [Fact]
    public void PruningScoresFewerDocumentsOnASkewedCorpus()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 12_000, deleteFraction: 0);
        using var dir = corpus.BuildIndex(SpladeStorageMode.TermFrequency, maxBufferedDocs: 20_000);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader);
        var pruned = new SpladeSearchStats();
        var exhaustive = new SpladeSearchStats();
        for (int q = 0; q < 10; q++)
        {
            var vector = corpus.RandomQuery(random, 20, 30);
            var query = new SpladeQuery(RandomSpladeCorpus.FieldName, vector, corpus.Vocabulary, MaxScore);
            var full = new SpladeQuery(RandomSpladeCorpus.FieldName, vector, corpus.Vocabulary, new SpladeQueryOptions { Exhaustive = true });
            var a = SpladeSearcher.Search(searcher, query, 10, pruned);
            var b = SpladeSearcher.Search(searcher, full, 10, exhaustive);
            ExactSearchAssert.SameHits(b.ScoreDocs.Select(h => (h.Doc, h.Score)).ToList(), a.ScoreDocs, $"query {q}");
        }
        _output.WriteLine($"pruned: {pruned}");
        _output.WriteLine($"exhaustive: {exhaustive}");
        Assert.Equal(10, pruned.Searches);
        Assert.Equal(0, exhaustive.WindowsScored);
        Assert.True(pruned.WindowsScored > 0);
        Assert.True(pruned.DocumentsScored * 4 < exhaustive.DocumentsScored, $"pruned scored {pruned.DocumentsScored} documents, exhaustive {exhaustive.DocumentsScored}");
        Assert.True(pruned.PostingsRead < exhaustive.PostingsRead, $"pruned read {pruned.PostingsRead} postings, exhaustive {exhaustive.PostingsRead}");
        Assert.Equal(10, pruned.SegmentsPruned);
        Assert.Equal(0, pruned.SegmentsExhaustive);
        pruned.Reset();
        Assert.Equal(0, pruned.DocumentsScored + pruned.PostingsRead + pruned.Searches + pruned.WindowsScored + pruned.WindowsSkipped + pruned.SegmentsPruned + pruned.SegmentsExhaustive);
    }

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void ImpactTiersOnOrOffGiveTheSameTopK(SpladeStorageMode mode)
    {
        var random = TestRandom.Create(_output);
        // One segment of 8,000 documents: the popular terms have far more than 1,024 postings, so they get tiers.
        var corpus = new RandomSpladeCorpus(random, 8000, deleteFraction: 0.1);
        using var dir = corpus.BuildIndex(mode, maxBufferedDocs: 10_000);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader);
        // Off first, so that the cache holds bounds without tiers and must add them when a query asks.
        foreach (bool tiers in new[] { false, true, false })
        {
            var stats = new SpladeSearchStats();
            for (int q = 0; q < 8; q++)
            {
                var vector = corpus.RandomQuery(random, 10, 40);
                var query = new SpladeQuery(RandomSpladeCorpus.FieldName, vector, corpus.Vocabulary, new SpladeQueryOptions { ImpactTiers = tiers, Evaluation = SpladeEvaluation.MaxScore });
                foreach (int k in Ks)
                {
                    var expected = corpus.BruteForce(vector).Take(k).Select(h => (h.Doc, h.Score)).ToList();
                    ExactSearchAssert.SameHits(expected, SpladeSearcher.Search(searcher, query, k, stats).ScoreDocs, $"tiers {tiers} query {q} k={k}");
                }
            }
            _output.WriteLine($"tiers {tiers}: {stats}");
        }
    }

    [Fact]
    public void ExhaustiveStatsCountEveryMatchingDocument()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 2000);
        using var dir = corpus.BuildIndex(SpladeStorageMode.TermFrequency, maxBufferedDocs: 300);
        using var reader = DirectoryReader.Open(dir);
        var vector = corpus.RandomQuery(random);
        var stats = new SpladeSearchStats();
        var query = new SpladeQuery(RandomSpladeCorpus.FieldName, vector, corpus.Vocabulary, new SpladeQueryOptions { Exhaustive = true });
        var hits = SpladeSearcher.Search(new IndexSearcher(reader), query, 5, stats);
        int matches = corpus.BruteForce(vector).Count;
        Assert.Equal(matches, hits.TotalHits);
        Assert.Equal(matches, stats.DocumentsScored);
        Assert.True(stats.PostingsRead >= matches);
    }

    [Fact]
    public void BoostNonPositiveWeightsAndTextQueriesStayExact()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 6000);
        using var dir = corpus.BuildIndex(SpladeStorageMode.TermFrequency, maxBufferedDocs: 5000);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader);
        for (int q = 0; q < 6; q++)
        {
            var vector = corpus.RandomQuery(random);
            var terms = Enumerable.Range(0, vector.Count).Select(i => new KeyValuePair<string, float>(corpus.Vocabulary[vector.Indices[i]], vector.Values[i])).ToList();
            // A negative weight (allowed by a negative MinWeight) disables bounds: the search falls back to exhaustive.
            terms[0] = new(terms[0].Key, -terms[0].Value);
            var negative = new SpladeQuery(RandomSpladeCorpus.FieldName, terms, new SpladeQueryOptions { MinWeight = -10f, Evaluation = SpladeEvaluation.MaxScore });
            var boosted = new SpladeQuery(RandomSpladeCorpus.FieldName, vector, corpus.Vocabulary, MaxScore) { Boost = q % 2 == 0 ? 0.37f : 3.1f };
            var zeroBoost = new SpladeQuery(RandomSpladeCorpus.FieldName, vector, corpus.Vocabulary, MaxScore) { Boost = 0f };
            foreach (var query in new[] { negative, boosted, zeroBoost })
            {
                foreach (int k in Ks)
                {
                    var expected = searcher.Search(query, k).ScoreDocs.Select(h => (h.Doc, h.Score)).ToList();
                    ExactSearchAssert.SameHits(expected, SpladeSearcher.Search(searcher, query, k).ScoreDocs, $"{query} k={k}");
                }
            }
        }

        var encoder = new FakeSparseEncoder();
        var text = new SpladeQuery(RandomSpladeCorpus.FieldName, "the heart of the matter", encoder);
        var textExpected = searcher.Search(text, 10).ScoreDocs.Select(h => (h.Doc, h.Score)).ToList();
        ExactSearchAssert.SameHits(textExpected, SpladeSearcher.Search(searcher, text, 10).ScoreDocs, "text query");
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        using var dir = new RAMDirectory();
        using (new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))))
        {
        }
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader);
        var query = new SpladeQuery("splade", [new KeyValuePair<string, float>("a", 1f)]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SpladeSearcher.Search(searcher, query, 0));
        Assert.Equal("k", e.ParamName);
        Assert.Throws<ArgumentNullException>(() => SpladeSearcher.Search(null!, query, 1));
        Assert.Throws<ArgumentNullException>(() => SpladeSearcher.Search(searcher, null!, 1));
        Assert.Empty(SpladeSearcher.Search(searcher, query, 3).ScoreDocs);
    }

    // Random queries plus the shapes that stress the bounds: only very common terms, only rare terms (absent
    // from most segments and windows), a single term, and terms that are not in the index at all.
    private static List<(string Name, SparseVector Vector)> QueryShapes(RandomSpladeCorpus corpus, Random random)
    {
        var docFreq = new Dictionary<int, int>();
        foreach (var doc in corpus.Docs)
        {
            foreach (int id in doc.Indices)
            {
                docFreq[id] = docFreq.GetValueOrDefault(id) + 1;
            }
        }
        var byFreq = docFreq.OrderByDescending(p => p.Value).ThenBy(p => p.Key).Select(p => p.Key).ToArray();
        var rare = docFreq.Where(p => p.Value <= 3).Select(p => p.Key).OrderBy(id => id).ToArray();
        SparseVector Pick(IReadOnlyList<int> pool, int n) =>
            SparseVector.Create(pool.OrderBy(_ => random.Next()).Take(n).ToArray(), Enumerable.Range(0, Math.Min(n, pool.Count)).Select(_ => (float)(3.5 * (1 - random.NextDouble()))).ToArray());
        var shapes = new List<(string, SparseVector)>();
        for (int q = 0; q < 6; q++)
        {
            shapes.Add(($"random {q}", corpus.RandomQuery(random, 5, 60)));
        }
        shapes.Add(("common", Pick(byFreq.Take(40).ToArray(), 30)));
        shapes.Add(("common few", Pick(byFreq.Take(10).ToArray(), 3)));
        shapes.Add(("rare", Pick(rare, 25)));
        shapes.Add(("single", Pick(byFreq.Take(5).ToArray(), 1)));
        var absent = Enumerable.Range(0, corpus.Vocabulary.Count).Where(id => !docFreq.ContainsKey(id)).Take(5).ToArray();
        shapes.Add(("absent", SparseVector.Create(absent, absent.Select(_ => 1f).ToArray())));
        shapes.Add(("common and rare", Pick(byFreq.Take(20).Concat(rare.Take(20)).ToArray(), 30)));
        return shapes;
    }
}
