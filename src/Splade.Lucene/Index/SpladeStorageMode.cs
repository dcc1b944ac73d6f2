namespace Splade.Lucene.Index;

/// <summary>How a SPLADE field stores the quantized impact of each term in the postings.</summary>
public enum SpladeStorageMode
{
    /// <summary>
    /// The impact is the term frequency (the token is emitted <c>impact</c> times), indexed with
    /// <c>DOCS_AND_FREQS</c> and no norms, as Anserini does. Smallest index and fastest queries; indexing
    /// cost grows with the sum of the impacts because Lucene.NET 4.8 has no term-frequency attribute.
    /// </summary>
    TermFrequency = 0,

    /// <summary>
    /// One token per term carrying its impact in a 4-byte payload (<c>PayloadHelper.EncodeInt32</c>),
    /// indexed with positions. Much faster to index, larger index, slower queries.
    /// </summary>
    Payload = 1,
}
