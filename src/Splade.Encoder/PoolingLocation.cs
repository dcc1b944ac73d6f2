namespace Splade.Encoder;

/// <summary>Where SPLADE pooling runs for a model whose ONNX graph outputs per-token logits.</summary>
public enum PoolingLocation
{
    /// <summary>
    /// In the graph when the model's vocabulary projection (the masked-language-model decoder: MatMul and
    /// bias) is recognised: the projection is computed in column slices, each pooled over the sequence
    /// before the next, so the [batch, sequence, vocabulary] logits are never held whole. Otherwise as
    /// <see cref="Managed"/>, which needs less memory than pooling the whole logits in the graph.
    /// Models that already pool are run as they are.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// Always in the graph: sliced as for <see cref="Auto"/> when the projection is recognised, otherwise
    /// appended after the whole logits tensor (which ONNX Runtime then holds twice: logits and masked logits).
    /// </summary>
    InGraph = 1,

    /// <summary>
    /// ONNX Runtime returns the whole [batch, sequence, vocabulary] logits and C# pools them (read in place,
    /// not copied). For comparison and debugging, and for graphs whose projection is not recognised.
    /// </summary>
    Managed = 2,
}
