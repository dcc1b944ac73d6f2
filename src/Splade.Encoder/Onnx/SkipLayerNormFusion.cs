using System.Runtime.InteropServices;
using Onnx;

namespace Splade.Encoder.Onnx;

/// <summary>
/// Fuses each residual <c>Add</c> followed by a layer normalization into one
/// <c>com.microsoft::SkipLayerNormalization</c> node, the form ONNX Runtime's CPU kernel computes in one pass
/// (sum, mean, variance, normalization) instead of one pass per operator. The layer normalization is recognised
/// both as ONNX's <c>LayerNormalization</c> (opset 17 and later) and as the operators a PyTorch export before
/// opset 17 writes:
/// <code>
/// y = a + b;  d = y - ReduceMean(y, -1);  out = d / Sqrt(ReduceMean(Pow(d, 2), -1) + eps) * gamma + beta
/// </code>
/// ONNX Runtime fuses the decomposed form into <c>LayerNormalization</c> itself, but did not fuse the residual
/// <c>Add</c> into it on the benchmark export (float32 or int8), so the rewrite is done here. Only a residual whose
/// one side comes from a projection (MatMul, its quantized forms, or attention, possibly through a bias Add) is
/// fused: that side is [batch, sequence, hidden] in full, as SkipLayerNormalization's input must be; the other
/// side is its skip. Anything else is left as it is.
/// </summary>
internal static class SkipLayerNormFusion
{
    public const string OpType = "SkipLayerNormalization";

    private static readonly HashSet<string> Projections = new(StringComparer.Ordinal)
    {
        "MatMul", "Gemm", DynamicQuantization.OpType, "MatMulIntegerToFloat", "Attention", DynamicQuantization.AttentionOpType,
    };

    /// <summary>Rewrites <paramref name="model"/> in place; returns how many layer normalizations were fused.</summary>
    public static int Fuse(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var g = new Index(graph);
        var fused = new List<(NodeProto Add, NodeProto Last, NodeProto Replacement)>();
        var removed = new HashSet<NodeProto>();
        foreach (var node in graph.Node)
        {
            if (TryMatch(g, node) is not { } match || match.Nodes.Any(removed.Contains))
            {
                continue;
            }
            var replacement = new NodeProto
            {
                Name = g.Fresh((string.IsNullOrEmpty(match.Add.Name) ? "residual" : match.Add.Name) + "_skip_layer_norm"),
                OpType = OpType,
                Domain = DynamicQuantization.MicrosoftDomain,
                Input = { match.Input, match.Skip, match.Gamma, match.Beta },
                Output = { match.Last.Output[0] },
            };
            replacement.Attribute.Add(new AttributeProto { Name = "epsilon", Type = AttributeProto.Types.AttributeType.Float, F = match.Epsilon });
            fused.Add((match.Add, match.Last, replacement));
            removed.UnionWith(match.Nodes);
        }
        foreach (var (add, last, replacement) in fused)
        {
            // In place of the last node: both inputs of the residual Add are computed before it.
            graph.Node[graph.Node.IndexOf(last)] = replacement;
        }
        foreach (var node in removed.Where(n => fused.All(f => f.Last != n)))
        {
            graph.Node.Remove(node);
        }
        // The Constant nodes (exponent, epsilon) and Identity nodes (shared gamma and beta) that only the removed
        // operators read: left in, ONNX Runtime would warn about each at load.
        var stale = new HashSet<string>(removed.SelectMany(n => n.Input), StringComparer.Ordinal);
        for (bool changed = true; changed;)
        {
            var read = new HashSet<string>(graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)), StringComparer.Ordinal);
            var dead = graph.Node.Where(n => n.OpType is "Constant" or "Identity" && n.Output.Count == 1 && stale.Contains(n.Output[0]) && !read.Contains(n.Output[0])).ToList();
            foreach (var node in dead)
            {
                graph.Node.Remove(node);
                stale.UnionWith(node.Input);
            }
            changed = dead.Count > 0;
        }
        if (fused.Count > 0 && !model.OpsetImport.Any(o => o.Domain == DynamicQuantization.MicrosoftDomain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = DynamicQuantization.MicrosoftDomain, Version = 1 });
        }
        return fused.Count;
    }

    private sealed record Match(NodeProto Add, NodeProto Last, string Input, string Skip, string Gamma, string Beta, float Epsilon, List<NodeProto> Nodes);

    private static Match? TryMatch(Index g, NodeProto node)
    {
        if (node is { OpType: "LayerNormalization" } && node.Domain is "" or "ai.onnx")
        {
            return TryMatchOperator(g, node);
        }
        if (node is not { OpType: "ReduceMean" } || node.Domain is not ("" or "ai.onnx") || !IsLastAxisKeepDims(g, node))
        {
            return null;
        }
        // y = a + b;  mean = ReduceMean(y);  d = y - mean
        string y = node.Input[0];
        if (g.Producer(y) is not { OpType: "Add", Input.Count: 2 } add || g.ConsumerCount(y) != 2
            || g.SingleConsumer(node.Output[0]) is not { OpType: "Sub" } sub || sub.Input[0] != y || sub.Input[1] != node.Output[0])
        {
            return null;
        }
        // d is read by Pow(d, 2) and by d / Sqrt(...)
        var users = g.Consumers(sub.Output[0]);
        if (users.Count != 2 || users.SingleOrDefault(n => n.OpType == "Pow") is not { } pow || users.SingleOrDefault(n => n.OpType == "Div") is not { } div
            || pow.Input[0] != sub.Output[0] || g.FloatConstant(pow.Input[1]) is not [2f] || div.Input[0] != sub.Output[0])
        {
            return null;
        }
        if (g.SingleConsumer(pow.Output[0]) is not { OpType: "ReduceMean" } variance || !IsLastAxisKeepDims(g, variance)
            || g.SingleConsumer(variance.Output[0]) is not { OpType: "Add" } addEps
            || OtherInput(addEps, variance.Output[0]) is not { } epsName || g.FloatConstant(epsName) is not [var epsilon]
            || g.SingleConsumer(addEps.Output[0]) is not { OpType: "Sqrt" } sqrt
            || g.SingleConsumer(sqrt.Output[0]) != div || div.Input[1] != sqrt.Output[0])
        {
            return null;
        }
        if (g.SingleConsumer(div.Output[0]) is not { OpType: "Mul" } mul || OtherInput(mul, div.Output[0]) is not { } gammaName
            || g.SingleConsumer(mul.Output[0]) is not { OpType: "Add" } addBeta || OtherInput(addBeta, mul.Output[0]) is not { } betaName
            || g.Vector(gammaName) is not { } gamma || g.Vector(betaName) is not { } beta || gamma.Dims[0] != beta.Dims[0])
        {
            return null;
        }
        return Residual(g, add, addBeta, gamma.Name, beta.Name, epsilon, [add, node, sub, pow, variance, addEps, sqrt, div, mul, addBeta]);
    }

    // Add + LayerNormalization(x, scale, bias) over the last axis, with its first output only.
    private static Match? TryMatchOperator(Index g, NodeProto ln)
    {
        var axis = ln.Attribute.FirstOrDefault(a => a.Name == "axis");
        if ((axis is not null && axis.I != -1) || ln.Input.Count != 3 || ln.Output.Count(o => o.Length > 0) != 1 || ln.Output[0].Length == 0
            || ln.Attribute.Any(a => a.Name is not ("axis" or "epsilon" or "stash_type"))
            || g.Producer(ln.Input[0]) is not { OpType: "Add", Input.Count: 2 } add || g.ConsumerCount(ln.Input[0]) != 1
            || g.Vector(ln.Input[1]) is not { } gamma || g.Vector(ln.Input[2]) is not { } beta || gamma.Dims[0] != beta.Dims[0])
        {
            return null;
        }
        float epsilon = ln.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
        return Residual(g, add, ln, gamma.Name, beta.Name, epsilon, [add, ln]);
    }

    private static Match? Residual(Index g, NodeProto add, NodeProto last, string gamma, string beta, float epsilon, List<NodeProto> nodes)
    {
        if (add.Domain is not ("" or "ai.onnx"))
        {
            return null;
        }
        for (int side = 0; side < 2; side++)
        {
            // The skip is computed (a constant skip would be a bias, which SkipLayerNormalization takes elsewhere).
            if (IsProjection(g, add.Input[side]) && !g.IsConstant(add.Input[1 - side]))
            {
                return new Match(add, last, add.Input[side], add.Input[1 - side], gamma, beta, epsilon, nodes);
            }
        }
        return null;
    }

    // A projection's output, or a bias added to one.
    private static bool IsProjection(Index g, string value)
    {
        var producer = g.Producer(value);
        if (producer is { OpType: "Add", Input.Count: 2 } biasAdd)
        {
            for (int side = 0; side < 2; side++)
            {
                if (g.Producer(biasAdd.Input[side]) is { } p && Projections.Contains(p.OpType) && g.Vector(biasAdd.Input[1 - side]) is not null)
                {
                    return true;
                }
            }
            return false;
        }
        return producer is not null && Projections.Contains(producer.OpType);
    }

    private static string? OtherInput(NodeProto node, string one) =>
        node.Input.Count != 2 ? null : node.Input[0] == one ? node.Input[1] : node.Input[1] == one ? node.Input[0] : null;

    // ReduceMean over the last axis only (attribute up to opset 17, input from 18), keeping the dimension.
    private static bool IsLastAxisKeepDims(Index g, NodeProto node)
    {
        if (node.Attribute.FirstOrDefault(a => a.Name == "keepdims") is { I: 0 })
        {
            return false;
        }
        var axes = node.Input.Count > 1 ? g.Int64Constant(node.Input[1]) : node.Attribute.FirstOrDefault(a => a.Name == "axes")?.Ints.ToArray();
        return axes is [-1];
    }

    /// <summary>Producers, consumers and constants of a graph.</summary>
    private sealed class Index(GraphProto graph) : OnnxGraphIndex(graph)
    {
        // An initializer, a Constant node's value, or either through Identity nodes (exporters share equal constants so).
        private TensorProto? Tensor(string name)
        {
            for (int depth = 0; depth < 8; depth++)
            {
                if (Initializer(name) is { } tensor)
                {
                    return tensor;
                }
                var producer = Producer(name);
                if (producer is { OpType: "Constant" })
                {
                    return producer.Attribute.FirstOrDefault(a => a.Name == "value")?.T;
                }
                if (producer is not { OpType: "Identity", Input.Count: 1 })
                {
                    return null;
                }
                name = producer.Input[0];
            }
            return null;
        }

        public bool IsConstant(string name) => Tensor(name) is not null;

        public float[]? FloatConstant(string name) =>
            Tensor(name) is { } t && DynamicQuantization.IsPlainFloat(t) ? DynamicQuantization.ReadFloats(t).ToArray() : null;

        public long[]? Int64Constant(string name) =>
            Tensor(name) is { DataType: (int)TensorProto.Types.DataType.Int64 } t
                ? (t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray() : t.Int64Data.ToArray())
                : null;

        /// <summary>A float initializer of rank 1 (through Identity nodes), or null: gamma and beta must be graph constants.</summary>
        public TensorProto? Vector(string name)
        {
            var tensor = Tensor(name);
            return tensor is not null && Initializer(tensor.Name) is not null && DynamicQuantization.IsPlainFloat(tensor) && tensor.Dims.Count == 1
                && DynamicQuantization.ReadFloats(tensor).Length == tensor.Dims[0] ? tensor : null;
        }

    }
}
