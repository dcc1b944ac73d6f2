using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;
using Splade.Lucene.Tests.Support;

namespace Splade.Lucene.Tests.Documents;

public sealed class SpladeFieldTests
{
    private static readonly Vocabulary Vocab = FakeSparseEncoder.BertVocabulary;

    private static int Id(string token) => Vocab.TryGetId(token, out int id) ? id : throw new ArgumentException(token);

    [Fact]
    public void FieldFromVectorEmitsVocabularyTokensWithImpacts()
    {
        var field = new SpladeField(SparseVector.Create([Id("##ing"), Id("cat")], [0.5f, 2.004f]), Vocab);
        Assert.Equal("splade", field.Name);
        Assert.Equal(2, field.TermCount);
        AssertTokenStream.Contents(field.GetTokenStream(new WhitespaceAnalyzer(LuceneVersion.LUCENE_48)), AssertTokenStream.Repeated(["##ing", "cat"], [50, 200]));
    }

    [Fact]
    public void FieldFromTermWeightsUsesTokenStrings()
    {
        var options = new SpladeFieldOptions { FieldName = "vec", StorageMode = SpladeStorageMode.Payload };
        var field = new SpladeField(new Dictionary<string, float> { ["dog"] = 1.5f, ["##ing"] = 0.25f }, Vocab, options);
        Assert.Equal("vec", field.Name);
        AssertTokenStream.Contents(field.GetTokenStream(null), ["##ing", "dog"], [25, 150]);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(-1f, "-1")]
    [InlineData(0f, "0")]
    public void InvalidWeightsThrowNamingTermAndValue(float weight, string shown)
    {
        var e = Assert.Throws<ArgumentException>(() => new SpladeField(new Dictionary<string, float> { ["dog"] = 1f, ["cat"] = weight }, Vocab));
        Assert.Contains("'cat'", e.Message, StringComparison.Ordinal);
        Assert.Contains(shown, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImpactsAboveMaxImpactAreInvalidEntriesAndTheBoundItselfIsAccepted()
    {
        // 655.35 x 100 = 65,535 = MaxImpact; 655.36 x 100 rounds to 65,536. A weight of 2e7 used to run for minutes
        // and then fail with Lucene's "position overflow"; it is now refused at once, naming the term and the bound.
        var atBound = new SpladeField(new Dictionary<string, float> { ["cat"] = 655.35f }, Vocab, new SpladeFieldOptions { StorageMode = SpladeStorageMode.Payload });
        AssertTokenStream.Contents(atBound.GetTokenStream(null), ["cat"], [SpladeFieldOptions.MaxImpact]);
        foreach (float weight in new[] { 655.36f, 2e7f })
        {
            var e = Assert.Throws<ArgumentException>(() => new SpladeField(new Dictionary<string, float> { ["dog"] = 1f, ["cat"] = weight }, Vocab));
            Assert.Contains("'cat'", e.Message, StringComparison.Ordinal);
            Assert.Contains("65,535", e.Message, StringComparison.Ordinal);
        }
        var stats = new SpladeIndexingStats();
        var field = new SpladeField(new Dictionary<string, float> { ["dog"] = 1f, ["cat"] = 2e7f }, Vocab, new SpladeFieldOptions { InvalidEntries = InvalidEntryHandling.Skip }, stats);
        Assert.Equal(1, field.TermCount);
        Assert.Equal(1, stats.InvalidWeights);
    }

    [Fact]
    public void UnknownTokensThrowOrAreSkippedAndCounted()
    {
        var weights = new Dictionary<string, float> { ["dog"] = 1f, ["no-such-token"] = 1f, ["cat"] = -2f };
        var e = Assert.Throws<ArgumentException>(() => new SpladeField(weights, Vocab));
        Assert.Contains("no-such-token", e.Message, StringComparison.Ordinal);

        var stats = new SpladeIndexingStats();
        var field = new SpladeField(weights, Vocab, new SpladeFieldOptions { InvalidEntries = InvalidEntryHandling.Skip }, stats);
        Assert.Equal(1, field.TermCount);
        Assert.Equal(1, stats.UnknownTerms);
        Assert.Equal(1, stats.InvalidWeights);
        Assert.Equal(1, stats.Documents);
    }

    [Fact]
    public void RepeatedTokenIsRefused()
    {
        var pairs = new[] { new KeyValuePair<string, float>("dog", 1f), new KeyValuePair<string, float>("dog", 2f) };
        Assert.Throws<ArgumentException>(() => new SpladeField(pairs, Vocab));
    }

    [Fact]
    public void CosineVectorsAreNormalisedBeforeQuantizing()
    {
        var options = new SpladeFieldOptions { StorageMode = SpladeStorageMode.Payload, SimilarityFunction = SimilarityFunction.Cosine };
        var field = new SpladeField(SparseVector.Create([Id("cat"), Id("dog")], [3f, 4f]), Vocab, options);
        AssertTokenStream.Contents(field.GetTokenStream(null), ["dog", "cat"], [80, 60]);
        // Dot similarity keeps raw weights.
        var dot = new SpladeField(SparseVector.Create([Id("cat"), Id("dog")], [3f, 4f]), Vocab, new SpladeFieldOptions { StorageMode = SpladeStorageMode.Payload });
        AssertTokenStream.Contents(dot.GetTokenStream(null), ["dog", "cat"], [400, 300]);
    }

    [Fact]
    public void ReusedFieldIndexesEachDocumentsVector()
    {
        using var dir = new RAMDirectory();
        var field = new SpladeField(SparseVector.Create([Id("cat")], [1f]), Vocab);
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))))
        {
            writer.AddDocument(new Document { field });
            field.SetVector(SparseVector.Create([Id("cat"), Id("dog")], [0.07f, 0.5f]));
            writer.AddDocument(new Document { field });
        }
        using var reader = DirectoryReader.Open(dir);
        var leaf = reader.Leaves[0].AtomicReader;
        var cat = leaf.GetTermDocsEnum(new Term("splade", "cat"));
        Assert.Equal(0, cat.NextDoc());
        Assert.Equal(100, cat.Freq);
        Assert.Equal(1, cat.NextDoc());
        Assert.Equal(7, cat.Freq);
        var dog = leaf.GetTermDocsEnum(new Term("splade", "dog"));
        Assert.Equal(1, dog.NextDoc());
        Assert.Equal(50, dog.Freq);
        Assert.False(leaf.FieldInfos.FieldInfo("splade").HasNorms);
    }

    [Fact]
    public void FieldTypesMatchTheStorageModes()
    {
        var tf = SpladeField.GetFieldType(SpladeStorageMode.TermFrequency);
        Assert.Equal(IndexOptions.DOCS_AND_FREQS, tf.IndexOptions);
        Assert.True(tf.OmitNorms);
        Assert.False(tf.IsStored);
        Assert.True(tf.IsTokenized);
        Assert.Equal(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS, SpladeField.GetFieldType(SpladeStorageMode.Payload).IndexOptions);
        Assert.Throws<ArgumentException>(() => SpladeField.GetFieldType((SpladeStorageMode)7));
    }
}
