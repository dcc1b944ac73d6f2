using Splade.Encoder.Onnx;
using Splade.Encoder.Pooling;
using Splade.Encoder.Tests.Onnx;
using Xunit.Abstractions;

namespace Splade.Encoder.Tests.Pooling;

public sealed class ManagedPoolingTests
{
    private readonly ITestOutputHelper _output;

    public ManagedPoolingTests(ITestOutputHelper output) => _output = output;

    // Two tokens and one padding token over a 3-entry vocabulary; the padding token holds the
    // largest logits so that ignoring the mask would change every entry.
    private static readonly float[] SmallLogits =
    [
        1.0f, -2.0f, 0.5f,
        3.0f, -1.0f, -0.5f,
        9.0f, 9.0f, 9.0f,
    ];

    private static readonly long[] SmallMask = [1, 1, 0];

    [Fact]
    public void Max_Relu_TakesTheLargestUnmaskedLogit()
    {
        var dense = new float[3];
        ManagedPooling.PoolRow(SmallLogits, SmallMask, SpladePoolingStrategy.Max, SpladeActivation.Relu, dense);
        Assert.Equal([(float)Math.Log(4.0), 0f, (float)Math.Log(1.5)], dense);
    }

    [Fact]
    public void Max_Log1pRelu_AppliesLog1pTwice()
    {
        var dense = new float[3];
        ManagedPooling.PoolRow(SmallLogits, SmallMask, SpladePoolingStrategy.Max, SpladeActivation.Log1pRelu, dense);
        Assert.Equal([(float)Math.Log(1 + Math.Log(4.0)), 0f, (float)Math.Log(1 + Math.Log(1.5))], dense);
    }

    [Fact]
    public void Sum_Relu_AddsTheUnmaskedWeights()
    {
        var dense = new float[3];
        ManagedPooling.PoolRow(SmallLogits, SmallMask, SpladePoolingStrategy.Sum, SpladeActivation.Relu, dense);
        Assert.Equal([(float)Math.Log(2.0) + (float)Math.Log(4.0), 0f, (float)Math.Log(1.5)], dense);
    }

    [Fact]
    public void AllPaddingRow_GivesTheEmptyVector()
    {
        var dense = new float[3];
        ManagedPooling.PoolRow(SmallLogits, [0, 0, 0], SpladePoolingStrategy.Max, SpladeActivation.Relu, dense);
        Assert.Equal(0, SparseVector.FromDense(dense).Count);
    }

    [Fact]
    public void PoolRow_RejectsLogitsThatDoNotFitTheMask()
    {
        var e = Assert.Throws<ArgumentException>(() => ManagedPooling.PoolRow(new float[10], [1, 1, 1], SpladePoolingStrategy.Max, SpladeActivation.Relu, new float[3]));
        Assert.Equal("logits", e.ParamName);
    }

    [Theory]
    [InlineData("Max", "Relu")]
    [InlineData("Max", "Log1pRelu")]
    [InlineData("Sum", "Relu")]
    [InlineData("Sum", "Log1pRelu")]
    public void MatchesInGraphPooling_OnTheTinyModel(string strategyName, string activationName)
    {
        var strategy = Enum.Parse<SpladePoolingStrategy>(strategyName);
        var activation = Enum.Parse<SpladeActivation>(activationName);
        const int vocab = PoolingTestModel.VocabularySize;
        var texts = PoolingTestModel.LoadGolden().Where(g => g.InputIds.Length <= 64).Take(6).ToList();
        var (ids, mask, batch, seq) = PoolingTestModel.Pad(texts.Select(t => t.InputIds).ToList());
        float[] logits, pooled;
        using (var session = PoolingTestModel.CreateSession(PoolingTestModel.ModelBytes))
        {
            logits = PoolingTestModel.Run(session, ids, mask, batch, seq, "logits").Data;
        }
        var rewritten = PoolingGraph.AppendPooling(PoolingTestModel.ModelBytes, "logits", "attention_mask", strategy, activation, null);
        using (var session = PoolingTestModel.CreateSession(rewritten))
        {
            pooled = PoolingTestModel.Run(session, ids, mask, batch, seq, "sparse_vector").Data;
        }

        var vectors = new SparseVector[batch];
        var dense = new float[vocab];
        for (int b = 0; b < batch; b++)
        {
            ManagedPooling.PoolRow(logits.AsSpan(b * seq * vocab, seq * vocab), mask.AsSpan(b * seq, seq), strategy, activation, dense);
            vectors[b] = SparseVector.FromDense(dense);
        }

        // Tolerance: 1e-6 absolute, relative above 1 (sums reach ~20, where a float ulp is 2e-6).
        // The graph computes log(1 + x) in float, the managed path log1p in double.
        double worst = 0;
        for (int b = 0; b < batch; b++)
        {
            var expected = SparseVector.FromDense(pooled.AsSpan(b * vocab, vocab));
            Assert.Equal(expected.Indices.ToArray(), vectors[b].Indices.ToArray());
            for (int i = 0; i < expected.Count; i++)
            {
                double diff = Math.Abs(expected.Values[i] - vectors[b].Values[i]);
                worst = Math.Max(worst, diff / Math.Max(1, expected.Values[i]));
                Assert.True(diff <= 1e-6 * Math.Max(1, expected.Values[i]), $"row {b} id {expected.Indices[i]}: graph {expected.Values[i]}, managed {vectors[b].Values[i]}");
            }
        }
        _output.WriteLine($"{strategy}/{activation}: max relative |graph - managed| {worst:E2}");
    }
}
