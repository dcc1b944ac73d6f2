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

    /// <summary>Encodes one search query.</summary>
    /// <param name="text">The query text; empty text is valid.</param>
    SparseVector EncodeQuery(string text);

    /// <summary>Encodes one document.</summary>
    /// <param name="text">The document text; empty text is valid and long text is truncated.</param>
    SparseVector EncodeDocument(string text);

    /// <summary>Encodes several queries; the result is in input order.</summary>
    IReadOnlyList<SparseVector> EncodeQueries(IReadOnlyList<string> texts);

    /// <summary>Encodes several documents; the result is in input order.</summary>
    IReadOnlyList<SparseVector> EncodeDocuments(IReadOnlyList<string> texts);
}
