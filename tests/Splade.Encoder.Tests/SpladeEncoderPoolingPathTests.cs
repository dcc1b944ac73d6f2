using Google.Protobuf;
using Onnx;
using Splade.Encoder.Onnx;

namespace Splade.Encoder.Tests;

/// <summary>
/// Each way the encoder can pool a logits model (sliced projection in the graph, the whole logits in the
/// graph, C# pooling) gives the same vectors, and Auto picks the sliced path when it can and C# pooling
/// when it cannot.
/// </summary>
public sealed class SpladeEncoderPoolingPathTests
{
    private static readonly int ExpectedSlices =
        (30522 + PoolingGraph.DefaultSliceColumns - 1) / PoolingGraph.DefaultSliceColumns;

    [Fact]
    public void Auto_SlicesTheProjection_AndEqualsWholeLogitsAndManagedPooling_Exactly()
    {
        using var sliced = SpladeEncoder.Create(TinySplade.Directory);
        using var whole = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { Pooling = PoolingLocation.InGraph, VocabularySliceColumns = 0 });
        using var managed = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { Pooling = PoolingLocation.Managed });
        Assert.True(sliced.PoolingInGraph);
        Assert.Equal(ExpectedSlices, sliced.ProjectionSlices);
        Assert.True(whole.PoolingInGraph);
        Assert.Equal(0, whole.ProjectionSlices);
        Assert.False(managed.PoolingInGraph);
        // The same model: slicing changes memory, not vectors.
        Assert.Equal(whole.ModelId, sliced.ModelId);

        var texts = TinySplade.Load().Encodings.Select(e => e.Text).ToList();
        var a = sliced.EncodeDocuments(texts);
        var b = whole.EncodeDocuments(texts);
        var c = managed.EncodeDocuments(texts);
        for (int i = 0; i < texts.Count; i++)
        {
            Assert.True(a[i] == b[i], $"text {i}: sliced and whole-logits vectors differ");
            AssertClose(c[i], a[i], $"text {i}: sliced vs managed");
        }
    }

    [Fact]
    public void UnrecognisedProjection_AutoPoolsInCSharp_InGraphPoolsTheWholeLogits_SameVectors()
    {
        using var folder = TempModelFolder.CopyOfFixture();
        string path = folder.PathOf("model.onnx");
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var add = model.Graph.Node.Single(n => n.Output.Contains("logits"));
        add.Output[0] = "logits_before_identity";
        model.Graph.Node.Add(new NodeProto { Name = "identity_logits", OpType = "Identity", Input = { "logits_before_identity" }, Output = { "logits" } });
        File.WriteAllBytes(path, model.ToByteArray());

        using var auto = SpladeEncoder.Create(folder.Directory);
        using var inGraph = SpladeEncoder.Create(folder.Directory, new SpladeEncoderOptions { Pooling = PoolingLocation.InGraph });
        using var reference = SpladeEncoder.Create(TinySplade.Directory);
        Assert.False(auto.PoolingInGraph);
        Assert.True(inGraph.PoolingInGraph);
        Assert.Equal(0, inGraph.ProjectionSlices);

        var texts = TinySplade.Load().Encodings.Where(e => e.Kind == "doc").Select(e => e.Text).ToList();
        var expected = reference.EncodeDocuments(texts);
        var fromAuto = auto.EncodeDocuments(texts);
        var fromInGraph = inGraph.EncodeDocuments(texts);
        for (int i = 0; i < texts.Count; i++)
        {
            AssertClose(expected[i], fromAuto[i], $"text {i}: Auto (C# pooling)");
            Assert.True(expected[i] == fromInGraph[i], $"text {i}: InGraph (whole logits) differs");
        }
    }

    // C# pooling computes log1p in double, the graph float log(1 + x): the same entries, weights within 1e-6.
    private static void AssertClose(SparseVector expected, SparseVector actual, string label)
    {
        Assert.True(expected.Indices.SequenceEqual(actual.Indices), $"{label}: active entries differ");
        for (int j = 0; j < expected.Count; j++)
        {
            Assert.True(Math.Abs(expected.Values[j] - actual.Values[j]) <= 1e-6f, $"{label}: entry {expected.Indices[j]} {actual.Values[j]} vs {expected.Values[j]}");
        }
    }

    [Fact]
    public void LoadThroughATemporaryFile_GivesTheSameVectors()
    {
        // Large models (>= 64 MB) reach ONNX Runtime through a temporary file; force that path on the tiny one.
        long saved = LoadMemory.TemporaryFileThreshold;
        SpladeEncoder viaFile;
        LoadMemory.TemporaryFileThreshold = 0;
        try
        {
            viaFile = SpladeEncoder.Create(TinySplade.Directory);
        }
        finally
        {
            LoadMemory.TemporaryFileThreshold = saved;
        }
        using (viaFile)
        {
            using var viaBytes = SpladeEncoder.Create(TinySplade.Directory);
            Assert.Equal(viaBytes.ModelId, viaFile.ModelId);
            Assert.Equal(ExpectedSlices, viaFile.ProjectionSlices);
            var texts = TinySplade.Load().Encodings.Where(e => e.Kind == "doc").Select(e => e.Text).ToList();
            var a = viaFile.EncodeDocuments(texts);
            var b = viaBytes.EncodeDocuments(texts);
            for (int i = 0; i < texts.Count; i++)
            {
                Assert.True(a[i] == b[i], $"text {i}: the file-loaded session gives another vector");
            }
        }
    }

    [Theory]
    [InlineData("model.onnx", PoolingLocation.Managed)]
    [InlineData("model_pooled.onnx", PoolingLocation.Auto)]
    public void LoadingAnUnchangedModelFromItsFile_GivesTheSameVectors(string modelFile, PoolingLocation pooling)
    {
        // A large model that is not rewritten (C# pooling, or pooled at export) is loaded by ONNX Runtime from its own
        // file instead of from managed bytes; force that path on the tiny model.
        var options = new SpladeEncoderOptions { ModelFile = modelFile, Pooling = pooling };
        long saved = LoadMemory.TemporaryFileThreshold;
        SpladeEncoder viaFile;
        LoadMemory.TemporaryFileThreshold = 0;
        try
        {
            viaFile = SpladeEncoder.Create(TinySplade.Directory, options);
        }
        finally
        {
            LoadMemory.TemporaryFileThreshold = saved;
        }
        using (viaFile)
        {
            using var viaBytes = SpladeEncoder.Create(TinySplade.Directory, options);
            Assert.Equal(viaBytes.ModelId, viaFile.ModelId);
            Assert.Equal(viaBytes.PoolingInGraph, viaFile.PoolingInGraph);
            var texts = TinySplade.Load().Encodings.Select(e => e.Text).ToList();
            var a = viaFile.EncodeDocuments(texts);
            var b = viaBytes.EncodeDocuments(texts);
            for (int i = 0; i < texts.Count; i++)
            {
                Assert.True(a[i] == b[i], $"text {i}: the file-loaded session gives another vector");
            }
        }
    }

    [Fact]
    public void TrimmingTheNativeHeap_LeavesALoadedSessionsVectorsUnchanged()
    {
        // malloc_trim gives back only free pages; encoding after it must give exactly what it gave before.
        using var encoder = SpladeEncoder.Create(TinySplade.Directory);
        var texts = TinySplade.Load().Encodings.Where(e => e.Kind == "doc").Select(e => e.Text).ToList();
        var before = encoder.EncodeDocuments(texts);
        LoadMemory.TrimNativeHeap(LoadMemory.Threshold);
        var after = encoder.EncodeDocuments(texts);
        for (int i = 0; i < texts.Count; i++)
        {
            Assert.True(before[i] == after[i], $"text {i}: the vector changed after trimming the native heap");
        }
    }

    [Fact]
    public void NegativeSliceColumns_IsRejectedByValidate()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SpladeEncoderOptions { VocabularySliceColumns = -1 }.Validate());
        Assert.Equal(nameof(SpladeEncoderOptions.VocabularySliceColumns), e.ParamName);
    }
}
