using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Splade.Encoder.Onnx;
using Xunit.Abstractions;

namespace Splade.Encoder.Tests.Onnx;

/// <summary>
/// The vocabulary projection computed in column slices, each pooled before the next (the memory fix),
/// must return exactly what pooling the whole logits tensor returns.
/// </summary>
public sealed class SlicedProjectionTests
{
    private const int Vocab = PoolingTestModel.VocabularySize;

    private readonly ITestOutputHelper _output;

    public SlicedProjectionTests(ITestOutputHelper output) => _output = output;

    private static ModelProto TinyModel() => ModelProto.Parser.ParseFrom(PoolingTestModel.ModelBytes);

    [Fact]
    public void TinyModel_ProjectionIsRecognised_AsTiedEmbeddingsWithBias()
    {
        var model = TinyModel();
        var projection = DecoderProjection.TryFind(model.Graph, "logits");
        Assert.NotNull(projection);
        Assert.Equal(48, projection.HiddenSize);
        Assert.Equal(Vocab, projection.VocabularySize);
        Assert.Equal("m.cls.predictions.bias", projection.Bias);
        Assert.Equal("m.bert.embeddings.word_embeddings.weight", projection.WeightInitializer);
        Assert.Equal(["Add", "MatMul", "Transpose"], projection.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void RewrittenGraph_HasNoFullSizeLogits_AndKeepsTheEmbeddings()
    {
        var model = TinyModel();
        PoolingGraph.AppendPooling(model, "logits", "attention_mask", SpladePoolingStrategy.Max, SpladeActivation.Relu, null, out int slices);
        Assert.Equal((Vocab + PoolingGraph.DefaultSliceColumns - 1) / PoolingGraph.DefaultSliceColumns, slices);
        Assert.DoesNotContain(model.Graph.Node, n => n.Output.Contains("logits"));
        Assert.Equal(slices, model.Graph.Node.Count(n => n.OpType == "MatMul" && n.Name.StartsWith("splade_pool_", StringComparison.Ordinal)));
        Assert.Equal(slices, model.Graph.Node.Count(n => n.OpType == "ReduceMax"));
        // Max pooling masks the padding once, on the hidden state (Where), not with an Add on every logits slice:
        // each ReduceMax reads its MatMul's output directly.
        Assert.Single(model.Graph.Node, n => n.OpType == "Where" && n.Name.StartsWith("splade_pool_", StringComparison.Ordinal));
        var producers = model.Graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        Assert.All(model.Graph.Node.Where(n => n.OpType == "ReduceMax"), r => Assert.Equal("MatMul", producers[r.Input[0]].OpType));
        // The tied embedding matrix still feeds the word-embedding Gather.
        Assert.Contains(model.Graph.Initializer, t => t.Name == "m.bert.embeddings.word_embeddings.weight");
        Assert.Contains(model.Graph.Node, n => n.OpType == "Gather" && n.Input.Contains("m.bert.embeddings.word_embeddings.weight"));
    }

    public static TheoryData<string, string, int> Cases() => new()
    {
        { "Max", "Relu", PoolingGraph.DefaultSliceColumns },
        { "Max", "Log1pRelu", PoolingGraph.DefaultSliceColumns },
        { "Max", "Relu", 1000 },       // slices that do not divide the vocabulary
        { "Max", "Relu", Vocab - 1 },  // two slices, the last one column wide
        { "Sum", "Relu", PoolingGraph.DefaultSliceColumns },
        { "Sum", "Log1pRelu", 3001 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sliced_EqualsWholeLogits_BitForBit_OnPaddedGoldenBatches(string strategyName, string activationName, int sliceColumns)
    {
        var strategy = Enum.Parse<SpladePoolingStrategy>(strategyName);
        var activation = Enum.Parse<SpladeActivation>(activationName);
        var whole = PoolingGraph.AppendPooling(PoolingTestModel.ModelBytes, "logits", "attention_mask", strategy, activation, null, sliceColumns: 0);
        var sliced = PoolingGraph.AppendPooling(PoolingTestModel.ModelBytes, "logits", "attention_mask", strategy, activation, null, sliceColumns: sliceColumns);
        AssertSameOutputs(whole, sliced, $"{strategy}/{activation}/{sliceColumns}");
    }

    [Fact]
    public void UntiedWeight_BiasFirstOrSecond_IsRecognised_AndSlicedEqualsWhole()
    {
        // The shape of exports with constant folding: MatMul(hidden, W [hidden, vocab]) and Add(MatMul, bias).
        var model = Untied(TinyModel(), biasSecond: true);
        var projection = DecoderProjection.TryFind(model.Graph, "logits");
        Assert.NotNull(projection);
        Assert.Equal(["Add", "MatMul"], projection.Nodes.Select(n => n.OpType));
        Assert.Equal("decoder_weight_untied", projection.WeightInitializer);

        byte[] bytes = model.ToByteArray();
        var whole = PoolingGraph.AppendPooling(bytes, "logits", "attention_mask", SpladePoolingStrategy.Max, SpladeActivation.Relu, null, sliceColumns: 0);
        var slicedProto = ModelProto.Parser.ParseFrom(bytes);
        var sliced = PoolingGraph.AppendPooling(slicedProto, "logits", "attention_mask", SpladePoolingStrategy.Max, SpladeActivation.Relu, null, out int slices);
        Assert.True(slices > 1);
        // W is used by nothing else once sliced: the rewritten model does not carry it twice.
        Assert.DoesNotContain(slicedProto.Graph.Initializer, t => t.Name == "decoder_weight_untied");
        AssertSameOutputs(whole, sliced, "untied");
    }

    [Fact]
    public void UnrecognisedProjection_FallsBackToWholeLogits()
    {
        var model = TinyModel();
        // logits = Identity(projection): the producer of the output is no longer the decoder's Add.
        var add = model.Graph.Node.Single(n => n.Output.Contains("logits"));
        add.Output[0] = "logits_before_identity";
        model.Graph.Node.Add(new NodeProto { Name = "identity_logits", OpType = "Identity", Input = { "logits_before_identity" }, Output = { "logits" } });
        Assert.Null(DecoderProjection.TryFind(model.Graph, "logits"));
        Assert.False(PoolingPlan.PoolInGraph(PoolingLocation.Auto, model, "logits"));
        Assert.True(PoolingPlan.PoolInGraph(PoolingLocation.InGraph, model, "logits"));

        var copy = model.Clone();
        byte[] rewritten = PoolingGraph.AppendPooling(copy, "logits", "attention_mask", SpladePoolingStrategy.Max, SpladeActivation.Relu, null, out int slices);
        Assert.Equal(0, slices);
        AssertSameOutputs(PoolingGraph.AppendPooling(PoolingTestModel.ModelBytes, "logits", "attention_mask", SpladePoolingStrategy.Max, SpladeActivation.Relu, null, sliceColumns: 0), rewritten, "fallback");
    }

    [Fact]
    public void LogitsUsedByAnotherNode_IsNotSliced()
    {
        var model = TinyModel();
        model.Graph.Node.Add(new NodeProto { Name = "extra_user", OpType = "Identity", Input = { "logits" }, Output = { "logits_copy" } });
        Assert.Null(DecoderProjection.TryFind(model.Graph, "logits"));
    }

    private void AssertSameOutputs(byte[] expectedModel, byte[] actualModel, string label)
    {
        using var expectedSession = PoolingTestModel.CreateSession(expectedModel);
        using var actualSession = PoolingTestModel.CreateSession(actualModel);
        var golden = PoolingTestModel.LoadGolden();
        int rows = 0, active = 0;
        // Mixed lengths in one padded batch (padding must stay masked in every slice), then the 512-token text.
        foreach (var batch in golden.Where(g => g.InputIds.Length <= 64).Chunk(10).Append(golden.Where(g => g.InputIds.Length > 64).ToArray()))
        {
            if (batch.Length == 0)
            {
                continue;
            }
            var (ids, mask, size, seq) = PoolingTestModel.Pad(batch.Select(g => g.InputIds).ToList());
            var (expected, expectedShape) = PoolingTestModel.Run(expectedSession, ids, mask, size, seq, "sparse_vector");
            var (actual, actualShape) = PoolingTestModel.Run(actualSession, ids, mask, size, seq, "sparse_vector");
            Assert.Equal(expectedShape, actualShape);
            for (int i = 0; i < expected.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                {
                    Assert.Fail($"{label}: row {i / Vocab} id {i % Vocab}: sliced {actual[i]:R}, whole {expected[i]:R}");
                }
                active += expected[i] > 0 ? 1 : 0;
            }
            rows += size;
        }
        Assert.True(active > rows * 10, "the vectors should have active entries");
        _output.WriteLine($"{label}: {rows} rows, {active} active entries, all bit-for-bit equal");
    }

    // Replaces Transpose(embeddings) by a constant W [hidden, vocab] of its own.
    private static ModelProto Untied(ModelProto model, bool biasSecond)
    {
        var graph = model.Graph;
        var transpose = graph.Node.Single(n => n.OpType == "Transpose" && n.Input[0] == "m.bert.embeddings.word_embeddings.weight");
        var embeddings = graph.Initializer.Single(t => t.Name == "m.bert.embeddings.word_embeddings.weight");
        int vocab = (int)embeddings.Dims[0], hidden = (int)embeddings.Dims[1];
        var e = MemoryMarshal.Cast<byte, float>(embeddings.RawData.Span);
        var w = new float[hidden * vocab];
        for (int v = 0; v < vocab; v++)
        {
            for (int h = 0; h < hidden; h++)
            {
                w[h * vocab + v] = e[v * hidden + h];
            }
        }
        var weight = new TensorProto { Name = "decoder_weight_untied", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(w.AsSpan())) };
        weight.Dims.Add(hidden);
        weight.Dims.Add(vocab);
        graph.Initializer.Add(weight);
        var matMul = graph.Node.Single(n => n.OpType == "MatMul" && n.Input[1] == transpose.Output[0]);
        matMul.Input[1] = weight.Name;
        graph.Node.Remove(transpose);
        var add = graph.Node.Single(n => n.Output.Contains("logits"));
        if (biasSecond && add.Input[0] != matMul.Output[0])
        {
            (add.Input[0], add.Input[1]) = (add.Input[1], add.Input[0]);
        }
        return model;
    }
}
