using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Splade.Encoder.Onnx;

/// <summary>
/// Dynamic int8 quantization as a graph rewrite: every <c>MatMul</c> whose second input is a constant
/// float matrix W [K, N] (an initializer, or <c>Transpose</c> of one, as for tied word embeddings)
/// becomes <c>com.microsoft::DynamicQuantizeMatMul</c> with W stored as int8, one symmetric scale per
/// output column (zero point 0). ONNX Runtime quantizes the activations to uint8 at run time and runs
/// its u8 x s8 integer GEMM (VNNI kernels where the CPU has them). A constant bias added right after the
/// MatMul moves into the node's bias input, which saves one pass over the output.
/// </summary>
internal static class DynamicQuantization
{
    /// <summary>The operator domain of DynamicQuantizeMatMul.</summary>
    public const string MicrosoftDomain = "com.microsoft";

    public const string OpType = "DynamicQuantizeMatMul";

    private const int FloatType = (int)TensorProto.Types.DataType.Float;
    private const int Int8Type = (int)TensorProto.Types.DataType.Int8;

    /// <summary>What <see cref="Quantize"/> did.</summary>
    /// <param name="Quantized">MatMuls rewritten to int8.</param>
    /// <param name="KeptFloat">Constant-weight MatMuls left in float32 (the projection, when asked).</param>
    /// <param name="BiasesFused">Bias additions moved into the quantized node.</param>
    /// <param name="Attention">Fused <c>com.microsoft::Attention</c> nodes rewritten to <c>QAttention</c>.</param>
    /// <param name="SkipLayerNorms">Residual Add + layer normalization pairs fused into <c>SkipLayerNormalization</c>.</param>
    public readonly record struct Result(int Quantized, int KeptFloat, int BiasesFused, int Attention = 0, int SkipLayerNorms = 0);

    /// <summary>The quantized form of ONNX Runtime's fused attention.</summary>
    public const string AttentionOpType = "QAttention";

    /// <summary>Rewrites <paramref name="model"/> in place.</summary>
    /// <param name="model">The parsed model.</param>
    /// <param name="logitsOutput">The logits output, whose projection <paramref name="quantizeProjection"/> concerns; null if none.</param>
    /// <param name="quantizeProjection">False keeps the vocabulary projection in float32.</param>
    /// <param name="fuseBias">Move a constant bias Add after the MatMul into the quantized node.</param>
    /// <param name="attentionMaskInput">The attention mask input; when given, self-attention blocks written as
    /// plain operators are first fused (<see cref="AttentionFusion"/>) so that they become QAttention.</param>
    /// <param name="fuseSkipLayerNorm">Afterwards, fuse residual Adds with the layer normalization after them (<see cref="SkipLayerNormFusion"/>).</param>
    public static Result Quantize(ModelProto model, string? logitsOutput, bool quantizeProjection, bool fuseBias = true, string? attentionMaskInput = null, bool fuseSkipLayerNorm = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (attentionMaskInput is not null)
        {
            AttentionFusion.Fuse(model, attentionMaskInput);
        }
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (string output in node.Output)
            {
                producers[output] = node;
            }
            foreach (string input in node.Input)
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }
                list.Add(node);
            }
        }
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var names = new HashSet<string>(graph.Node.SelectMany(n => n.Output.Append(n.Name)).Concat(initializers.Keys).Concat(graph.Input.Select(i => i.Name)), StringComparer.Ordinal);
        string Fresh(string stem)
        {
            string name = stem;
            for (int i = 2; !names.Add(name); i++)
            {
                name = $"{stem}_{i}";
            }
            return name;
        }

        NodeProto? projectionMatMul = null;
        if (logitsOutput is not null && DecoderProjection.TryFind(graph, logitsOutput) is { } projection)
        {
            projectionMatMul = projection.Nodes.FirstOrDefault(n => n.OpType == "MatMul");
        }

        int quantized = 0, kept = 0, fused = 0, attention = 0;
        var removed = new HashSet<NodeProto>();
        var candidateInitializers = new HashSet<string>(StringComparer.Ordinal);
        for (int index = 0; index < graph.Node.Count; index++)
        {
            var node = graph.Node[index];
            if (node.OpType == "Attention" && node.Domain == MicrosoftDomain)
            {
                if (TryQuantizeAttention(graph, index, initializers, Fresh) is { } weightName)
                {
                    index++; // past the DynamicQuantizeLinear inserted before the QAttention
                    attention++;
                    candidateInitializers.Add(weightName);
                }
                continue;
            }
            if (node.OpType != "MatMul" || node.Domain is not ("" or "ai.onnx") || node.Input.Count != 2)
            {
                continue;
            }
            if (!TryReadWeight(node.Input[1], initializers, producers, out var weight, out int k, out int n, out var transpose, out string source))
            {
                continue;
            }
            if (ReferenceEquals(node, projectionMatMul) && !quantizeProjection)
            {
                kept++;
                continue;
            }

            string stem = string.IsNullOrEmpty(node.Name) ? "matmul" : node.Name;
            var (qTensor, scaleTensor, zeroTensor) = AddInt8Weight(graph, weight, k, n, stem, Fresh);

            var replacement = new NodeProto
            {
                Name = Fresh(stem + "_int8"),
                OpType = OpType,
                Domain = MicrosoftDomain,
                Input = { node.Input[0], qTensor.Name, scaleTensor.Name, zeroTensor.Name },
                Output = { node.Output[0] },
            };
            string matMulOutput = node.Output[0];
            if (fuseBias && !graphOutputs.Contains(matMulOutput) && consumers.TryGetValue(matMulOutput, out var users) && users.Count == 1
                && users[0] is { OpType: "Add", Input.Count: 2 } add && add.Domain is "" or "ai.onnx")
            {
                string other = add.Input[0] == matMulOutput ? add.Input[1] : add.Input[0];
                // Exporters share equal constants (all-zero biases) through Identity nodes.
                while (!initializers.ContainsKey(other) && producers.TryGetValue(other, out var identity) && identity.OpType == "Identity" && identity.Input.Count == 1)
                {
                    other = identity.Input[0];
                }
                if (other != matMulOutput && initializers.TryGetValue(other, out var bias) && IsPlainFloat(bias) && bias.Dims.Count == 1 && bias.Dims[0] == n)
                {
                    replacement.Input.Add(other);
                    replacement.Output[0] = add.Output[0];
                    removed.Add(add);
                    fused++;
                }
            }
            graph.Node[index] = replacement;
            quantized++;
            candidateInitializers.Add(source);
            if (transpose is not null && consumers[transpose.Output[0]].Count == 1)
            {
                removed.Add(transpose);
            }
        }
        foreach (var node in removed)
        {
            graph.Node.Remove(node);
        }
        // The float weights nothing reads any more (tied embeddings stay: the Gather reads them).
        foreach (string name in candidateInitializers)
        {
            if (!graph.Node.Any(x => x.Input.Contains(name)) && !graphOutputs.Contains(name))
            {
                graph.Initializer.Remove(initializers[name]);
                var input = graph.Input.FirstOrDefault(i => i.Name == name);
                if (input is not null)
                {
                    graph.Input.Remove(input);
                }
            }
        }
        if (quantized + attention > 0 && !model.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }
        int skipLayerNorms = fuseSkipLayerNorm ? SkipLayerNormFusion.Fuse(model) : 0;
        return new Result(quantized, kept, fused, attention, skipLayerNorms);
    }

    // com.microsoft::Attention(input, weight [hidden, 3 * hidden], bias [3 * hidden], mask_index?, ...), as ONNX
    // Runtime's attention fusion writes it, becomes DynamicQuantizeLinear(input) -> (x uint8, scale, zero point)
    // and QAttention(x, weight int8, bias, scale, weight scale per column, mask_index, zero point, weight zero
    // point): the Q, K and V projections run as one integer GEMM and the attention itself stays fused.
    // Returns the float weight's name, or null when the node is left as it is.
    private static string? TryQuantizeAttention(GraphProto graph, int index, Dictionary<string, TensorProto> initializers, Func<string, string> fresh)
    {
        var node = graph.Node[index];
        // Inputs past mask_index (past state, attention bias, past sequence length) have no QAttention form.
        if (node.Input.Count < 3 || node.Input.Count > 4 || node.Output.Count != 1
            || !initializers.TryGetValue(node.Input[1], out var tensor) || !IsPlainFloat(tensor) || tensor.Dims.Count != 2
            || !initializers.TryGetValue(node.Input[2], out var bias) || !IsPlainFloat(bias) || bias.Dims.Count != 1 || bias.Dims[0] != tensor.Dims[1])
        {
            return null;
        }
        // Only the attributes QAttention shares with Attention for certain; others (a custom scale or mask value) stay float.
        var allowed = new HashSet<string>(StringComparer.Ordinal) { "num_heads", "unidirectional" };
        if (node.Attribute.Any(a => !allowed.Contains(a.Name) && !(a.Name == "qkv_hidden_sizes" && a.Ints.Count == 0)))
        {
            return null;
        }
        int k = (int)tensor.Dims[0], n = (int)tensor.Dims[1];
        var values = ReadFloats(tensor);
        if (values.Length != (long)k * n || n % 3 != 0)
        {
            return null;
        }
        string stem = string.IsNullOrEmpty(node.Name) ? "attention" : node.Name;
        var (qTensor, scaleTensor, zeroTensor) = AddInt8Weight(graph, values.ToArray(), k, n, stem, fresh);

        var quantizeInput = new NodeProto
        {
            Name = fresh(stem + "_input_quantize"),
            OpType = "DynamicQuantizeLinear",
            Input = { node.Input[0] },
            Output = { fresh(stem + "_input_uint8"), fresh(stem + "_input_scale"), fresh(stem + "_input_zero_point") },
        };
        var replacement = new NodeProto
        {
            Name = fresh(stem + "_int8"),
            OpType = AttentionOpType,
            Domain = MicrosoftDomain,
            Input =
            {
                quantizeInput.Output[0], qTensor.Name, node.Input[2], quantizeInput.Output[1], scaleTensor.Name,
                node.Input.Count > 3 ? node.Input[3] : "", quantizeInput.Output[2], zeroTensor.Name,
            },
            Output = { node.Output[0] },
        };
        replacement.Attribute.AddRange(node.Attribute.Where(a => a.Name != "qkv_hidden_sizes").Select(a => a.Clone()));
        graph.Node[index] = replacement;
        graph.Node.Insert(index, quantizeInput);
        return tensor.Name;
    }

    // W [k, n] as int8 initializers: the values, one scale per column, zero points (all 0).
    private static (TensorProto Values, TensorProto Scales, TensorProto ZeroPoints) AddInt8Weight(GraphProto graph, float[] weight, int k, int n, string stem, Func<string, string> fresh)
    {
        var (q, scales) = QuantizePerColumn(weight, k, n);
        var values = new TensorProto { Name = fresh(stem + "_weight_int8"), DataType = Int8Type, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(q.AsSpan())) };
        values.Dims.Add(k);
        values.Dims.Add(n);
        var scaleTensor = new TensorProto { Name = fresh(stem + "_weight_scale"), DataType = FloatType, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(scales.AsSpan())) };
        scaleTensor.Dims.Add(n);
        var zeroPoints = new TensorProto { Name = fresh(stem + "_weight_zero_point"), DataType = Int8Type, RawData = ByteString.CopyFrom(new byte[n]) };
        zeroPoints.Dims.Add(n);
        graph.Initializer.Add(values);
        graph.Initializer.Add(scaleTensor);
        graph.Initializer.Add(zeroPoints);
        return (values, scaleTensor, zeroPoints);
    }

    /// <summary>
    /// The largest int8 weight magnitude written: 64, not 127 (7-bit weights, ONNX Runtime's "reduce range"). On x86
    /// CPUs without VNNI (AVX2, AVX-512 without VNNI) ONNX Runtime multiplies uint8 activations by int8 weights with
    /// <c>vpmaddubsw</c>, which adds two adjacent products into a saturating int16: 2 x 255 x 127 overflows it, and the
    /// saturated sums wrecked the vectors on such a CPU (active-set Jaccard 0.76 against float32 on the tiny model's
    /// golden texts, an AMD EPYC with AVX2). 2 x 255 x 64 = 32,640 cannot overflow; the model file is the same on every
    /// CPU, so the range is the one every CPU computes exactly.
    /// </summary>
    internal const int WeightRange = 64;

    /// <summary>Symmetric per-column int8: scale_n = max_k |W[k, n]| / <see cref="WeightRange"/>, q = round(W / scale) in [-WeightRange, WeightRange].</summary>
    internal static (sbyte[] Values, float[] Scales) QuantizePerColumn(float[] weight, int k, int n)
    {
        var scales = new float[n];
        for (int row = 0; row < k; row++)
        {
            var r = weight.AsSpan(row * n, n);
            for (int col = 0; col < n; col++)
            {
                scales[col] = Math.Max(scales[col], Math.Abs(r[col]));
            }
        }
        for (int col = 0; col < n; col++)
        {
            scales[col] = scales[col] > 0f && float.IsFinite(scales[col]) ? scales[col] / WeightRange : 1f;
        }
        var q = new sbyte[weight.Length];
        for (int row = 0; row < k; row++)
        {
            for (int col = 0; col < n; col++)
            {
                float v = MathF.Round(weight[row * n + col] / scales[col], MidpointRounding.ToEven);
                q[row * n + col] = (sbyte)Math.Clamp(v, -WeightRange, WeightRange);
            }
        }
        return (q, scales);
    }

    private static bool TryReadWeight(string name, Dictionary<string, TensorProto> initializers, Dictionary<string, NodeProto> producers,
        out float[] weight, out int k, out int n, out NodeProto? transpose, out string source)
    {
        weight = [];
        k = n = 0;
        transpose = null;
        source = name;
        if (!initializers.TryGetValue(name, out var tensor))
        {
            if (!producers.TryGetValue(name, out var t) || t.OpType != "Transpose" || t.Input.Count != 1 || !initializers.TryGetValue(t.Input[0], out tensor))
            {
                return false;
            }
            var perm = t.Attribute.FirstOrDefault(a => a.Name == "perm");
            if (perm is not null && !(perm.Ints.Count == 2 && perm.Ints[0] == 1 && perm.Ints[1] == 0))
            {
                return false;
            }
            transpose = t;
            source = t.Input[0];
        }
        if (!IsPlainFloat(tensor) || tensor.Dims.Count != 2)
        {
            return false;
        }
        var values = ReadFloats(tensor);
        int rows = (int)tensor.Dims[0], cols = (int)tensor.Dims[1];
        if (values.Length != (long)rows * cols)
        {
            return false;
        }
        if (transpose is null)
        {
            (k, n) = (rows, cols);
            weight = values.ToArray();
        }
        else
        {
            (k, n) = (cols, rows);
            weight = new float[values.Length];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < cols; c++)
                {
                    weight[c * rows + r] = values[r * cols + c];
                }
            }
        }
        return true;
    }

    internal static bool IsPlainFloat(TensorProto tensor) =>
        tensor.DataType == FloatType && tensor.DataLocation != TensorProto.Types.DataLocation.External && tensor.ExternalData.Count == 0;

    internal static ReadOnlySpan<float> ReadFloats(TensorProto tensor) =>
        tensor.RawData.Length > 0
            ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span)
            : tensor.FloatData.Count > 0 ? tensor.FloatData.ToArray() : [];
}
