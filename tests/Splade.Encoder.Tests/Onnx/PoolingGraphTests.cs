using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Splade.Encoder.Onnx;
using Splade.Encoder.Pooling;
using Xunit.Abstractions;

namespace Splade.Encoder.Tests.Onnx;

public sealed class PoolingGraphTests : IClassFixture<PoolingGraphTests.Sessions>
{
    private const int Vocab = PoolingTestModel.VocabularySize;

    private readonly Sessions _sessions;
    private readonly ITestOutputHelper _output;

    public PoolingGraphTests(Sessions sessions, ITestOutputHelper output)
    {
        _sessions = sessions;
        _output = output;
    }

    /// <summary>Sessions shared by the tests: creating them dominates the run time.</summary>
    public sealed class Sessions : IDisposable
    {
        public Sessions()
        {
            Golden = PoolingTestModel.LoadGolden();
            Logits = PoolingTestModel.CreateSession(PoolingTestModel.ModelBytes);
            Reference = PoolingTestModel.CreateSession(PoolingTestModel.PooledModelBytes);
            MaxRelu = PoolingTestModel.CreateSession(Rewrite(PoolingTestModel.ModelBytes, SpladePoolingStrategy.Max, SpladeActivation.Relu));
        }

        internal IReadOnlyList<GoldenEncoding> Golden { get; }

        public InferenceSession Logits { get; }

        public InferenceSession Reference { get; }

        public InferenceSession MaxRelu { get; }

        public void Dispose()
        {
            Logits.Dispose();
            Reference.Dispose();
            MaxRelu.Dispose();
        }
    }

    private static byte[] Rewrite(byte[] model, SpladePoolingStrategy strategy, SpladeActivation activation) =>
        PoolingGraph.AppendPooling(model, "logits", "attention_mask", strategy, activation, PoolingTestModel.ModelPath);

    private static float[] RunSingle(InferenceSession session, long[] ids, string output = "sparse_vector")
    {
        var mask = new long[ids.Length];
        Array.Fill(mask, 1L);
        var (data, shape) = PoolingTestModel.Run(session, ids, mask, 1, ids.Length, output);
        Assert.Equal([1L, Vocab], shape);
        return data;
    }

    // The 512-token encoding would pad every row of a batch to 512 x 30,522 logits.
    private IReadOnlyList<GoldenEncoding> Short(int count) =>
        _sessions.Golden.Where(g => g.InputIds.Length <= 64).Take(count).ToList();

    [Fact]
    public void MaxRelu_MatchesGoldenVectors_OneTextAtATime()
    {
        // Tolerance 1e-5 (measured 1.2e-6): golden weights are sentence-transformers float32 on CPU,
        // which computes log1p where the graph computes log(1 + x). Entries the golden leaves at 0 had max logit <= 0 in PyTorch; a tiny positive
        // logit in ORT could make them log1p(tiny), hence < 1e-6 rather than == 0.
        double worstActive = 0, worstInactive = 0;
        int exactZeros = 0, goldenZeros = 0;
        foreach (var golden in _sessions.Golden)
        {
            var actual = RunSingle(_sessions.MaxRelu, golden.InputIds);
            var expected = golden.Dense(Vocab);
            for (int v = 0; v < Vocab; v++)
            {
                double diff = Math.Abs(actual[v] - expected[v]);
                if (expected[v] == 0f)
                {
                    goldenZeros++;
                    exactZeros += actual[v] == 0f ? 1 : 0;
                    worstInactive = Math.Max(worstInactive, Math.Abs(actual[v]));
                    Assert.True(Math.Abs(actual[v]) < 1e-6, $"{golden.Id}: id {v} is {actual[v]} but 0 in the golden vector");
                }
                else
                {
                    worstActive = Math.Max(worstActive, diff);
                    Assert.True(diff <= 1e-5, $"{golden.Id}: id {v} is {actual[v]}, golden {expected[v]}");
                }
            }
        }
        _output.WriteLine($"{_sessions.Golden.Count} encodings: max |diff| on active entries {worstActive:E2}; "
            + $"max |value| where golden is 0: {worstInactive:E2} ({exactZeros}/{goldenZeros} exactly 0)");
    }

    [Fact]
    public void MaxRelu_PaddedBatch_MatchesOneTextAtATime()
    {
        var texts = Short(8);
        Assert.True(texts.Select(t => t.InputIds.Length).Distinct().Count() >= 4, "the batch should mix lengths");
        var (ids, mask, batch, seq) = PoolingTestModel.Pad(texts.Select(t => t.InputIds).ToList());
        var (batched, shape) = PoolingTestModel.Run(_sessions.MaxRelu, ids, mask, batch, seq, "sparse_vector");
        Assert.Equal([batch, (long)Vocab], shape);

        double worst = 0;
        for (int b = 0; b < batch; b++)
        {
            var single = RunSingle(_sessions.MaxRelu, texts[b].InputIds);
            for (int v = 0; v < Vocab; v++)
            {
                double diff = Math.Abs(batched[b * Vocab + v] - single[v]);
                worst = Math.Max(worst, diff);
                Assert.True(diff <= 1e-5, $"{texts[b].Id}: id {v} batched {batched[b * Vocab + v]}, single {single[v]}");
            }
        }
        _output.WriteLine($"batch {batch} x {seq}: max |batched - single| {worst:E2}");
    }

    [Fact]
    public void MaxRelu_MatchesReferencePooledGraph()
    {
        double worst = 0;
        foreach (var chunk in _sessions.Golden.Where(g => g.InputIds.Length <= 64).Chunk(8).Append(_sessions.Golden.Where(g => g.InputIds.Length > 64).ToArray()))
        {
            if (chunk.Length == 0)
            {
                continue;
            }
            var (ids, mask, batch, seq) = PoolingTestModel.Pad(chunk.Select(t => t.InputIds).ToList());
            var (ours, _) = PoolingTestModel.Run(_sessions.MaxRelu, ids, mask, batch, seq, "sparse_vector");
            var (reference, _) = PoolingTestModel.Run(_sessions.Reference, ids, mask, batch, seq, "sparse_vector");
            Assert.Equal(reference.Length, ours.Length);
            for (int i = 0; i < ours.Length; i++)
            {
                double diff = Math.Abs(ours[i] - reference[i]);
                worst = Math.Max(worst, diff);
                Assert.True(diff <= 1e-5, $"entry {i}: ours {ours[i]}, reference graph {reference[i]}");
            }
        }
        _output.WriteLine($"max |ours - model_pooled.onnx| {worst:E2}");
    }

    [Theory]
    [InlineData("Max", "Relu")]
    [InlineData("Max", "Log1pRelu")]
    [InlineData("Sum", "Relu")]
    [InlineData("Sum", "Log1pRelu")]
    public void MatchesDoublePrecisionReferenceFromRawLogits(string strategyName, string activationName)
    {
        var strategy = Enum.Parse<SpladePoolingStrategy>(strategyName);
        var activation = Enum.Parse<SpladeActivation>(activationName);
        var texts = Short(6);
        var (ids, mask, batch, seq) = PoolingTestModel.Pad(texts.Select(t => t.InputIds).ToList());
        var (logits, logitsShape) = PoolingTestModel.Run(_sessions.Logits, ids, mask, batch, seq, "logits");
        Assert.Equal([batch, seq, (long)Vocab], logitsShape);
        using var session = PoolingTestModel.CreateSession(Rewrite(PoolingTestModel.ModelBytes, strategy, activation));
        var (pooled, _) = PoolingTestModel.Run(session, ids, mask, batch, seq, "sparse_vector");

        // Tolerance 1e-5 (measured 1.5e-7): float log(1 + x) and float sums against double.
        double worst = 0, largest = 0;
        int active = 0;
        for (int b = 0; b < batch; b++)
        {
            for (int v = 0; v < Vocab; v++)
            {
                double expected = 0;
                for (int t = 0; t < seq; t++)
                {
                    if (mask[b * seq + t] == 0)
                    {
                        continue;
                    }
                    double w = Activate(logits[((long)b * seq + t) * Vocab + v], activation);
                    expected = strategy == SpladePoolingStrategy.Max ? Math.Max(expected, w) : expected + w;
                }
                double actual = pooled[b * Vocab + v];
                active += expected > 0 ? 1 : 0;
                largest = Math.Max(largest, expected);
                worst = Math.Max(worst, Math.Abs(actual - expected));
                Assert.True(Math.Abs(actual - expected) <= 1e-5, $"row {b} id {v}: graph {actual}, reference {expected}");
            }
        }
        Assert.True(active > batch * 10, "the reference should have active entries");
        _output.WriteLine($"{strategy}/{activation}: {active} active entries, largest {largest:F3}, max |graph - reference| {worst:E2}");
    }

    private static double Activate(float x, SpladeActivation activation)
    {
        double y = Math.Log(1.0 + Math.Max(0.0, x));
        return activation == SpladeActivation.Log1pRelu ? Math.Log(1.0 + y) : y;
    }

    [Fact]
    public void RewrittenGraph_HasOnlyThePooledOutput_WithBatchAndVocabularyDims()
    {
        // The whole-logits form (no slicing); SlicedProjectionTests checks the sliced one.
        var original = ModelProto.Parser.ParseFrom(PoolingTestModel.ModelBytes);
        var model = ModelProto.Parser.ParseFrom(PoolingGraph.AppendPooling(
            PoolingTestModel.ModelBytes, "logits", "attention_mask", SpladePoolingStrategy.Max, SpladeActivation.Relu, PoolingTestModel.ModelPath, sliceColumns: 0));

        var output = Assert.Single(model.Graph.Output);
        Assert.Equal("sparse_vector", output.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Float, output.Type.TensorType.ElemType);
        Assert.Equal(["batch", ""], output.Type.TensorType.Shape.Dim.Select(d => d.DimParam));
        Assert.Equal(Vocab, output.Type.TensorType.Shape.Dim[1].DimValue);

        var added = model.Graph.Node.Skip(original.Graph.Node.Count).ToList();
        Assert.All(added, n => Assert.StartsWith("splade_pool_", n.Name));
        var allNames = model.Graph.Node.Select(n => n.Name).ToList();
        Assert.Equal(allNames.Count, allNames.Distinct().Count());
        _output.WriteLine(string.Join(Environment.NewLine, added.Select(Describe)));
        // Only one node (the Add of the mask bias) and the ReduceMax read [batch, sequence, vocabulary].
        Assert.Equal(["Add", "ReduceMax"], added.Where(n => n.Input.Contains("logits") || n.Input.Any(i => i.Contains("masked"))).Select(n => n.OpType));
    }

    private static string Describe(NodeProto n) =>
        $"{n.OpType}({string.Join(", ", n.Input)}) -> {string.Join(", ", n.Output)}"
        + string.Concat(n.Attribute.Select(a => $" {a.Name}={(a.Type == AttributeProto.Types.AttributeType.Ints ? "[" + string.Join(",", a.Ints) + "]" : a.Type == AttributeProto.Types.AttributeType.Tensor ? "tensor" : a.I.ToString())}"));

    [Fact]
    public void Opset18Fixture_PutsReduceMaxAxesInAnInput_AndGivesTheSameVectors()
    {
        var proto = ModelProto.Parser.ParseFrom(PoolingTestModel.ModelBytes);
        Assert.Equal(17, proto.OpsetImport.Single(o => o.Domain == "").Version);
        proto.OpsetImport.Single(o => o.Domain == "").Version = 18;
        var rewritten = PoolingGraph.AppendPooling(proto.ToByteArray(), "logits", "attention_mask", SpladePoolingStrategy.Max, SpladeActivation.Relu, null);

        var reduces = ModelProto.Parser.ParseFrom(rewritten).Graph.Node.Where(n => n.OpType == "ReduceMax").ToList();
        Assert.NotEmpty(reduces);
        Assert.All(reduces, reduce =>
        {
            Assert.Equal(2, reduce.Input.Count);
            Assert.DoesNotContain(reduce.Attribute, a => a.Name == "axes");
        });

        using var session = PoolingTestModel.CreateSession(rewritten);
        foreach (var golden in Short(5))
        {
            var expected = RunSingle(_sessions.MaxRelu, golden.InputIds);
            var actual = RunSingle(session, golden.InputIds);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void MissingLogitsOutput_ThrowsNamingTheOutput()
    {
        var e = Assert.Throws<SpladeModelException>(() => PoolingGraph.AppendPooling(
            PoolingTestModel.PooledModelBytes, "logits", "attention_mask", SpladePoolingStrategy.Max, SpladeActivation.Relu, PoolingTestModel.PooledModelPath));
        Assert.Contains("'logits'", e.Message);
        Assert.Contains("sparse_vector", e.Message);
        Assert.Equal(PoolingTestModel.PooledModelPath, e.FilePath);
    }

    [Fact]
    public void MissingAttentionMaskInput_ThrowsNamingTheInput()
    {
        var e = Assert.Throws<SpladeModelException>(() => PoolingGraph.AppendPooling(
            PoolingTestModel.ModelBytes, "logits", "mask", SpladePoolingStrategy.Max, SpladeActivation.Relu, PoolingTestModel.ModelPath));
        Assert.Contains("'mask'", e.Message);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0x02 })]
    [InlineData(new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', (byte)' ', (byte)'w', (byte)'o', (byte)'r', (byte)'l', (byte)'d' })]
    public void GarbageBytes_ThrowSpladeModelException(byte[] bytes)
    {
        var e = Assert.Throws<SpladeModelException>(() => PoolingGraph.AppendPooling(
            bytes, "logits", "attention_mask", SpladePoolingStrategy.Max, SpladeActivation.Relu, "/models/x.onnx"));
        Assert.Equal("/models/x.onnx", e.FilePath);
    }

    [Fact]
    public void OutputNameThatIsAlreadyAGraphValue_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => PoolingGraph.AppendPooling(
            PoolingTestModel.ModelBytes, "logits", "attention_mask", SpladePoolingStrategy.Max, SpladeActivation.Relu, null, outputName: "input_ids"));
        Assert.Equal("outputName", e.ParamName);
    }

    // A graph whose "logits" is an input passed through, so each opset's operator forms (axes as
    // attribute or input for Unsqueeze, ReduceSum and ReduceMax) can be run on chosen values.
    [Theory]
    [InlineData(11)]
    [InlineData(13)]
    [InlineData(17)]
    [InlineData(18)]
    [InlineData(21)]
    public void EveryOpsetForm_MatchesManagedPooling(int opset)
    {
        const int batch = 3, seq = 5, vocab = 37;
        int seed = 20240 + opset;
        _output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var logits = new float[batch * seq * vocab];
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] = (float)(random.NextDouble() * 6 - 4);
        }
        long[] mask = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < seq; t++)
            {
                if (mask[b * seq + t] == 0)
                {
                    // Padding carries the largest logits: any leak through the mask shows.
                    logits.AsSpan((b * seq + t) * vocab, vocab).Fill(50f);
                }
            }
        }
        var model = PassThroughModel(opset, vocab);

        foreach (var strategy in new[] { SpladePoolingStrategy.Max, SpladePoolingStrategy.Sum })
        {
            foreach (var activation in new[] { SpladeActivation.Relu, SpladeActivation.Log1pRelu })
            {
                var rewritten = PoolingGraph.AppendPooling(model, "logits", "attention_mask", strategy, activation, null);
                using var session = PoolingTestModel.CreateSession(rewritten);
                using var x = OrtValue.CreateTensorValueFromMemory(logits, [batch, seq, vocab]);
                using var m = OrtValue.CreateTensorValueFromMemory(mask, [batch, seq]);
                using var runOptions = new RunOptions();
                using var outputs = session.Run(runOptions, ["x", "attention_mask"], [x, m], ["sparse_vector"]);
                var graph = outputs[0].GetTensorDataAsSpan<float>().ToArray();

                var managed = new float[vocab];
                for (int b = 0; b < batch; b++)
                {
                    ManagedPooling.PoolRow(logits.AsSpan(b * seq * vocab, seq * vocab), mask.AsSpan(b * seq, seq), strategy, activation, managed);
                    for (int v = 0; v < vocab; v++)
                    {
                        Assert.True(Math.Abs(graph[b * vocab + v] - managed[v]) <= 1e-6 * Math.Max(1, managed[v]),
                            $"opset {opset} {strategy}/{activation} row {b} id {v}: graph {graph[b * vocab + v]}, managed {managed[v]}");
                    }
                }
            }
        }
    }

    private static byte[] PassThroughModel(int opset, int vocab)
    {
        static ValueInfoProto Tensor(string name, int elemType, params TensorShapeProto.Types.Dimension[] dims) => new()
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType, Shape = new TensorShapeProto { Dim = { dims } } } },
        };
        var batch = new TensorShapeProto.Types.Dimension { DimParam = "batch" };
        var seq = new TensorShapeProto.Types.Dimension { DimParam = "sequence" };
        var vocabDim = new TensorShapeProto.Types.Dimension { DimValue = vocab };
        var model = new ModelProto
        {
            IrVersion = 8,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = opset } },
            Graph = new GraphProto
            {
                Name = "pass_through",
                Input =
                {
                    Tensor("x", (int)TensorProto.Types.DataType.Float, batch, seq, vocabDim),
                    Tensor("attention_mask", (int)TensorProto.Types.DataType.Int64, batch, seq),
                },
                Node = { new NodeProto { Name = "identity", OpType = "Identity", Input = { "x" }, Output = { "logits" } } },
                Output = { Tensor("logits", (int)TensorProto.Types.DataType.Float, batch, seq, vocabDim) },
            },
        };
        return model.ToByteArray();
    }
}
