namespace Splade.Encoder.Tests;

public sealed class SpladeModelConfigurationTests
{
    [Fact]
    public void Fixture_Values()
    {
        var c = SpladeModelConfiguration.Load(TinySplade.Directory);
        Assert.Equal(Path.GetFullPath(TinySplade.Directory), c.Directory);
        Assert.Equal(TinySplade.PathOf("model.onnx"), c.OnnxPath);
        Assert.Equal(TinySplade.PathOf("vocab.txt"), c.VocabularyPath);
        Assert.Equal(512, c.MaxSequenceLength);
        Assert.Equal(SpladePoolingStrategy.Max, c.PoolingStrategy);
        Assert.Equal(SpladeActivation.Relu, c.Activation);
        Assert.Equal(SimilarityFunction.Dot, c.SimilarityFunction);
        Assert.True(c.LowerCase);
        Assert.Null(c.StripAccents);
        Assert.True(c.TokenizeChineseChars);
        Assert.Equal("", c.QueryPrompt);
        Assert.Equal("", c.DocumentPrompt);
        Assert.Equal(["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"], [c.UnknownToken, c.ClassifierToken, c.SeparatorToken, c.PaddingToken, c.MaskToken]);
    }

    [Fact]
    public void NoConfigFiles_GiveSentenceTransformersDefaults()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "vocab.txt"]);
        var c = SpladeModelConfiguration.Load(folder.Directory);
        Assert.Equal(folder.PathOf("model.onnx"), c.OnnxPath);
        Assert.Equal(folder.PathOf("vocab.txt"), c.VocabularyPath);
        Assert.Equal(512, c.MaxSequenceLength);
        Assert.Equal(SpladePoolingStrategy.Max, c.PoolingStrategy);
        Assert.Equal(SpladeActivation.Relu, c.Activation);
        Assert.Equal(SimilarityFunction.Dot, c.SimilarityFunction);
        Assert.True(c.LowerCase);
        Assert.Null(c.StripAccents);
        Assert.True(c.TokenizeChineseChars);
        Assert.Equal("", c.QueryPrompt);
        Assert.Equal("", c.DocumentPrompt);
    }

    [Fact]
    public void OnnxSubfolderLayout_IsFound()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["vocab.txt"]);
        Directory.CreateDirectory(folder.PathOf("onnx"));
        File.Copy(TinySplade.PathOf("model.onnx"), folder.PathOf(Path.Combine("onnx", "model.onnx")));
        var c = SpladeModelConfiguration.Load(folder.Directory);
        Assert.Equal(folder.PathOf(Path.Combine("onnx", "model.onnx")), c.OnnxPath);
    }

    [Fact]
    public void RootModelOnnx_WinsOverOnnxSubfolder()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["vocab.txt", "model.onnx"]);
        folder.Write(Path.Combine("onnx", "model.onnx"), "not read");
        Assert.Equal(folder.PathOf("model.onnx"), SpladeModelConfiguration.Load(folder.Directory).OnnxPath);
    }

    [Fact]
    public void ModelFile_Relative()
    {
        var c = SpladeModelConfiguration.Load(TinySplade.Directory, "model_pooled.onnx");
        Assert.Equal(TinySplade.PathOf("model_pooled.onnx"), c.OnnxPath);
    }

    [Fact]
    public void ModelFile_Absolute_MayLieOutsideTheFolder()
    {
        using var elsewhere = TempModelFolder.Empty();
        string onnx = elsewhere.Write("other.onnx", "not read");
        var c = SpladeModelConfiguration.Load(TinySplade.Directory, onnx);
        Assert.Equal(onnx, c.OnnxPath);
    }

    [Fact]
    public void ModelFile_Missing_ThrowsNamingIt()
    {
        var e = Assert.Throws<SpladeModelException>(() => SpladeModelConfiguration.Load(TinySplade.Directory, "nope.onnx"));
        Assert.Equal(TinySplade.PathOf("nope.onnx"), e.FilePath);
        Assert.Contains(TinySplade.PathOf("nope.onnx"), e.Message);
    }

    [Theory]
    [InlineData("cosine", SimilarityFunction.Cosine)]
    [InlineData("dot", SimilarityFunction.Dot)]
    [InlineData("dot_product", SimilarityFunction.Dot)]
    public void SimilarityFnName(string name, SimilarityFunction expected)
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "vocab.txt", "config_sentence_transformers.json"]);
        folder.EditJson("config_sentence_transformers.json", o => o["similarity_fn_name"] = name);
        Assert.Equal(expected, SpladeModelConfiguration.Load(folder.Directory).SimilarityFunction);
    }

    [Fact]
    public void Prompts_AreRead()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "vocab.txt", "config_sentence_transformers.json"]);
        folder.EditJson("config_sentence_transformers.json", o => o["prompts"] = new System.Text.Json.Nodes.JsonObject { ["query"] = "query: ", ["document"] = "passage: " });
        var c = SpladeModelConfiguration.Load(folder.Directory);
        Assert.Equal("query: ", c.QueryPrompt);
        Assert.Equal("passage: ", c.DocumentPrompt);
    }

    [Fact]
    public void Prompts_PassageStandsInForDocument()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "vocab.txt"]);
        folder.Write("config_sentence_transformers.json", """{"prompts": {"query": "q: ", "passage": "p: "}}""");
        var c = SpladeModelConfiguration.Load(folder.Directory);
        Assert.Equal("q: ", c.QueryPrompt);
        Assert.Equal("p: ", c.DocumentPrompt);
    }

    [Fact]
    public void SumPoolingAndLog1pRelu()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "vocab.txt", "modules.json", "1_SpladePooling/config.json"]);
        folder.EditJson(Path.Combine("1_SpladePooling", "config.json"), o =>
        {
            o["pooling_strategy"] = "sum";
            o["activation_function"] = "log1p_relu";
        });
        var c = SpladeModelConfiguration.Load(folder.Directory);
        Assert.Equal(SpladePoolingStrategy.Sum, c.PoolingStrategy);
        Assert.Equal(SpladeActivation.Log1pRelu, c.Activation);
    }

    [Fact]
    public void PoolingFolder_NamedByModulesJson()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "vocab.txt", "modules.json"]);
        folder.Write("modules.json", """[{"idx": 0, "path": "", "type": "x.MLMTransformer"}, {"idx": 1, "path": "2_Pool", "type": "sentence_transformers.sparse_encoder.modules.SpladePooling"}]""");
        folder.Write(Path.Combine("2_Pool", "config.json"), """{"pooling_strategy": "sum"}""");
        Assert.Equal(SpladePoolingStrategy.Sum, SpladeModelConfiguration.Load(folder.Directory).PoolingStrategy);
    }

    [Theory]
    [InlineData("pooling_strategy", "mean")]
    [InlineData("activation_function", "gelu")]
    public void UnknownPoolingValue_ThrowsNamingFileAndValue(string key, string value)
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "vocab.txt", "1_SpladePooling/config.json"]);
        string path = folder.EditJson(Path.Combine("1_SpladePooling", "config.json"), o => o[key] = value);
        var e = Assert.Throws<SpladeModelException>(() => SpladeModelConfiguration.Load(folder.Directory));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains($"'{value}'", e.Message);
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void UnknownSimilarity_ThrowsNamingFileAndValue()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "vocab.txt", "config_sentence_transformers.json"]);
        string path = folder.EditJson("config_sentence_transformers.json", o => o["similarity_fn_name"] = "euclidean");
        var e = Assert.Throws<SpladeModelException>(() => SpladeModelConfiguration.Load(folder.Directory));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains("'euclidean'", e.Message);
    }

    [Theory]
    [InlineData("tokenizer_config.json")]
    [InlineData("tokenizer.json")]
    [InlineData("sentence_bert_config.json")]
    [InlineData("config_sentence_transformers.json")]
    [InlineData("modules.json")]
    [InlineData("1_SpladePooling/config.json")]
    public void CorruptJson_ThrowsNamingTheFile(string file)
    {
        using var folder = TempModelFolder.CopyOfFixture();
        string path = folder.Write(file, "{ \"unterminated\": ");
        var e = Assert.Throws<SpladeModelException>(() => SpladeModelConfiguration.Load(folder.Directory));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains(Path.GetFileName(path), e.Message);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(e.InnerException);
    }

    [Fact]
    public void MaxSeqLength_OverridesModelMaxLength()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "vocab.txt", "tokenizer_config.json", "sentence_bert_config.json"]);
        folder.EditJson("sentence_bert_config.json", o => o["max_seq_length"] = 128);
        Assert.Equal(128, SpladeModelConfiguration.Load(folder.Directory).MaxSequenceLength);
    }

    [Fact]
    public void ModelMaxLength_UsedWithoutMaxSeqLength()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "vocab.txt", "tokenizer_config.json"]);
        folder.EditJson("tokenizer_config.json", o => o["model_max_length"] = 256);
        Assert.Equal(256, SpladeModelConfiguration.Load(folder.Directory).MaxSequenceLength);
    }

    [Fact]
    public void ModelMaxLength_Sentinel1e30_Ignored()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "vocab.txt", "tokenizer_config.json"]);
        // What transformers writes when the length is unknown: int(1e30).
        string path = folder.PathOf("tokenizer_config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"model_max_length\": 512", "\"model_max_length\": 1000000000000000019884624838656"));
        Assert.Contains("1000000000000000019884624838656", File.ReadAllText(path));
        Assert.Equal(512, SpladeModelConfiguration.Load(folder.Directory).MaxSequenceLength);
    }

    [Theory]
    [InlineData("1e30")]
    [InlineData("512.5")]
    public void MaxSeqLength_NotAnInt32_ThrowsNamingTheFile(string value)
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "vocab.txt"]);
        string path = folder.Write("sentence_bert_config.json", $$"""{"max_seq_length": {{value}}}""");
        var e = Assert.Throws<SpladeModelException>(() => SpladeModelConfiguration.Load(folder.Directory));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(value, e.Message);
    }

    [Fact]
    public void MaxSeqLength_TooSmall_ThrowsNamingTheFile()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "vocab.txt"]);
        string path = folder.Write("sentence_bert_config.json", """{"max_seq_length": 1}""");
        var e = Assert.Throws<SpladeModelException>(() => SpladeModelConfiguration.Load(folder.Directory));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("too small", e.Message);
    }

    [Fact]
    public void TokenizerConfig_OverridesTokenizerJsonNormalizer()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "vocab.txt", "tokenizer.json", "tokenizer_config.json"]);
        folder.EditJson("tokenizer_config.json", o =>
        {
            o["do_lower_case"] = false;
            o["strip_accents"] = true;
            o["tokenize_chinese_chars"] = false;
            o["unk_token"] = "<unk>";
        });
        var c = SpladeModelConfiguration.Load(folder.Directory);
        Assert.False(c.LowerCase);
        Assert.True(c.StripAccents);
        Assert.False(c.TokenizeChineseChars);
        Assert.Equal("<unk>", c.UnknownToken);
    }

    [Fact]
    public void TokenizerJsonOnly_IsTheVocabularyAndNormalizer()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "tokenizer.json"]);
        folder.EditJson("tokenizer.json", o => o["normalizer"]!["lowercase"] = false);
        var c = SpladeModelConfiguration.Load(folder.Directory);
        Assert.Equal(folder.PathOf("tokenizer.json"), c.VocabularyPath);
        Assert.False(c.LowerCase);
    }

    [Fact]
    public void MissingFolder_ThrowsNamingIt()
    {
        string dir = Path.Combine(Path.GetTempPath(), "splade-no-such-folder-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<SpladeModelException>(() => SpladeModelConfiguration.Load(dir));
        Assert.Equal(dir, e.FilePath);
        Assert.Contains(dir, e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void MissingOnnx_ThrowsNamingTheFolderAndExpectedFiles()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["vocab.txt", "tokenizer_config.json"]);
        var e = Assert.Throws<SpladeModelException>(() => SpladeModelConfiguration.Load(folder.Directory));
        Assert.Equal(folder.Directory, e.FilePath);
        Assert.Contains(folder.Directory, e.Message);
        Assert.Contains("model.onnx", e.Message);
    }

    [Fact]
    public void NoVocabulary_ThrowsNamingTheFolder()
    {
        using var folder = TempModelFolder.CopyOfFixture(only: ["model.onnx", "tokenizer_config.json"]);
        var e = Assert.Throws<SpladeModelException>(() => SpladeModelConfiguration.Load(folder.Directory));
        Assert.Equal(folder.Directory, e.FilePath);
        Assert.Contains(folder.Directory, e.Message);
        Assert.Contains("vocab.txt", e.Message);
        Assert.Contains("tokenizer.json", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void BlankFolder_ThrowsArgumentException(string dir)
    {
        Assert.ThrowsAny<ArgumentException>(() => SpladeModelConfiguration.Load(dir));
    }
}
