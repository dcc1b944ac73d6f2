namespace Splade.Encoder;

/// <summary>
/// The saturation applied to each logit before pooling (<c>activation_function</c> of
/// <c>1_SpladePooling/config.json</c>), named as sentence-transformers names it.
/// </summary>
public enum SpladeActivation
{
    /// <summary><c>"relu"</c>: f(x) = log(1 + relu(x)).</summary>
    Relu = 0,

    /// <summary><c>"log1p_relu"</c>: f(x) = log(1 + log(1 + relu(x))), a stronger saturation used by some models.</summary>
    Log1pRelu = 1,
}
