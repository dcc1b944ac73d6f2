using Lucene.Net.Index;
using Lucene.Net.Util;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;
using Xunit.Abstractions;

namespace Splade.Lucene.Tests.Search;

/// <summary>
/// Two threads building the same term's high-impact tier at once, under a cap with room for one tier: the second
/// is refused because of the first one's reservation, and that refusal must not replace the tier the first built.
/// </summary>
public sealed class TierRaceTests
{
    private readonly ITestOutputHelper _output;

    public TierRaceTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void ConcurrentTierBuildsOfATermThatFits_KeepTheTier()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 6_000, deleteFraction: 0);
        using var dir = corpus.BuildIndex(SpladeStorageMode.TermFrequency, maxBufferedDocs: 10_000);
        string? term = null;
        long tierBytes = 0;
        using (var reader = DirectoryReader.Open(dir))
        {
            var segment = reader.Leaves.Single().AtomicReader;
            var terms = segment.GetTerms(RandomSpladeCorpus.FieldName)!.GetEnumerator();
            while (terms.MoveNext())
            {
                var bounds = SegmentImpactBounds.For(segment).Get(RandomSpladeCorpus.FieldName, terms.Term.Utf8ToString(), terms, payloads: false, tier: true);
                if (bounds.TierBytes > tierBytes)
                {
                    (term, tierBytes) = (terms.Term.Utf8ToString(), bounds.TierBytes);
                }
            }
        }
        Assert.True(term is not null, "no term has a tier");
        long cap = tierBytes * 3 / 2;
        for (int round = 0; round < 40; round++)
        {
            using var reader = DirectoryReader.Open(dir);   // a new segment core, so a new cache
            var segment = reader.Leaves.Single().AtomicReader;
            var cache = SegmentImpactBounds.For(segment);
            using var barrier = new Barrier(2);
            var threads = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
            {
                var terms = segment.GetTerms(RandomSpladeCorpus.FieldName)!.GetEnumerator();
                Assert.True(terms.SeekExact(new BytesRef(term)));
                barrier.SignalAndWait();
                cache.Get(RandomSpladeCorpus.FieldName, term!, terms, payloads: false, tier: true, maxTierBytes: cap);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            var again = segment.GetTerms(RandomSpladeCorpus.FieldName)!.GetEnumerator();
            Assert.True(again.SeekExact(new BytesRef(term)));
            var kept = cache.Get(RandomSpladeCorpus.FieldName, term!, again, payloads: false, tier: true, maxTierBytes: cap);
            Assert.True(kept.TierBytes == tierBytes, $"round {round}: the term kept {kept.TierBytes} tier bytes, not {tierBytes}");
            Assert.Equal(tierBytes, cache.TierBytes);
        }
    }
}
