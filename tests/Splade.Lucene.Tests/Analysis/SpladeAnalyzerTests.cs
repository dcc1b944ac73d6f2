using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Payloads;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Analysis;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;
using Splade.Lucene.Tests.Support;

namespace Splade.Lucene.Tests.Analysis;

public sealed class SpladeAnalyzerTests
{
    private static readonly Vocabulary Vocab = FakeSparseEncoder.BertVocabulary;

    private static int Id(string token) => Vocab.TryGetId(token, out int id) ? id : throw new ArgumentException(token);

    // the (1996) 0.125 -> 12.5 -> 13 (midpoint away from zero); ##ing (2075) 0.004 -> 0 (dropped);
    // heart (2540) 1.234 -> 123; attack (2886) 0.375 -> 37.5 -> 38.
    private static FakeSparseEncoder Encoder(SimilarityFunction similarity = SimilarityFunction.Dot) => new(new Dictionary<string, SparseVector>
    {
        ["doc"] = SparseVector.Create([Id("heart"), Id("the"), Id("##ing"), Id("attack")], [1.234f, 0.125f, 0.004f, 0.375f]),
        ["negative"] = SparseVector.Create([Id("heart"), Id("the")], [1f, -0.5f]),
        ["unknown id"] = SparseVector.Create([Id("heart"), 40_000], [1f, 0.5f]),
    }, similarity);

    [Fact]
    public void TermFrequencyModeRepeatsEachTokenImpactTimes()
    {
        using var analyzer = new SpladeAnalyzer(Encoder());
        AssertTokenStream.AnalyzesTo(analyzer, "splade", "doc", AssertTokenStream.Repeated(["the", "heart", "attack"], [13, 123, 38]));
        Assert.Equal(2, analyzer.Stats.Documents);
        Assert.Equal(6, analyzer.Stats.Terms);
        Assert.Equal(2 * (13 + 123 + 38), analyzer.Stats.ImpactSum);
        Assert.Equal(2, analyzer.Stats.RoundedToZero);
    }

    [Fact]
    public void PayloadModeEmitsOneTokenPerTermWithItsImpact()
    {
        using var analyzer = new SpladeAnalyzer(Encoder(), new SpladeFieldOptions { StorageMode = SpladeStorageMode.Payload });
        AssertTokenStream.AnalyzesTo(analyzer, "splade", "doc", ["the", "heart", "attack"], [13, 123, 38]);
    }

    [Fact]
    public void ScaleAndMaxTermsApply()
    {
        using var analyzer = new SpladeAnalyzer(Encoder(), new SpladeFieldOptions { StorageMode = SpladeStorageMode.Payload, Scale = 10, MaxTerms = 2 });
        // Top 2 by weight: heart 1.234 -> 12, attack 0.375 -> 3.75 -> 4.
        AssertTokenStream.AnalyzesTo(analyzer, "splade", "doc", ["heart", "attack"], [12, 4]);
        Assert.Equal(4, analyzer.Stats.DroppedByMaxTerms);
    }

    [Fact]
    public void EmptyVectorGivesNoTokens()
    {
        using var analyzer = new SpladeAnalyzer(Encoder());
        AssertTokenStream.AnalyzesTo(analyzer, "splade", "", []);
    }

    [Theory]
    [InlineData("negative", "'the'", "-0.5")]
    [InlineData("unknown id", "40000", "vocabulary")]
    public void InvalidEntriesThrowByDefault(string text, string expectedName, string expectedValue)
    {
        using var analyzer = new SpladeAnalyzer(Encoder());
        using var ts = analyzer.GetTokenStream("splade", text);
        var e = Assert.Throws<ArgumentException>(() => ts.Reset());
        Assert.Contains(expectedName, e.Message, StringComparison.Ordinal);
        Assert.Contains(expectedValue, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidEntriesAreSkippedAndCountedOnRequest()
    {
        using var analyzer = new SpladeAnalyzer(Encoder(), new SpladeFieldOptions { StorageMode = SpladeStorageMode.Payload, InvalidEntries = InvalidEntryHandling.Skip });
        AssertTokenStream.Contents(analyzer.GetTokenStream("splade", "negative"), ["heart"], [100]);
        AssertTokenStream.Contents(analyzer.GetTokenStream("splade", "unknown id"), ["heart"], [100]);
        Assert.Equal(1, analyzer.Stats.InvalidWeights);
        Assert.Equal(1, analyzer.Stats.UnknownTerms);
    }

    [Fact]
    public void TokenizerRefusesIncrementTokenBeforeReset()
    {
        using var tokenizer = new SpladeTokenizer(new StringReader("doc"), Encoder(), new SpladeFieldOptions());
        Assert.Throws<InvalidOperationException>(() => tokenizer.IncrementToken());
    }

    [Fact]
    public void FiltersWorkOnAnyImpactSource()
    {
        var tokenizer = new SpladeTokenizer(new StringReader("doc"), Encoder(), new SpladeFieldOptions { Scale = 10 });
        AssertTokenStream.Contents(new ImpactRepeatFilter(tokenizer), AssertTokenStream.Repeated(["the", "heart", "attack"], [1, 12, 4]));
    }

    [Fact]
    public void AnalyzerRefusesASimilarityOtherThanTheEncoders()
    {
        var e = Assert.Throws<ArgumentException>(() => new SpladeAnalyzer(Encoder(), new SpladeFieldOptions { SimilarityFunction = SimilarityFunction.Cosine }));
        Assert.Contains("Cosine", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new SpladeAnalyzer(Encoder(), new SpladeFieldOptions { Scale = 0 }));
    }

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void IndexedPostingsCarryTheImpacts(SpladeStorageMode mode)
    {
        var encoder = Encoder();
        using var analyzer = new SpladeAnalyzer(encoder, new SpladeFieldOptions { StorageMode = mode });
        var perField = new PerFieldAnalyzerWrapper(new WhitespaceAnalyzer(LuceneVersion.LUCENE_48), new Dictionary<string, Analyzer> { ["splade"] = analyzer });
        using var dir = new RAMDirectory();
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, perField)))
        {
            writer.AddDocument(new Document
            {
                new TextField("title", "heart attack", Field.Store.NO),
                new Field("splade", "doc", SpladeField.GetFieldType(mode)),
            });
        }
        using var reader = DirectoryReader.Open(dir);
        var leaf = reader.Leaves[0].AtomicReader;
        var info = leaf.FieldInfos.FieldInfo("splade");
        Assert.True(info.OmitsNorms);
        Assert.Equal(mode == SpladeStorageMode.Payload, info.HasPayloads);
        Assert.Equal(mode == SpladeStorageMode.Payload ? IndexOptions.DOCS_AND_FREQS_AND_POSITIONS : IndexOptions.DOCS_AND_FREQS, info.IndexOptions);
        Assert.Equal(1, encoder.DocumentCalls);
        var expected = new Dictionary<string, int> { ["the"] = 13, ["heart"] = 123, ["attack"] = 38 };
        Assert.Equal(3, leaf.GetTerms("splade").Count);
        foreach (var (term, impact) in expected)
        {
            if (mode == SpladeStorageMode.TermFrequency)
            {
                var docs = leaf.GetTermDocsEnum(new Term("splade", term));
                Assert.Equal(0, docs.NextDoc());
                Assert.Equal(impact, docs.Freq);
            }
            else
            {
                var positions = leaf.GetTermPositionsEnum(new Term("splade", term));
                Assert.Equal(0, positions.NextDoc());
                Assert.Equal(1, positions.Freq);
                positions.NextPosition();
                var payload = positions.GetPayload();
                Assert.Equal(impact, PayloadHelper.DecodeInt32(payload.Bytes, payload.Offset));
            }
        }
    }
}
