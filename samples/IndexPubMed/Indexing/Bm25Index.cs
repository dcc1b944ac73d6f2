using Lucene.Net.Analysis;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;

namespace IndexPubMed.Indexing;

/// <summary>
/// Layout and scoring of a "flat" BM25 index as Anserini builds for BEIR: one analysed
/// <c>contents</c> field holding title and text, and an untokenized <c>id</c>.
/// </summary>
public static class Bm25Index
{
    /// <summary>Stored, untokenized document id; also a sorted doc-values field for tie-breaking.</summary>
    public const string IdField = "id";

    /// <summary>Analysed text (title, a space, then text); not stored.</summary>
    public const string ContentsField = "contents";

    /// <summary>Anserini's default BM25 term-frequency saturation.</summary>
    public const float K1 = 0.9f;

    /// <summary>Anserini's default BM25 length normalisation.</summary>
    public const float B = 0.4f;

    /// <summary>
    /// BM25 with k1 = 0.9, b = 0.4 and Lucene 9's document-length encoding
    /// (<see cref="Lucene9LengthBm25Similarity"/>), which reproduces Anserini's rankings. Must be
    /// set both on the writer (norms) and on the searcher (scoring), since IndexSearcher
    /// otherwise scores with DefaultSimilarity.
    /// </summary>
    public static Similarity CreateSimilarity() => new Lucene9LengthBm25Similarity(K1, B);

    /// <summary>A writer configuration using <paramref name="analyzer"/> and
    /// <paramref name="similarity"/> (default <see cref="CreateSimilarity"/>). When <paramref name="splade"/> asks for
    /// one-token term frequencies in term-frequency storage, the codec writes them as frequencies at flush.</summary>
    public static IndexWriterConfig CreateWriterConfig(Analyzer analyzer, Similarity? similarity = null, Splade.Lucene.Index.SpladeFieldOptions? splade = null)
    {
        ArgumentNullException.ThrowIfNull(analyzer);
        bool oneToken = splade is { OneTokenTermFrequency: true, StorageMode: Splade.Lucene.Index.SpladeStorageMode.TermFrequency };
        return new IndexWriterConfig(LuceneVersion.LUCENE_48, analyzer)
        {
            Similarity = similarity ?? CreateSimilarity(),
            OpenMode = OpenMode.CREATE_OR_APPEND,
            // Persists the SPLADE field's impact bounds with each segment: no cold start for pruned search.
            Codec = oneToken
                ? new Splade.Lucene.Codecs.SpladeCodec([PubMedSchema.Splade, splade!.FieldName], [splade.FieldName])
                : new Splade.Lucene.Codecs.SpladeCodec(PubMedSchema.Splade),
        };
    }

    /// <summary>Joins title and text the way Anserini's BEIR flat collection does.</summary>
    /// <remarks>
    /// Anserini joins with a newline; the StandardTokenizer treats it like a space, so the
    /// terms are the same.
    /// </remarks>
    public static string Contents(string? title, string? text)
    {
        title = title?.Trim() ?? "";
        text = text ?? "";
        return title.Length == 0 ? text : title + " " + text;
    }
}
