namespace Splade.Encoder.Pooling;

/// <summary>
/// The saturation applied to each logit before pooling (sentence-transformers SpladePooling
/// <c>activation_function</c>).
/// </summary>
internal enum SpladeActivation
{
    /// <summary><c>"relu"</c>: log(1 + relu(x)); the SPLADE default.</summary>
    Relu = 0,

    /// <summary><c>"log1p_relu"</c>: log(1 + log(1 + relu(x))), which flattens large weights further.</summary>
    Log1pRelu = 1,
}
