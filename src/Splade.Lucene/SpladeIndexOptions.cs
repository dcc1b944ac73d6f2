using Lucene.Net.Analysis;
using Lucene.Net.Search.Similarities;
using Splade.Lucene.Index;

namespace Splade.Lucene;

/// <summary>How <see cref="SpladeIndex"/> lays out and writes an index. Validated once when the index is created or opened.</summary>
public sealed class SpladeIndexOptions
{
    /// <summary>The SPLADE field (name, storage mode, scale, ...). Default: field <c>splade</c>, term-frequency storage, scale 100.</summary>
    public SpladeFieldOptions Splade { get; set; } = new();

    /// <summary>The id field (an exact term, stored). Default <c>id</c>.</summary>
    public string IdField { get; set; } = "id";

    /// <summary>The text field (stored, analyzed for BM25; its text is what the model encodes). Default <c>text</c>.</summary>
    public string TextField { get; set; } = "text";

    /// <summary>Documents per call of <c>ISparseEncoder.EncodeDocuments</c>; at most this many documents are held in memory at once by an add. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// The analyzer of the text and extra fields, owned by the caller (it must outlive the index); null (the default) uses
    /// Lucene's <c>StandardAnalyzer</c> (lower-cased words, English stop words), made and disposed by the index.
    /// </summary>
    public Analyzer? Analyzer { get; set; }

    /// <summary>The similarity of the text and extra fields; null (the default) is BM25 with k1 = 1.2, b = 0.75.</summary>
    public Similarity? Bm25Similarity { get; set; }

    /// <summary>The IndexWriter's RAM buffer in MB before it flushes a segment. Default 64.</summary>
    public double RamBufferSizeMB { get; set; } = 64;

    /// <summary>
    /// Warms the index when it is created or opened: the first searcher is warmed with
    /// <see cref="Search.SpladeSearcher.Warm(global::Lucene.Net.Search.IndexSearcher, string, Search.SpladeQueryOptions?)"/> (term dictionaries and impact bounds of the SPLADE field opened,
    /// the search code compiled) and the encoder encodes one short query, so that the first
    /// <see cref="SpladeIndex.Search"/> runs about as fast as the following ones instead of paying that in a fresh
    /// process (docs/PERFORMANCE.md, "No cold start"). The cost moves into <c>Create</c>/<c>Open</c>; results are the
    /// same either way. Default true; false opens faster when the first search's latency does not matter.
    /// </summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>Checks every property.</summary>
    /// <exception cref="ArgumentException">A property is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Splade is null)
        {
            throw new ArgumentException($"{nameof(Splade)} must not be null.", nameof(Splade));
        }
        Splade.Validate();
        if (string.IsNullOrWhiteSpace(IdField))
        {
            throw new ArgumentException($"{nameof(IdField)} must be a non-empty field name, not '{IdField}'.", nameof(IdField));
        }
        if (string.IsNullOrWhiteSpace(TextField))
        {
            throw new ArgumentException($"{nameof(TextField)} must be a non-empty field name, not '{TextField}'.", nameof(TextField));
        }
        var names = new[] { IdField, TextField, Splade.FieldName };
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            throw new ArgumentException($"{nameof(IdField)} '{IdField}', {nameof(TextField)} '{TextField}' and the SPLADE field '{Splade.FieldName}' must differ.", nameof(TextField));
        }
        if (BatchSize < 1)
        {
            throw new ArgumentException($"{nameof(BatchSize)} must be at least 1, not {BatchSize}.", nameof(BatchSize));
        }
        if (!double.IsFinite(RamBufferSizeMB) || RamBufferSizeMB <= 0)
        {
            throw new ArgumentException($"{nameof(RamBufferSizeMB)} must be a finite positive number, not {RamBufferSizeMB}.", nameof(RamBufferSizeMB));
        }
    }

    /// <summary>A shallow copy (the field options are cloned; analyzer and similarity are shared).</summary>
    public SpladeIndexOptions Clone()
    {
        var copy = (SpladeIndexOptions)MemberwiseClone();
        copy.Splade = Splade?.Clone()!;
        return copy;
    }
}
