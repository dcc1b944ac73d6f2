using Lucene.Net.Analysis.Core;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Index;
using Splade.Lucene.Tests.Support;

namespace Splade.Lucene.Tests.Index;

public sealed class SpladeIndexSettingsTests
{
    private static readonly SpladeIndexSettings Indexed = new("body", SpladeStorageMode.Payload, 100f, "model-A", SimilarityFunction.Dot);

    private static RAMDirectory IndexWith(SpladeIndexSettings settings, IDictionary<string, string>? existing = null)
    {
        var dir = new RAMDirectory();
        using var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48)));
        if (existing is not null)
        {
            writer.SetCommitData(existing);
        }
        settings.Write(writer);
        writer.Commit();
        return dir;
    }

    [Fact]
    public void SettingsRoundTripThroughCommitUserDataKeepingOtherEntries()
    {
        using var dir = IndexWith(Indexed, new Dictionary<string, string> { ["app.version"] = "7" });
        using var reader = DirectoryReader.Open(dir);
        var data = reader.IndexCommit.UserData;
        Assert.Equal("7", data["app.version"]);
        Assert.Equal("100", data["splade.body.scale"]);
        Assert.Equal("Payload", data["splade.body.storage_mode"]);
        Assert.Equal("model-A", data["splade.body.model_id"]);
        Assert.Equal("Dot", data["splade.body.similarity"]);
        Assert.Equal(Indexed, SpladeIndexSettings.Read(reader, "body"));
        Assert.Null(SpladeIndexSettings.Read(reader, "other"));
        Indexed.Verify(reader);
    }

    [Fact]
    public void TwoFieldsCoexist()
    {
        var second = new SpladeIndexSettings("body2", SpladeStorageMode.TermFrequency, 50f, "model-B", SimilarityFunction.Cosine);
        using var dir = new RAMDirectory();
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))))
        {
            Indexed.Write(writer);
            second.Write(writer);
            writer.Commit();
        }
        using var reader = DirectoryReader.Open(dir);
        Indexed.Verify(reader);
        second.Verify(reader);
    }

    [Theory]
    [InlineData("scale", "100", "50")]
    [InlineData("storage_mode", "Payload", "TermFrequency")]
    [InlineData("model_id", "model-A", "model-B")]
    [InlineData("similarity", "Dot", "Cosine")]
    public void MismatchIsRefusedNamingFieldStoredAndRequestedValue(string setting, string stored, string requested)
    {
        using var dir = IndexWith(Indexed);
        using var reader = DirectoryReader.Open(dir);
        var wanted = setting switch
        {
            "scale" => new SpladeIndexSettings("body", SpladeStorageMode.Payload, 50f, "model-A", SimilarityFunction.Dot),
            "storage_mode" => new SpladeIndexSettings("body", SpladeStorageMode.TermFrequency, 100f, "model-A", SimilarityFunction.Dot),
            "model_id" => new SpladeIndexSettings("body", SpladeStorageMode.Payload, 100f, "model-B", SimilarityFunction.Dot),
            _ => new SpladeIndexSettings("body", SpladeStorageMode.Payload, 100f, "model-A", SimilarityFunction.Cosine),
        };
        var e = Assert.Throws<SpladeIndexMismatchException>(() => wanted.Verify(reader));
        Assert.Equal("body", e.FieldName);
        Assert.Equal(setting, e.Setting);
        Assert.Equal(stored, e.StoredValue);
        Assert.Equal(requested, e.RequestedValue);
        Assert.Contains("'body'", e.Message, StringComparison.Ordinal);
        Assert.Contains(stored, e.Message, StringComparison.Ordinal);
        Assert.Contains(requested, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyModelIdIsNotCompared()
    {
        using var dir = IndexWith(new SpladeIndexSettings("body", SpladeStorageMode.Payload, 100f, "", SimilarityFunction.Dot));
        using var reader = DirectoryReader.Open(dir);
        Indexed.Verify(reader);
    }

    [Fact]
    public void MissingSettingsAreRefused()
    {
        using var dir = IndexWith(Indexed);
        using var reader = DirectoryReader.Open(dir);
        var e = Assert.Throws<SpladeIndexMismatchException>(() => new SpladeIndexSettings("title", SpladeStorageMode.Payload, 100f, "m", SimilarityFunction.Dot).Verify(reader));
        Assert.Null(e.StoredValue);
        Assert.Contains("'title'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptValueIsReported()
    {
        var data = new Dictionary<string, string>(Indexed.ToUserData()) { ["splade.body.scale"] = "lots" };
        var e = Assert.Throws<SpladeIndexMismatchException>(() => SpladeIndexSettings.Read(data, "body"));
        Assert.Equal("lots", e.StoredValue);
    }

    [Fact]
    public void FromOptionsAndEncoder()
    {
        var encoder = new FakeSparseEncoder(similarity: SimilarityFunction.Cosine, modelId: "m1");
        var settings = SpladeIndexSettings.From(new SpladeFieldOptions { Scale = 50 }, encoder);
        Assert.Equal(new SpladeIndexSettings("splade", SpladeStorageMode.TermFrequency, 50f, "m1", SimilarityFunction.Cosine), settings);
        Assert.Equal(SimilarityFunction.Dot, SpladeIndexSettings.From(new SpladeFieldOptions(), "x").SimilarityFunction);
        Assert.Throws<ArgumentException>(() => new SpladeIndexSettings("", SpladeStorageMode.Payload, 1, "", SimilarityFunction.Dot));
        Assert.Throws<ArgumentException>(() => new SpladeIndexSettings("f", SpladeStorageMode.Payload, -1, "", SimilarityFunction.Dot));
    }

    [Fact]
    public void DocumentEncoding_RoundTrips_IsComparedByEquals_ButNotByVerify()
    {
        var chunked = new SpladeIndexSettings("body", SpladeStorageMode.Payload, 100f, "model-A", SimilarityFunction.Dot) { DocumentEncoding = "chunk(stride=255)" };
        using var dir = IndexWith(chunked);
        using var reader = DirectoryReader.Open(dir);
        Assert.Equal("chunk(stride=255)", reader.IndexCommit.UserData["splade.body.document_encoding"]);
        var read = SpladeIndexSettings.Read(reader, "body")!;
        Assert.Equal("chunk(stride=255)", read.DocumentEncoding);
        Assert.Equal(chunked, read);
        // Adding truncated documents to a chunked index (or merging the two) is refused through Equals...
        var truncated = new SpladeIndexSettings("body", SpladeStorageMode.Payload, 100f, "model-A", SimilarityFunction.Dot) { DocumentEncoding = "truncate" };
        Assert.NotEqual(truncated, read);
        Assert.NotEqual(new SpladeIndexSettings("body", SpladeStorageMode.Payload, 100f, "model-A", SimilarityFunction.Dot) { DocumentEncoding = "chunk(stride=100)" }, read);
        // ...but searching it is not: queries are never chunked.
        truncated.Verify(reader);
    }

    [Fact]
    public void DocumentEncoding_MissingFromOlderIndexes_ComparesAsTruncate()
    {
        using var dir = IndexWith(Indexed);
        using var reader = DirectoryReader.Open(dir);
        Assert.False(reader.IndexCommit.UserData.ContainsKey("splade.body.document_encoding"));
        var read = SpladeIndexSettings.Read(reader, "body")!;
        Assert.Equal("", read.DocumentEncoding);
        var truncated = new SpladeIndexSettings("body", SpladeStorageMode.Payload, 100f, "model-A", SimilarityFunction.Dot) { DocumentEncoding = "truncate" };
        Assert.Equal(truncated, read);
        Assert.Equal(truncated.GetHashCode(), read.GetHashCode());
        Assert.NotEqual(new SpladeIndexSettings("body", SpladeStorageMode.Payload, 100f, "model-A", SimilarityFunction.Dot) { DocumentEncoding = "chunk(stride=7)" }, read);
    }
}
