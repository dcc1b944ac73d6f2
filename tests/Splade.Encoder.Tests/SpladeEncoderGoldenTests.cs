namespace Splade.Encoder.Tests;

/// <summary>
/// The encoder against golden.json (sentence-transformers 6.0.1, CPU float32, one text at a time):
/// identical token ids, identical active entries, every weight within <see cref="WeightTolerance"/>,
/// and query-by-document dot products within <see cref="ScoreRelativeTolerance"/>.
/// </summary>
public sealed class SpladeEncoderGoldenTests : IClassFixture<SpladeEncoderGoldenTests.Encoders>
{
    private const float WeightTolerance = 1e-4f;
    private const double ScoreRelativeTolerance = 1e-3;

    // Golden zero entries come out as exact zeros (log1p(relu(x <= 0)) = 0); a real activation is far
    // above this, so anything at or above it must be in the golden active set.
    private const float ActiveThreshold = 0f;

    private readonly Encoders _encoders;

    public SpladeEncoderGoldenTests(Encoders encoders) => _encoders = encoders;

    public static TheoryData<string> Variants => new() { "logits-in-graph", "logits-managed", "pooled" };

    public static TheoryData<string, string> VariantsByEncoding()
    {
        var data = new TheoryData<string, string>();
        foreach (string variant in Variants)
        {
            foreach (var e in TinySplade.Load().Encodings)
            {
                data.Add(variant, e.Id);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(VariantsByEncoding))]
    public void EncodesEachGoldenTextOneAtATime(string variant, string id)
    {
        var encoder = _encoders[variant];
        var golden = TinySplade.Load().Encodings.Single(e => e.Id == id);
        bool isQuery = golden.Kind == "query";

        Assert.Equal(golden.InputIds, encoder.GetInputIds(golden.Text, isQuery));
        var vector = isQuery ? encoder.EncodeQuery(golden.Text) : encoder.EncodeDocument(golden.Text);
        AssertMatchesGolden(golden, vector);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void BatchEqualsOneByOne(string variant)
    {
        var encoder = _encoders[variant];
        var texts = TinySplade.Load().Encodings.Select(e => e.Text).ToList();
        var batched = encoder.EncodeDocuments(texts);
        Assert.Equal(texts.Count, batched.Count);
        for (int i = 0; i < texts.Count; i++)
        {
            var single = encoder.EncodeDocument(texts[i]);
            Assert.True(single.Indices.SequenceEqual(batched[i].Indices), $"text {i}: active entries differ between batch and single");
            for (int j = 0; j < single.Count; j++)
            {
                // Padding changes the kernels' summation order a little; the reference saw under 1e-6.
                Assert.True(Math.Abs(single.Values[j] - batched[i].Values[j]) <= 1e-5f, $"text {i}, id {single.Indices[j]}: {single.Values[j]} vs {batched[i].Values[j]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void BatchedGoldenVectorsMatchReference(string variant)
    {
        var encoder = _encoders[variant];
        var goldens = TinySplade.Load().Encodings.Where(e => e.Kind != "query").ToList();
        var vectors = encoder.EncodeDocuments(goldens.Select(e => e.Text).ToList());
        for (int i = 0; i < goldens.Count; i++)
        {
            AssertMatchesGolden(goldens[i], vectors[i]);
        }
    }

    [Fact]
    public void QueryByDocumentScoresMatchReference()
    {
        var encoder = _encoders["logits-in-graph"];
        var golden = TinySplade.Load();
        var queries = encoder.EncodeQueries(golden.Encodings.Where(e => e.Kind == "query").Select(e => e.Text).ToList());
        var docs = encoder.EncodeDocuments(golden.Encodings.Where(e => e.Kind == "doc").Select(e => e.Text).ToList());
        Assert.Equal(golden.ScoresQueryByDoc.Count, queries.Count);
        for (int q = 0; q < queries.Count; q++)
        {
            Assert.Equal(golden.ScoresQueryByDoc[q].Length, docs.Count);
            for (int d = 0; d < docs.Count; d++)
            {
                double expected = golden.ScoresQueryByDoc[q][d];
                double actual = queries[q].Dot(docs[d]);
                Assert.True(Math.Abs(actual - expected) <= ScoreRelativeTolerance * Math.Max(1.0, Math.Abs(expected)),
                    $"query {q} x doc {d}: {actual} vs golden {expected}");
            }
        }
    }

    [Fact]
    public void FourThreadsGiveTheSameVectorsAsOne()
    {
        var encoder = _encoders["logits-in-graph"];
        var texts = TinySplade.Load().Encodings.Select(e => e.Text).ToList();
        var expected = texts.Select(encoder.EncodeDocument).ToList();
        var results = new SparseVector[4][];
        var failures = new Exception?[4];
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            try
            {
                // Each thread walks all the texts in its own order (rotated by t, reversed for odd t),
                // mixing single and batched calls.
                var mine = new SparseVector[texts.Count];
                for (int k = 0; k < texts.Count; k++)
                {
                    int i = (t % 2 == 0 ? k + t : texts.Count - 1 - k + t) % texts.Count;
                    mine[i] = encoder.EncodeDocument(texts[i]);
                }
                var batch = encoder.EncodeDocuments(texts);
                for (int i = 0; i < texts.Count; i++)
                {
                    Assert.Equal(mine[i].Indices.ToArray(), batch[i].Indices.ToArray());
                }
                results[t] = mine;
            }
            catch (Exception e)
            {
                // An exception escaping a thread would kill the test host instead of failing the test.
                failures[t] = e;
            }
        })).ToList();
        threads.ForEach(th => th.Start());
        threads.ForEach(th => th.Join());
        for (int t = 0; t < 4; t++)
        {
            if (failures[t] is { } failure)
            {
                throw new InvalidOperationException($"thread {t} failed", failure);
            }
        }
        for (int t = 0; t < 4; t++)
        {
            Assert.NotNull(results[t]);
            for (int i = 0; i < texts.Count; i++)
            {
                Assert.True(expected[i].Equals(results[t][i]), $"thread {t}, text {i}: vector differs from the single-threaded one");
            }
        }
    }

    private static void AssertMatchesGolden(GoldenEncoding golden, SparseVector vector)
    {
        var active = new List<int>();
        for (int i = 0; i < vector.Count; i++)
        {
            if (vector.Values[i] > ActiveThreshold)
            {
                active.Add(vector.Indices[i]);
            }
        }
        Assert.True(golden.Indices.SequenceEqual(active),
            $"{golden.Id}: active ids differ; golden has {golden.Indices.Length}, encoder {active.Count}; only golden: [{string.Join(",", golden.Indices.Except(active))}], only encoder: [{string.Join(",", active.Except(golden.Indices))}]");
        for (int i = 0; i < golden.Indices.Length; i++)
        {
            float actual = vector[golden.Indices[i]];
            Assert.True(Math.Abs(actual - golden.Values[i]) <= WeightTolerance, $"{golden.Id}, id {golden.Indices[i]}: {actual} vs golden {golden.Values[i]}");
        }
    }

    /// <summary>One encoder per way of running the model, shared by the tests of this class.</summary>
    public sealed class Encoders : IDisposable
    {
        private readonly Dictionary<string, SpladeEncoder> _byVariant = new()
        {
            ["logits-in-graph"] = SpladeEncoder.Create(TinySplade.Directory),
            ["logits-managed"] = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { Pooling = PoolingLocation.Managed, BatchSize = 5 }),
            ["pooled"] = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { ModelFile = "model_pooled.onnx", BatchSize = 7 }),
        };

        public SpladeEncoder this[string variant] => _byVariant[variant];

        public void Dispose()
        {
            foreach (var e in _byVariant.Values)
            {
                e.Dispose();
            }
        }
    }
}
