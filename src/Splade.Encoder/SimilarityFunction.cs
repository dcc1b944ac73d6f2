namespace Splade.Encoder;

/// <summary>
/// How a model compares two sparse vectors, as stated by <c>similarity_fn_name</c> in
/// <c>config_sentence_transformers.json</c>.
/// </summary>
public enum SimilarityFunction
{
    /// <summary>Dot product of the raw vectors (<c>null</c> or <c>"dot"</c>); the SPLADE default.</summary>
    Dot = 0,

    /// <summary>Cosine similarity: the encoder returns unit (L2-normalised) vectors, so a dot product is the cosine.</summary>
    Cosine = 1,
}
