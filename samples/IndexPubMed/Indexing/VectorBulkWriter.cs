using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;

namespace IndexPubMed.Indexing;

/// <summary>
/// Vector-only documents of new ids (term-frequency storage), held back and written as one segment: the SPLADE
/// postings from a <see cref="SpladeFieldBatch"/>, the other fields (id, empty text fields) from a small in-memory
/// index of the same documents written with the index's own analysis and similarity, joined and added with
/// <see cref="IndexWriter.AddIndexes(IndexReader[])"/>. The index gets what <c>AddDocument</c> of each document would
/// give (same fields, terms, frequencies, norms, doc values; the tests compare them), while Lucene.NET inverts only
/// the few small fields. A later record of a held id replaces it (as <c>UpdateDocument</c> would). The owner writes
/// the held documents (<see cref="Flush"/>) before any other change to the index, so changes keep their order.
/// </summary>
internal sealed class VectorBulkWriter
{
    // About 16 bytes a posting are held (quantized terms) until a flush: 8 million is ~128 MB, ~100,000 vectors of
    // 80 terms, the size of a commit.
    public const long DefaultMaxPostings = 8_000_000;

    private readonly SpladeFieldBatch _batch;
    private readonly Func<IndexWriterConfig> _sideConfig;
    private readonly long _maxPostings;
    private readonly List<string> _ids = [];
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private readonly VectorOnlyDocument _document = new();

    /// <param name="options">The SPLADE field's options (term-frequency storage).</param>
    /// <param name="sideConfig">A writer configuration with the index's analyzer and similarity (norms are computed by it).</param>
    /// <param name="maxPostings">Postings held before <see cref="IsFull"/> says to flush.</param>
    public VectorBulkWriter(SpladeFieldOptions options, Func<IndexWriterConfig> sideConfig, long maxPostings = DefaultMaxPostings)
    {
        _batch = new SpladeFieldBatch(options);
        _sideConfig = sideConfig;
        _maxPostings = maxPostings;
    }

    public int Count => _ids.Count;

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
        using (var side = new RAMDirectory())
        {
            var config = _sideConfig();
            // One segment, in the order the documents were added: the join pairs documents by number.
            config.MergePolicy = NoMergePolicy.NO_COMPOUND_FILES;
            config.MaxBufferedDocs = IndexWriterConfig.DISABLE_AUTO_FLUSH;
            config.RAMBufferSizeMB = 1024;
            config.OpenMode = OpenMode.CREATE;
            using (var sideWriter = new IndexWriter(side, config))
            {
                foreach (string id in _ids)
                {
                    sideWriter.AddDocument(_document.Document(id));
                }
                sideWriter.Commit();
            }
            using var others = DirectoryReader.Open(side);
            using var splade = _batch.CreateReader();
            var fields = others.Leaves.Count == 1 ? others.Leaves[0].AtomicReader : SlowCompositeReaderWrapper.Wrap(others);
            // The join does not own the readers: they are disposed here.
            using var joined = new ParallelAtomicReader(false, fields, splade);
            writer.AddIndexes(joined);
        }
        _ids.Clear();
        _slots.Clear();
        _batch.Clear();
        // AddIndexes does not look for merges itself.
        writer.MaybeMerge();
    }
}
