using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Splade.Encoder.Onnx;

/// <summary>
/// The vocabulary projection at the end of a masked-language-model graph (BertForMaskedLM's
/// <c>cls.predictions.decoder</c>): <c>logits = hidden @ W + bias</c>, with W [hidden, vocabulary]
/// either a constant initializer or <c>Transpose</c> of the (tied) word-embedding matrix
/// [vocabulary, hidden], and bias an optional constant [vocabulary]. Found so that the projection can
/// be computed in column slices, each reduced over the sequence before the next is made, instead of
/// materialising the whole [batch, sequence, vocabulary] tensor.
/// </summary>
internal sealed class DecoderProjection
{
    private const int FloatType = (int)TensorProto.Types.DataType.Float;
    private const int Int8Type = (int)TensorProto.Types.DataType.Int8;

    private TensorProto? _scale;
    private TensorProto? _zeroPoint;

    private readonly TensorProto _weight;
    private readonly bool _weightIsTransposed;
    private readonly TensorProto? _bias;

    private DecoderProjection(string hidden, TensorProto weight, bool transposed, TensorProto? bias, string? biasName, int hiddenSize, int vocabularySize, IReadOnlyList<NodeProto> nodes)
    {
        Hidden = hidden;
        _weight = weight;
        _weightIsTransposed = transposed;
        _bias = bias;
        Bias = biasName;
        HiddenSize = hiddenSize;
        VocabularySize = vocabularySize;
        Nodes = nodes;
    }

    /// <summary>The value multiplied by the weight: the last hidden state [batch, sequence, hidden].</summary>
    public string Hidden { get; }

    /// <summary>The initializer holding the bias [vocabulary], or null when the projection has none.</summary>
    public string? Bias { get; }

    public int HiddenSize { get; }

    public int VocabularySize { get; }

    /// <summary>The nodes that compute the logits from <see cref="Hidden"/> (MatMul, and Transpose / Add when present).</summary>
    public IReadOnlyList<NodeProto> Nodes { get; }

    /// <summary>
    /// Finds the projection that produces <paramref name="logitsOutput"/>, or returns null when the graph
    /// does not have the expected shape (the caller then pools the whole logits tensor).
    /// </summary>
    public static DecoderProjection? TryFind(GraphProto graph, string logitsOutput)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (string output in node.Output)
            {
                producers[output] = node;
            }
            foreach (string input in node.Input)
            {
                consumers[input] = consumers.GetValueOrDefault(input) + 1;
            }
        }
        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer)
        {
            initializers[tensor.Name] = tensor;
        }
        int Consumers(string name) => consumers.GetValueOrDefault(name) + graph.Output.Count(o => o.Name == name);

        // The logits must be used by nothing but the graph output, or removing their producer breaks the graph.
        if (!producers.TryGetValue(logitsOutput, out var last) || Consumers(logitsOutput) != 1)
        {
            return null;
        }
        var nodes = new List<NodeProto>();
        string? bias = null;
        NodeProto matMul;
        static bool IsProduct(NodeProto? n) => n is not null && (n.OpType == "MatMul" || IsQuantized(n));
        if (IsQuantized(last))
        {
            return TryQuantized(last, null, nodes, initializers, Consumers);
        }
        if (last.OpType == "Add" && last.Input.Count == 2)
        {
            int matMulSide = IsProduct(producers.GetValueOrDefault(last.Input[0])) ? 0
                : IsProduct(producers.GetValueOrDefault(last.Input[1])) ? 1 : -1;
            if (matMulSide < 0)
            {
                return null;
            }
            bias = last.Input[1 - matMulSide];
            matMul = producers[last.Input[matMulSide]];
            if (Consumers(matMul.Output[0]) != 1 || !initializers.TryGetValue(bias, out var biasTensor) || !IsFloat(biasTensor) || biasTensor.Dims.Count != 1)
            {
                return null;
            }
            nodes.Add(last);
            if (IsQuantized(matMul))
            {
                return TryQuantized(matMul, bias, nodes, initializers, Consumers);
            }
        }
        else if (last.OpType == "MatMul")
        {
            matMul = last;
        }
        else
        {
            return null;
        }
        if (matMul.Input.Count != 2 || matMul.Domain is not ("" or "ai.onnx"))
        {
            return null;
        }
        nodes.Add(matMul);

        TensorProto? weight;
        bool transposed = false;
        string b2 = matMul.Input[1];
        if (!initializers.TryGetValue(b2, out weight))
        {
            if (!producers.TryGetValue(b2, out var transpose) || transpose.OpType != "Transpose" || transpose.Input.Count != 1
                || !initializers.TryGetValue(transpose.Input[0], out weight))
            {
                return null;
            }
            var perm = transpose.Attribute.FirstOrDefault(x => x.Name == "perm");
            if (perm is not null && !(perm.Ints.Count == 2 && perm.Ints[0] == 1 && perm.Ints[1] == 0))
            {
                return null;
            }
            transposed = true;
            if (Consumers(b2) == 1)
            {
                nodes.Add(transpose);
            }
        }
        if (!IsFloat(weight) || weight.Dims.Count != 2)
        {
            return null;
        }
        int hiddenSize = (int)(transposed ? weight.Dims[1] : weight.Dims[0]);
        int vocabularySize = (int)(transposed ? weight.Dims[0] : weight.Dims[1]);
        if (bias is not null && initializers[bias].Dims[0] != vocabularySize)
        {
            return null;
        }
        if (ReadFloats(weight).Length != (long)hiddenSize * vocabularySize)
        {
            return null;
        }
        return new DecoderProjection(matMul.Input[0], weight, transposed, bias is null ? null : initializers[bias], bias, hiddenSize, vocabularySize, nodes);
    }

    private static bool IsQuantized(NodeProto node) =>
        node.OpType == DynamicQuantization.OpType && node.Domain == DynamicQuantization.MicrosoftDomain;

    // DynamicQuantizeMatMul(hidden, W int8 [hidden, vocab], scale [vocab], zero point [vocab]?, bias [vocab]?),
    // as SpladeModelQuantizer writes it: sliced like the float projection, column by column.
    private static DecoderProjection? TryQuantized(NodeProto node, string? addBias, List<NodeProto> nodes, Dictionary<string, TensorProto> initializers, Func<string, int> consumers)
    {
        if (node.Input.Count < 3 || node.Input.Count > 5)
        {
            return null;
        }
        string? bias = node.Input.Count == 5 && node.Input[4].Length > 0 ? node.Input[4] : null;
        if (bias is not null && addBias is not null)
        {
            return null;
        }
        bias ??= addBias;
        if (!initializers.TryGetValue(node.Input[1], out var weight) || weight.DataType != Int8Type || weight.Dims.Count != 2
            || !initializers.TryGetValue(node.Input[2], out var scale) || !IsFloat(scale) || scale.Dims.Count != 1)
        {
            return null;
        }
        int hiddenSize = (int)weight.Dims[0], vocabularySize = (int)weight.Dims[1];
        TensorProto? zeroPoint = null;
        if (node.Input.Count >= 4 && node.Input[3].Length > 0
            && (!initializers.TryGetValue(node.Input[3], out zeroPoint) || zeroPoint.DataType != Int8Type || zeroPoint.Dims.Count != 1 || zeroPoint.Dims[0] != vocabularySize))
        {
            return null;
        }
        if (scale.Dims[0] != vocabularySize || weight.RawData.Length != (long)hiddenSize * vocabularySize
            || (zeroPoint is not null && zeroPoint.RawData.Length != vocabularySize)
            || (bias is not null && (!initializers.TryGetValue(bias, out var b) || !IsFloat(b) || b.Dims.Count != 1 || b.Dims[0] != vocabularySize)))
        {
            return null;
        }
        if (addBias is null && consumers(node.Output[0]) != 1)
        {
            return null;
        }
        nodes.Add(node);
        return new DecoderProjection(node.Input[0], weight, false, bias is null ? null : initializers[bias], bias, hiddenSize, vocabularySize, nodes)
        {
            _scale = scale,
            _zeroPoint = zeroPoint,
        };
    }

    /// <summary>The operator each slice runs: MatMul, or DynamicQuantizeMatMul for an int8 model.</summary>
    public (string OpType, string Domain) SliceOperator =>
        _scale is null ? ("MatMul", "") : (DynamicQuantization.OpType, DynamicQuantization.MicrosoftDomain);

    /// <summary>The constant inputs of the slice operator for columns [start, start + count), after the hidden state.</summary>
    public IReadOnlyList<TensorProto> SliceConstants(int start, int count)
    {
        if (_scale is null)
        {
            return [WeightColumns(start, count)];
        }
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, VocabularySize);
        var source = _weight.RawData.Span;
        var slice = new byte[HiddenSize * count];
        for (int h = 0; h < HiddenSize; h++)
        {
            source.Slice(h * VocabularySize + start, count).CopyTo(slice.AsSpan(h * count, count));
        }
        var weight = new TensorProto { DataType = Int8Type, RawData = ByteString.CopyFrom(slice) };
        weight.Dims.Add(HiddenSize);
        weight.Dims.Add(count);
        var scale = FloatTensor(ReadFloats(_scale).Slice(start, count).ToArray(), count);
        if (_zeroPoint is null)
        {
            return [weight, scale];
        }
        var zeroPoint = new TensorProto { DataType = Int8Type, RawData = ByteString.CopyFrom(_zeroPoint.RawData.Span.Slice(start, count)) };
        zeroPoint.Dims.Add(count);
        return [weight, scale, zeroPoint];
    }

    /// <summary>The columns [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of a float W, as a [hidden, count] tensor.</summary>
    public TensorProto WeightColumns(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, VocabularySize);
        var source = ReadFloats(_weight);
        var slice = new float[HiddenSize * count];
        for (int h = 0; h < HiddenSize; h++)
        {
            var row = slice.AsSpan(h * count, count);
            if (_weightIsTransposed)
            {
                // W[h, v] = E[v, h], E [vocabulary, hidden].
                for (int j = 0; j < count; j++)
                {
                    row[j] = source[(start + j) * HiddenSize + h];
                }
            }
            else
            {
                source.Slice(h * VocabularySize + start, count).CopyTo(row);
            }
        }
        return FloatTensor(slice, HiddenSize, count);
    }

    /// <summary>The entries [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of the bias, as a [count] tensor.</summary>
    public TensorProto BiasEntries(int start, int count) =>
        FloatTensor(ReadFloats(_bias ?? throw new InvalidOperationException("The projection has no bias.")).Slice(start, count).ToArray(), count);

    /// <summary>The name of the initializer holding W (or, for tied weights, the embedding matrix W transposes).</summary>
    public string WeightInitializer => _weight.Name;

    /// <summary>The initializers the projection reads (W, and its scale and zero point when int8; not the bias).</summary>
    public IEnumerable<string> Initializers => new[] { _weight.Name, _scale?.Name, _zeroPoint?.Name }.OfType<string>();

    private static TensorProto FloatTensor(float[] values, params long[] dims)
    {
        var tensor = new TensorProto { DataType = FloatType, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static bool IsFloat(TensorProto tensor) => DynamicQuantization.IsPlainFloat(tensor);

    // ONNX stores float tensors either as little-endian raw bytes or in the repeated float_data field.
    private static ReadOnlySpan<float> ReadFloats(TensorProto tensor) => DynamicQuantization.ReadFloats(tensor);
}
