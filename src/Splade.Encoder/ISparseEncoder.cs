namespace Splade.Encoder;

/// <summary>
/// Turns text into SPLADE sparse vectors over a fixed vocabulary. Queries and documents are encoded
/// separately because models may use different prompts (or, for asymmetric models, different
/// weights) for each. Implementations are safe for concurrent use.
/// </summary>
public interface ISparseEncoder
{
    /// <summary>The vocabulary the vector ids refer to.</summary>
    Vocabulary Vocabulary { get; }

    /// <summary>How vectors of this model are compared; <see cref="SimilarityFunction.Cosine"/> encoders return unit vectors.</summary>
    SimilarityFunction SimilarityFunction { get; }

    /// <summary>
    /// A stable identity of the model (for example a hash of the ONNX file and vocabulary), stored in
    /// indexes so that a search with a different model can be refused.
    /// </summary>
    string ModelId { get; }

    /// <summary>
    /// How documents longer than the model's maximum length are encoded: <c>truncate</c>, or
    /// <c>chunk(stride=N)</c> for <see cref="LongTextMode.Chunk"/>; empty when unknown (the default of
    /// this member). It changes document vectors but not query vectors, so indexes record it beside
    /// <see cref="ModelId"/> (which identifies the model and its query encoding) rather than in it.
    /// </summary>
    string DocumentEncoding => string.Empty;

    /// <summary>Encodes one search query.</summary>
    /// <param name="text">The query text; empty text is valid.</param>
    SparseVector EncodeQuery(string text);

    /// <summary>Encodes one document.</summary>
    /// <param name="text">The document text; empty text is valid; long text is truncated or chunked (<see cref="DocumentEncoding"/>).</param>
    SparseVector EncodeDocument(string text);

    /// <summary>Encodes several queries; the result is in input order.</summary>
    IReadOnlyList<SparseVector> EncodeQueries(IReadOnlyList<string> texts);

    /// <summary>Encodes several documents; the result is in input order.</summary>
    IReadOnlyList<SparseVector> EncodeDocuments(IReadOnlyList<string> texts);
}
