namespace Splade.Encoder.Pooling;

/// <summary>
/// How token weights are combined over the sequence (sentence-transformers SpladePooling
/// <c>pooling_strategy</c>).
/// </summary>
internal enum SpladePoolingStrategy
{
    /// <summary><c>"max"</c>: the largest activated weight of each vocabulary entry over the unmasked tokens; the SPLADE default.</summary>
    Max = 0,

    /// <summary><c>"sum"</c>: the sum of the activated weights over the unmasked tokens.</summary>
    Sum = 1,
}
