namespace Splade.Encoder;

/// <summary>What <see cref="SpladeModelQuantizer.Quantize(string, string, SpladeQuantizationOptions?)"/> wrote.</summary>
public sealed class SpladeQuantizationResult
{
    /// <summary>The int8 ONNX file.</summary>
    public required string OnnxPath { get; init; }

    /// <summary>The record of the quantization beside it (<see cref="SpladeModelQuantizer.RecordFileName"/>).</summary>
    public required string RecordPath { get; init; }

    /// <summary>SHA-256 of the source ONNX file, as recorded.</summary>
    public required string SourceSha256 { get; init; }

    /// <summary>Constant-weight MatMuls turned into int8 DynamicQuantizeMatMul nodes.</summary>
    public required int QuantizedMatMuls { get; init; }

    /// <summary>
    /// Self-attention blocks turned into int8 <c>com.microsoft::QAttention</c> nodes (see
    /// <see cref="SpladeQuantizationOptions.FuseAttention"/>); their Q, K and V MatMuls are not counted in
    /// <see cref="QuantizedMatMuls"/>.
    /// </summary>
    public int QuantizedAttention { get; init; }

    /// <summary>Residual Add + layer normalization pairs fused into <c>com.microsoft::SkipLayerNormalization</c> (also in the record file).</summary>
    internal int SkipLayerNorms { get; init; }

    /// <summary>Constant-weight MatMuls left in float32 (the vocabulary projection, when asked).</summary>
    public required int FloatMatMuls { get; init; }

    /// <summary>Size of the source ONNX file in bytes.</summary>
    public required long SourceBytes { get; init; }

    /// <summary>Size of the int8 ONNX file in bytes.</summary>
    public required long OutputBytes { get; init; }

    /// <summary>Other files of the folder (tokenizer, configuration) copied unchanged.</summary>
    public required IReadOnlyList<string> CopiedFiles { get; init; }
}
