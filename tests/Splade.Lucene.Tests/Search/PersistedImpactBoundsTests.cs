using System.Globalization;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Codecs;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;
using Xunit.Abstractions;

namespace Splade.Lucene.Tests.Search;

/// <summary>
/// Impact bounds persisted by <see cref="SpladeCodec"/> at flush and merge must be exactly the bounds the
/// scorer computes on first use, and pruned search over them (cold, warm, after deletes, merges, reopen, in
/// parallel, mixed with segments written without the codec) must return exactly the exhaustive top k.
/// </summary>
public sealed class PersistedImpactBoundsTests
{
    private readonly ITestOutputHelper _output;

    public PersistedImpactBoundsTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void PersistedBoundsEqualTheBoundsComputedOnFirstUse(SpladeStorageMode mode)
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 7000, deleteFraction: 0.1);
        using var dir = corpus.BuildIndex(mode, maxBufferedDocs: 2500, codec: new SpladeCodec(RandomSpladeCorpus.FieldName));
        using (var reader = DirectoryReader.Open(dir))
        {
            Assert.Equal(3, reader.Leaves.Count);
            CompareAllTerms(reader, "flushed");
        }
        using (var writer = new IndexWriter(dir, Config(new SpladeCodec(RandomSpladeCorpus.FieldName))))
        {
            writer.ForceMerge(1);
            writer.Commit();
        }
        using (var reader = DirectoryReader.Open(dir))
        {
            Assert.Single(reader.Leaves);
            Assert.False(reader.HasDeletions);
            CompareAllTerms(reader, "merged");
        }
    }

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void PrunedSearchOverPersistedBoundsIsExhaustive(SpladeStorageMode mode)
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 9000, deleteFraction: 0.1);
        var queries = Enumerable.Range(0, 10).Select(_ => corpus.RandomQuery(random, 5, 60)).ToList();
        // Written without the codec (an index of an older version), then grown and merged with it.
        using var dir = corpus.BuildIndex(mode, maxBufferedDocs: 3000);
        using (var reader = DirectoryReader.Open(dir))
        {
            Assert.All(reader.Leaves, l => Assert.IsNotType<PersistedBoundsTerms>(l.AtomicReader.GetTerms(RandomSpladeCorpus.FieldName)));
            EveryHitEqualsExhaustive(reader, corpus.Vocabulary, queries, "old index, cold");
            EveryHitEqualsExhaustive(reader, corpus.Vocabulary, queries, "old index, warm");
        }
        var options = new SpladeFieldOptions { FieldName = RandomSpladeCorpus.FieldName, StorageMode = mode, Scale = RandomSpladeCorpus.Scale };
        var codec = new SpladeCodec(RandomSpladeCorpus.FieldName);
        using (var writer = new IndexWriter(dir, Config(codec, maxBufferedDocs: 1700)))
        {
            for (int d = 0; d < 4000; d++)
            {
                var source = corpus.Docs[random.Next(corpus.Docs.Length)];
                writer.AddDocument(new Document
                {
                    new StringField("id", "new" + d.ToString(CultureInfo.InvariantCulture), Field.Store.YES),
                    new SpladeField(source, corpus.Vocabulary, options),
                });
            }
            for (int d = 0; d < 4000; d += 9)
            {
                writer.DeleteDocuments(new Term("id", "new" + d.ToString(CultureInfo.InvariantCulture)));
            }
            writer.Commit();
        }
        using (var reader = DirectoryReader.Open(dir))
        {
            int persisted = reader.Leaves.Count(l => l.AtomicReader.GetTerms(RandomSpladeCorpus.FieldName) is PersistedBoundsTerms);
            Assert.True(persisted >= 2 && persisted < reader.Leaves.Count, $"{persisted} of {reader.Leaves.Count} segments persisted");
            EveryHitEqualsExhaustive(reader, corpus.Vocabulary, queries, "mixed, cold");
            EveryHitEqualsExhaustive(reader, corpus.Vocabulary, queries, "mixed, warm");
        }
        using (var writer = new IndexWriter(dir, Config(codec)))
        {
            writer.ForceMerge(2);
            writer.Commit();
        }
        using (var reader = DirectoryReader.Open(dir))
        {
            Assert.All(reader.Leaves, l => Assert.IsType<PersistedBoundsTerms>(l.AtomicReader.GetTerms(RandomSpladeCorpus.FieldName)));
            // Cold: persisted bounds without tiers; warm: tiers built on the second use of each term.
            EveryHitEqualsExhaustive(reader, corpus.Vocabulary, queries, "merged, cold");
            EveryHitEqualsExhaustive(reader, corpus.Vocabulary, queries, "merged, warm");
            CompareAllTerms(reader, "merged");
        }
    }

    [Fact]
    public void CodecArgumentsAreChecked()
    {
        Assert.Throws<ArgumentException>(() => new SpladeCodec());
        Assert.Throws<ArgumentException>(() => new SpladeCodec("splade", ""));
        Assert.Equal("Lucene46", new SpladeCodec("splade").Name);
        Assert.Contains(SpladeImpactsPostingsFormat.FormatName, global::Lucene.Net.Codecs.PostingsFormat.AvailablePostingsFormats);
    }

    // Merges only when forced (NoMergePolicy would refuse ForceMerge too).
    private static IndexWriterConfig Config(SpladeCodec codec, int maxBufferedDocs = 10_000) =>
        new(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))
        {
            Codec = codec,
            MaxBufferedDocs = maxBufferedDocs,
            RAMBufferSizeMB = 256,
            MergePolicy = new LogDocMergePolicy { MergeFactor = 1000 },
        };

    // Every term with enough postings was persisted, and its persisted bounds (and the tier built from the
    // persisted threshold) equal those computed from the postings.
    private void CompareAllTerms(IndexReader reader, string what)
    {
        int compared = 0, tiers = 0;
        foreach (var leaf in reader.Leaves)
        {
            var terms = Assert.IsType<PersistedBoundsTerms>(leaf.AtomicReader.GetTerms(RandomSpladeCorpus.FieldName));
            bool payloads = leaf.AtomicReader.FieldInfos.FieldInfo(RandomSpladeCorpus.FieldName).HasPayloads;
            var cache = SegmentImpactBounds.For(leaf.AtomicReader);
            var te = terms.GetEnumerator();
            while (te.MoveNext())
            {
                string term = te.Term.Utf8ToString();
                var persisted = cache.FromPersisted(terms.Bounds, term, te, payloads, wantTier: true);
                if (te.DocFreq < ImpactBoundsFile.MinDocFreq)
                {
                    Assert.Null(persisted);
                    continue;
                }
                Assert.NotNull(persisted);
                var computed = cache.Compute(te, payloads, wantTier: te.DocFreq >= SegmentImpactBounds.TierMinDocFreq);
                string where = $"{what}: term {term} (df {te.DocFreq})";
                Assert.True(computed.BlockMax.AsSpan().SequenceEqual(persisted.BlockMax), where + " block maxima");
                Assert.True(computed.SubBlockMax.AsSpan().SequenceEqual(persisted.SubBlockMax), where + " sub-block maxima");
                Assert.Equal(computed.Tau, persisted.Tau);
                Assert.True(computed.HighOffsets.AsSpan().SequenceEqual(persisted.HighOffsets), where + " tier offsets");
                Assert.True(computed.HighImpacts.AsSpan().SequenceEqual(persisted.HighImpacts), where + " tier impacts");
                Assert.True(computed.HighBlockStart.AsSpan().SequenceEqual(persisted.HighBlockStart), where + " tier blocks");
                compared++;
                tiers += computed.Tau >= 0 ? 1 : 0;
            }
        }
        _output.WriteLine($"{what}: {compared} persisted terms compared, {tiers} with a tier");
        Assert.True(compared > 50 && tiers > 0, $"{what}: only {compared} terms, {tiers} tiers");
    }

    // Every (query, k) has hits, and every optimised search returns them exactly.
    private static void EveryHitEqualsExhaustive(IndexReader reader, Vocabulary vocabulary, IReadOnlyList<SparseVector> queries, string what) =>
        Assert.Equal(queries.Count * ExactSearchAssert.Ks.Length, ExactSearchAssert.PrunedEqualsExhaustive(reader, vocabulary, queries, what));
}
