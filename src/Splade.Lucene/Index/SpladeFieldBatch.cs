using Lucene.Net.Index;
using Lucene.Net.Util;
using Splade.Lucene.Documents;

namespace Splade.Lucene.Index;

/// <summary>
/// The SPLADE fields of a batch of new documents in term-frequency storage, handed to Lucene as one ready-made
/// segment instead of document by document: <see cref="CreateReader"/> gives a reader whose only field holds the
/// batch's postings (document <c>i</c> is the <c>i</c>-th added), to join with a reader of the documents' other fields
/// (<see cref="ParallelAtomicReader"/>, same document order) and write with
/// <see cref="IndexWriter.AddIndexes(IndexReader[])"/>. The index then holds what <see cref="IndexWriter.AddDocument(IEnumerable{IIndexableField})"/>
/// of the same fields would write (same terms and frequencies; the codec writes the impact bounds as at any merge),
/// without Lucene.NET's inversion of each document, which is most of the time indexing precomputed vectors takes.
/// Not thread safe.
/// </summary>
/// <remarks>
/// A document's frequency for a term is its impact, as <see cref="SpladeStorageMode.TermFrequency"/> writes it.
/// Payload storage keeps a position per term and is not supported here: index it with <see cref="SpladeField"/>.
/// </remarks>
public sealed class SpladeFieldBatch
{
    // Term strings seen so far and their UTF-8 bytes: a vocabulary's worth, kept from batch to batch.
    private const int MaxRememberedTerms = 1 << 20;

    private readonly string _field;
    private readonly List<QuantizedTerms> _documents = [];
    private readonly Dictionary<string, int> _termIds = new(StringComparer.Ordinal);
    private readonly List<BytesRef> _termBytes = [];
    private long _postings;

    /// <summary>Creates an empty batch for the field of <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid, or name payload storage.</exception>
    public SpladeFieldBatch(SpladeFieldOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.StorageMode != SpladeStorageMode.TermFrequency)
        {
            throw new ArgumentException(
                $"A SpladeFieldBatch writes term-frequency storage, not {options.StorageMode}: index payload storage document by document with SpladeField.",
                nameof(options));
        }
        _field = options.FieldName;
    }

    /// <summary>The SPLADE field's name.</summary>
    public string FieldName => _field;

    /// <summary>Number of documents added since the last <see cref="Clear"/>.</summary>
    public int Count => _documents.Count;

    /// <summary>Number of postings (term and document pairs) of the batch: the measure of its memory.</summary>
    public long PostingCount => _postings;

    /// <summary>Adds the next document's field; returns its number in the batch.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="field"/> is null.</exception>
    /// <exception cref="ArgumentException">The field has another name or payload storage.</exception>
    public int Add(SpladeField field)
    {
        var terms = Check(field);
        _documents.Add(terms);
        _postings += terms.Count;
        return _documents.Count - 1;
    }

    /// <summary>Replaces the field of document <paramref name="document"/> (a later version of the same record).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="document"/> is not a document of the batch.</exception>
    /// <exception cref="ArgumentException">The field has another name or payload storage.</exception>
    public void Replace(int document, SpladeField field)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(document);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(document, _documents.Count);
        var terms = Check(field);
        _postings += terms.Count - _documents[document].Count;
        _documents[document] = terms;
    }

    /// <summary>Empties the batch (after its reader was written).</summary>
    public void Clear()
    {
        _documents.Clear();
        _postings = 0;
        if (_termIds.Count > MaxRememberedTerms)
        {
            // Vectors of free-form tokens (no vocabulary) could grow the map without end.
            _termIds.Clear();
            _termBytes.Clear();
        }
    }

    /// <summary>
    /// A reader of the batch as it is now: <see cref="Count"/> documents, no deletions, one field (the SPLADE field,
    /// <c>DOCS_AND_FREQS</c>, no norms) whose postings are the batch's. It holds its own copy: the batch can be cleared
    /// and refilled while the reader is in use.
    /// </summary>
    /// <exception cref="InvalidOperationException">The batch holds more postings than an array can (about 2 billion).</exception>
    public AtomicReader CreateReader()
    {
        // Counting sort by term: number the terms, count each term's documents, then lay the postings out term by
        // term, in document order within a term (documents are visited in order).
        if (_postings > Array.MaxLength)
        {
            throw new InvalidOperationException(
                $"The batch holds {_postings} postings, more than one reader can lay out ({Array.MaxLength}); write batches of fewer documents (see PostingCount).");
        }
        int postings = (int)_postings;
        var ids = new int[postings];
        int p = 0;
        foreach (var document in _documents)
        {
            foreach (string term in document.Terms)
            {
                ids[p++] = TermId(term);
            }
        }
        var counts = new int[_termBytes.Count];
        foreach (int id in ids)
        {
            counts[id]++;
        }
        var used = new List<int>();
        for (int id = 0; id < _termBytes.Count; id++)
        {
            if (counts[id] > 0)
            {
                used.Add(id);
            }
        }
        var comparer = BytesRef.UTF8SortedAsUnicodeComparer;
        used.Sort((a, b) => comparer.Compare(_termBytes[a], _termBytes[b]));
        var terms = new BytesRef[used.Count];
        var starts = new int[used.Count + 1];
        var next = new int[_termBytes.Count];
        for (int t = 0; t < used.Count; t++)
        {
            terms[t] = _termBytes[used[t]];
            next[used[t]] = starts[t];
            starts[t + 1] = starts[t] + counts[used[t]];
        }
        var docs = new int[postings];
        var freqs = new int[postings];
        p = 0;
        int docCount = 0;
        for (int d = 0; d < _documents.Count; d++)
        {
            var impacts = _documents[d].Impacts;
            docCount += impacts.Length > 0 ? 1 : 0;
            for (int i = 0; i < impacts.Length; i++)
            {
                int at = next[ids[p++]]++;
                docs[at] = d;
                // As the one-token codec and the repeated tokens count it.
                freqs[at] = Math.Max(1, impacts[i]);
            }
        }
        return new SpladeFieldBatchReader(_field, _documents.Count, docCount, terms, starts, docs, freqs);
    }

    private int TermId(string term)
    {
        if (!_termIds.TryGetValue(term, out int id))
        {
            id = _termBytes.Count;
            _termIds.Add(term, id);
            _termBytes.Add(new BytesRef(term));
        }
        return id;
    }

    private QuantizedTerms Check(SpladeField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (field.Name != _field)
        {
            throw new ArgumentException($"The field is '{field.Name}', not the batch's '{_field}'.", nameof(field));
        }
        if (field.Options.StorageMode != SpladeStorageMode.TermFrequency)
        {
            throw new ArgumentException($"The field has {field.Options.StorageMode} storage; a SpladeFieldBatch writes term frequencies.", nameof(field));
        }
        return field.Quantized;
    }
}
