using System.Text.Json;

namespace Splade.Encoder;

/// <summary>
/// What a model folder in the Hugging Face / sentence-transformers layout says about the model: where
/// its files are and how to tokenize, pool and compare. Missing files fall back to the defaults of
/// sentence-transformers (max length 512, max pooling, relu, dot product, lower-casing).
/// </summary>
public sealed class SpladeModelConfiguration
{
    /// <summary>The model folder.</summary>
    public required string Directory { get; init; }

    /// <summary>The ONNX file that is run.</summary>
    public required string OnnxPath { get; init; }

    /// <summary><c>vocab.txt</c>, or <c>tokenizer.json</c> when there is no vocab.txt.</summary>
    public required string VocabularyPath { get; init; }

    /// <summary><c>do_lower_case</c> of <c>tokenizer_config.json</c> (or tokenizer.json's normalizer); default true.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary><c>strip_accents</c>: null follows <see cref="LowerCase"/>, as in Hugging Face.</summary>
    public bool? StripAccents { get; init; }

    /// <summary><c>tokenize_chinese_chars</c>; default true.</summary>
    public bool TokenizeChineseChars { get; init; } = true;

    /// <summary>Maximum word pieces per text, counting [CLS] and [SEP]: <c>max_seq_length</c> of
    /// <c>sentence_bert_config.json</c>, else <c>model_max_length</c> (when sensible), else 512.</summary>
    public int MaxSequenceLength { get; init; } = 512;

    /// <summary>Pooling over tokens; default max.</summary>
    public SpladePoolingStrategy PoolingStrategy { get; init; } = SpladePoolingStrategy.Max;

    /// <summary>Activation before pooling; default relu, i.e. log(1 + relu(x)).</summary>
    public SpladeActivation Activation { get; init; } = SpladeActivation.Relu;

    /// <summary><c>similarity_fn_name</c>; default dot product.</summary>
    public SimilarityFunction SimilarityFunction { get; init; } = SimilarityFunction.Dot;

    /// <summary>Text prepended to every query (<c>prompts.query</c>); empty by default.</summary>
    public string QueryPrompt { get; init; } = "";

    /// <summary>Text prepended to every document (<c>prompts.document</c>); empty by default.</summary>
    public string DocumentPrompt { get; init; } = "";

    /// <summary>Special-token strings from <c>tokenizer_config.json</c>.</summary>
    public string UnknownToken { get; init; } = "[UNK]";

    /// <summary>The classifier token that starts every sequence.</summary>
    public string ClassifierToken { get; init; } = "[CLS]";

    /// <summary>The separator token that ends every sequence.</summary>
    public string SeparatorToken { get; init; } = "[SEP]";

    /// <summary>The padding token.</summary>
    public string PaddingToken { get; init; } = "[PAD]";

    /// <summary>The mask token.</summary>
    public string MaskToken { get; init; } = "[MASK]";

    /// <summary>
    /// Reads the configuration files of a model folder.
    /// </summary>
    /// <param name="modelDirectory">The folder.</param>
    /// <param name="modelFile">The ONNX file, absolute or relative to the folder; when null,
    /// <c>model.onnx</c> then <c>onnx/model.onnx</c> are tried.</param>
    /// <exception cref="SpladeModelException">The folder, the ONNX file or the vocabulary is missing, or a configuration file is unreadable or holds an unknown value.</exception>
    public static SpladeModelConfiguration Load(string modelDirectory, string? modelFile = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        string dir = Path.GetFullPath(modelDirectory);
        if (!System.IO.Directory.Exists(dir))
        {
            throw new SpladeModelException("The model folder does not exist.", dir);
        }

        string onnx = FindOnnx(dir, modelFile);
        string vocab = File.Exists(Path.Combine(dir, "vocab.txt")) ? Path.Combine(dir, "vocab.txt")
            : File.Exists(Path.Combine(dir, "tokenizer.json")) ? Path.Combine(dir, "tokenizer.json")
            : throw new SpladeModelException("The model folder has neither vocab.txt nor tokenizer.json.", dir);

        bool lowerCase = true;
        bool? stripAccents = null;
        bool chinese = true;
        int? modelMaxLength = null;
        string unk = "[UNK]", cls = "[CLS]", sep = "[SEP]", pad = "[PAD]", mask = "[MASK]";

        // tokenizer.json's normalizer is what the fast tokenizer actually runs; tokenizer_config.json overrides
        // it only where it states a value, as transformers does when it rebuilds the tokenizer.
        using (var tj = ReadJson(Path.Combine(dir, "tokenizer.json")))
        {
            if (tj is not null && tj.RootElement.TryGetProperty("normalizer", out var norm) && norm.ValueKind == JsonValueKind.Object)
            {
                lowerCase = GetBool(norm, "lowercase") ?? lowerCase;
                stripAccents = GetBool(norm, "strip_accents");
                chinese = GetBool(norm, "handle_chinese_chars") ?? chinese;
            }
        }
        string tcPath = Path.Combine(dir, "tokenizer_config.json");
        using (var tc = ReadJson(tcPath))
        {
            if (tc is not null)
            {
                var root = tc.RootElement;
                lowerCase = GetBool(root, "do_lower_case") ?? lowerCase;
                if (root.TryGetProperty("strip_accents", out var sa))
                {
                    stripAccents = sa.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => null,
                    };
                }
                chinese = GetBool(root, "tokenize_chinese_chars") ?? chinese;
                if (root.TryGetProperty("model_max_length", out var mml) && mml.ValueKind == JsonValueKind.Number && mml.TryGetDouble(out double m) && m > 0 && m < 1_000_000)
                {
                    // transformers writes a huge sentinel (1e30) when the length is unknown: ignore that.
                    modelMaxLength = (int)m;
                }
                unk = GetString(root, "unk_token") ?? unk;
                cls = GetString(root, "cls_token") ?? cls;
                sep = GetString(root, "sep_token") ?? sep;
                pad = GetString(root, "pad_token") ?? pad;
                mask = GetString(root, "mask_token") ?? mask;
            }
        }

        int maxLength = modelMaxLength ?? 512;
        string sbPath = Path.Combine(dir, "sentence_bert_config.json");
        using (var sb = ReadJson(sbPath))
        {
            if (sb is not null && sb.RootElement.TryGetProperty("max_seq_length", out var msl) && msl.ValueKind == JsonValueKind.Number)
            {
                // GetInt32 would throw a bare FormatException for 512.5 or 1e30.
                maxLength = msl.TryGetInt32(out int l) ? l
                    : throw new SpladeModelException($"max_seq_length {msl.GetRawText()} is not a whole number of tokens.", sbPath);
            }
        }
        if (maxLength < 2)
        {
            throw new SpladeModelException($"The maximum sequence length {maxLength} is too small (it must hold [CLS] and [SEP]).", sbPath);
        }

        var similarity = SimilarityFunction.Dot;
        string queryPrompt = "", documentPrompt = "";
        string stPath = Path.Combine(dir, "config_sentence_transformers.json");
        using (var st = ReadJson(stPath))
        {
            if (st is not null)
            {
                var root = st.RootElement;
                if (root.TryGetProperty("similarity_fn_name", out var sim) && sim.ValueKind == JsonValueKind.String)
                {
                    similarity = sim.GetString() switch
                    {
                        "dot" or "dot_product" => SimilarityFunction.Dot,
                        "cosine" => SimilarityFunction.Cosine,
                        var other => throw new SpladeModelException($"Unsupported similarity_fn_name '{other}' (expected null, \"dot\" or \"cosine\").", stPath),
                    };
                }
                if (root.TryGetProperty("prompts", out var prompts) && prompts.ValueKind == JsonValueKind.Object)
                {
                    queryPrompt = GetString(prompts, "query") ?? "";
                    documentPrompt = GetString(prompts, "document") ?? GetString(prompts, "passage") ?? GetString(prompts, "corpus") ?? "";
                }
            }
        }

        var pooling = SpladePoolingStrategy.Max;
        var activation = SpladeActivation.Relu;
        string poolPath = FindPoolingConfig(dir);
        using (var pc = ReadJson(poolPath))
        {
            if (pc is not null)
            {
                var root = pc.RootElement;
                pooling = GetString(root, "pooling_strategy") switch
                {
                    null or "max" => SpladePoolingStrategy.Max,
                    "sum" => SpladePoolingStrategy.Sum,
                    var other => throw new SpladeModelException($"Unsupported pooling_strategy '{other}' (expected \"max\" or \"sum\").", poolPath),
                };
                activation = GetString(root, "activation_function") switch
                {
                    null or "relu" => SpladeActivation.Relu,
                    "log1p_relu" => SpladeActivation.Log1pRelu,
                    var other => throw new SpladeModelException($"Unsupported activation_function '{other}' (expected \"relu\" or \"log1p_relu\").", poolPath),
                };
            }
        }

        return new SpladeModelConfiguration
        {
            Directory = dir,
            OnnxPath = onnx,
            VocabularyPath = vocab,
            LowerCase = lowerCase,
            StripAccents = stripAccents,
            TokenizeChineseChars = chinese,
            MaxSequenceLength = maxLength,
            PoolingStrategy = pooling,
            Activation = activation,
            SimilarityFunction = similarity,
            QueryPrompt = queryPrompt,
            DocumentPrompt = documentPrompt,
            UnknownToken = unk,
            ClassifierToken = cls,
            SeparatorToken = sep,
            PaddingToken = pad,
            MaskToken = mask,
        };
    }

    private static string FindOnnx(string dir, string? modelFile)
    {
        if (modelFile is not null)
        {
            string path = Path.IsPathRooted(modelFile) ? modelFile : Path.Combine(dir, modelFile);
            return File.Exists(path) ? path : throw new SpladeModelException("The ONNX model file does not exist.", path);
        }
        foreach (var candidate in new[] { "model.onnx", Path.Combine("onnx", "model.onnx") })
        {
            string path = Path.Combine(dir, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new SpladeModelException("No ONNX model found: expected model.onnx or onnx/model.onnx, or name the file in SpladeEncoderOptions.ModelFile.", dir);
    }

    private static string FindPoolingConfig(string dir)
    {
        // modules.json names the pooling module's folder; 1_SpladePooling is what sentence-transformers writes.
        string modulesPath = Path.Combine(dir, "modules.json");
        using (var modules = ReadJson(modulesPath))
        {
            if (modules is not null && modules.RootElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var module in modules.RootElement.EnumerateArray())
                {
                    if (GetString(module, "type") is { } type && type.EndsWith("SpladePooling", StringComparison.Ordinal) && GetString(module, "path") is { Length: > 0 } path)
                    {
                        return Path.Combine(dir, path, "config.json");
                    }
                }
            }
        }
        return Path.Combine(dir, "1_SpladePooling", "config.json");
    }

    private static JsonDocument? ReadJson(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new SpladeModelException($"Cannot read {Path.GetFileName(path)}: {e.Message}", path, e);
        }
    }

    private static bool? GetBool(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        } : null;

    private static string? GetString(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
