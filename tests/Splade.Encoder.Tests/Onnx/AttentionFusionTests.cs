using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Splade.Encoder.Onnx;
using Xunit.Abstractions;

namespace Splade.Encoder.Tests.Onnx;

/// <summary>
/// The self-attention fusion of the int8 quantizer, on a one-layer attention block built here as a PyTorch
/// export of eager BERT attention writes it (hidden 16, 2 heads of 8, seeded random weights, padded inputs).
/// </summary>
public sealed class AttentionFusionTests
{
    private const int Hidden = 16;
    private const int Heads = 2;
    private const int HeadSize = Hidden / Heads;
    private const int Seed = 20261202;

    private readonly ITestOutputHelper _output;

    public AttentionFusionTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Fuse_ReplacesTheBlockWithOneAttentionNode_ThatComputesTheSameOutput()
    {
        var original = BuildBlock(scale: MathF.Sqrt(HeadSize));
        var fused = original.Clone();
        Assert.Equal(1, AttentionFusion.Fuse(fused, "attention_mask"));

        var attention = Assert.Single(fused.Graph.Node, n => n.OpType == "Attention");
        Assert.Equal(DynamicQuantization.MicrosoftDomain, attention.Domain);
        Assert.Equal(Heads, attention.Attribute.Single(a => a.Name == "num_heads").I);
        Assert.DoesNotContain(fused.Graph.Node, n => n.OpType is "Softmax" or "Transpose" or "Reshape");
        Assert.Equal(2, fused.Graph.Node.Count(n => n.OpType == "MatMul")); // the output projection and the layer after it

        var (x, mask) = Inputs(out int batch, out int sequence);
        float[] expected = Run(original, x, mask, batch, sequence, optimize: false);
        float[] actual = Run(fused, x, mask, batch, sequence);
        double maxDiff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        _output.WriteLine($"seed {Seed}: float Attention vs the plain operators, max |difference| {maxDiff:E2} over {expected.Length} values");
        Assert.True(maxDiff < 1e-5, $"max difference {maxDiff}");
    }

    [Fact]
    public void Quantize_TurnsTheBlockIntoQAttention_CloseToFloat_AndDeterministic()
    {
        var original = BuildBlock(scale: MathF.Sqrt(HeadSize));
        var first = original.Clone();
        var result = DynamicQuantization.Quantize(first, logitsOutput: null, quantizeProjection: true, attentionMaskInput: "attention_mask");
        Assert.Equal(1, result.Attention);
        Assert.Equal(2, result.Quantized); // the output projection and the layer after it
        var q = Assert.Single(first.Graph.Node, n => n.OpType == DynamicQuantization.AttentionOpType);
        Assert.Equal(DynamicQuantization.MicrosoftDomain, q.Domain);
        Assert.Contains(first.Graph.Node, n => n.OpType == "DynamicQuantizeLinear" && n.Output[0] == q.Input[0]);
        Assert.DoesNotContain(first.Graph.Node, n => n.OpType is "MatMul" or "Attention");

        var second = original.Clone();
        DynamicQuantization.Quantize(second, logitsOutput: null, quantizeProjection: true, attentionMaskInput: "attention_mask");
        Assert.Equal(first.ToByteArray(), second.ToByteArray());

        var (x, mask) = Inputs(out int batch, out int sequence);
        float[] expected = Run(original, x, mask, batch, sequence, optimize: false);
        float[] actual = Run(first, x, mask, batch, sequence);
        double maxAbs = expected.Max(v => Math.Abs(v));
        double maxDiff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        _output.WriteLine($"seed {Seed}: int8 QAttention vs float32, max |difference| {maxDiff:E2}, largest |value| {maxAbs:E2}");
        // int8 weights and uint8 activations: a few percent of the output's range.
        Assert.True(maxDiff < 0.05 * maxAbs, $"max difference {maxDiff} against values up to {maxAbs}");
    }

    [Fact]
    public void Fuse_LeavesABlockWithAnotherScaleAlone()
    {
        var model = BuildBlock(scale: 3f);
        int nodes = model.Graph.Node.Count;
        Assert.Equal(0, AttentionFusion.Fuse(model, "attention_mask"));
        Assert.Equal(nodes, model.Graph.Node.Count);
        var result = DynamicQuantization.Quantize(model, logitsOutput: null, quantizeProjection: true, attentionMaskInput: "attention_mask");
        Assert.Equal(0, result.Attention);
        Assert.Equal(5, result.Quantized); // q, k, v, the output projection, the layer after it
    }

    [Fact]
    public void Fuse_TakesTheFloatMinimumAsMaskPenalty_ButNotAMildOne()
    {
        // exp(score - 10000) and exp(score + float.MinValue) are both 0 in float32: the same softmax.
        var strong = BuildBlock(scale: MathF.Sqrt(HeadSize), penalty: float.MinValue);
        var original = strong.Clone();
        Assert.Equal(1, AttentionFusion.Fuse(strong, "attention_mask"));
        var (x, mask) = Inputs(out int batch, out int sequence);
        double maxDiff = Run(original, x, mask, batch, sequence, optimize: false).Zip(Run(strong, x, mask, batch, sequence), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff < 1e-5, $"max difference {maxDiff}");

        Assert.Equal(0, AttentionFusion.Fuse(BuildBlock(scale: MathF.Sqrt(HeadSize), penalty: -100f), "attention_mask"));
    }

    private static (float[] X, long[] Mask) Inputs(out int batch, out int sequence)
    {
        batch = 3;
        sequence = 7;
        var random = new Random(Seed + 1);
        var x = new float[batch * sequence * Hidden];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(random.NextDouble() * 2 - 1);
        }
        int[] lengths = [7, 4, 1];
        var mask = new long[batch * sequence];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < lengths[b]; t++)
            {
                mask[b * sequence + t] = 1;
            }
        }
        return (x, mask);
    }

    // The reference runs without graph optimizations, so that ONNX Runtime's own fusions cannot make both sides one kernel.
    private static float[] Run(ModelProto model, float[] x, long[] mask, int batch, int sequence, bool optimize = true)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = optimize ? GraphOptimizationLevel.ORT_ENABLE_ALL : GraphOptimizationLevel.ORT_DISABLE_ALL,
            IntraOpNumThreads = 1,
        };
        using var session = new InferenceSession(model.ToByteArray(), options);
        using var xValue = OrtValue.CreateTensorValueFromMemory(x, [batch, sequence, Hidden]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [batch, sequence]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["x", "attention_mask"], [xValue, maskValue], ["y"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    // y = (attention(x) @ Wo + bo) @ W2: the block as torch.onnx.export (opset 14) writes it, with the
    // scores divided by `scale` (sqrt(head size) in BERT) and the mask bias (1 - mask[:, None, None, :]) * -10000.
    private static ModelProto BuildBlock(float scale, float penalty = -10000f)
    {
        var random = new Random(Seed);
        var graph = new GraphProto { Name = "attention_block" };
        graph.Input.Add(ValueInfo("x", TensorProto.Types.DataType.Float, "batch", "sequence", Hidden.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        graph.Input.Add(ValueInfo("attention_mask", TensorProto.Types.DataType.Int64, "batch", "sequence"));
        graph.Output.Add(ValueInfo("y", TensorProto.Types.DataType.Float, "batch", "sequence", Hidden.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        void Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = output + "_node", Output = { output } };
            node.Input.AddRange(inputs);
            node.Attribute.AddRange(attributes);
            graph.Node.Add(node);
        }
        void Init(string name, float[] values, params long[] dims)
        {
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
            t.Dims.AddRange(dims);
            graph.Initializer.Add(t);
        }
        void Const(string name, long[] values, bool scalar = false)
        {
            var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 };
            t.Int64Data.AddRange(values);
            if (!scalar)
            {
                t.Dims.Add(values.Length);
            }
            Node("Constant", [], name, new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = t });
        }
        void FloatConst(string name, float value) =>
            Node("Constant", [], name, new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, FloatData = { value } } });
        float[] Values(int n, double range) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2 - 1) * range)).ToArray();
        AttributeProto Perm(params long[] perm) => new() { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints, Ints = { perm } };

        // mask bias [b, 1, 1, s]
        Const("axis1", [1]);
        Const("axis2", [2]);
        Node("Unsqueeze", ["attention_mask", "axis1"], "mask_u1");
        Node("Unsqueeze", ["mask_u1", "axis2"], "mask_u2");
        Node("Cast", ["mask_u2"], "mask_f", new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (int)TensorProto.Types.DataType.Float });
        FloatConst("one", 1f);
        Node("Sub", ["one", "mask_f"], "mask_inv");
        FloatConst("penalty", penalty);
        Node("Mul", ["mask_inv", "penalty"], "mask_bias");

        // [b, s, A, d] from the input's shape
        Node("Shape", ["x"], "x_shape");
        Const("zero", [0], scalar: true);
        Const("one_index", [1], scalar: true);
        Node("Gather", ["x_shape", "zero"], "b");
        Node("Gather", ["x_shape", "one_index"], "s");
        Const("axis0", [0]);
        Node("Unsqueeze", ["b", "axis0"], "b1");
        Node("Unsqueeze", ["s", "axis0"], "s1");
        Const("heads", [Heads]);
        Const("head_size", [HeadSize]);
        Node("Concat", ["b1", "s1", "heads", "head_size"], "heads_shape", new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });

        foreach (string p in new[] { "q", "k", "v" })
        {
            Init($"{p}_w", Values(Hidden * Hidden, 0.5), Hidden, Hidden);
            Init($"{p}_b", Values(Hidden, 0.1), Hidden);
            Node("MatMul", ["x", $"{p}_w"], $"{p}_mm");
            Node("Add", [$"{p}_b", $"{p}_mm"], $"{p}_lin");
            Node("Reshape", [$"{p}_lin", "heads_shape"], $"{p}_4d");
        }
        Node("Transpose", ["q_4d"], "qh", Perm(0, 2, 1, 3));
        Node("Transpose", ["k_4d"], "kh", Perm(0, 2, 3, 1));
        Node("Transpose", ["v_4d"], "vh", Perm(0, 2, 1, 3));
        Node("MatMul", ["qh", "kh"], "scores");
        Node("Constant", [], "scale", new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, FloatData = { scale } } });
        Node("Div", ["scores", "scale"], "scaled");
        Node("Add", ["scaled", "mask_bias"], "masked");
        Node("Softmax", ["masked"], "probs", new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = -1 });
        Node("MatMul", ["probs", "vh"], "context");
        Node("Transpose", ["context"], "context_t", Perm(0, 2, 1, 3));
        Const("hidden_size", [Hidden]);
        Node("Concat", ["b1", "s1", "hidden_size"], "out_shape", new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        Node("Reshape", ["context_t", "out_shape"], "attended");
        Init("o_w", Values(Hidden * Hidden, 0.5), Hidden, Hidden);
        Init("o_b", Values(Hidden, 0.1), Hidden);
        Node("MatMul", ["attended", "o_w"], "o_mm");
        Node("Add", ["o_mm", "o_b"], "o_lin");
        Init("w2", Values(Hidden * Hidden, 0.5), Hidden, Hidden);
        Node("MatMul", ["o_lin", "w2"], "y");

        var model = new ModelProto { IrVersion = 8, ProducerName = "AttentionFusionTests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        return model;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, params string[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (string d in dims)
        {
            shape.Dim.Add(int.TryParse(d, out int v) ? new TensorShapeProto.Types.Dimension { DimValue = v } : new TensorShapeProto.Types.Dimension { DimParam = d });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}
