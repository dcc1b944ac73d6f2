using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Splade.Encoder.Onnx;

namespace Splade.Encoder;

/// <summary>
/// Turns a model folder into an int8 model folder for faster CPU encoding: dynamic quantization of every
/// MatMul with constant weights (int8 weights in [-64, 64] with one scale per output column, a range that CPUs
/// without VNNI multiply without int16 saturation; activations quantized to uint8 at run time), written as a
/// standard ONNX graph of <c>com.microsoft::DynamicQuantizeMatMul</c> nodes that ONNX Runtime's CPU provider runs
/// with its integer kernels; self-attention blocks of the shape a PyTorch export of eager BERT attention writes
/// become <c>com.microsoft::QAttention</c> nodes (<see cref="SpladeQuantizationOptions.FuseAttention"/>). Quantization changes the
/// vectors slightly: it is opt-in, and worth checking on your own queries (see docs/PERFORMANCE.md).
/// </summary>
public static class SpladeModelQuantizer
{
    /// <summary>The file, written beside the int8 model, that records how and from what it was made.</summary>
    public const string RecordFileName = "splade_quantization.json";

    /// <summary>
    /// Quantizes the ONNX model of <paramref name="inputDirectory"/> into <paramref name="outputDirectory"/>,
    /// copying the tokenizer and configuration files unchanged and writing <see cref="RecordFileName"/>.
    /// The int8 model has other bytes, so <see cref="SpladeEncoder.ModelId"/> (recorded in indexes) differs
    /// from the float32 model's.
    /// </summary>
    /// <param name="inputDirectory">A model folder <see cref="SpladeEncoder.Create"/> can load.</param>
    /// <param name="outputDirectory">The folder to write; created if missing.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid, or the output folder is the input folder.</exception>
    /// <exception cref="IOException">The output folder is not empty and <see cref="SpladeQuantizationOptions.Overwrite"/> is false.</exception>
    /// <exception cref="SpladeModelException">The source model cannot be read, or has no constant-weight MatMul to quantize.</exception>
    public static SpladeQuantizationResult Quantize(string inputDirectory, string outputDirectory, SpladeQuantizationOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        options ??= new SpladeQuantizationOptions();
        options.Validate();
        var model = SpladeModelConfiguration.Load(inputDirectory, options.ModelFile);
        string input = model.Directory;
        string output = Path.GetFullPath(outputDirectory);
        if (string.Equals(Path.TrimEndingDirectorySeparator(input), Path.TrimEndingDirectorySeparator(output), StringComparison.Ordinal))
        {
            throw new ArgumentException($"The output folder '{output}' is the input folder: the int8 model needs a folder of its own.", nameof(outputDirectory));
        }
        // The input's files are copied, and the output would be copied into itself.
        if (output.StartsWith(Path.TrimEndingDirectorySeparator(input) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The output folder '{output}' is inside the input folder '{input}': give a folder outside it.", nameof(outputDirectory));
        }
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any() && !options.Overwrite)
        {
            throw new IOException($"The output folder '{output}' is not empty (set Overwrite, or --force, to replace its files).");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(model.OnnxPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpladeModelException($"Cannot read the ONNX model: {e.Message}", model.OnnxPath, e);
        }
        string sourceHash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var graph = OnnxGraphInfo.Read(bytes, model.OnnxPath);
        if (graph.Proto.Graph.Node.Any(n => n.Domain == DynamicQuantization.MicrosoftDomain && n.OpType is DynamicQuantization.OpType or DynamicQuantization.AttentionOpType))
        {
            throw new SpladeModelException("The model is already quantized (it has DynamicQuantizeMatMul nodes).", model.OnnxPath);
        }
        var result = DynamicQuantization.Quantize(graph.Proto, graph.LogitsOutput, options.QuantizeVocabularyProjection,
            attentionMaskInput: options.FuseAttention ? "attention_mask" : null, fuseSkipLayerNorm: options.FuseSkipLayerNorm);
        if (result.Quantized + result.Attention == 0)
        {
            throw new SpladeModelException("The model has no MatMul with constant float weights to quantize.", model.OnnxPath);
        }
        graph.Proto.ProducerName = "Splade.Encoder SpladeModelQuantizer";
        byte[] quantized = graph.Proto.ToByteArray();

        Directory.CreateDirectory(output);
        // Where a model folder's ONNX file is found without naming it (model.onnx or onnx/model.onnx), so that the
        // int8 folder loads as it is even when the source was a file of another name (--model-file).
        string relativeOnnx = Path.GetRelativePath(input, model.OnnxPath);
        if (relativeOnnx != "model.onnx" && relativeOnnx != Path.Combine("onnx", "model.onnx"))
        {
            relativeOnnx = "model.onnx";
        }
        var copied = new List<string>();
        foreach (string file in Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(input, file);
            // Other ONNX files (a pooled export, external weights) belong to the float32 model.
            if (relative.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || relative.EndsWith(".onnx_data", StringComparison.OrdinalIgnoreCase)
                || relative.EndsWith(".onnx.data", StringComparison.OrdinalIgnoreCase) || relative == RecordFileName)
            {
                continue;
            }
            string target = Path.Combine(output, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
            copied.Add(relative);
        }
        string onnxPath = Path.Combine(output, relativeOnnx);
        Directory.CreateDirectory(Path.GetDirectoryName(onnxPath)!);
        File.WriteAllBytes(onnxPath, quantized);

        string recordPath = Path.Combine(output, RecordFileName);
        var record = new Dictionary<string, object?>
        {
            ["quantization"] = "dynamic-int8",
            ["weights"] = "int8 in [-64, 64] (7-bit range, exact on CPUs without VNNI), symmetric, one scale per output column (zero point 0)",
            ["activations"] = "uint8, quantized at run time by com.microsoft::DynamicQuantizeMatMul",
            ["quantized_attention"] = result.Attention,
            ["skip_layer_norms"] = result.SkipLayerNorms,
            ["quantized_matmuls"] = result.Quantized,
            ["float_matmuls"] = result.KeptFloat,
            ["vocabulary_projection"] = options.QuantizeVocabularyProjection ? "int8" : "float32",
            ["source_folder"] = input,
            ["source_model_file"] = Path.GetRelativePath(input, model.OnnxPath),
            ["source_model_sha256"] = sourceHash,
            ["model_file"] = relativeOnnx,
            ["model_sha256"] = Convert.ToHexStringLower(SHA256.HashData(quantized)),
            ["tool"] = "Splade.Encoder " + typeof(SpladeModelQuantizer).Assembly.GetName().Version,
        };
        File.WriteAllText(recordPath, JsonSerializer.Serialize(record, new JsonSerializerOptions { WriteIndented = true }) + "\n");

        return new SpladeQuantizationResult
        {
            OnnxPath = onnxPath,
            RecordPath = recordPath,
            SourceSha256 = sourceHash,
            QuantizedMatMuls = result.Quantized,
            QuantizedAttention = result.Attention,
            SkipLayerNorms = result.SkipLayerNorms,
            FloatMatMuls = result.KeptFloat,
            SourceBytes = bytes.LongLength,
            OutputBytes = quantized.LongLength,
            CopiedFiles = copied,
        };
    }
}
