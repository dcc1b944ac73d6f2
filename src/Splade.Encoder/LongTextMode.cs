namespace Splade.Encoder;

/// <summary>What <see cref="SpladeEncoder"/> does with a document longer than the model's maximum sequence length.</summary>
public enum LongTextMode
{
    /// <summary>
    /// Keep the first maximum-length - 2 word pieces and drop the rest (cutting inside a word), as
    /// sentence-transformers and Hugging Face do. The default.
    /// </summary>
    Truncate = 0,

    /// <summary>
    /// Split the word pieces into overlapping windows of the maximum length (each framed by
    /// <c>[CLS]</c>/<c>[SEP]</c>, starting every <see cref="SpladeEncoderOptions.ChunkStride"/> pieces),
    /// encode every window in the same batches as the other texts, and merge them by taking the
    /// maximum weight of each term, as Elasticsearch does for an array of sparse vectors. A text that
    /// fits in one window gives exactly the <see cref="Truncate"/> vector. Queries are never chunked.
    /// </summary>
    Chunk = 1,
}
