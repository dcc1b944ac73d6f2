using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;
using Splade.Lucene.Search;

namespace Splade.Lucene.Tests.Documents;

/// <summary>
/// A <see cref="SpladeField"/> made without a vocabulary indexes tokens as given (precomputed vectors of any
/// model), with the same quantization, and a <see cref="SpladeQuery"/> from token weights scores it exactly.
/// </summary>
public sealed class SpladeFieldWithoutVocabularyTests
{
    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void ForeignTokensAreIndexedAsGivenAndScoredExactly(SpladeStorageMode mode)
    {
        var options = new SpladeFieldOptions { StorageMode = mode, Scale = 100 };
        var docs = new[]
        {
            new Dictionary<string, float> { ["▁heart"] = 1.234f, ["attack"] = 0.5f, ["not a wordpiece"] = 0.016f },
            new Dictionary<string, float> { ["▁heart"] = 0.2f, ["ÜBER"] = 2.5f },
            new Dictionary<string, float> { ["tiny"] = 0.004f },   // rounds to 0: an empty field
        };
        var stats = new SpladeIndexingStats();
        using var dir = new RAMDirectory();
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new KeywordAnalyzer())))
        {
            for (int i = 0; i < docs.Length; i++)
            {
                writer.AddDocument(new Document { new StringField("id", "d" + i, Field.Store.YES), new SpladeField(docs[i], options, stats) });
            }
        }
        Assert.Equal(1, stats.RoundedToZero);

        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader);
        var query = new SpladeQuery("splade", new Dictionary<string, float> { ["▁heart"] = 2f, ["ÜBER"] = 1f, ["not a wordpiece"] = 1f });
        var hits = searcher.Search(query, 10).ScoreDocs;
        Assert.Equal(["d1", "d0"], hits.Select(h => reader.Document(h.Doc).Get("id")));
        Assert.Equal(2f * 20 + 1f * 250, hits[0].Score);
        Assert.Equal(2f * 123 + 1f * 2, hits[1].Score);
    }

    [Fact]
    public void EmptyTokensAndBadWeightsAreStillRefused()
    {
        Assert.Throws<ArgumentException>(() => new SpladeField(new Dictionary<string, float> { [""] = 1f }));
        var e = Assert.Throws<ArgumentException>(() => new SpladeField(new Dictionary<string, float> { ["x"] = -1f }));
        Assert.Contains("'x'", e.Message);
        var skipping = new SpladeFieldOptions { InvalidEntries = InvalidEntryHandling.Skip };
        var stats = new SpladeIndexingStats();
        var field = new SpladeField(new Dictionary<string, float> { [""] = 1f, ["x"] = float.NaN, ["y"] = 1f }, skipping, stats);
        Assert.Equal(1, field.TermCount);
        Assert.Equal(1, stats.UnknownTerms);
        Assert.Equal(1, stats.InvalidWeights);
        Assert.Throws<InvalidOperationException>(() => field.SetVector(Splade.Encoder.SparseVector.Create([1], [1f])));
    }

    // Lucene would write a lone surrogate as U+FFFD: "x\uD800" and "x\uDC00" would be one term. (The tokens are built
    // here: xunit's theory data turns lone surrogates into U+FFFD on the way.)
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TokensWithAnUnpairedSurrogateAreInvalidEntries(int which)
    {
        string token = new[] { "x\uD800", "x\uDC00", "\uDC00\uD83D\uDE00", "a\uD83Db" }[which];
        var e = Assert.Throws<ArgumentException>(() => new SpladeField(new Dictionary<string, float> { [token] = 1f, ["ok"] = 1f }));
        Assert.Contains("unpaired UTF-16 surrogate", e.Message);
        // The general path (not an ordinal dictionary) agrees.
        Assert.Throws<ArgumentException>(() => new SpladeField([new(token, 1f), new("ok", 1f)]));
        var stats = new SpladeIndexingStats();
        var field = new SpladeField(new Dictionary<string, float> { [token] = 1f, ["x\uFFFD"] = 1f, ["\uD83D\uDE00"] = 2f }, new SpladeFieldOptions { InvalidEntries = InvalidEntryHandling.Skip }, stats);
        Assert.Equal(2, field.TermCount);
        Assert.Equal(1, stats.UnknownTerms);
    }
}
