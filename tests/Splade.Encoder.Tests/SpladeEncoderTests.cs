using System.Text.Json.Nodes;
using Google.Protobuf;
using Onnx;
using Xunit.Abstractions;

namespace Splade.Encoder.Tests;

/// <summary>
/// The encoder's behaviour around the golden path: bad model folders, edge-case texts, options,
/// cosine models, prompts, model identity and disposal. Model folders that a test changes are temp
/// copies of tiny-splade.
/// </summary>
public sealed class SpladeEncoderTests : IClassFixture<SpladeEncoderTests.SharedEncoder>
{
    private const float WeightTolerance = 1e-4f;

    private readonly SpladeEncoder _encoder;
    private readonly ITestOutputHelper _output;

    public SpladeEncoderTests(SharedEncoder shared, ITestOutputHelper output)
    {
        _encoder = shared.Encoder;
        _output = output;
    }

    /// <summary>The fixture model with default options, loaded once for the class.</summary>
    public sealed class SharedEncoder : IDisposable
    {
        public SpladeEncoder Encoder { get; } = SpladeEncoder.Create(TinySplade.Directory);

        public void Dispose() => Encoder.Dispose();
    }

    private static GoldenEncoding Golden(string id) => TinySplade.Load().Encodings.Single(e => e.Id == id);

    private static List<string> SomeGoldenTexts() =>
        TinySplade.Load().Encodings.Where((e, i) => i % 4 == 0).Select(e => e.Text).ToList();

    // ---- Bad model folders ----

    [Fact]
    public void MissingOnnx_ThrowsNamingTheFolder()
    {
        using var folder = TempModelFolder.CopyOfFixture();
        folder.Delete("model.onnx");
        var e = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(folder.Directory));
        Assert.Equal(folder.Directory, e.FilePath);
        Assert.Contains(folder.Directory, e.Message);
        Assert.Contains("model.onnx", e.Message);
    }

    [Fact]
    public void MissingModelFile_ThrowsNamingTheFile()
    {
        var e = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { ModelFile = "missing.onnx" }));
        Assert.Equal(TinySplade.PathOf("missing.onnx"), e.FilePath);
        Assert.Contains("does not exist", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomBytesOnnx_ThrowsNamingTheFile(int seed)
    {
        _output.WriteLine($"seed {seed}");
        var bytes = new byte[4096];
        new Random(seed).NextBytes(bytes);
        using var folder = TempModelFolder.CopyOfFixture(only: ["vocab.txt"]);
        string onnx = folder.PathOf("model.onnx");
        File.WriteAllBytes(onnx, bytes);
        var e = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(folder.Directory));
        Assert.Equal(onnx, e.FilePath);
        Assert.Contains(onnx, e.Message);
        Assert.Contains("not a valid ONNX model", e.Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.999)]
    [InlineData(0.0)]
    public void TruncatedOnnx_ThrowsNamingTheFile(double keep)
    {
        var full = File.ReadAllBytes(TinySplade.PathOf("model.onnx"));
        using var folder = TempModelFolder.CopyOfFixture(only: ["vocab.txt"]);
        string onnx = folder.PathOf("model.onnx");
        File.WriteAllBytes(onnx, full.AsSpan(0, (int)(full.Length * keep)).ToArray());
        var e = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(folder.Directory));
        Assert.Equal(onnx, e.FilePath);
        Assert.Contains(onnx, e.Message);
        Assert.Contains("ONNX", e.Message);
    }

    [Fact]
    public void VocabTxtOneShort_ThrowsNamingBothSizesAndFiles()
    {
        using var folder = TempModelFolder.CopyOfFixture();
        string vocab = folder.PathOf("vocab.txt");
        var lines = File.ReadAllLines(vocab);
        Assert.Equal(30522, lines.Length);
        File.WriteAllLines(vocab, lines[..^1]);
        var e = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(folder.Directory));
        Assert.Contains("vocabulary", e.Message);
        Assert.Contains("30521", e.Message);
        Assert.Contains("30522", e.Message);
        Assert.Contains(vocab, e.Message);
        Assert.Equal(folder.PathOf("model.onnx"), e.FilePath);
    }

    [Fact]
    public void VocabTxtOneLong_ThrowsNamingBothSizes()
    {
        using var folder = TempModelFolder.CopyOfFixture();
        File.AppendAllText(folder.PathOf("vocab.txt"), "extra-token\n");
        var e = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(folder.Directory));
        Assert.Contains("30523", e.Message);
        Assert.Contains("30522", e.Message);
    }

    [Fact]
    public void TokenizerJsonOnlyOneShort_ThrowsNamingBothSizesAndFile()
    {
        using var folder = TempModelFolder.CopyOfFixture();
        folder.Delete("vocab.txt");
        string tokenizer = folder.EditJson("tokenizer.json", o =>
        {
            var vocab = o["model"]!["vocab"]!.AsObject();
            string last = vocab.Single(p => (int)p.Value! == 30521).Key;
            vocab.Remove(last);
        });
        var e = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(folder.Directory));
        Assert.Contains("vocabulary", e.Message);
        Assert.Contains("30521", e.Message);
        Assert.Contains("30522", e.Message);
        Assert.Contains(tokenizer, e.Message);
    }

    [Theory]
    [InlineData("attention_mask", PoolingLocation.Auto)]
    [InlineData("attention_mask", PoolingLocation.Managed)]
    [InlineData("input_ids", PoolingLocation.Auto)]
    [InlineData("input_ids", PoolingLocation.Managed)]
    public void ModelWithoutRequiredInput_ThrowsNamingTheInputAndFile(string input, PoolingLocation pooling)
    {
        using var folder = TempModelFolder.CopyOfFixture();
        string onnx = EditOnnx(folder, "model.onnx", m => RenameValue(m, input, "renamed_" + input));
        var e = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(folder.Directory, new SpladeEncoderOptions { Pooling = pooling }));
        Assert.Equal(onnx, e.FilePath);
        Assert.Contains(onnx, e.Message);
        Assert.Contains($"'{input}'", e.Message);
        Assert.Contains("input", e.Message);
        Assert.Contains("renamed_" + input, e.Message);
    }

    [Fact]
    public void ModelWithAnInputTheEncoderCannotFill_ThrowsNamingIt()
    {
        using var folder = TempModelFolder.CopyOfFixture();
        string onnx = EditOnnx(folder, "model.onnx", m => RenameValue(m, "token_type_ids", "segment_ids"));
        var e = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(folder.Directory));
        Assert.Equal(onnx, e.FilePath);
        Assert.Contains("segment_ids", e.Message);
    }

    [Fact]
    public void ModelWithoutLogitsAmongSeveralOutputs_ThrowsNamingTheOutputs()
    {
        using var folder = TempModelFolder.CopyOfFixture();
        string onnx = EditOnnx(folder, "model.onnx", m =>
        {
            RenameValue(m, "logits", "scores");
            // A second graph output, so that 'scores' is no longer "the only output".
            m.Graph.Output.Add(new ValueInfoProto { Name = m.Graph.Node[0].Output[0] });
        });
        var e = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(folder.Directory));
        Assert.Equal(onnx, e.FilePath);
        Assert.Contains(onnx, e.Message);
        Assert.Contains("'logits'", e.Message);
        Assert.Contains("'scores'", e.Message);
    }

    [Fact]
    public void SingleRenamedLogitsOutput_IsStillUsed()
    {
        using var folder = TempModelFolder.CopyOfFixture();
        EditOnnx(folder, "model.onnx", m => RenameValue(m, "logits", "scores"));
        using var encoder = SpladeEncoder.Create(folder.Directory);
        var golden = Golden("doc-0");
        Assert.Equal(_encoder.EncodeDocument(golden.Text), encoder.EncodeDocument(golden.Text));
    }

    [Fact]
    public void TokenizerConfigNotJson_ThrowsNamingTheFile()
    {
        using var folder = TempModelFolder.CopyOfFixture();
        string path = folder.Write("tokenizer_config.json", "{\"do_lower_case\": tru");
        var e = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(folder.Directory));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains("tokenizer_config.json", e.Message);
    }

    [Fact]
    public void TokenizerJsonNotJson_WithoutVocabTxt_ThrowsNamingTheFile()
    {
        using var folder = TempModelFolder.CopyOfFixture();
        folder.Delete("vocab.txt");
        string path = folder.Write("tokenizer.json", "not json at all");
        var e = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(folder.Directory));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
    }

    // ---- Texts ----

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("  \t\n\r\u00a0 ")]
    public void EmptyAndWhitespaceText_EncodeLikeGoldenEmpty(string text)
    {
        var golden = Golden("edge-30");
        Assert.Equal("", golden.Text);
        Assert.Equal([2, 3], _encoder.GetInputIds(text, isQuery: false));
        foreach (var vector in new[] { _encoder.EncodeDocument(text), _encoder.EncodeQuery(text) })
        {
            Assert.Equal(golden.Indices, vector.Indices.ToArray());
            for (int i = 0; i < golden.Indices.Length; i++)
            {
                Assert.True(Math.Abs(vector.Values[i] - golden.Values[i]) <= WeightTolerance, $"id {golden.Indices[i]}: {vector.Values[i]} vs golden {golden.Values[i]}");
            }
        }
    }

    [Fact]
    public void VeryLongText_IsTruncatedToMaxSequenceLength()
    {
        string text = string.Concat(Enumerable.Repeat("aspirin reduces risk ", 5000))[..100_000];
        Assert.Equal(100_000, text.Length);
        Assert.Equal(512, _encoder.MaxSequenceLength);
        var ids = _encoder.GetInputIds(text, isQuery: false);
        Assert.Equal(512, ids.Length);
        Assert.Equal(2, ids[0]);
        Assert.Equal(3, ids[^1]);
        var vector = _encoder.EncodeDocument(text);
        Assert.True(vector.Count > 0);
        // Only the first 510 word pieces count: a shorter text that still overflows gives the same ids.
        string prefix = text[..8000];
        Assert.Equal(ids, _encoder.GetInputIds(prefix, isQuery: false));
    }

    [Fact]
    public void NullText_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => _encoder.EncodeDocument(null!));
        Assert.ThrowsAny<ArgumentException>(() => _encoder.EncodeQuery(null!));
        var e = Assert.ThrowsAny<ArgumentException>(() => _encoder.EncodeDocuments(["a", null!]));
        Assert.Contains("Text 1", e.Message);
        Assert.Throws<ArgumentNullException>(() => _encoder.EncodeDocuments(null!));
        Assert.Throws<ArgumentNullException>(() => _encoder.EncodeQueries(null!));
        Assert.Throws<ArgumentNullException>(() => _encoder.GetInputIds(null!, isQuery: true));
    }

    [Fact]
    public void EmptyBatch_GivesEmptyResult()
    {
        Assert.Empty(_encoder.EncodeDocuments([]));
    }

    // ---- Options ----

    public static TheoryData<string> InvalidOptions => new()
    {
        nameof(SpladeEncoderOptions.ModelFile),
        nameof(SpladeEncoderOptions.MaxSequenceLength),
        nameof(SpladeEncoderOptions.BatchSize),
        nameof(SpladeEncoderOptions.IntraOpNumThreads),
        nameof(SpladeEncoderOptions.Pooling),
        nameof(SpladeEncoderOptions.MaxActiveDims),
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOption_ThrowsNamingTheProperty(string property)
    {
        var options = new SpladeEncoderOptions();
        switch (property)
        {
            case nameof(SpladeEncoderOptions.ModelFile): options.ModelFile = "  "; break;
            case nameof(SpladeEncoderOptions.MaxSequenceLength): options.MaxSequenceLength = 1; break;
            case nameof(SpladeEncoderOptions.BatchSize): options.BatchSize = 0; break;
            case nameof(SpladeEncoderOptions.IntraOpNumThreads): options.IntraOpNumThreads = -1; break;
            case nameof(SpladeEncoderOptions.Pooling): options.Pooling = (PoolingLocation)7; break;
            case nameof(SpladeEncoderOptions.MaxActiveDims): options.MaxActiveDims = 0; break;
        }
        var e = Assert.ThrowsAny<ArgumentException>(() => SpladeEncoder.Create(TinySplade.Directory, options));
        Assert.Equal(property, e.ParamName);
        Assert.Contains(property, e.Message);
    }

    [Fact]
    public void MaxSequenceLengthOption_Truncates()
    {
        using var encoder = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { MaxSequenceLength = 8 });
        Assert.Equal(8, encoder.MaxSequenceLength);
        var golden = Golden("doc-0");
        Assert.True(golden.InputIds.Length > 8);
        var ids = encoder.GetInputIds(golden.Text, isQuery: false);
        Assert.Equal([.. golden.InputIds[..7], 3], ids);
        var truncated = encoder.EncodeDocument(golden.Text);
        Assert.NotEqual(_encoder.EncodeDocument(golden.Text), truncated);
        Assert.NotEqual(_encoder.ModelId, encoder.ModelId);
    }

    [Fact]
    public void MaxActiveDims_KeepsTheFiveLargestWeights()
    {
        using var encoder = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { MaxActiveDims = 5 });
        var texts = SomeGoldenTexts();
        var limited = encoder.EncodeDocuments(texts);
        for (int t = 0; t < texts.Count; t++)
        {
            var full = _encoder.EncodeDocument(texts[t]);
            var expected = Enumerable.Range(0, full.Count)
                .OrderByDescending(i => full.Values[i]).ThenBy(i => full.Indices[i])
                .Take(5).Select(i => full.Indices[i]).Order().ToArray();
            Assert.True(limited[t].Count <= 5, $"text {t}: {limited[t].Count} entries");
            Assert.Equal(expected, limited[t].Indices.ToArray());
            foreach (int id in expected)
            {
                Assert.True(Math.Abs(full[id] - limited[t][id]) <= 1e-5f, $"text {t}, id {id}: {limited[t][id]} vs {full[id]}");
            }
        }
        Assert.NotEqual(_encoder.ModelId, encoder.ModelId);
    }

    // ---- Model variants ----

    [Fact]
    public void CosineModel_ReturnsUnitVectorsEqualToTheNormalisedDotVectors()
    {
        using var folder = TempModelFolder.CopyOfFixture();
        folder.EditJson("config_sentence_transformers.json", o => o["similarity_fn_name"] = "cosine");
        using var cosine = SpladeEncoder.Create(folder.Directory);
        Assert.Equal(SimilarityFunction.Cosine, cosine.SimilarityFunction);
        Assert.Equal(SimilarityFunction.Dot, _encoder.SimilarityFunction);
        Assert.NotEqual(_encoder.ModelId, cosine.ModelId);

        var texts = SomeGoldenTexts();
        texts.Add("");
        var vectors = cosine.EncodeDocuments(texts);
        for (int t = 0; t < texts.Count; t++)
        {
            Assert.True(Math.Abs(vectors[t].L2Norm() - 1f) <= 1e-5f, $"text {t}: norm {vectors[t].L2Norm()}");
            var expected = _encoder.EncodeDocument(texts[t]).Normalize();
            Assert.Equal(expected.Indices.ToArray(), vectors[t].Indices.ToArray());
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.True(Math.Abs(expected.Values[i] - vectors[t].Values[i]) <= 1e-6f, $"text {t}, id {expected.Indices[i]}");
            }
        }
        Assert.True(Math.Abs(cosine.EncodeQuery(texts[0]).L2Norm() - 1f) <= 1e-5f);
    }

    [Fact]
    public void Prompts_ArePrependedToQueriesOnly()
    {
        using var folder = TempModelFolder.CopyOfFixture();
        folder.EditJson("config_sentence_transformers.json", o => o["prompts"] = new JsonObject { ["query"] = "query: ", ["document"] = "" });
        using var prompted = SpladeEncoder.Create(folder.Directory);
        const string text = "aspirin and angina";

        var promptIds = _encoder.GetInputIds("query:", isQuery: false)[..^1];
        var textIds = _encoder.GetInputIds(text, isQuery: false);
        var queryIds = prompted.GetInputIds(text, isQuery: true);
        Assert.True(promptIds.Length > 1);
        Assert.Equal(promptIds, queryIds[..promptIds.Length]);
        Assert.Equal(textIds[1..], queryIds[promptIds.Length..]);
        Assert.Equal(textIds, prompted.GetInputIds(text, isQuery: false));

        Assert.NotEqual(prompted.EncodeDocument(text), prompted.EncodeQuery(text));
        Assert.Equal(_encoder.EncodeDocument(text), prompted.EncodeDocument(text));
        Assert.Equal(_encoder.EncodeDocument("query: " + text), prompted.EncodeQuery(text));
        Assert.Equal(prompted.EncodeQueries([text])[0], prompted.EncodeQuery(text));
        Assert.NotEqual(_encoder.ModelId, prompted.ModelId);
    }

    [Fact]
    public void TokenizerJsonWithoutVocabTxt_GivesTheSameVectors()
    {
        using var folder = TempModelFolder.CopyOfFixture();
        folder.Delete("vocab.txt");
        using var encoder = SpladeEncoder.Create(folder.Directory);
        Assert.Equal(folder.PathOf("tokenizer.json"), encoder.Vocabulary.Source);
        Assert.Equal(30522, encoder.Vocabulary.Count);
        var texts = SomeGoldenTexts();
        var expected = _encoder.EncodeDocuments(texts);
        var actual = encoder.EncodeDocuments(texts);
        for (int t = 0; t < texts.Count; t++)
        {
            Assert.Equal(_encoder.GetInputIds(texts[t], false), encoder.GetInputIds(texts[t], false));
            Assert.True(expected[t] == actual[t], $"text {t}: vectors differ");
        }
        // Same bytes, same vocabulary, same settings: the same model.
        Assert.Equal(_encoder.ModelId, encoder.ModelId);
    }

    // ---- Identity, decoding, disposal ----

    [Fact]
    public void ModelId_StableAcrossLoads_DiffersWithOnnxAndMaxLength()
    {
        using var again = SpladeEncoder.Create(TinySplade.Directory);
        using var pooled = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { ModelFile = "model_pooled.onnx" });
        using var shorter = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { MaxSequenceLength = 128 });
        // Options that do not change vectors keep the identity.
        using var otherBatch = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { BatchSize = 3, Pooling = PoolingLocation.Managed });

        Assert.Matches("^sha256:[0-9a-f]{16}$", _encoder.ModelId);
        Assert.Equal(_encoder.ModelId, again.ModelId);
        Assert.Equal(_encoder.ModelId, otherBatch.ModelId);
        Assert.NotEqual(_encoder.ModelId, pooled.ModelId);
        Assert.NotEqual(_encoder.ModelId, shorter.ModelId);
    }

    [Fact]
    public void ModelId_DiffersWhenTheOnnxBytesDiffer()
    {
        using var folder = TempModelFolder.CopyOfFixture();
        EditOnnx(folder, "model.onnx", m => m.ProducerName += "-edited");
        using var edited = SpladeEncoder.Create(folder.Directory);
        Assert.NotEqual(_encoder.ModelId, edited.ModelId);
    }

    [Fact]
    public void Decode_GivesTheGoldenTopTokensOfDoc0()
    {
        var golden = Golden("doc-0");
        Assert.Equal(10, golden.TopTokens.Count);
        var decoded = _encoder.Decode(_encoder.EncodeDocument(golden.Text), golden.TopTokens.Count);
        Assert.Equal(golden.TopTokens.Select(p => p[0].GetString()), decoded.Select(d => d.Token));
        for (int i = 0; i < decoded.Count; i++)
        {
            Assert.True(Math.Abs(decoded[i].Weight - golden.TopTokens[i][1].GetSingle()) <= WeightTolerance, $"rank {i}: {decoded[i]}");
        }
        Assert.Equal(Golden("doc-0").Indices.Length, _encoder.Decode(_encoder.EncodeDocument(golden.Text)).Count);
    }

    [Fact]
    public void Dispose_ThenEncode_ThrowsObjectDisposed()
    {
        var encoder = SpladeEncoder.Create(TinySplade.Directory);
        Assert.True(encoder.EncodeDocument("aspirin").Count > 0);
        encoder.Dispose();
        encoder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => encoder.EncodeDocument("aspirin"));
        Assert.Throws<ObjectDisposedException>(() => encoder.EncodeQueries(["aspirin"]));
    }

    // ---- ONNX editing helpers ----

    private static string EditOnnx(TempModelFolder folder, string file, Action<ModelProto> edit)
    {
        string path = folder.PathOf(file);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        edit(model);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    /// <summary>Renames a graph value everywhere it appears (graph inputs/outputs, node inputs/outputs, value infos).</summary>
    private static void RenameValue(ModelProto model, string from, string to)
    {
        var graph = model.Graph;
        int found = 0;
        foreach (var v in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo).Where(v => v.Name == from))
        {
            v.Name = to;
            found++;
        }
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }
            for (int i = 0; i < node.Output.Count; i++)
            {
                if (node.Output[i] == from)
                {
                    node.Output[i] = to;
                }
            }
        }
        Assert.True(found > 0, $"the test model has no graph input or output '{from}'");
    }
}
