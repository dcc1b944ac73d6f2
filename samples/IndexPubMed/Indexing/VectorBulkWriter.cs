using Lucene.Net.Index;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;

namespace IndexPubMed.Indexing;

/// <summary>
/// Vector-only documents of new ids (term-frequency storage), held back and written as one segment: the SPLADE
/// postings from a <see cref="SpladeFieldBatch"/>, the other fields (id, empty text fields) from a
/// <see cref="VectorOnlyFieldsReader"/>, joined and added with <see cref="IndexWriter.AddIndexes(IndexReader[])"/>.
/// The index gets what <c>AddDocument</c> of each document would give (same fields, terms, frequencies, norms, doc
/// values; the tests compare them) without Lucene.NET's inversion of each document. A later record of a held id
/// replaces it (as <c>UpdateDocument</c> would). The owner writes the held documents (<see cref="Flush"/>) before any
/// other change to the index, so changes keep their order.
/// </summary>
internal sealed class VectorBulkWriter
{
    // About 12 bytes a posting are held (quantized terms) until a flush, and as many again while it lays them out:
    // 8 million is ~100 MB held, ~100,000 vectors of 80 terms, the size of a commit.
    public const long DefaultMaxPostings = 8_000_000;

    private readonly SpladeFieldBatch _batch;
    private readonly Func<IndexWriterConfig> _sideConfig;
    private readonly long _maxPostings;
    private readonly List<string> _ids = [];
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private readonly VectorOnlyDocument _document = new();
    private VectorOnlyFieldsReader.Template? _template;

    /// <param name="options">The SPLADE field's options (term-frequency storage).</param>
    /// <param name="sideConfig">A writer configuration with the index's analyzer and similarity, for the template document (its norms are computed by it).</param>
    /// <param name="maxPostings">Postings held before <see cref="IsFull"/> says to flush.</param>
    public VectorBulkWriter(SpladeFieldOptions options, Func<IndexWriterConfig> sideConfig, long maxPostings = DefaultMaxPostings)
    {
        _batch = new SpladeFieldBatch(options);
        _sideConfig = sideConfig;
        _maxPostings = maxPostings;
    }

    public bool IsFull => _batch.PostingCount >= _maxPostings;

    /// <summary>Whether a document of <paramref name="id"/> is held.</summary>
    public bool Contains(string id) => _slots.ContainsKey(id);

    /// <summary>Holds a vector-only document of <paramref name="id"/>, replacing the one held for it; true if it replaced one.</summary>
    public bool Put(string id, SpladeField field)
    {
        if (_slots.TryGetValue(id, out int slot))
        {
            _batch.Replace(slot, field);
            return true;
        }
        _slots.Add(id, _batch.Add(field));
        _ids.Add(id);
        return false;
    }

    /// <summary>Writes the held documents to <paramref name="writer"/> (not committed) and empties the buffer.</summary>
    public void Flush(IndexWriter writer)
    {
        if (_ids.Count == 0)
        {
            return;
        }
        _template ??= VectorOnlyFieldsReader.Template.Create(_sideConfig(), _document);
        using (var others = new VectorOnlyFieldsReader(_template, _ids))
        using (var splade = _batch.CreateReader())
        // The join does not own the readers: they are disposed here.
        using (var joined = new ParallelAtomicReader(false, others, splade))
        {
            writer.AddIndexes(joined);
        }
        _ids.Clear();
        _slots.Clear();
        _batch.Clear();
        // AddIndexes does not look for merges itself.
        writer.MaybeMerge();
    }
}
