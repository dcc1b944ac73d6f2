using System.Globalization;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
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
/// <see cref="SpladeQueryOptions.InMemoryPostings"/>: segments evaluated term at a time from postings copied into
/// memory return exactly what Lucene's exhaustive search returns (same documents, same order, bit-identical scores),
/// cold and warm, in both storage modes, with deletes (also deletes made after the postings were cached), merges,
/// reopen, segments larger than one 65,536-document block, parallel searchers and any memory cap.
/// </summary>
public sealed class InMemoryPostingsTests
{
    private const string Field = RandomSpladeCorpus.FieldName;

    private readonly ITestOutputHelper _output;

    public InMemoryPostingsTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency, false)]
    [InlineData(SpladeStorageMode.Payload, false)]
    [InlineData(SpladeStorageMode.TermFrequency, true)]
    [InlineData(SpladeStorageMode.Payload, true)]
    public void InMemoryEqualsExhaustiveAtAnyCap(SpladeStorageMode mode, bool persisted)
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 9000, deleteFraction: 0.1);
        var queries = Enumerable.Range(0, 8).Select(_ => corpus.RandomQuery(random, 3, 60)).ToList();
        long? fullLargest = null;
        for (int round = 0; round < 3; round++)
        {
            long? cap = round switch { 0 => null, 1 => 0, _ => fullLargest / 2 };
            using var dir = corpus.BuildIndex(mode, maxBufferedDocs: 3000, codec: persisted ? new SpladeCodec(Field) : null);
            using var reader = DirectoryReader.Open(dir);
            Assert.Equal(3, reader.Leaves.Count);
            var options = new SpladeQueryOptions { MaxInMemoryPostingsBytesPerSegment = cap };
            var stats = new SpladeSearchStats();
            // Cold (postings copied during the searches), then warm.
            for (int pass = 0; pass < 2; pass++)
            {
                int nonEmpty = ExactSearchAssert.PrunedEqualsExhaustive(reader, corpus.Vocabulary, queries, $"{mode} cap {cap?.ToString(CultureInfo.InvariantCulture) ?? "none"} pass {pass}", options, stats);
                Assert.Equal(queries.Count * ExactSearchAssert.Ks.Length, nonEmpty);
            }
            var memory = SpladeCacheMemory.Measure(reader);
            _output.WriteLine($"cap {cap?.ToString(CultureInfo.InvariantCulture) ?? "none"}: {memory}; {stats}");
            Assert.Equal(Recount(reader), (memory.InMemoryTerms, memory.InMemoryPostings, memory.InMemoryBytes));
            switch (cap)
            {
                case null:
                    // Every segment of every search was evaluated from memory.
                    Assert.Equal(0, stats.SegmentsPruned + stats.SegmentsExhaustive);
                    Assert.True(stats.SegmentsInMemory > 0);
                    Assert.Equal(0, memory.InMemoryRefused);
                    Assert.InRange(memory.InMemoryBytes, 3 * memory.InMemoryPostings, (4 * memory.InMemoryPostings) - 1);
                    fullLargest = memory.LargestSegmentInMemoryBytes;
                    break;
                case 0:
                    Assert.Equal(0, stats.SegmentsInMemory);
                    Assert.Equal(0, memory.InMemoryBytes);
                    Assert.True(memory.InMemoryRefused > 0);
                    break;
                default:
                    Assert.InRange(memory.LargestSegmentInMemoryBytes, 1, cap.Value);
                    Assert.True(memory.InMemoryRefused > 0);
                    break;
            }
        }
    }

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void DeletesAfterCachingMergesAndReopenStayExact(SpladeStorageMode mode)
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 8000, deleteFraction: 0.05);
        var queries = Enumerable.Range(0, 8).Select(_ => corpus.RandomQuery(random, 3, 50)).ToList();
        using var dir = corpus.BuildIndex(mode, maxBufferedDocs: 2000, codec: new SpladeCodec(Field));
        var reader = DirectoryReader.Open(dir);
        try
        {
            ExactSearchAssert.PrunedEqualsExhaustive(reader, corpus.Vocabulary, queries, "before deletes", new SpladeQueryOptions());
            long cached = SpladeCacheMemory.Measure(reader).InMemoryPostings;
            Assert.True(cached > 0);
            var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))
            {
                Codec = new SpladeCodec(Field),
                MergePolicy = new LogDocMergePolicy { MergeFactor = 1000 },
            };
            using (var writer = new IndexWriter(dir, config))
            {
                // The best documents of the first queries go: the cached postings still hold them.
                foreach (var q in queries.Take(4))
                {
                    foreach (var (doc, _) in corpus.BruteForce(q).Take(5))
                    {
                        writer.DeleteDocuments(new Term("id", doc.ToString(CultureInfo.InvariantCulture)));
                    }
                }
                writer.Commit();
                var reopened = DirectoryReader.OpenIfChanged(reader)!;
                Assert.NotNull(reopened);
                reader.Dispose();
                reader = reopened;
                ExactSearchAssert.PrunedEqualsExhaustive(reader, corpus.Vocabulary, queries, "after deletes, same cores", new SpladeQueryOptions());
                // The reopened segments share their cores, hence their cached postings.
                Assert.Equal(cached, SpladeCacheMemory.Measure(reader).InMemoryPostings);
                writer.ForceMerge(2);
                writer.Commit();
            }
            var merged = DirectoryReader.OpenIfChanged(reader)!;
            Assert.NotNull(merged);
            reader.Dispose();
            reader = merged;
            Assert.Equal(2, reader.Leaves.Count);
            // The merged segment is a new core: nothing cached yet.
            Assert.Contains(reader.Leaves, l => SegmentInMemoryPostings.Find(l.AtomicReader) is null);
            ExactSearchAssert.PrunedEqualsExhaustive(reader, corpus.Vocabulary, queries, "merged, cold", new SpladeQueryOptions());
            ExactSearchAssert.PrunedEqualsExhaustive(reader, corpus.Vocabulary, queries, "merged, warm", new SpladeQueryOptions());
        }
        finally
        {
            reader.Dispose();
        }
    }

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void SegmentsLargerThanOneBlockAndWideImpactsStayExact(SpladeStorageMode mode)
    {
        var random = TestRandom.Create(_output);
        var vocabulary = FakeSparseEncoder.BertVocabulary;
        int[] terms = Enumerable.Range(3000, 30).ToArray();
        const int docCount = 140_000;
        var options = new SpladeFieldOptions { FieldName = Field, StorageMode = mode, Scale = RandomSpladeCorpus.Scale, OneTokenTermFrequency = mode == SpladeStorageMode.TermFrequency };
        using var dir = new RAMDirectory();
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))
        {
            Codec = mode == SpladeStorageMode.TermFrequency ? new SpladeCodec([Field], [Field]) : new SpladeCodec(Field),
            MaxBufferedDocs = docCount + 1,
            RAMBufferSizeMB = 512,
            MergePolicy = NoMergePolicy.COMPOUND_FILES,
        };
        using (var writer = new IndexWriter(dir, config))
        {
            var id = new StringField("id", "", global::Lucene.Net.Documents.Field.Store.NO);
            SpladeField? splade = null;
            for (int d = 0; d < docCount; d++)
            {
                // One to three terms; the first ten terms are rare (about 1 in 3,000 documents), so that some blocks of
                // 65,536 documents hold few of their postings; impacts 1 to 400 (wider than a byte for some terms).
                int n = random.Next(1, 4);
                var chosen = new HashSet<int>();
                while (chosen.Count < n)
                {
                    int t = terms[random.Next(terms.Length)];
                    if (t - terms[0] >= 10 || random.NextDouble() < 0.01)
                    {
                        chosen.Add(t);
                    }
                }
                var ids = chosen.ToArray();
                var vector = SparseVector.Create(ids, ids.Select(t => random.Next(1, (t & 1) == 0 ? 401 : 256) / RandomSpladeCorpus.Scale).ToArray());
                if (splade is null)
                {
                    splade = new SpladeField(vector, vocabulary, options);
                }
                else
                {
                    splade.SetVector(vector);
                }
                id.SetStringValue(d.ToString(CultureInfo.InvariantCulture));
                writer.AddDocument(new Document { id, splade });
            }
            for (int d = 0; d < docCount; d += 7)
            {
                writer.DeleteDocuments(new Term("id", d.ToString(CultureInfo.InvariantCulture)));
            }
            SpladeIndexSettings.From(options, "blocks").Write(writer);
            writer.Commit();
        }
        using var reader = DirectoryReader.Open(dir);
        var leaf = Assert.Single(reader.Leaves);
        Assert.True(leaf.AtomicReader.MaxDoc > 2 << InMemoryTermPostings.BlockShift);
        var sequential = new IndexSearcher(reader);
        var parallel = new IndexSearcher(reader, TaskScheduler.Default);
        var stats = new SpladeSearchStats();
        for (int q = 0; q < 12; q++)
        {
            var chosen = terms.Where(_ => random.NextDouble() < 0.3).DefaultIfEmpty(terms[q]).ToArray();
            var vector = SparseVector.Create(chosen, chosen.Select(_ => (float)(0.1 + (3 * random.NextDouble()))).ToArray());
            var query = new SpladeQuery(Field, vector, vocabulary);
            foreach (int k in ExactSearchAssert.Ks)
            {
                var expected = ExactSearchAssert.Pairs(sequential.Search(query, k).ScoreDocs);
                ExactSearchAssert.SameHits(expected, SpladeSearcher.Search(sequential, query, k, stats).ScoreDocs, $"query {q} k={k}");
                ExactSearchAssert.SameHits(expected, SpladeSearcher.Search(parallel, query, k, stats).ScoreDocs, $"query {q} k={k} parallel");
            }
        }
        var memory = SpladeCacheMemory.Measure(reader);
        _output.WriteLine($"{memory}; {stats}");
        Assert.Equal(0, stats.SegmentsPruned + stats.SegmentsExhaustive);
        var cache = SegmentInMemoryPostings.Find(leaf.AtomicReader)!;
        var kept = terms.Select(t => cache.Peek(Field, vocabulary[t])).Where(p => p is { Count: > 0 }).ToList();
        Assert.NotEmpty(kept);
        Assert.All(kept, p => Assert.Equal(InMemoryTermPostings.Blocks(leaf.AtomicReader.MaxDoc) + 1, p!.BlockStart!.Length));
        // Terms with impacts above 255 keep them in the second list, with its own block starts.
        Assert.Contains(kept, p => p!.WideDocs.Length > 0 && p.Docs.Length > 0 && p.WideBlockStart!.Length == p.BlockStart!.Length);
        Assert.Contains(kept, p => p!.WideDocs.Length == 0 && p.WideBlockStart is null);
    }

    [Fact]
    public void TiesByExternalIdStayExact()
    {
        var random = TestRandom.Create(_output);
        var corpus = new TiedSpladeCorpus(random, 6000, termCount: 6);
        using var dir = corpus.BuildIndex(SpladeStorageMode.TermFrequency, maxBufferedDocs: 1500);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader, TaskScheduler.Default);
        var stats = new SpladeSearchStats();
        for (int q = 0; q < 6; q++)
        {
            var vector = corpus.Query(random, q);
            var expected = corpus.BruteForceById(vector);
            foreach (int k in ExactSearchAssert.Ks)
            {
                var options = new SpladeQueryOptions { TieBreakField = "id" };
                var hits = SpladeSearcher.Search(searcher, new SpladeQuery(Field, vector, corpus.Vocabulary, options), k, stats).ScoreDocs;
                var exhaustive = SpladeSearcher.Search(searcher, new SpladeQuery(Field, vector, corpus.Vocabulary, new SpladeQueryOptions { TieBreakField = "id", Exhaustive = true }), k).ScoreDocs;
                ExactSearchAssert.SameHits(ExactSearchAssert.Pairs(exhaustive), hits, $"query {q} k={k}");
                Assert.Equal(expected.Take(k).Select(e => e.Id), hits.Select(h => reader.Document(h.Doc).Get("id")));
            }
        }
        Assert.True(stats.SegmentsInMemory > 0);
    }

    [Fact]
    public void NegativeCapIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new SpladeQueryOptions { MaxInMemoryPostingsBytesPerSegment = -1 }.Validate());
        Assert.Equal(nameof(SpladeQueryOptions.MaxInMemoryPostingsBytesPerSegment), e.ParamName);
        Assert.Equal(SpladeQueryOptions.DefaultMaxInMemoryPostingsBytesPerSegment, new SpladeQueryOptions().MaxInMemoryPostingsBytesPerSegment);
    }

    // The totals recounted from the cached arrays themselves.
    private static (long Terms, long Postings, long Bytes) Recount(IndexReader reader)
    {
        long terms = 0, postings = 0, bytes = 0;
        foreach (var leaf in reader.Leaves)
        {
            if (SegmentInMemoryPostings.Find(leaf.AtomicReader) is not { } cache)
            {
                continue;
            }
            var termsEnum = leaf.AtomicReader.GetTerms(Field)!.GetEnumerator();
            while (termsEnum.MoveNext())
            {
                if (cache.Peek(Field, termsEnum.Term.Utf8ToString()) is { Count: > 0 } p)
                {
                    Assert.Equal(termsEnum.DocFreq, p.Docs.Length + p.WideDocs.Length);
                    Assert.Equal(p.Docs.Length, p.Impacts8.Length);
                    Assert.Equal(p.WideDocs.Length, p.Impacts16.Length);
                    Assert.All(p.Impacts16, i => Assert.True(i > 255));
                    terms++;
                    postings += p.Count;
                    bytes += (2L * p.Docs.Length) + p.Impacts8.Length + (2L * p.WideDocs.Length) + (2L * p.Impacts16.Length) + (4L * ((p.BlockStart?.Length ?? 0) + (p.WideBlockStart?.Length ?? 0)));
                }
            }
        }
        return (terms, postings, bytes);
    }
}
