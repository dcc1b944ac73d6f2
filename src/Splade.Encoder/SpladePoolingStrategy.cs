namespace Splade.Encoder;

/// <summary>How token activations are combined into one vector (<c>pooling_strategy</c> of <c>1_SpladePooling/config.json</c>).</summary>
public enum SpladePoolingStrategy
{
    /// <summary>w_j = max over tokens i of f(logit_ij); the SPLADE v2+ default.</summary>
    Max = 0,

    /// <summary>w_j = sum over tokens i of f(logit_ij), as in the first SPLADE.</summary>
    Sum = 1,
}
