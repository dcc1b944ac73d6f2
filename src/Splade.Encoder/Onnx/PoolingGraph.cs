using Google.Protobuf;
using Onnx;
using Splade.Encoder.Pooling;

namespace Splade.Encoder.Onnx;

/// <summary>
/// Rewrites an ONNX masked-language-model graph (output <c>logits</c> [batch, sequence, vocabulary])
/// so that it ends in SPLADE pooling and returns [batch, vocabulary] weights. The [batch, sequence,
/// vocabulary] tensor (about 0.5 GB for 16 x 256 tokens of a BERT vocabulary) then stays inside ONNX
/// Runtime instead of being handed to managed code.
/// </summary>
internal static class PoolingGraph
{
    private const string Prefix = "splade_pool_";

    /// <summary>
    /// Vocabulary columns per slice of the projection: at 16 x 256 tokens a 2,048-column slice is 32 MB
    /// of floats, against 500 MB for the whole [16, 256, 30522] logits.
    /// </summary>
    public const int DefaultSliceColumns = 2048;

    // Added to the logits of padding tokens before the max: far below any real logit, yet finite so
    // that 0 * penalty stays 0 and an all-padding row ends as relu(-1e9) = 0 instead of NaN.
    private const float MaskPenalty = 1e9f;

    private const int FloatType = (int)TensorProto.Types.DataType.Float;
    private const int Int64Type = (int)TensorProto.Types.DataType.Int64;
    private const int Int32Type = (int)TensorProto.Types.DataType.Int32;
    private const int BoolType = (int)TensorProto.Types.DataType.Bool;

    /// <summary>
    /// Returns a copy of <paramref name="model"/> whose only output is <paramref name="outputName"/>:
    /// float32 [batch, vocabulary], the SPLADE vector of each row with padding tokens ignored.
    /// </summary>
    /// <param name="model">The serialized ONNX model.</param>
    /// <param name="logitsOutput">The graph output holding the MLM logits [batch, sequence, vocabulary].</param>
    /// <param name="attentionMaskInput">The graph input holding the attention mask [batch, sequence] (1 = token, 0 = padding).</param>
    /// <param name="strategy">How token weights are combined.</param>
    /// <param name="activation">The saturation applied to each logit.</param>
    /// <param name="sourcePath">The file the model came from, named in exceptions.</param>
    /// <param name="outputName">The name of the new output.</param>
    /// <param name="sliceColumns">Vocabulary columns per slice when the projection feeding the logits is
    /// recognised (see <see cref="DecoderProjection"/>); 0 pools the whole logits tensor.</param>
    /// <exception cref="SpladeModelException">The bytes are not an ONNX model, or the named output or input is missing or of the wrong type.</exception>
    /// <exception cref="ArgumentException"><paramref name="outputName"/> already names a value of the graph.</exception>
    public static byte[] AppendPooling(
        byte[] model,
        string logitsOutput,
        string attentionMaskInput,
        SpladePoolingStrategy strategy,
        SpladeActivation activation,
        string? sourcePath,
        string outputName = "sparse_vector",
        int sliceColumns = DefaultSliceColumns)
    {
        ArgumentNullException.ThrowIfNull(model);
        return AppendPooling(Parse(model, sourcePath), logitsOutput, attentionMaskInput, strategy, activation, sourcePath, out _, outputName, sliceColumns);
    }

    /// <summary>
    /// As <see cref="AppendPooling(byte[], string, string, SpladePoolingStrategy, SpladeActivation, string?, string, int)"/>,
    /// for a model already parsed (a BERT-base graph is about 530 MB: parsing it once matters). The model is changed in place.
    /// </summary>
    /// <param name="proto">The parsed model, changed in place.</param>
    /// <param name="logitsOutput">As for the byte[] overload.</param>
    /// <param name="attentionMaskInput">As for the byte[] overload.</param>
    /// <param name="strategy">As for the byte[] overload.</param>
    /// <param name="activation">As for the byte[] overload.</param>
    /// <param name="sourcePath">As for the byte[] overload.</param>
    /// <param name="outputName">As for the byte[] overload.</param>
    /// <param name="sliceColumns">As for the byte[] overload.</param>
    /// <param name="slices">How many column slices the vocabulary projection was split into; 0 when the
    /// pooling reads the whole logits tensor (slicing off, or the projection not recognised).</param>
    public static byte[] AppendPooling(
        ModelProto proto,
        string logitsOutput,
        string attentionMaskInput,
        SpladePoolingStrategy strategy,
        SpladeActivation activation,
        string? sourcePath,
        out int slices,
        string outputName = "sparse_vector",
        int sliceColumns = DefaultSliceColumns)
    {
        AppendPoolingInPlace(proto, logitsOutput, attentionMaskInput, strategy, activation, sourcePath, out slices, outputName, sliceColumns);
        return proto.ToByteArray();
    }

    /// <summary>As the <see cref="ModelProto"/> overload of AppendPooling, without serializing: the caller writes the model where it wants.</summary>
    public static void AppendPoolingInPlace(
        ModelProto proto,
        string logitsOutput,
        string attentionMaskInput,
        SpladePoolingStrategy strategy,
        SpladeActivation activation,
        string? sourcePath,
        out int slices,
        string outputName = "sparse_vector",
        int sliceColumns = DefaultSliceColumns)
    {
        ArgumentNullException.ThrowIfNull(proto);
        ArgumentException.ThrowIfNullOrEmpty(logitsOutput);
        ArgumentException.ThrowIfNullOrEmpty(attentionMaskInput);
        ArgumentException.ThrowIfNullOrEmpty(outputName);
        ArgumentOutOfRangeException.ThrowIfNegative(sliceColumns);
        if (!Enum.IsDefined(strategy))
        {
            throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown pooling strategy.");
        }
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }

        var graph = proto.Graph;
        long opset = DefaultOpset(proto, sourcePath);

        var logits = graph.Output.FirstOrDefault(o => o.Name == logitsOutput)
            ?? throw new SpladeModelException(
                $"The ONNX model has no output '{logitsOutput}' (outputs: {string.Join(", ", graph.Output.Select(o => o.Name))}).", sourcePath);
        var logitsType = logits.Type?.TensorType;
        if (logitsType is not null && logitsType.ElemType != 0 && logitsType.ElemType != FloatType)
        {
            throw new SpladeModelException(
                $"The ONNX output '{logitsOutput}' has element type {(TensorProto.Types.DataType)logitsType.ElemType}; pooling in the graph needs float32.", sourcePath);
        }
        if (logitsType?.Shape is { } logitsShape && logitsShape.Dim.Count != 3)
        {
            throw new SpladeModelException(
                $"The ONNX output '{logitsOutput}' has rank {logitsShape.Dim.Count}; expected [batch, sequence, vocabulary].", sourcePath);
        }

        var mask = graph.Input.FirstOrDefault(i => i.Name == attentionMaskInput)
            ?? throw new SpladeModelException(
                $"The ONNX model has no input '{attentionMaskInput}' (inputs: {string.Join(", ", graph.Input.Select(i => i.Name))}).", sourcePath);
        int maskType = mask.Type?.TensorType?.ElemType ?? 0;
        if (maskType is not (0 or Int64Type or Int32Type))
        {
            throw new SpladeModelException(
                $"The ONNX input '{attentionMaskInput}' has element type {(TensorProto.Types.DataType)maskType}; expected int64 or int32.", sourcePath);
        }

        var builder = new Builder(graph, opset);
        if (builder.IsTaken(outputName))
        {
            throw new ArgumentException($"'{outputName}' already names a value of the ONNX graph.", nameof(outputName));
        }

        slices = 0;
        string pooled;
        if (sliceColumns > 0 && DecoderProjection.TryFind(graph, logitsOutput) is { } projection && projection.VocabularySize > sliceColumns)
        {
            foreach (var node in projection.Nodes)
            {
                graph.Node.Remove(node);
            }
            (pooled, slices) = builder.EmitSliced(projection, sliceColumns, attentionMaskInput, strategy, activation, outputName);
            RemoveUnusedInitializers(graph, [.. projection.Initializers, projection.Bias]);
        }
        else
        {
            pooled = strategy switch
            {
                SpladePoolingStrategy.Max => builder.EmitMax(logitsOutput, attentionMaskInput, activation, outputName),
                _ => builder.EmitSum(logitsOutput, attentionMaskInput, activation, outputName),
            };
        }

        graph.Output.Clear();
        graph.Output.Add(new ValueInfoProto
        {
            Name = pooled,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = FloatType,
                    Shape = new TensorShapeProto
                    {
                        Dim =
                        {
                            CopyDim(logitsType?.Shape, 0),
                            CopyDim(logitsType?.Shape, 2),
                        },
                    },
                },
            },
        });
    }

    // The projection's weight (or the bias) may have other users, such as the word-embedding Gather of tied weights.
    private static void RemoveUnusedInitializers(GraphProto graph, params string?[] names)
    {
        foreach (string? name in names)
        {
            if (name is null || graph.Node.Any(n => n.Input.Contains(name)) || graph.Output.Any(o => o.Name == name))
            {
                continue;
            }
            var tensor = graph.Initializer.FirstOrDefault(t => t.Name == name);
            if (tensor is not null)
            {
                graph.Initializer.Remove(tensor);
            }
            var input = graph.Input.FirstOrDefault(i => i.Name == name);
            if (input is not null)
            {
                graph.Input.Remove(input);
            }
        }
    }

    /// <summary>Parses a serialized ONNX model, refusing bytes that do not hold a graph with nodes and outputs.</summary>
    /// <exception cref="SpladeModelException">The bytes are not an ONNX model.</exception>
    internal static ModelProto Parse(byte[] model, string? sourcePath)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new SpladeModelException($"The file is not a valid ONNX model: {e.Message}", sourcePath, e);
        }
        // Protobuf accepts many byte strings (an empty one included) as a message with no fields.
        if (proto.Graph is null || proto.Graph.Node.Count == 0 || proto.Graph.Output.Count == 0)
        {
            throw new SpladeModelException("The file is not a valid ONNX model: it has no graph, nodes or outputs.", sourcePath);
        }
        return proto;
    }

    private static long DefaultOpset(ModelProto proto, string? sourcePath)
    {
        var import = proto.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")
            ?? throw new SpladeModelException("The ONNX model imports no version of the default (ai.onnx) operator set.", sourcePath);
        // Cast with an integer 'to' attribute needs opset 6; SPLADE exports are far newer.
        if (import.Version < 6)
        {
            throw new SpladeModelException($"The ONNX model uses operator set {import.Version}; at least 6 is needed.", sourcePath);
        }
        return import.Version;
    }

    private static TensorShapeProto.Types.Dimension CopyDim(TensorShapeProto? shape, int index) =>
        shape is not null && index < shape.Dim.Count ? shape.Dim[index].Clone() : new TensorShapeProto.Types.Dimension();

    /// <summary>Appends nodes with fresh names, choosing the operator form the opset asks for.</summary>
    private sealed class Builder
    {
        private readonly GraphProto _graph;
        private readonly long _opset;
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);
        private string? _one;

        public Builder(GraphProto graph, long opset)
        {
            _graph = graph;
            _opset = opset;
            foreach (var v in graph.Input)
            {
                _names.Add(v.Name);
            }
            foreach (var v in graph.Initializer)
            {
                _names.Add(v.Name);
            }
            foreach (var n in graph.Node)
            {
                _names.Add(n.Name);
                _names.UnionWith(n.Input);
                _names.UnionWith(n.Output);
            }
        }

        public bool IsTaken(string name) => _names.Contains(name);

        // max over unmasked tokens of f(x) = f(max over tokens of (x + (mask - 1) * 1e9)) because f is
        // monotone: one Add and one ReduceMax touch [batch, sequence, vocabulary], the activation only
        // [batch, vocabulary].
        public string EmitMax(string logits, string attentionMask, SpladeActivation activation, string outputName)
        {
            string masked = Node("Add", "masked_logits", [logits, Unsqueeze(MaskBias(Cast(attentionMask)), 2)]);
            string pooled = Reduce("ReduceMax", masked, 1);
            return Activate(pooled, activation, outputName);
        }

        // logits = hidden @ W + bias, computed in column slices [start, start + count): each slice is pooled
        // over the sequence before the next is made, so ONNX Runtime holds one [batch, sequence, count]
        // slice at a time instead of [batch, sequence, vocabulary]. For max pooling the bias is added after
        // the max: max_t(x_t + b) = max_t(x_t) + b exactly, because rounding x + b is monotone in x.
        public (string Output, int Slices) EmitSliced(DecoderProjection projection, int sliceColumns, string attentionMask, SpladePoolingStrategy strategy, SpladeActivation activation, string outputName)
        {
            bool max = strategy == SpladePoolingStrategy.Max;
            string? mask3 = max ? null : Unsqueeze(Cast(attentionMask), 2);
            var parts = new List<string>();
            string hidden = projection.Hidden;
            // int8: the hidden state is quantized once for all slices (DynamicQuantizeMatMul would quantize it
            // again for each), then each slice is an integer product scaled to float (MatMulIntegerToFloat).
            string[]? quantizedHidden = null;
            if (projection.SliceOperator.OpType == DynamicQuantization.OpType)
            {
                var quantize = NewNode("DynamicQuantizeLinear", "hidden_uint8", [hidden], null, out string hiddenUint8);
                quantize.Output.Add(Fresh("hidden_scale"));
                quantize.Output.Add(Fresh("hidden_zero_point"));
                quantizedHidden = [hiddenUint8, quantize.Output[1], quantize.Output[2]];
            }
            if (max)
            {
                // Max pooling ignores padding by giving each padding position the first token's hidden state
                // (after quantization, for int8: the rows are then equal bit for bit) on [batch, sequence, hidden],
                // instead of adding a penalty to every [batch, sequence, count] slice of logits: a row equal to the
                // first one has the first one's logits, which cannot change a maximum the first token takes part
                // in. Exact when the first token of every row is a real token, as the encoder pads ([CLS] first,
                // padding on the right).
                if (quantizedHidden is not null)
                {
                    quantizedHidden[0] = FirstTokenAtPadding(quantizedHidden[0], attentionMask);
                }
                else
                {
                    hidden = FirstTokenAtPadding(hidden, attentionMask);
                }
            }
            for (int start = 0; start < projection.VocabularySize; start += sliceColumns)
            {
                int count = Math.Min(sliceColumns, projection.VocabularySize - start);
                var constants = projection.SliceConstants(start, count).Select(c => Constant("decoder_weight", c)).ToArray();
                NodeProto product;
                string logits;
                if (quantizedHidden is not null)
                {
                    // MatMulIntegerToFloat(A uint8, B int8, A scale, B scales, A zero point, B zero points).
                    string[] inputs = constants.Length > 2
                        ? [quantizedHidden[0], constants[0], quantizedHidden[1], constants[1], quantizedHidden[2], constants[2]]
                        : [quantizedHidden[0], constants[0], quantizedHidden[1], constants[1], quantizedHidden[2]];
                    product = NewNode("MatMulIntegerToFloat", "logits_slice", inputs, null, out logits);
                    product.Domain = DynamicQuantization.MicrosoftDomain;
                }
                else
                {
                    var (opType, domain) = projection.SliceOperator;
                    product = NewNode(opType, "logits_slice", [hidden, .. constants], null, out logits);
                    product.Domain = domain;
                }
                if (max)
                {
                    parts.Add(Reduce("ReduceMax", logits, 1));
                }
                else
                {
                    if (projection.Bias is not null)
                    {
                        logits = Node("Add", "logits_slice_bias", [logits, Constant("decoder_bias", projection.BiasEntries(start, count))]);
                    }
                    string masked = Node("Mul", "masked_weights", [Activate(logits, activation, null), mask3!]);
                    parts.Add(Reduce("ReduceSum", masked, 1));
                }
            }
            var concat = NewNode("Concat", "pooled_slices", [.. parts], strategy == SpladePoolingStrategy.Sum ? outputName : null, out string pooled);
            concat.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            if (strategy == SpladePoolingStrategy.Sum)
            {
                return (pooled, parts.Count);
            }
            if (projection.Bias is not null)
            {
                pooled = Node("Add", "pooled_plus_bias", [pooled, projection.Bias]);
            }
            return (Activate(pooled, activation, outputName), parts.Count);
        }

        // Where(mask, x, x[:, 0:1, :]) for x [batch, sequence, hidden]: padding positions take the first token's row.
        private string FirstTokenAtPadding(string x, string attentionMask)
        {
            var toBool = NewNode("Cast", "mask_bool", [attentionMask], null, out string maskBool);
            toBool.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = BoolType });
            var gather = NewNode("Gather", "first_token", [x, Constant("first_index", new TensorProto { DataType = Int64Type, Dims = { 1 }, Int64Data = { 0 } })], null, out string first);
            gather.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            return Node("Where", "hidden_padding_as_first", [Unsqueeze(maskBool, 2), x, first]);
        }

        // (mask - 1) * penalty: 0 for tokens, -penalty for padding; [batch, sequence].
        private string MaskBias(string maskFloat) =>
            Node("Mul", "mask_bias", [Node("Sub", "mask_minus_one", [maskFloat, One()]), Scalar("penalty", MaskPenalty)]);

        public string EmitSum(string logits, string attentionMask, SpladeActivation activation, string outputName)
        {
            string mask3 = Unsqueeze(Cast(attentionMask), 2);
            string weights = Activate(logits, activation, null);
            string masked = Node("Mul", "masked_weights", [weights, mask3]);
            return Reduce("ReduceSum", masked, 1, outputName);
        }

        private string Activate(string x, SpladeActivation activation, string? outputName)
        {
            string relu = Node("Relu", "relu", [x]);
            string log1p = Node("Log", "log1p", [Node("Add", "relu_plus_one", [relu, One()])], activation == SpladeActivation.Relu ? outputName : null);
            if (activation == SpladeActivation.Relu)
            {
                return log1p;
            }
            return Node("Log", "log1p_log1p", [Node("Add", "log1p_plus_one", [log1p, One()])], outputName);
        }

        private string Cast(string x)
        {
            var node = NewNode("Cast", "mask_float", [x], null, out string output);
            node.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = FloatType });
            return output;
        }

        // Unsqueeze takes 'axes' as an input from opset 13 on.
        private string Unsqueeze(string x, long axis)
        {
            if (_opset >= 13)
            {
                return Node("Unsqueeze", "unsqueeze", [x, Axes(axis)]);
            }
            var node = NewNode("Unsqueeze", "unsqueeze", [x], null, out string output);
            node.Attribute.Add(IntsAttribute("axes", axis));
            return output;
        }

        // ReduceSum takes 'axes' as an input from opset 13, the other Reduce operators from opset 18.
        private string Reduce(string opType, string x, long axis, string? outputName = null)
        {
            long axesAsInputFrom = opType == "ReduceSum" ? 13 : 18;
            var keepDims = new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 };
            string stem = opType == "ReduceSum" ? "sum" : "max";
            if (_opset >= axesAsInputFrom)
            {
                var node = NewNode(opType, stem, [x, Axes(axis)], outputName, out string output);
                node.Attribute.Add(keepDims);
                return output;
            }
            else
            {
                var node = NewNode(opType, stem, [x], outputName, out string output);
                node.Attribute.Add(IntsAttribute("axes", axis));
                node.Attribute.Add(keepDims);
                return output;
            }
        }

        private string One() => _one ??= Scalar("one", 1f);

        private string Scalar(string stem, float value) =>
            Constant(stem, new TensorProto { DataType = FloatType, FloatData = { value } });

        private string Axes(long axis) =>
            Constant("axes", new TensorProto { DataType = Int64Type, Dims = { 1 }, Int64Data = { axis } });

        // Constant nodes rather than initializers: IR versions before 4 would require every
        // initializer to be listed as a graph input too.
        private string Constant(string stem, TensorProto value)
        {
            var node = NewNode("Constant", stem, [], null, out string output);
            node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = value });
            return output;
        }

        private string Node(string opType, string stem, string[] inputs, string? outputName = null)
        {
            NewNode(opType, stem, inputs, outputName, out string output);
            return output;
        }

        private NodeProto NewNode(string opType, string stem, string[] inputs, string? outputName, out string output)
        {
            output = outputName ?? Fresh(stem);
            _names.Add(output);
            var node = new NodeProto { Name = Fresh(stem + "_node"), OpType = opType, Input = { inputs }, Output = { output } };
            _graph.Node.Add(node);
            return node;
        }

        private string Fresh(string stem)
        {
            string name = Prefix + stem;
            for (int i = 2; !_names.Add(name); i++)
            {
                name = $"{Prefix}{stem}_{i}";
            }
            return name;
        }

        private static AttributeProto IntsAttribute(string name, long value) =>
            new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { value } };
    }
}
