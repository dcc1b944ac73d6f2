using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Splade.Encoder.Onnx;
using Xunit.Abstractions;

namespace Splade.Encoder.Tests.Onnx;

/// <summary>
/// The residual Add + layer normalization fusion of the int8 quantizer, on a one-layer block built here as a
/// PyTorch export writes it (y = LayerNorm(x + (x @ W + b)), hidden 16, seeded random weights), both with the
/// layer normalization decomposed (opset 14) and as ONNX's LayerNormalization operator (opset 17).
/// </summary>
public sealed class SkipLayerNormFusionTests
{
    private const int Hidden = 16;
    private const int Seed = 20261203;
    private const float Epsilon = 1e-12f;

    private readonly ITestOutputHelper _output;

    public SkipLayerNormFusionTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Fuse_ReplacesAddAndLayerNorm_WithOneNode_ThatComputesTheSameOutput(bool decomposed)
    {
        var original = BuildBlock(decomposed, residualFromProjection: true);
        var fused = original.Clone();
        Assert.Equal(1, SkipLayerNormFusion.Fuse(fused));

        var node = Assert.Single(fused.Graph.Node, n => n.OpType == SkipLayerNormFusion.OpType);
        Assert.Equal(DynamicQuantization.MicrosoftDomain, node.Domain);
        Assert.Equal(Epsilon, node.Attribute.Single(a => a.Name == "epsilon").F);
        Assert.DoesNotContain(fused.Graph.Node, n => n.OpType is "ReduceMean" or "Sqrt" or "Pow" or "LayerNormalization");
        Assert.Single(fused.Graph.Node, n => n.OpType == "Add"); // the projection's bias only
        Assert.DoesNotContain(fused.Graph.Node, n => n.OpType is "Constant" or "Identity"); // nothing reads them any more
        Assert.Contains(fused.OpsetImport, o => o.Domain == DynamicQuantization.MicrosoftDomain);

        var x = Inputs(out int batch, out int sequence);
        float[] expected = Run(original, x, batch, sequence, optimize: false);
        float[] actual = Run(fused, x, batch, sequence);
        double maxDiff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        _output.WriteLine($"seed {Seed}, decomposed {decomposed}: SkipLayerNormalization vs the plain operators, max |difference| {maxDiff:E2} over {expected.Length} values");
        // Normalized values of order 1: float32 rounding of the mean and variance only.
        Assert.True(maxDiff < 1e-5, $"max difference {maxDiff}");
    }

    [Fact]
    public void Fuse_LeavesAResidualWithoutAProjectionAlone()
    {
        // x + x: no side is a projection's [batch, sequence, hidden] output, so the shapes are not known to fit.
        var model = BuildBlock(decomposed: true, residualFromProjection: false);
        int nodes = model.Graph.Node.Count;
        Assert.Equal(0, SkipLayerNormFusion.Fuse(model));
        Assert.Equal(nodes, model.Graph.Node.Count);
    }

    [Fact]
    public void Quantize_FusesAfterQuantizing_AndIsDeterministic()
    {
        var original = BuildBlock(decomposed: true, residualFromProjection: true);
        var first = original.Clone();
        var result = DynamicQuantization.Quantize(first, logitsOutput: null, quantizeProjection: true, fuseSkipLayerNorm: true);
        Assert.Equal(1, result.SkipLayerNorms);
        var node = Assert.Single(first.Graph.Node, n => n.OpType == SkipLayerNormFusion.OpType);
        Assert.Contains(first.Graph.Node, n => n.OpType == DynamicQuantization.OpType && n.Output[0] == node.Input[0]);

        var second = original.Clone();
        DynamicQuantization.Quantize(second, logitsOutput: null, quantizeProjection: true, fuseSkipLayerNorm: true);
        Assert.Equal(first.ToByteArray(), second.ToByteArray());

        var x = Inputs(out int batch, out int sequence);
        float[] expected = Run(original, x, batch, sequence, optimize: false);
        float[] actual = Run(first, x, batch, sequence);
        double maxDiff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        _output.WriteLine($"seed {Seed}: int8 projection + SkipLayerNormalization vs float32, max |difference| {maxDiff:E2}");
        // int8 weights and uint8 activations before a normalization to unit variance.
        Assert.True(maxDiff < 0.05, $"max difference {maxDiff}");
    }

    private static float[] Inputs(out int batch, out int sequence)
    {
        batch = 3;
        sequence = 5;
        var random = new Random(Seed + 1);
        var x = new float[batch * sequence * Hidden];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return x;
    }

    // The reference runs without graph optimizations, so that ONNX Runtime's own fusions cannot make both sides one kernel.
    private static float[] Run(ModelProto model, float[] x, int batch, int sequence, bool optimize = true)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = optimize ? GraphOptimizationLevel.ORT_ENABLE_ALL : GraphOptimizationLevel.ORT_DISABLE_ALL,
            IntraOpNumThreads = 1,
        };
        using var session = new InferenceSession(model.ToByteArray(), options);
        using var xValue = OrtValue.CreateTensorValueFromMemory(x, [batch, sequence, Hidden]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["x"], [xValue], ["y"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    // y = LayerNorm(x + (x @ W + b)) * gamma + beta, as torch.onnx.export writes nn.LayerNorm: decomposed at opset 14
    // (gamma and beta reached through Identity nodes, as the exporter shares equal constants), the operator at opset 17.
    // Without the projection the residual is x + x.
    private static ModelProto BuildBlock(bool decomposed, bool residualFromProjection)
    {
        var random = new Random(Seed);
        var graph = new GraphProto { Name = "skip_layer_norm_block" };
        string h = Hidden.ToString(CultureInfo.InvariantCulture);
        graph.Input.Add(ValueInfo("x", "batch", "sequence", h));
        graph.Output.Add(ValueInfo("y", "batch", "sequence", h));

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
        void FloatConst(string name, float value) =>
            Node("Constant", [], name, new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, FloatData = { value } } });
        float[] Values(int n, double range, double offset = 0) => Enumerable.Range(0, n).Select(_ => (float)(offset + (random.NextDouble() * 2 - 1) * range)).ToArray();
        AttributeProto Ints(string name, params long[] values) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { values } };

        string other = "x";
        if (residualFromProjection)
        {
            Init("w", Values(Hidden * Hidden, 0.5), Hidden, Hidden);
            Init("b", Values(Hidden, 0.1), Hidden);
            Node("MatMul", ["x", "w"], "mm");
            Node("Add", ["b", "mm"], "projected");
            other = "projected";
        }
        Node("Add", ["x", other], "sum");
        Init("ln_weight", Values(Hidden, 0.2, 1.0), Hidden);
        Init("ln_bias", Values(Hidden, 0.1), Hidden);
        if (decomposed)
        {
            Node("Identity", ["ln_weight"], "gamma");
            Node("Identity", ["ln_bias"], "beta");
            Node("ReduceMean", ["sum"], "mean", Ints("axes", -1));
            Node("Sub", ["sum", "mean"], "centered");
            FloatConst("two", 2f);
            Node("Pow", ["centered", "two"], "squared");
            Node("ReduceMean", ["squared"], "variance", Ints("axes", -1));
            FloatConst("epsilon", Epsilon);
            Node("Add", ["variance", "epsilon"], "variance_eps");
            Node("Sqrt", ["variance_eps"], "deviation");
            Node("Div", ["centered", "deviation"], "normalized");
            Node("Mul", ["normalized", "gamma"], "scaled");
            Node("Add", ["scaled", "beta"], "y");
        }
        else
        {
            Node("LayerNormalization", ["sum", "ln_weight", "ln_bias"], "y",
                new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = -1 },
                new AttributeProto { Name = "epsilon", Type = AttributeProto.Types.AttributeType.Float, F = Epsilon });
        }

        var model = new ModelProto { IrVersion = 8, ProducerName = "SkipLayerNormFusionTests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = decomposed ? 14 : 17 });
        return model;
    }

    private static ValueInfoProto ValueInfo(string name, params string[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (string d in dims)
        {
            shape.Dim.Add(int.TryParse(d, out int v) ? new TensorShapeProto.Types.Dimension { DimValue = v } : new TensorShapeProto.Types.Dimension { DimParam = d });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } };
    }
}
