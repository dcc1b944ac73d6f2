using Lucene.Net.Index;
using Lucene.Net.Search;
using Splade.Lucene.Codecs;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;
using Xunit.Abstractions;

namespace Splade.Lucene.Tests.Search;

/// <summary>
/// <see cref="SpladeQueryOptions.MaxTierBytesPerSegment"/> caps the high-impact tiers kept per segment; whatever the
/// cap, pruned search returns exactly the exhaustive top k, and <see cref="SpladeCacheMemory"/> reports what is held.
/// </summary>
public sealed class TierMemoryCapTests
{
    private readonly ITestOutputHelper _output;

    public TierMemoryCapTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency, false)]
    [InlineData(SpladeStorageMode.Payload, false)]
    [InlineData(SpladeStorageMode.TermFrequency, true)]
    [InlineData(SpladeStorageMode.Payload, true)]
    public void AnyCapReturnsTheExhaustiveTopK(SpladeStorageMode mode, bool persisted)
    {
        var random = TestRandom.Create(_output);
        // Two segments of 6,000 documents: the popular terms have more than 1,024 postings in each, so they get tiers.
        var corpus = new RandomSpladeCorpus(random, 12_000, deleteFraction: 0.1);
        var queries = Enumerable.Range(0, 6).Select(_ => corpus.RandomQuery(random, 10, 40)).ToList();
        long? unlimitedLargest = null;
        // Unlimited, 0 (no tier) and small (half of what the unlimited search held in its largest segment); a fresh index
        // each time, so that each cap starts from an empty cache.
        for (int round = 0; round < 3; round++)
        {
            long? cap = round switch { 0 => null, 1 => 0, _ => unlimitedLargest / 2 };
            using var dir = corpus.BuildIndex(mode, maxBufferedDocs: 6000, codec: persisted ? new SpladeCodec(RandomSpladeCorpus.FieldName) : null);
            using var reader = DirectoryReader.Open(dir);
            Assert.Equal(2, reader.Leaves.Count);
            Assert.Equal(0, SpladeCacheMemory.Measure(reader).SegmentsCached);
            var options = ExactSearchAssert.MaxScore(new SpladeQueryOptions { MaxTierBytesPerSegment = cap });
            // Twice: with persisted bounds a term's tier is built on its second use.
            for (int pass = 0; pass < 2; pass++)
            {
                int nonEmpty = ExactSearchAssert.PrunedEqualsExhaustive(reader, corpus.Vocabulary, queries, $"cap {cap?.ToString() ?? "none"} pass {pass}", options);
                Assert.Equal(queries.Count * ExactSearchAssert.Ks.Length, nonEmpty);
            }
            var memory = SpladeCacheMemory.Measure(reader);
            _output.WriteLine($"cap {cap?.ToString() ?? "none"}, persisted {persisted}: {memory}");
            Assert.Equal(2, memory.SegmentsCached);
            Assert.True(memory.Terms > 0 && memory.BoundsBytes > 0);
            Assert.Equal(ExpectedMeasure(reader), (memory.Terms, memory.BoundsBytes, memory.TierTerms, memory.TierBytes));
            switch (cap)
            {
                case null:
                    Assert.True(memory.TierTerms > 2, $"only {memory.TierTerms} tiers");
                    Assert.Equal(0, memory.TiersRefused);
                    unlimitedLargest = memory.LargestSegmentTierBytes;
                    break;
                case 0:
                    Assert.Equal(0, memory.TierBytes);
                    Assert.Equal(0, memory.TierTerms);
                    Assert.True(memory.TiersRefused > 0);
                    break;
                default:
                    Assert.InRange(memory.LargestSegmentTierBytes, 1, cap.Value);
                    Assert.True(memory.LargestSegmentTierBytes < unlimitedLargest, $"cap {cap} did not bind: unlimited held {unlimitedLargest}");
                    Assert.True(memory.TiersRefused > 0);
                    break;
            }
        }
    }

    [Fact]
    public void CostIsCountedPerTermAndSegment()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 5000, deleteFraction: 0);
        using var dir = corpus.BuildIndex(SpladeStorageMode.TermFrequency, maxBufferedDocs: 10_000);
        using var reader = DirectoryReader.Open(dir);
        var leaf = Assert.Single(reader.Leaves).AtomicReader;
        var terms = leaf.GetTerms(RandomSpladeCorpus.FieldName)!.GetEnumerator();
        // The commonest term of the segment: it gets a tier.
        string? common = null;
        int docFreq = 0;
        while (terms.MoveNext())
        {
            if (terms.DocFreq > docFreq)
            {
                docFreq = terms.DocFreq;
                common = terms.Term.Utf8ToString();
            }
        }
        Assert.True(docFreq >= SegmentImpactBounds.TierMinDocFreq, $"commonest term has {docFreq} postings");
        var query = new SpladeQuery(RandomSpladeCorpus.FieldName, [new KeyValuePair<string, float>(common!, 1f)], ExactSearchAssert.MaxScore());
        SpladeSearcher.Search(new IndexSearcher(reader), query, 10);
        var memory = SpladeCacheMemory.Measure(reader);
        _output.WriteLine($"term {common} (df {docFreq}): {memory}");
        // 5,000 documents: 3 blocks of 2,048 (4 bytes each) and 40 sub-blocks of 128 (1 byte each).
        Assert.Equal(1, memory.Terms);
        Assert.Equal((3 * 4) + 40, memory.BoundsBytes);
        Assert.Equal(1, memory.TierTerms);
        // The tier: the postings above the 15th-percentile impact, 4 bytes each, plus 4 bytes per block and one more.
        var impacts = new List<int>();
        Assert.True(terms.SeekExact(new global::Lucene.Net.Util.BytesRef(common)));
        var docs = terms.Docs(null, null, DocsFlags.FREQS);
        while (docs.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
        {
            impacts.Add(docs.Freq);
        }
        var sorted = impacts.Order().ToArray();
        int tau = sorted[(int)(sorted.Length * 0.15)];
        long above = impacts.Count(i => i > tau);
        Assert.Equal((4 * above) + (4 * 4), memory.TierBytes);
        Assert.Equal(memory.TierBytes, memory.LargestSegmentTierBytes);
        Assert.Equal(0, memory.TiersRefused);

        // A cap below the next tier's size: that tier is refused (counted once, not rebuilt), the cost is unchanged.
        var capped = new SpladeQueryOptions { MaxTierBytesPerSegment = memory.TierBytes + 1, Evaluation = SpladeEvaluation.MaxScore };
        string second = SecondCommonest(leaf, common!);
        var other = new SpladeQuery(RandomSpladeCorpus.FieldName, [new KeyValuePair<string, float>(second, 1f)], capped);
        for (int i = 0; i < 3; i++)
        {
            SpladeSearcher.Search(new IndexSearcher(reader), other, 10);
        }
        var after = SpladeCacheMemory.Measure(reader);
        _output.WriteLine($"after {second} capped: {after}");
        Assert.Equal(2, after.Terms);
        Assert.Equal(memory.TierBytes, after.TierBytes);
        Assert.Equal(1, after.TierTerms);
        Assert.Equal(1, after.TiersRefused);
    }

    [Fact]
    public void NegativeCapIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new SpladeQueryOptions { MaxTierBytesPerSegment = -1 }.Validate());
        Assert.Equal(nameof(SpladeQueryOptions.MaxTierBytesPerSegment), e.ParamName);
        Assert.Contains("-1", e.Message, StringComparison.Ordinal);
        new SpladeQueryOptions { MaxTierBytesPerSegment = 0 }.Validate();
        Assert.Throws<ArgumentException>(() => new SpladeQuery(RandomSpladeCorpus.FieldName, [new KeyValuePair<string, float>("a", 1f)], new SpladeQueryOptions { MaxTierBytesPerSegment = -5 }));
    }

    // The totals recomputed from the cached entries themselves (array lengths), independently of the counters.
    private static (long Terms, long BoundsBytes, long TierTerms, long TierBytes) ExpectedMeasure(IndexReader reader)
    {
        long terms = 0, bounds = 0, tierTerms = 0, tierBytes = 0;
        foreach (var leaf in reader.Leaves)
        {
            var cache = SegmentImpactBounds.Find(leaf.AtomicReader)!;
            long segmentTierBytes = 0;
            var te = leaf.AtomicReader.GetTerms(RandomSpladeCorpus.FieldName)!.GetEnumerator();
            while (te.MoveNext())
            {
                if (cache.Peek(RandomSpladeCorpus.FieldName, te.Term.Utf8ToString()) is not { } b)
                {
                    continue;
                }
                terms++;
                bounds += (4L * b.BlockMax.Length) + b.SubBlockMax.Length;
                if (b.HighOffsets is { } offsets)
                {
                    tierTerms++;
                    segmentTierBytes += (2L * offsets.Length) + (2L * b.HighImpacts!.Length) + (4L * b.HighBlockStart!.Length);
                }
            }
            // The segment's reservation counter (what the cap is checked against) matches the tiers it holds.
            Assert.Equal(segmentTierBytes, cache.TierBytes);
            tierBytes += segmentTierBytes;
        }
        return (terms, bounds, tierTerms, tierBytes);
    }

    private static string SecondCommonest(AtomicReader reader, string exclude)
    {
        var te = reader.GetTerms(RandomSpladeCorpus.FieldName)!.GetEnumerator();
        string? best = null;
        int df = 0;
        while (te.MoveNext())
        {
            string term = te.Term.Utf8ToString();
            if (term != exclude && te.DocFreq > df)
            {
                df = te.DocFreq;
                best = term;
            }
        }
        Assert.True(df >= SegmentImpactBounds.TierMinDocFreq, $"second commonest term has {df} postings");
        return best!;
    }
}
