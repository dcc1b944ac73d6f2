using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Splade.Encoder.Onnx;

/// <summary>
/// Finds BERT self-attention blocks written out as plain ONNX operators and replaces each with one
/// <c>com.microsoft::Attention</c> node (float32), which <see cref="DynamicQuantization"/> then turns into
/// <c>QAttention</c>. The block recognised is the one a PyTorch export of eager BERT attention gives:
/// <code>
/// q, k, v = x @ Wq (+ bq), x @ Wk (+ bk), x @ Wv (+ bv)                    (constant weights [H, H])
/// Qh = Transpose(Reshape(q, [b, s, A, d]), 0 2 1 3), Kh likewise then transposed to [b, A, d, s], Vh likewise
/// p = Softmax(Qh @ Kh / sqrt(d) + maskBias, axis -1),  maskBias = (1 - mask[:, None, None, :]) * c
/// out = Reshape(Transpose(p @ Vh, 0 2 1 3), [b, s, H])
/// </code>
/// with A heads of size d (A * d = H) read from the Reshape's constant shape, the scale 1 / sqrt(d) checked,
/// and the mask bias traced back to the <c>attention_mask</c> input. Anything else is left as it is. The
/// fused node computes the same function (ONNX Runtime adds -10000 to the scores where the mask is 0; the
/// block's c must be -10000 or lower), with the Q, K and V projections as one product and no transposes in between.
/// </summary>
internal static class AttentionFusion
{
    private const int FloatType = (int)TensorProto.Types.DataType.Float;
    private const int Int32Type = (int)TensorProto.Types.DataType.Int32;

    // What ONNX Runtime's attention adds to the scores where the mask is 0. A model's own penalty c is accepted
    // when it is at least as large (-10000, or the float minimum of newer exports): exp(score + c) is 0 in
    // float32 either way, so the softmax is the same; milder penalties are left unfused.
    private const float DefaultMaskValue = -10000f;

    /// <summary>Rewrites the attention blocks of <paramref name="model"/> in place; returns how many.</summary>
    /// <param name="model">The parsed model.</param>
    /// <param name="attentionMaskInput">The graph input holding the attention mask [batch, sequence].</param>
    public static int Fuse(ModelProto model, string attentionMaskInput)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        if (!graph.Input.Any(i => i.Name == attentionMaskInput))
        {
            return 0;
        }
        var index = new GraphIndex(graph);
        var blocks = new List<Block>();
        foreach (var softmax in graph.Node.Where(n => n.OpType == "Softmax" && n.Domain is "" or "ai.onnx").ToList())
        {
            if (TryMatch(index, softmax, attentionMaskInput) is { } block)
            {
                blocks.Add(block);
            }
        }
        if (blocks.Count == 0)
        {
            return 0;
        }

        string maskInt32 = index.Fresh("splade_attention_mask_int32");
        var cast = new NodeProto { Name = index.Fresh("splade_attention_mask_cast"), OpType = "Cast", Input = { attentionMaskInput }, Output = { maskInt32 } };
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = Int32Type });
        graph.Node.Insert(0, cast);

        foreach (var block in blocks)
        {
            int hidden = block.Hidden;
            var weight = new float[hidden * 3 * hidden];
            var bias = new float[3 * hidden];
            for (int part = 0; part < 3; part++)
            {
                var w = block.Weights[part];
                for (int row = 0; row < hidden; row++)
                {
                    w.AsSpan(row * hidden, hidden).CopyTo(weight.AsSpan(row * 3 * hidden + part * hidden, hidden));
                }
                block.Biases[part]?.CopyTo(bias.AsSpan(part * hidden, hidden));
            }
            string stem = index.Fresh("splade_attention");
            var weightTensor = FloatTensor(index.Fresh(stem + "_qkv_weight"), weight, hidden, 3 * hidden);
            var biasTensor = FloatTensor(index.Fresh(stem + "_qkv_bias"), bias, 3 * hidden);
            graph.Initializer.Add(weightTensor);
            graph.Initializer.Add(biasTensor);
            var attention = new NodeProto
            {
                Name = stem,
                OpType = "Attention",
                Domain = DynamicQuantization.MicrosoftDomain,
                Input = { block.Input, weightTensor.Name, biasTensor.Name, maskInt32 },
                Output = { block.Output },
            };
            attention.Attribute.Add(new AttributeProto { Name = "num_heads", Type = AttributeProto.Types.AttributeType.Int, I = block.Heads });
            // In place of the node that produced the block's output: every input is computed before it.
            int at = graph.Node.IndexOf(block.OutputNode);
            graph.Node[at] = attention;
        }
        RemoveDeadNodes(graph);
        if (!model.OpsetImport.Any(o => o.Domain == DynamicQuantization.MicrosoftDomain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = DynamicQuantization.MicrosoftDomain, Version = 1 });
        }
        return blocks.Count;
    }

    private sealed record Block(string Input, string Output, NodeProto OutputNode, int Hidden, int Heads, float[][] Weights, float[]?[] Biases);

    private static Block? TryMatch(GraphIndex g, NodeProto softmax, string maskInput)
    {
        var axis = softmax.Attribute.FirstOrDefault(a => a.Name == "axis");
        if (axis is not null && axis.I is not (-1 or 3))
        {
            return null;
        }
        // Softmax(scores + maskBias)
        if (g.Producer(softmax.Input[0]) is not { OpType: "Add" } maskAdd)
        {
            return null;
        }
        NodeProto? scaled = null;
        for (int side = 0; side < 2 && scaled is null; side++)
        {
            if (g.Producer(maskAdd.Input[side]) is { OpType: "Div" or "Mul" } s && TryMaskBias(g, maskAdd.Input[1 - side], maskInput))
            {
                scaled = s;
            }
        }
        if (scaled is null || g.Producer(scaled.Input[0]) is not { OpType: "MatMul" } scores || g.Constant(scaled.Input[1]) is not { Length: 1 } scaleValues)
        {
            return null;
        }
        // p @ Vh -> Transpose(0 2 1 3) -> Reshape [b, s, H]
        if (g.SingleConsumer(softmax.Output[0]) is not { OpType: "MatMul" } context || context.Input[0] != softmax.Output[0]
            || g.SingleConsumer(context.Output[0]) is not { OpType: "Transpose" } merge || !HasPerm(merge, 0, 2, 1, 3)
            || g.SingleConsumer(merge.Output[0]) is not { OpType: "Reshape" } output)
        {
            return null;
        }
        if (Heads(g, scores.Input[0], transposes: [[0, 2, 1, 3]]) is not { } q
            || (Heads(g, scores.Input[1], transposes: [[0, 2, 3, 1]]) ?? Heads(g, scores.Input[1], transposes: [[0, 1, 3, 2], [0, 2, 1, 3]])) is not { } k
            || Heads(g, context.Input[1], transposes: [[0, 2, 1, 3]]) is not { } v)
        {
            return null;
        }
        if (q.Input != k.Input || q.Input != v.Input || q.Hidden != k.Hidden || q.Hidden != v.Hidden
            || q.Heads != k.Heads || q.Heads != v.Heads || q.HeadSize != k.HeadSize || q.HeadSize != v.HeadSize)
        {
            return null;
        }
        // The scale must be 1 / sqrt(head size), the Attention operator's default.
        double scale = scaled.OpType == "Div" ? 1.0 / scaleValues[0] : scaleValues[0];
        if (Math.Abs(scale * Math.Sqrt(q.HeadSize) - 1) > 1e-5)
        {
            return null;
        }
        // The output Reshape must give [b, s, H]: a constant shape whose last entry is H.
        if (g.ShapeConstant(output.Input[1]) is not { Length: 3 } outShape || outShape[2] != q.Hidden)
        {
            return null;
        }
        return new Block(q.Input, output.Output[0], output, q.Hidden, q.Heads, [q.Weight, k.Weight, v.Weight], [q.Bias, k.Bias, v.Bias]);
    }

    private sealed record Projection(string Input, float[] Weight, float[]? Bias, int Hidden, int Heads, int HeadSize);

    // Transpose(s)(Reshape(x @ W (+ b), [*, *, A, d])), W constant [H, H], A * d = H.
    private static Projection? Heads(GraphIndex g, string value, int[][] transposes)
    {
        string current = value;
        foreach (var perm in transposes)
        {
            if (g.Producer(current) is not { OpType: "Transpose" } t || !HasPerm(t, perm) || g.ConsumerCount(current) != 1)
            {
                return null;
            }
            current = t.Input[0];
        }
        if (g.Producer(current) is not { OpType: "Reshape" } reshape || g.ConsumerCount(current) != 1
            || g.ShapeConstant(reshape.Input[1]) is not { Length: 4 } shape)
        {
            return null;
        }
        string linear = reshape.Input[0];
        if (g.ConsumerCount(linear) != 1)
        {
            return null;
        }
        float[]? bias = null;
        var node = g.Producer(linear);
        if (node is { OpType: "Add" })
        {
            int side = g.Producer(node.Input[0]) is { OpType: "MatMul" } ? 0 : 1;
            bias = g.Constant(node.Input[1 - side]);
            if (bias is null || g.ConsumerCount(node.Input[side]) != 1)
            {
                return null;
            }
            node = g.Producer(node.Input[side]);
        }
        if (node is not { OpType: "MatMul" } matMul)
        {
            return null;
        }
        // W, or Transpose(W^T) as torch exports nn.Linear without constant folding.
        string weightName = matMul.Input[1];
        bool transposed = false;
        if (g.Producer(weightName) is { OpType: "Transpose" } wt && HasPerm(wt, 1, 0))
        {
            weightName = wt.Input[0];
            transposed = true;
        }
        if (!g.TryInitializer(weightName, out var w) || w.Dims.Count != 2 || w.Dims[0] != w.Dims[1])
        {
            return null;
        }
        int hidden = (int)w.Dims[0];
        long headSize = shape[3];
        // view(b, s, A, d), or view(b, s, -1, d) with A inferred.
        long heads = shape[2] == -1 && headSize > 0 && hidden % headSize == 0 ? hidden / headSize : shape[2];
        if (heads <= 0 || headSize <= 0 || heads * headSize != hidden || (bias is not null && bias.Length != hidden))
        {
            return null;
        }
        var weight = DynamicQuantization.ReadFloats(w).ToArray();
        if (weight.Length != hidden * hidden)
        {
            return null;
        }
        if (transposed)
        {
            var copy = new float[weight.Length];
            for (int r = 0; r < hidden; r++)
            {
                for (int c = 0; c < hidden; c++)
                {
                    copy[c * hidden + r] = weight[r * hidden + c];
                }
            }
            weight = copy;
        }
        return new Projection(matMul.Input[0], weight, bias, hidden, (int)heads, (int)headSize);
    }

    // (1 - m) * c or c * (1 - m) with c <= -10000, where m comes from the attention mask through Unsqueeze and Cast only.
    private static bool TryMaskBias(GraphIndex g, string value, string maskInput)
    {
        if (g.Producer(value) is not { OpType: "Mul" } mul)
        {
            return false;
        }
        for (int side = 0; side < 2; side++)
        {
            if (g.Constant(mul.Input[side]) is { Length: 1 } c && g.Producer(mul.Input[1 - side]) is { OpType: "Sub" } sub
                && g.Constant(sub.Input[0]) is [1f] && FromMask(g, sub.Input[1], maskInput) && c[0] <= DefaultMaskValue)
            {
                return true;
            }
        }
        return false;
    }

    // m must be the mask as [batch, 1, 1, sequence]: Unsqueeze and Cast nodes only, back to the graph input.
    private static bool FromMask(GraphIndex g, string value, string maskInput)
    {
        var unsqueezes = new List<long[]>();
        for (int depth = 0; depth < 8 && value != maskInput; depth++)
        {
            if (g.Producer(value) is not { OpType: "Unsqueeze" or "Cast" } node)
            {
                return false;
            }
            if (node.OpType == "Unsqueeze")
            {
                if (g.UnsqueezeAxes(node) is not { } axes)
                {
                    return false;
                }
                unsqueezes.Insert(0, axes);
            }
            value = node.Input[0];
        }
        if (value != maskInput)
        {
            return false;
        }
        var dims = new List<string> { "batch", "sequence" };
        foreach (var axes in unsqueezes)
        {
            int rank = dims.Count + axes.Length;
            foreach (long axis in axes.Select(a => a < 0 ? a + rank : a).Order())
            {
                if (axis < 0 || axis > dims.Count)
                {
                    return false;
                }
                dims.Insert((int)axis, "1");
            }
        }
        return dims.SequenceEqual(["batch", "1", "1", "sequence"]);
    }

    private static bool HasPerm(NodeProto transpose, params int[] perm)
    {
        var attribute = transpose.Attribute.FirstOrDefault(a => a.Name == "perm");
        return attribute is not null && attribute.Ints.SequenceEqual(perm.Select(p => (long)p));
    }

    private static void RemoveDeadNodes(GraphProto graph)
    {
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        bool changed = true;
        while (changed)
        {
            var used = new HashSet<string>(graph.Node.SelectMany(n => n.Input), StringComparer.Ordinal);
            used.UnionWith(outputs);
            var dead = graph.Node.Where(n => n.Output.All(o => o.Length == 0 || !used.Contains(o))).ToList();
            changed = dead.Count > 0;
            foreach (var node in dead)
            {
                graph.Node.Remove(node);
            }
        }
        var stillUsed = new HashSet<string>(graph.Node.SelectMany(n => n.Input), StringComparer.Ordinal);
        stillUsed.UnionWith(outputs);
        foreach (var tensor in graph.Initializer.Where(t => !stillUsed.Contains(t.Name)).ToList())
        {
            graph.Initializer.Remove(tensor);
            var input = graph.Input.FirstOrDefault(i => i.Name == tensor.Name);
            if (input is not null)
            {
                graph.Input.Remove(input);
            }
        }
    }

    private static TensorProto FloatTensor(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = FloatType, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>Producers, consumer counts, initializers and Constant nodes of a graph, for pattern matching.</summary>
    private sealed class GraphIndex(GraphProto graph) : OnnxGraphIndex(graph)
    {
        /// <summary>A shape entry known only at run time.</summary>
        public const long Computed = long.MinValue;

        public bool TryInitializer(string name, out TensorProto tensor) =>
            (tensor = Initializer(name)!) is not null && DynamicQuantization.IsPlainFloat(tensor);

        private TensorProto? ConstantTensor(string name)
        {
            if (Initializer(name) is { } tensor)
            {
                return tensor;
            }
            return Producer(name) is { OpType: "Constant" } c ? c.Attribute.FirstOrDefault(a => a.Name == "value")?.T : null;
        }

        /// <summary>A constant float tensor's values, or null.</summary>
        public float[]? Constant(string name) =>
            ConstantTensor(name) is { } t && DynamicQuantization.IsPlainFloat(t) ? DynamicQuantization.ReadFloats(t).ToArray() : null;

        private long[]? Int64Constant(string name)
        {
            // A scalar constant made a [1] tensor by Unsqueeze, as exporters build shapes.
            if (Producer(name) is { OpType: "Unsqueeze" } u && Int64Constant(u.Input[0]) is { Length: 1 } scalar)
            {
                return scalar;
            }
            if (ConstantTensor(name) is not { DataType: (int)TensorProto.Types.DataType.Int64 } t)
            {
                return null;
            }
            return t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray() : t.Int64Data.ToArray();
        }

        /// <summary>
        /// A Reshape target shape: a constant, or a Concat whose parts are constants or computed (such as
        /// the batch and sequence lengths read from Shape): computed entries are returned as <see cref="Computed"/>.
        /// </summary>
        public long[]? ShapeConstant(string name)
        {
            if (Int64Constant(name) is { } constant)
            {
                return constant;
            }
            if (Producer(name) is not { OpType: "Concat" } concat)
            {
                return null;
            }
            var shape = new List<long>();
            foreach (string part in concat.Input)
            {
                if (Int64Constant(part) is { } values)
                {
                    shape.AddRange(values);
                }
                else
                {
                    shape.Add(Computed); // one computed entry per part (Unsqueeze of a Gather of Shape)
                }
            }
            return [.. shape];
        }

        public long[]? UnsqueezeAxes(NodeProto node)
        {
            if (node.Input.Count > 1)
            {
                return Int64Constant(node.Input[1]);
            }
            return node.Attribute.FirstOrDefault(a => a.Name == "axes")?.Ints.ToArray();
        }

    }
}
