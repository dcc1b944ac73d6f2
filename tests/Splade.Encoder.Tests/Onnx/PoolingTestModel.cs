using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace Splade.Encoder.Tests.Onnx;

/// <summary>The tiny-splade fixture: model bytes, golden encodings and a way to run a graph on token ids.</summary>
internal static class PoolingTestModel
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "fixtures", "tiny-splade");

    public static string ModelPath { get; } = Path.Combine(Folder, "model.onnx");

    public static string PooledModelPath { get; } = Path.Combine(Folder, "model_pooled.onnx");

    public static byte[] ModelBytes => File.ReadAllBytes(ModelPath);

    public static byte[] PooledModelBytes => File.ReadAllBytes(PooledModelPath);

    public const int VocabularySize = 30522;

    public static IReadOnlyList<GoldenEncoding> LoadGolden()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "golden.json")));
        var list = new List<GoldenEncoding>();
        foreach (var e in doc.RootElement.GetProperty("encodings").EnumerateArray())
        {
            list.Add(new GoldenEncoding(
                e.GetProperty("id").GetString()!,
                e.GetProperty("input_ids").EnumerateArray().Select(x => x.GetInt64()).ToArray(),
                e.GetProperty("indices").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
                e.GetProperty("values").EnumerateArray().Select(x => x.GetSingle()).ToArray()));
        }
        return list;
    }

    public static InferenceSession CreateSession(byte[] model)
    {
        // One thread: the test machine is shared with other builds.
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        return new InferenceSession(model, options);
    }

    /// <summary>A right-padded batch: ids and mask [batch, maxLength].</summary>
    public static (long[] Ids, long[] Mask, int Batch, int Sequence) Pad(IReadOnlyList<long[]> rows)
    {
        int seq = rows.Max(r => r.Length);
        var ids = new long[rows.Count * seq];
        var mask = new long[rows.Count * seq];
        for (int b = 0; b < rows.Count; b++)
        {
            rows[b].CopyTo(ids, b * seq);
            Array.Fill(mask, 1L, b * seq, rows[b].Length);
        }
        return (ids, mask, rows.Count, seq);
    }

    /// <summary>Runs a BERT-input session and returns the named output and its shape.</summary>
    public static (float[] Data, long[] Shape) Run(InferenceSession session, long[] ids, long[] mask, int batch, int sequence, string output)
    {
        var shape = new long[] { batch, sequence };
        var tokenTypes = new long[ids.Length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(tokenTypes, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(
            runOptions,
            ["input_ids", "attention_mask", "token_type_ids"],
            [idsValue, maskValue, typesValue],
            [output]);
        var result = outputs[0];
        return (result.GetTensorDataAsSpan<float>().ToArray(), result.GetTensorTypeAndShape().Shape);
    }
}

internal sealed record GoldenEncoding(string Id, long[] InputIds, int[] Indices, float[] Values)
{
    public float[] Dense(int vocabulary)
    {
        var dense = new float[vocabulary];
        for (int i = 0; i < Indices.Length; i++)
        {
            dense[Indices[i]] = Values[i];
        }
        return dense;
    }
}
