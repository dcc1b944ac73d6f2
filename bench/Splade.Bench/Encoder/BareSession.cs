using Microsoft.ML.OnnxRuntime;
using Splade.Encoder;
using Splade.Encoder.Onnx;

namespace Splade.Bench.Encoder;

/// <summary>
/// The engine's limit: a plain <see cref="InferenceSession"/> over exactly the bytes the encoder loads
/// (logits models get the same in-graph pooling appended), with the encoder's session options, run on
/// inputs made once up front.
/// </summary>
internal sealed class BareSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly RunOptions _runOptions = new();

    public BareSession(string modelDirectory, int intraOpThreads, bool prepackWeights = true, string? profilePrefix = null, string? optimizedModelPath = null)
    {
        var model = SpladeModelConfiguration.Load(modelDirectory);
        byte[] bytes = File.ReadAllBytes(model.OnnxPath);
        var graph = OnnxGraphInfo.Read(bytes, model.OnnxPath);
        string output;
        if (graph.PooledOutput is { } pooled)
        {
            output = pooled;
        }
        else
        {
            output = "sparse_vector";
            bytes = PoolingGraph.AppendPooling(bytes, graph.LogitsOutput!, "attention_mask", model.PoolingStrategy, model.Activation, model.OnnxPath, output);
        }
        // Must mirror SpladeEncoder.CreateSession.
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
        };
        if (!prepackWeights)
        {
            options.AddSessionConfigEntry("session.disable_prepacking", "1");
        }
        if (profilePrefix is not null)
        {
            // The prefix first: setting EnableProfiling hands ONNX Runtime the prefix it has at that moment.
            options.ProfileOutputPathPrefix = profilePrefix;
            options.EnableProfiling = true;
        }
        if (optimizedModelPath is not null)
        {
            options.OptimizedModelFilePath = optimizedModelPath;
        }
        _session = new InferenceSession(bytes, options);
        _inputNames = _session.InputMetadata.ContainsKey("token_type_ids")
            ? ["input_ids", "attention_mask", "token_type_ids"]
            : ["input_ids", "attention_mask"];
        _outputNames = [output];
    }

    /// <summary>Makes the input tensors of one batch (padded like the encoder pads); the caller disposes them.</summary>
    public OrtValue[] MakeInputs(IReadOnlyList<int[]> ids)
    {
        int batch = ids.Count;
        int seq = ids.Max(r => r.Length);
        var inputIds = new long[batch * seq];
        var mask = new long[batch * seq];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < ids[b].Length; t++)
            {
                inputIds[b * seq + t] = ids[b][t];
                mask[b * seq + t] = 1;
            }
        }
        long[] shape = [batch, seq];
        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(inputIds, shape),
            OrtValue.CreateTensorValueFromMemory(mask, shape),
        };
        if (_inputNames.Length == 3)
        {
            values.Add(OrtValue.CreateTensorValueFromMemory(new long[batch * seq], shape));
        }
        return [.. values];
    }

    /// <summary>Disposes input tensors made by <see cref="MakeInputs"/>.</summary>
    public static void DisposeInputs(IEnumerable<OrtValue[]> batches)
    {
        foreach (var batch in batches)
        {
            foreach (var value in batch)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>One Run; the output is disposed at once. Returns the output's element count so the call cannot be elided.</summary>
    public long Run(OrtValue[] inputs)
    {
        using var outputs = _session.Run(_runOptions, _inputNames, inputs, _outputNames);
        return outputs[0].GetTensorTypeAndShape().ElementCount;
    }

    /// <summary>One Run, with the pooled rows copied out ([batch][vocabulary]).</summary>
    public float[][] RunAndCopy(OrtValue[] inputs)
    {
        using var outputs = _session.Run(_runOptions, _inputNames, inputs, _outputNames);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        int batch = (int)shape[0], vocab = (int)shape[1];
        var data = outputs[0].GetTensorDataAsSpan<float>();
        var rows = new float[batch][];
        for (int b = 0; b < batch; b++)
        {
            rows[b] = data.Slice(b * vocab, vocab).ToArray();
        }
        return rows;
    }

    /// <summary>Ends ONNX Runtime profiling (sessions made with a profile prefix) and returns the JSON file written.</summary>
    public string EndProfiling() => _session.EndProfiling();

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
