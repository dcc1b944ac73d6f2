using Splade.Encoder.Onnx;

namespace Splade.Encoder;

/// <summary>Options of <see cref="SpladeEncoder.Create(string, SpladeEncoderOptions?)"/>; each has a sensible default.</summary>
public sealed class SpladeEncoderOptions
{
    /// <summary>
    /// The ONNX file, absolute or relative to the model folder. Default null: <c>model.onnx</c>, then
    /// <c>onnx/model.onnx</c>.
    /// </summary>
    public string? ModelFile { get; set; }

    /// <summary>
    /// Overrides the model's maximum sequence length (word pieces, counting [CLS] and [SEP]); texts are
    /// truncated to it (or, with <see cref="LongTextMode.Chunk"/>, split into windows of it). Default null: the model's own (usually 512).
    /// </summary>
    public int? MaxSequenceLength { get; set; }

    /// <summary>
    /// Texts per ONNX Runtime call in the batch methods. Texts are sorted by length first so that
    /// each batch pads little. Default 16.
    /// </summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>ONNX Runtime intra-op threads per call; 0 (default) lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpNumThreads { get; set; }

    /// <summary>
    /// Where pooling runs for a logits model. Default <see cref="PoolingLocation.Auto"/>: in the graph, with the
    /// vocabulary projection computed in slices, when the model's projection is recognised; otherwise in C#.
    /// </summary>
    public PoolingLocation Pooling { get; set; } = PoolingLocation.Auto;

    /// <summary>
    /// Vocabulary columns per slice of the projection when pooling runs in the graph; 0 makes the whole
    /// logits tensor (the path before slicing, kept for benchmarks and equality tests).
    /// </summary>
    internal int VocabularySliceColumns { get; set; } = PoolingGraph.DefaultSliceColumns;

    /// <summary>
    /// Let ONNX Runtime keep a second, re-laid-out ("prepacked") copy of the weights for its matrix kernels
    /// (its default). False sets <c>session.disable_prepacking</c>: one copy of the weights, the kernels pack
    /// each weight block as they go (docs/PERFORMANCE.md, "Memory and speed of int8, prepacking").
    /// </summary>
    internal bool PrepackWeights { get; set; } = true;

    /// <summary>
    /// Keeps only this many of the largest weights per vector (sentence-transformers' <c>max_active_dims</c>).
    /// Default null: all active entries.
    /// </summary>
    public int? MaxActiveDims { get; set; }

    /// <summary>
    /// What to do with documents longer than the maximum sequence length: <see cref="LongTextMode.Truncate"/>
    /// (default, identical to sentence-transformers) or <see cref="LongTextMode.Chunk"/> (overlapping windows
    /// merged by the maximum weight per term). Queries are always truncated.
    /// </summary>
    public LongTextMode LongText { get; set; } = LongTextMode.Truncate;

    /// <summary>
    /// With <see cref="LongTextMode.Chunk"/>: word pieces between the starts of two windows, from 1 to the
    /// window (maximum sequence length - 2; equal to it: no overlap). Default null: half the window
    /// (255 for 512-token models), so every piece is seen in two windows except at the ends.
    /// Checked against the model's length when the encoder is created.
    /// </summary>
    public int? ChunkStride { get; set; }

    /// <summary>
    /// Where the model runs: <see cref="SpladeDevice.Cpu"/> (default) or <see cref="SpladeDevice.Cuda(int)"/>. CUDA needs
    /// the application to reference the package <c>Splade.Encoder.Cuda</c> (ONNX Runtime's GPU build, Linux x64) and a
    /// machine with an NVIDIA GPU, its driver, CUDA 13 and cuDNN 9; without them
    /// <see cref="SpladeEncoder.Create(string, SpladeEncoderOptions?)"/> throws <see cref="SpladeModelException"/> saying
    /// what is missing.
    /// </summary>
    public SpladeDevice Device { get; set; } = SpladeDevice.Cpu;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid property.</summary>
    public void Validate()
    {
        if (ModelFile is not null && string.IsNullOrWhiteSpace(ModelFile))
        {
            throw new ArgumentException("ModelFile must be null or a file name.", nameof(ModelFile));
        }
        if (MaxSequenceLength is < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSequenceLength), MaxSequenceLength, "MaxSequenceLength must be at least 2 ([CLS] and [SEP]).");
        }
        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        }
        if (IntraOpNumThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(IntraOpNumThreads), IntraOpNumThreads, "IntraOpNumThreads must be 0 (automatic) or positive.");
        }
        if (!Enum.IsDefined(Pooling))
        {
            throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "Unknown pooling location.");
        }
        if (!Enum.IsDefined(LongText))
        {
            throw new ArgumentOutOfRangeException(nameof(LongText), LongText, "Unknown long-text mode; use Truncate or Chunk.");
        }
        if (ChunkStride is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ChunkStride), ChunkStride, "ChunkStride must be null (half the window) or at least 1.");
        }
        if (ChunkStride is not null && LongText != LongTextMode.Chunk)
        {
            throw new ArgumentException($"ChunkStride ({ChunkStride}) is only used with LongText = Chunk, but LongText is {LongText}.", nameof(ChunkStride));
        }
        if (LongText == LongTextMode.Chunk && MaxSequenceLength is < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSequenceLength), MaxSequenceLength, "MaxSequenceLength must be at least 3 with LongText = Chunk ([CLS], one word piece, [SEP]).");
        }
        if (!Enum.IsDefined(Device.Kind) || Device.DeviceId < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Device), Device, "Unknown device.");
        }
        if (VocabularySliceColumns < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(VocabularySliceColumns), VocabularySliceColumns, "VocabularySliceColumns must be 0 (no slicing) or positive.");
        }
        if (MaxActiveDims is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxActiveDims), MaxActiveDims, "MaxActiveDims must be null (all) or at least 1.");
        }
    }
}
