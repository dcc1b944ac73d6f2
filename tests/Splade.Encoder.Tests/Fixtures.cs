using System.Text.Json;
using System.Text.Json.Serialization;

namespace Splade.Encoder.Tests;

/// <summary>The tiny-splade test model copied to the test output folder, and its golden.json.</summary>
public static class TinySplade
{
    /// <summary>The model folder (config, vocab.txt, tokenizer.json, ONNX graphs).</summary>
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "fixtures", "tiny-splade");

    private static readonly Lazy<GoldenData> Golden = new(() =>
    {
        string path = PathOf("golden.json");
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<GoldenData>(stream, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })
            ?? throw new InvalidDataException($"{path} is empty.");
    });

    /// <summary>Path of a file in the model folder.</summary>
    public static string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>golden.json, read once.</summary>
    public static GoldenData Load() => Golden.Value;
}

/// <summary>Reference outputs from Hugging Face transformers and sentence-transformers (see golden.json "about").</summary>
public sealed class GoldenData
{
    public Dictionary<string, string> Versions { get; init; } = [];
    public GoldenModel Model { get; init; } = new();
    public List<GoldenEncoding> Encodings { get; init; } = [];
    public List<GoldenTokenizerCase> TokenizerCases { get; init; } = [];

    /// <summary>Rows: the query encodings in order; columns: the doc encodings in order; dot products.</summary>
    public List<double[]> ScoresQueryByDoc { get; init; } = [];
    public List<GoldenRawLogits> RawLogits { get; init; } = [];
    public double BatchedVsSingleMaxAbsDiff { get; init; }
}

public sealed class GoldenModel
{
    public int VocabSize { get; init; }
    public int HiddenSize { get; init; }
    public int Layers { get; init; }
    public int MaxSeqLength { get; init; }
}

/// <summary>One text with its token ids and SPLADE vector (indices ascending, values aligned).</summary>
public sealed class GoldenEncoding
{
    public string Id { get; init; } = "";

    /// <summary>"doc", "query" or "edge".</summary>
    public string Kind { get; init; } = "";
    public string Text { get; init; } = "";
    public int[] InputIds { get; init; } = [];
    public string[] Tokens { get; init; } = [];
    public int[] Indices { get; init; } = [];
    public float[] Values { get; init; } = [];

    /// <summary>sentence-transformers' <c>decode</c>: [token, weight] pairs, heaviest first.</summary>
    public List<JsonElement[]> TopTokens { get; init; } = [];

    public override string ToString() => Id;
}

/// <summary>A text and the Hugging Face BertTokenizer output for it ([CLS]/[SEP] included).</summary>
public sealed class GoldenTokenizerCase
{
    public string Text { get; init; } = "";
    public int[] InputIds { get; init; } = [];
    public string[] Tokens { get; init; } = [];
}

/// <summary>Summary statistics of the MLM logits for one text.</summary>
public sealed class GoldenRawLogits
{
    public string Text { get; init; } = "";
    public int[] Shape { get; init; } = [];
    [JsonPropertyName("first_token_first_8")]
    public double[] FirstTokenFirst8 { get; init; } = [];
    public double LastTokenMax { get; init; }
    public double Sum { get; init; }
}
