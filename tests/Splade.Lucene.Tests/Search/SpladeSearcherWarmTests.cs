using Lucene.Net.Analysis.Core;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Lucene.Codecs;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;
using Xunit.Abstractions;

namespace Splade.Lucene.Tests.Search;

/// <summary>
/// <see cref="SpladeSearcher.Warm(IndexSearcher, string, SpladeQueryOptions?)"/> prepares a searcher for its first query and changes no result: searches after
/// it (once, twice, concurrently with it) return exactly the exhaustive top k.
/// </summary>
public sealed class SpladeSearcherWarmTests
{
    private static readonly int[] Ks = [1, 10, 100, 1000];

    private readonly ITestOutputHelper _output;

    public SpladeSearcherWarmTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency, false)]
    [InlineData(SpladeStorageMode.TermFrequency, true)]
    [InlineData(SpladeStorageMode.Payload, true)]
    public void WarmedSearchesReturnTheExhaustiveTopK_AndWarmingTwiceChangesNothing(SpladeStorageMode mode, bool persistedBounds)
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 6000, deleteFraction: 0.05);
        using var dir = corpus.BuildIndex(mode, maxBufferedDocs: 2500, codec: persistedBounds ? new SpladeCodec(RandomSpladeCorpus.FieldName) : null);
        using var reader = DirectoryReader.Open(dir);
        Assert.Equal(3, reader.Leaves.Count);
        var searcher = new IndexSearcher(reader);
        var queries = Enumerable.Range(0, 6).Select(_ => corpus.RandomQuery(random, 5, 50)).ToArray();

        Assert.True(SpladeSearcher.Warm(searcher, RandomSpladeCorpus.FieldName));
        Check(corpus, searcher, queries, "after one warm-up");
        Assert.True(SpladeSearcher.Warm(searcher, RandomSpladeCorpus.FieldName, new SpladeQueryOptions { ImpactTiers = false }));
        Check(corpus, searcher, queries, "after a second warm-up");
        // A parallel searcher of the same reader, warmed too.
        var parallel = new IndexSearcher(reader, TaskScheduler.Default);
        Assert.True(SpladeSearcher.Warm(parallel, RandomSpladeCorpus.FieldName));
        Check(corpus, parallel, queries, "parallel searcher");
    }

    [Fact]
    public async Task WarmingConcurrentlyWithSearchesChangesNoResult()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 5000, deleteFraction: 0.05);
        using var dir = corpus.BuildIndex(SpladeStorageMode.TermFrequency, maxBufferedDocs: 2000, codec: new SpladeCodec(RandomSpladeCorpus.FieldName));
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader);
        var queries = Enumerable.Range(0, 8).Select(_ => corpus.RandomQuery(random, 5, 40)).ToArray();
        var expected = queries.Select(corpus.BruteForce).ToArray();
        using var start = new Barrier(4);
        var tasks = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            start.SignalAndWait();
            for (int round = 0; round < 3; round++)
            {
                if (t % 2 == 0)
                {
                    Assert.True(SpladeSearcher.Warm(searcher, RandomSpladeCorpus.FieldName));
                }
                for (int q = 0; q < queries.Length; q++)
                {
                    int k = Ks[(q + t + round) % Ks.Length];
                    var query = new SpladeQuery(RandomSpladeCorpus.FieldName, queries[q], corpus.Vocabulary);
                    AssertSame(expected[q].Take(k).ToList(), SpladeSearcher.Search(searcher, query, k).ScoreDocs, $"thread {t} round {round} query {q} k={k}");
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);
    }

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void WarmCopiesEveryTermsPostings_MostFrequentFirstUnderACap(SpladeStorageMode mode)
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 4000, deleteFraction: 0.05);
        using var dir = corpus.BuildIndex(mode, maxBufferedDocs: 1500, codec: new SpladeCodec(RandomSpladeCorpus.FieldName));
        var queries = Enumerable.Range(0, 6).Select(_ => corpus.RandomQuery(random, 5, 50)).ToArray();
        long fieldPostings;
        using (var reader = DirectoryReader.Open(dir))
        {
            fieldPostings = reader.Leaves.Sum(l => l.AtomicReader.GetTerms(RandomSpladeCorpus.FieldName)!.SumDocFreq);
            Assert.True(SpladeSearcher.Warm(new IndexSearcher(reader), RandomSpladeCorpus.FieldName));
            var memory = SpladeCacheMemory.Measure(reader);
            Assert.Equal(fieldPostings, memory.InMemoryPostings);
            Assert.Equal(0, memory.InMemoryRefused);
            Check(corpus, new IndexSearcher(reader), queries, "everything in memory");
        }
        // A new reader (new segment cores: nothing cached) with a cap of a third of the field: the terms kept are the
        // most frequent ones of each segment.
        using (var reader = DirectoryReader.Open(dir))
        {
            long cap = fieldPostings / reader.Leaves.Count;
            var options = new SpladeQueryOptions { MaxInMemoryPostingsBytesPerSegment = cap };
            Assert.True(SpladeSearcher.Warm(new IndexSearcher(reader), RandomSpladeCorpus.FieldName, options));
            Assert.InRange(SpladeCacheMemory.Measure(reader).InMemoryPostings, 1, fieldPostings - 1);
            foreach (var leaf in reader.Leaves)
            {
                var cache = SegmentInMemoryPostings.Find(leaf.AtomicReader)!;
                Assert.True(cache.Bytes <= cap, $"segment holds {cache.Bytes} bytes over the cap {cap}");
                var byFrequency = new List<(int DocFreq, bool Kept)>();
                var termsEnum = leaf.AtomicReader.GetTerms(RandomSpladeCorpus.FieldName)!.GetEnumerator();
                while (termsEnum.MoveNext())
                {
                    byFrequency.Add((termsEnum.DocFreq, cache.Peek(RandomSpladeCorpus.FieldName, termsEnum.Term.Utf8ToString()) is { Count: > 0 }));
                }
                byFrequency.Sort((a, b) => b.DocFreq.CompareTo(a.DocFreq));
                // Loaded by decreasing document frequency: the heaviest terms are in memory, some term was refused, and
                // the cap was nearly filled when the first (largest) refused term came (it did not fit what was left).
                Assert.All(byFrequency.Take(3), t => Assert.True(t.Kept, $"a term of {t.DocFreq} postings, among the three most frequent, was not kept"));
                int firstRefused = byFrequency.FindIndex(t => !t.Kept);
                Assert.True(firstRefused > 0, "a third of the field cannot hold every term");
                Assert.True(cache.Bytes > cap - (4L * byFrequency[firstRefused].DocFreq), $"{cache.Bytes} bytes held: the cap {cap} was not filled by the most frequent terms");
            }
            Check(corpus, new IndexSearcher(reader), queries, "capped");
            Assert.True(SpladeSearcher.Warm(new IndexSearcher(reader), RandomSpladeCorpus.FieldName, new SpladeQueryOptions { InMemoryPostings = false }));
        }
        // Exhaustive searches never read the copies, and switched off nothing is copied: fresh readers stay empty.
        foreach (var off in new[] { new SpladeQueryOptions { Exhaustive = true }, new SpladeQueryOptions { InMemoryPostings = false } })
        {
            using var reader = DirectoryReader.Open(dir);
            Assert.True(SpladeSearcher.Warm(new IndexSearcher(reader), RandomSpladeCorpus.FieldName, off));
            Assert.Equal(0, SpladeCacheMemory.Measure(reader).InMemoryPostings);
        }
    }

    [Fact]
    public void WarmRunsTheApplicationsSearchRepeatedly_AtK10AndK1000_WithItsOptions_AndBounded()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 3000);
        using var dir = corpus.BuildIndex(SpladeStorageMode.TermFrequency, maxBufferedDocs: 1000, codec: new SpladeCodec(RandomSpladeCorpus.FieldName));
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader);
        var options = new SpladeQueryOptions { MaxInMemoryPostingsBytesPerSegment = 1 << 20, WeightScale = 100 };
        var calls = new List<(SpladeQuery Query, int K)>();
        void ApplicationSearch(SpladeQuery query, int k)
        {
            calls.Add((query, k));
            // The application's path: its searches are what the warm-up repeats.
            Assert.NotNull(SpladeSearcher.Search(searcher, query, k));
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(SpladeSearcher.Warm(searcher, RandomSpladeCorpus.FieldName, options, ApplicationSearch));
        var elapsed = clock.Elapsed;
        // At least MinWarmRounds rounds of k = 10 then k = 1000 (tiered compilation needs ~30 calls to optimise a
        // method), and no more than the time bound allows (plus the copies and one slow round).
        Assert.True(calls.Count >= 2 * SpladeSearcher.MinWarmRounds, $"{calls.Count} warm-up searches");
        Assert.Equal(0, calls.Count % 2);
        Assert.All(calls.Where((_, i) => i % 2 == 0), c => Assert.Equal(10, c.K));
        Assert.All(calls.Where((_, i) => i % 2 == 1), c => Assert.Equal(1000, c.K));
        Assert.True(elapsed < SpladeSearcher.MaxWarmSearchTime + TimeSpan.FromSeconds(5), $"warm-up took {elapsed}");
        // One query, on the field, with the application's options except what only shapes query weights.
        var queryOptions = calls.Select(c => c.Query).Distinct().Single().Options;
        Assert.Equal(RandomSpladeCorpus.FieldName, calls[0].Query.Field);
        Assert.Equal(options.MaxInMemoryPostingsBytesPerSegment, queryOptions.MaxInMemoryPostingsBytesPerSegment);
        Assert.Null(queryOptions.WeightScale);
        Assert.Equal(SpladeSearcher.WarmTerms, calls[0].Query.TermWeights.Count);
        Assert.Throws<ArgumentNullException>(() => SpladeSearcher.Warm(searcher, RandomSpladeCorpus.FieldName, options, null!));
        // The same path warmed again in this process (a reopened searcher, say): one round, its code is compiled.
        int before = calls.Count;
        Assert.True(SpladeSearcher.Warm(new IndexSearcher(reader), RandomSpladeCorpus.FieldName, options, ApplicationSearch));
        Assert.Equal([10, 1000], calls.Skip(before).Select(c => c.K));
        // Searches afterwards are exact.
        var queries = Enumerable.Range(0, 4).Select(_ => corpus.RandomQuery(random, 5, 40)).ToArray();
        Check(corpus, searcher, queries, "after the application's warm-up");
    }

    [Fact]
    public void AFieldWithoutTermsHasNothingToWarm()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 200);
        using var dir = corpus.BuildIndex(SpladeStorageMode.TermFrequency, maxBufferedDocs: 100);
        using var reader = DirectoryReader.Open(dir);
        Assert.False(SpladeSearcher.Warm(new IndexSearcher(reader), "no-such-field"));

        using var empty = new RAMDirectory();
        using (var writer = new IndexWriter(empty, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))))
        {
            writer.Commit();
        }
        using var emptyReader = DirectoryReader.Open(empty);
        Assert.False(SpladeSearcher.Warm(new IndexSearcher(emptyReader), RandomSpladeCorpus.FieldName));
    }

    [Fact]
    public void RejectsMissingArguments()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 50);
        using var dir = corpus.BuildIndex(SpladeStorageMode.TermFrequency, maxBufferedDocs: 100);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader);
        Assert.Throws<ArgumentNullException>(() => SpladeSearcher.Warm(null!, RandomSpladeCorpus.FieldName));
        Assert.Equal("field", Assert.Throws<ArgumentException>(() => SpladeSearcher.Warm(searcher, "")).ParamName);
        var bad = Assert.Throws<ArgumentException>(() => SpladeSearcher.Warm(searcher, RandomSpladeCorpus.FieldName, new SpladeQueryOptions { TopK = 0 }));
        Assert.Contains("TopK", bad.Message, StringComparison.Ordinal);
    }

    private static void Check(RandomSpladeCorpus corpus, IndexSearcher searcher, Encoder.SparseVector[] queries, string what)
    {
        for (int q = 0; q < queries.Length; q++)
        {
            var expected = corpus.BruteForce(queries[q]);
            var query = new SpladeQuery(RandomSpladeCorpus.FieldName, queries[q], corpus.Vocabulary);
            foreach (int k in Ks)
            {
                AssertSame(expected.Take(k).ToList(), SpladeSearcher.Search(searcher, query, k).ScoreDocs, $"{what}: query {q} k={k}");
            }
            AssertSame(expected.Take(10).ToList(), searcher.Search(query, 10).ScoreDocs, $"{what}: query {q} IndexSearcher.Search");
        }
    }

    private static void AssertSame(List<(int Doc, float Score)> expected, ScoreDoc[] actual, string what)
    {
        Assert.True(expected.Count == actual.Length, $"{what}: {actual.Length} hits, expected {expected.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(
                expected[i].Doc == actual[i].Doc && BitConverter.SingleToInt32Bits(expected[i].Score) == BitConverter.SingleToInt32Bits(actual[i].Score),
                $"{what}: rank {i}: got doc {actual[i].Doc} score {actual[i].Score:R}, expected doc {expected[i].Doc} score {expected[i].Score:R}");
        }
    }

    // Warm copies under the cap the queries will use: null in the options means no cap, not the default.
    [Fact]
    public void WarmUsesTheQueriesMemoryCap()
    {
        Assert.Equal(SpladeQueryOptions.DefaultMaxInMemoryPostingsBytesPerSegment, SpladeSearcher.WarmCap(null));
        Assert.Null(SpladeSearcher.WarmCap(new SpladeQueryOptions { MaxInMemoryPostingsBytesPerSegment = null }));
        Assert.Equal(4096L, SpladeSearcher.WarmCap(new SpladeQueryOptions { MaxInMemoryPostingsBytesPerSegment = 4096 }));
        Assert.Equal(SpladeQueryOptions.DefaultMaxInMemoryPostingsBytesPerSegment, SpladeSearcher.WarmCap(new SpladeQueryOptions()));
    }
}
