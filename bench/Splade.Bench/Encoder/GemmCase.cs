using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Splade.Bench.Encoder;

/// <summary>
/// One of <see cref="GemmModels"/>' models in its own <see cref="InferenceSession"/> (the encoder's session
/// options), with its input made once and its output bound to a buffer allocated once, so that a timed
/// <see cref="Run"/> is the kernel and ONNX Runtime's per-call overhead, no allocation.
/// </summary>
internal sealed class GemmCase : IDisposable
{
    private static readonly string[] InputNames = [GemmModels.Input];
    private static readonly string[] OutputNames = [GemmModels.Output];

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _outputs;

    private GemmCase(string label, byte[] model, int threads, OrtValue input, OrtValue output)
    {
        Label = label;
        // Must mirror SpladeEncoder.CreateSession, as BareSession does: the question is what the encoder's kernels do.
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
        };
        _session = new InferenceSession(model, options);
        _inputs = [input];
        _outputs = [output];
    }

    /// <summary>What the case measures, as printed.</summary>
    public string Label { get; }

    /// <summary>A model whose input is float32 activations [rows, k] and whose output is float32 [rows, n].</summary>
    public static GemmCase FloatIn(string label, byte[] model, int threads, float[] activations, int rows, int k, int n) =>
        new(label, model, threads,
            OrtValue.CreateTensorValueFromMemory(activations, [rows, k]),
            OrtValue.CreateTensorValueFromMemory(new float[(long)rows * n], [rows, n]));

    /// <summary>A model whose input is uint8 activations [rows, k] and whose output is int32 [rows, n].</summary>
    public static GemmCase ByteIn(string label, byte[] model, int threads, byte[] activations, int rows, int k, int n) =>
        new(label, model, threads,
            OrtValue.CreateTensorValueFromMemory(activations, [rows, k]),
            OrtValue.CreateTensorValueFromMemory(new int[(long)rows * n], [rows, n]));

    /// <summary>One Run into the bound output.</summary>
    public void Run() => _session.Run(_runOptions, InputNames, _inputs, OutputNames, _outputs);

    /// <summary>The output of the last Run, for models with a float32 output.</summary>
    public ReadOnlySpan<float> FloatOutput() => _outputs[0].GetTensorDataAsSpan<float>();

    /// <summary>One Run, timed; in seconds.</summary>
    public double TimeOne()
    {
        long start = Stopwatch.GetTimestamp();
        Run();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public void Dispose()
    {
        _inputs[0].Dispose();
        _outputs[0].Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
