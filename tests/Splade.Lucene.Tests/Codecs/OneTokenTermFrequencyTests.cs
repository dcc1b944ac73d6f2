using System.Globalization;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Codecs;
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
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Splade.Lucene.Tests.Codecs;

/// <summary>
/// One-token term-frequency indexing (<see cref="SpladeFieldOptions.OneTokenTermFrequency"/> with
/// <see cref="SpladeCodec"/>) must give the index that repeated tokens give: same terms, statistics, frequencies,
/// field infos, persisted bounds and search results, after flushes, deletes, NRT reopening, merges (also of
/// segments written both ways), AddIndexes and reopening; and never silently wrong without the codec.
/// </summary>
public sealed class OneTokenTermFrequencyTests
{
    private const string Field = RandomSpladeCorpus.FieldName;

    private readonly ITestOutputHelper _output;

    public OneTokenTermFrequencyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void OneTokenIndexIsTheRepeatedTokenIndex()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 5000, deleteFraction: 0.1);
        var queries = Enumerable.Range(0, 8).Select(_ => corpus.RandomQuery(random, 5, 60)).ToList();
        using var repeat = new RAMDirectory();
        using var oneToken = new RAMDirectory();

        // Flushed segments, deletes, and an NRT reader of the uncommitted writer.
        using (var wr = new IndexWriter(repeat, Config(Repeat)))
        using (var wo = new IndexWriter(oneToken, Config(OneToken)))
        {
            Add(wr, corpus, 0, 3000, oneTokenFields: false);
            Add(wo, corpus, 0, 3000, oneTokenFields: true);
            using (var r = DirectoryReader.Open(wr, applyAllDeletes: true))
            using (var o = DirectoryReader.Open(wo, applyAllDeletes: true))
            {
                AssertSameIndex(r, o, corpus.Vocabulary, queries, "NRT");
            }
            Commit(wr, false);
            Commit(wo, true);
        }
        AssertSameIndex(repeat, oneToken, corpus.Vocabulary, queries, "committed", checkIndex: true);

        // More segments: the repeat index grows with one-token segments, so that its merge mixes both kinds.
        using var mixed = new RAMDirectory();
        foreach (var d in new[] { repeat, oneToken })
        {
            using var w = new IndexWriter(d, Config(d == repeat ? Repeat : OneToken));
            Add(w, corpus, 3000, 5000, oneTokenFields: d == oneToken);
            Commit(w, d == oneToken);
        }
        using (var w = new IndexWriter(mixed, Config(Repeat)))
        {
            Add(w, corpus, 0, 3000, oneTokenFields: false);
            Commit(w, false);
        }
        using (var w = new IndexWriter(mixed, Config(OneToken)))
        {
            Add(w, corpus, 3000, 5000, oneTokenFields: true);
            Commit(w, true);
        }
        AssertSameIndex(repeat, oneToken, corpus.Vocabulary, queries, "grown", checkIndex: true);
        AssertSameIndex(repeat, mixed, corpus.Vocabulary, queries, "mixed", checkIndex: true);

        foreach (var d in new[] { repeat, oneToken, mixed })
        {
            using var w = new IndexWriter(d, Config(d == repeat ? Repeat : OneToken));
            w.ForceMerge(1);
            w.Commit();
        }
        AssertSameIndex(repeat, oneToken, corpus.Vocabulary, queries, "merged", checkIndex: true);
        AssertSameIndex(repeat, mixed, corpus.Vocabulary, queries, "mixed, merged", checkIndex: true);

        // AddIndexes of readers (a merge through the codec) and of directories (files copied).
        using var added = new RAMDirectory();
        using (var w = new IndexWriter(added, Config(OneToken)))
        using (var source = DirectoryReader.Open(oneToken))
        {
            w.AddIndexes(source);
            w.Commit();
        }
        using var copied = new RAMDirectory();
        using (var w = new IndexWriter(copied, Config(Repeat)))
        {
            w.AddIndexes(oneToken);
            w.Commit();
        }
        AssertSameIndex(repeat, added, corpus.Vocabulary, queries, "AddIndexes(reader)", checkIndex: true);
        AssertSameIndex(repeat, copied, corpus.Vocabulary, queries, "AddIndexes(directory)", checkIndex: true);
    }

    [Fact]
    public void AnalyzedTextAndTheFacadeIndexOneTokenTermFrequencies()
    {
        var encoder = new FakeSparseEncoder();
        var oneToken = new SpladeFieldOptions { FieldName = Field, OneTokenTermFrequency = true };
        var schema = SpladeFieldSchema.Create(oneToken, encoder);
        Assert.Equal([Field], schema.CreateCodec().OneTokenTermFrequencyFields);
        Assert.Empty(SpladeFieldSchema.Create(new SpladeFieldOptions { FieldName = Field }, encoder).CreateCodec().OneTokenTermFrequencyFields);
        Assert.Empty(SpladeFieldSchema.Create(new SpladeFieldOptions { FieldName = Field, StorageMode = SpladeStorageMode.Payload, OneTokenTermFrequency = true }, encoder)
            .CreateCodec().OneTokenTermFrequencyFields);
        string[] texts = ["aspirin heart attack prevention", "the cat sat on the mat", "heart heart heart disease", "mat cat"];
        using var repeat = IndexTexts(SpladeFieldSchema.Create(new SpladeFieldOptions { FieldName = Field }, encoder), texts);
        using var one = IndexTexts(schema, texts);
        var query = schema.CreateQuery("heart cat");
        AssertSameIndex(repeat, one, null, [], "analyzed", checkIndex: true);
        using (var r = DirectoryReader.Open(repeat))
        using (var o = DirectoryReader.Open(one))
        {
            ExactSearchAssert.SameHits(new IndexSearcher(r).Search(query, 10).ScoreDocs, new IndexSearcher(o).Search(query, 10).ScoreDocs, "analyzed");
        }

        // The facade indexes term-frequency storage through the codec.
        using var facadeDir = new RAMDirectory();
        using (var index = SpladeIndex.Create(facadeDir, encoder))
        {
            Assert.True(index.Schema.Options.OneTokenTermFrequency);
            index.Add(texts.Select((t, i) => new SpladeDocument(i.ToString(CultureInfo.InvariantCulture), t)));
            index.Commit();
            var hits = index.Search("heart cat", new SpladeSearchOptions { Top = 10 });
            Assert.NotEmpty(hits);
        }
        using (var r = DirectoryReader.Open(facadeDir))
        {
            Assert.All(r.Leaves, l => SameIndexAssert.AssertTermFrequencyField(l.AtomicReader.FieldInfos.FieldInfo(Field), "facade"));
            Assert.True(r.Leaves.Sum(l => l.AtomicReader.GetTerms(Field).SumTotalTermFreq) > r.Leaves.Sum(l => l.AtomicReader.GetTerms(Field).SumDocFreq));
        }
    }

    [Fact]
    public void WithoutTheCodecTheSegmentIsRefusedAndScoresStayExact()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 600, deleteFraction: 0);
        using var repeat = new RAMDirectory();
        using var plain = new RAMDirectory();
        using (var w = new IndexWriter(repeat, Config(Repeat)))
        {
            Add(w, corpus, 0, 600, oneTokenFields: false, secondFields: false);
            Commit(w, false);
        }
        using (var w = new IndexWriter(plain, Config(codec: null)))
        {
            // One SPLADE field per document: a payload scorer reads one impact per term and document (the first position's),
            // so only the codec's conversion adds up a term repeated in two fields of a document.
            Add(w, corpus, 0, 600, oneTokenFields: true, secondFields: false);
            Commit(w, true);
        }
        using var r = DirectoryReader.Open(repeat);
        using var p = DirectoryReader.Open(plain);
        var e = Assert.Throws<SpladeIndexMismatchException>(() => SpladeFieldSchema.Open(p, Field, null));
        _output.WriteLine(e.Message);
        Assert.Contains("OneTokenTermFrequency", e.Message, StringComparison.Ordinal);
        Assert.Contains("SpladeCodec", e.Message, StringComparison.Ordinal);
        // The scorer reads the payloads of such a segment: its scores are still the impact sums.
        for (int q = 0; q < 5; q++)
        {
            var query = new SpladeQuery(Field, corpus.RandomQuery(random, 5, 40), corpus.Vocabulary);
            ExactSearchAssert.SameHits(new IndexSearcher(r).Search(query, 100).ScoreDocs, new IndexSearcher(p).Search(query, 100).ScoreDocs, $"no codec, query {q}");
        }

        // A rewrite through the codec converts it.
        using var converted = new RAMDirectory();
        using (var w = new IndexWriter(converted, Config(OneToken)))
        {
            w.AddIndexes(p);
            w.Commit();
        }
        AssertSameIndex(repeat, converted, corpus.Vocabulary, [corpus.RandomQuery(random, 5, 40)], "converted by AddIndexes", checkIndex: true);
    }

    // Segments written without the codec (positions with impact payloads) merged by a codec writer together with
    // converted ones: Lucene's merged field infos are docs and frequencies already, so the conversion at AddField does
    // not run; the merge must still read their impacts as the frequencies (it gave 1, the count of positions).
    [Fact]
    public void AMergeOfUnconvertedAndConvertedSegmentsKeepsTheImpacts()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 600, deleteFraction: 0.05);
        using var repeat = new RAMDirectory();
        using (var w = new IndexWriter(repeat, Config(Repeat)))
        {
            Add(w, corpus, 0, 600, oneTokenFields: false, secondFields: false);
            Commit(w, false);
            w.ForceMerge(1);
            w.Commit();
        }
        using var mixed = new RAMDirectory();
        using (var w = new IndexWriter(mixed, Config(codec: null)))
        {
            Add(w, corpus, 0, 300, oneTokenFields: true, secondFields: false);
            Commit(w, true);
        }
        using (var w = new IndexWriter(mixed, Config(OneToken)))
        {
            Add(w, corpus, 300, 600, oneTokenFields: true, secondFields: false);
            Commit(w, true);
            w.ForceMerge(1);
            w.Commit();
        }
        using (var merged = DirectoryReader.Open(mixed))
        {
            Assert.Single(merged.Leaves);
        }
        AssertSameIndex(repeat, mixed, corpus.Vocabulary, [corpus.RandomQuery(random, 5, 40), corpus.RandomQuery(random, 5, 40)], "unconverted and converted segments merged", checkIndex: true);
    }

    [Fact]
    public void ATokenWithoutAnImpactPayloadFailsTheFlush()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 2, deleteFraction: 0);
        using var dir = new RAMDirectory();
        using var w = new IndexWriter(dir, Config(OneToken));
        Add(w, corpus, 0, 1, oneTokenFields: true);
        var positionsOnly = new FieldType(SpladeField.GetFieldType(SpladeStorageMode.Payload));
        w.AddDocument(new Document { new Field(Field, "[UNK]", positionsOnly) });
        var e = Assert.Throws<InvalidOperationException>(() => w.Commit());
        Assert.Contains("payload", e.Message, StringComparison.Ordinal);
        w.Rollback();
    }

    [Fact]
    public void CodecArgumentsAreChecked()
    {
        Assert.Throws<ArgumentException>(() => new SpladeCodec([Field], [""]));
        Assert.Throws<ArgumentException>(() => new SpladeCodec([], []));
        var codec = new SpladeCodec([], ["a"]);
        Assert.Equal(["a"], codec.SpladeFields);
        Assert.Equal("Lucene46", codec.Name);
        Assert.Equal(SpladeImpactsPostingsFormat.FormatName, codec.GetPostingsFormatForField("a").Name);
        Assert.NotEqual(SpladeImpactsPostingsFormat.FormatName, codec.GetPostingsFormatForField("b").Name);
    }

    private static readonly Func<SpladeCodec> Repeat = () => new SpladeCodec(Field);
    private static readonly Func<SpladeCodec> OneToken = () => new SpladeCodec([Field], [Field]);

    private static IndexWriterConfig Config(Func<SpladeCodec>? codec)
    {
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))
        {
            MaxBufferedDocs = 700,
            RAMBufferSizeMB = 256,
            MergePolicy = new LogDocMergePolicy { MergeFactor = 1000 },
        };
        if (codec is not null)
        {
            config.Codec = codec();
        }
        return config;
    }

    private static SpladeFieldOptions Options(bool oneToken) =>
        new() { FieldName = Field, Scale = RandomSpladeCorpus.Scale, OneTokenTermFrequency = oneToken };

    // Documents [from, to) in order; every 37th also gets a second SPLADE field (another document's vector), whose
    // shared terms add up; then the corpus's deletes among them.
    private static void Add(IndexWriter writer, RandomSpladeCorpus corpus, int from, int to, bool oneTokenFields, bool secondFields = true)
    {
        var options = Options(oneTokenFields);
        for (int d = from; d < to; d++)
        {
            var doc = new Document
            {
                new StringField("id", d.ToString(CultureInfo.InvariantCulture), global::Lucene.Net.Documents.Field.Store.YES),
                new SpladeField(corpus.Docs[d], corpus.Vocabulary, options),
            };
            if (secondFields && d % 37 == 0)
            {
                doc.Add(new SpladeField(corpus.Docs[(d * 7 + 1) % corpus.Docs.Length], corpus.Vocabulary, options));
            }
            writer.AddDocument(doc);
        }
        for (int d = from; d < to; d++)
        {
            if (corpus.Deleted[d])
            {
                writer.DeleteDocuments(new Term("id", d.ToString(CultureInfo.InvariantCulture)));
            }
        }
    }

    private static void Commit(IndexWriter writer, bool oneToken)
    {
        SpladeIndexSettings.From(Options(oneToken), "random").Write(writer);
        writer.Commit();
    }

    private static LuceneDirectory IndexTexts(SpladeFieldSchema schema, string[] texts)
    {
        var dir = new RAMDirectory();
        using var analyzer = schema.CreateAnalyzer(new WhitespaceAnalyzer(LuceneVersion.LUCENE_48));
        using var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, analyzer) { Codec = schema.CreateCodec() });
        foreach (var t in texts)
        {
            writer.AddDocument(new Document { schema.CreateAnalyzedField(t) });
        }
        schema.Commit(writer);
        return dir;
    }

    private void AssertSameIndex(LuceneDirectory expected, LuceneDirectory actual, Vocabulary? vocabulary, IReadOnlyList<SparseVector> queries, string what, bool checkIndex = false) =>
        SameIndexAssert.SameIndex(_output, expected, actual, vocabulary, queries, what, checkIndex);

    private void AssertSameIndex(DirectoryReader expected, DirectoryReader actual, Vocabulary? vocabulary, IReadOnlyList<SparseVector> queries, string what) =>
        SameIndexAssert.SameIndex(_output, expected, actual, vocabulary, queries, what);
}
