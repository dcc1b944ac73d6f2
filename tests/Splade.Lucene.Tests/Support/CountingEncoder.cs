using Splade.Encoder;

namespace Splade.Lucene.Tests.Support;

/// <summary>Wraps an encoder and counts its calls, to check that indexing batches.</summary>
public sealed class CountingEncoder : ISparseEncoder
{
    private readonly ISparseEncoder _inner;
    private int _documentCalls;
    private int _batchCalls;
    private int _largestBatch;
    private int _queryCalls;

    public CountingEncoder(ISparseEncoder inner) => _inner = inner;

    public Vocabulary Vocabulary => _inner.Vocabulary;

    public SimilarityFunction SimilarityFunction => _inner.SimilarityFunction;

    public string ModelId => _inner.ModelId;

    /// <summary>Calls of <see cref="EncodeDocument"/> (one model call per document).</summary>
    public int DocumentCalls => Volatile.Read(ref _documentCalls);

    /// <summary>Calls of <see cref="EncodeDocuments"/>.</summary>
    public int BatchCalls => Volatile.Read(ref _batchCalls);

    public int LargestBatch => Volatile.Read(ref _largestBatch);

    /// <summary>Calls of <see cref="EncodeQuery"/>.</summary>
    public int QueryCalls => Volatile.Read(ref _queryCalls);

    public SparseVector EncodeQuery(string text)
    {
        Interlocked.Increment(ref _queryCalls);
        return _inner.EncodeQuery(text);
    }

    public SparseVector EncodeDocument(string text)
    {
        Interlocked.Increment(ref _documentCalls);
        return _inner.EncodeDocument(text);
    }

    public IReadOnlyList<SparseVector> EncodeQueries(IReadOnlyList<string> texts) => _inner.EncodeQueries(texts);

    public IReadOnlyList<SparseVector> EncodeDocuments(IReadOnlyList<string> texts)
    {
        Interlocked.Increment(ref _batchCalls);
        int n = texts.Count, seen;
        while (n > (seen = Volatile.Read(ref _largestBatch)) && Interlocked.CompareExchange(ref _largestBatch, n, seen) != seen)
        {
        }
        return _inner.EncodeDocuments(texts);
    }
}
