namespace Splade.Encoder;

/// <summary>Where SPLADE pooling runs for a model whose ONNX graph outputs per-token logits.</summary>
public enum PoolingLocation
{
    /// <summary>In the graph when the model outputs logits (the fast path); models that already pool are run as they are.</summary>
    Auto = 0,

    /// <summary>
    /// Append pooling to the ONNX graph when the model is loaded, so ONNX Runtime returns [batch, vocab]
    /// instead of [batch, sequence, vocab] floats.
    /// </summary>
    InGraph = 1,

    /// <summary>Copy the logits out of ONNX Runtime and pool in C# (for comparison and debugging).</summary>
    Managed = 2,
}
