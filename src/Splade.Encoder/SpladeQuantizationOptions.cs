namespace Splade.Encoder;

/// <summary>Options of <see cref="SpladeModelQuantizer.Quantize(string, string, SpladeQuantizationOptions?)"/>.</summary>
public sealed class SpladeQuantizationOptions
{
    /// <summary>
    /// The ONNX file of the source folder, absolute or relative to it. Default null: <c>model.onnx</c>, then
    /// <c>onnx/model.onnx</c>, as <see cref="SpladeEncoderOptions.ModelFile"/>.
    /// </summary>
    public string? ModelFile { get; set; }

    /// <summary>
    /// Quantize the vocabulary projection (hidden x 30,522 for a BERT vocabulary, about a fifth of a
    /// BERT-base model's multiply-adds) as well. Default true; false keeps it in float32, slower but closer
    /// to the float32 vectors.
    /// </summary>
    public bool QuantizeVocabularyProjection { get; set; } = true;

    /// <summary>
    /// Fuse each self-attention block written out as plain operators (the Q, K and V projections, the
    /// scaled, masked softmax and the weighted sum, as a PyTorch export of BERT writes them) into one
    /// ONNX Runtime <c>com.microsoft::QAttention</c> node: Q, K and V in one int8 product, no transposes
    /// in between. Blocks of another shape are quantized MatMul by MatMul. Default true (faster; see
    /// docs/PERFORMANCE.md); false quantizes every MatMul on its own, as before.
    /// </summary>
    public bool FuseAttention { get; set; } = true;

    /// <summary>
    /// Fuse each residual Add and the layer normalization after it into one ONNX Runtime
    /// <c>com.microsoft::SkipLayerNormalization</c> node. Default false: on the one CPU it was measured on (AMD EPYC
    /// Zen 2, no VNNI) it was not faster than ONNX Runtime's own Add + LayerNormalization (docs/PERFORMANCE.md, branch
    /// int8b); internal until a measurement shows a gain (benchmarks set it).
    /// </summary>
    internal bool FuseSkipLayerNorm { get; set; }

    /// <summary>Replace the files of a non-empty output folder. Default false: such a folder is refused.</summary>
    public bool Overwrite { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid property.</summary>
    public void Validate()
    {
        if (ModelFile is not null && string.IsNullOrWhiteSpace(ModelFile))
        {
            throw new ArgumentException("ModelFile must be null or a file name.", nameof(ModelFile));
        }
    }
}
