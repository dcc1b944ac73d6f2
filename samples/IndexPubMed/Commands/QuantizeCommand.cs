using System.CommandLine;
using System.Globalization;
using Splade.Encoder;

namespace IndexPubMed.Commands;

/// <summary>
/// <c>quantize</c>: writes an int8 copy of a model folder (<see cref="SpladeModelQuantizer"/>), faster on
/// CPUs, with slightly different vectors: opt-in, to be checked with <c>search --queries --qrels</c>.
/// </summary>
internal static class QuantizeCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model(required: true);
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "the int8 model folder to write", Required = true };
        var modelFile = new Option<string?>("--model-file") { Description = "the ONNX file of the source folder (default: model.onnx, then onnx/model.onnx)" };
        var floatProjection = new Option<bool>("--float-projection") { Description = "keep the vocabulary projection in float32 (slower, closer to float32 vectors)" };
        var force = new Option<bool>("--force") { Description = "replace the files of a non-empty output folder" };
        var command = new Command("quantize", "Write an int8 (dynamically quantized) copy of a SPLADE model folder for faster CPU encoding.")
        {
            model, output, modelFile, floatProjection, force,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                var result = SpladeModelQuantizer.Quantize(parse.GetValue(model)!.FullName, parse.GetValue(output)!.FullName, new SpladeQuantizationOptions
                {
                    ModelFile = parse.GetValue(modelFile),
                    QuantizeVocabularyProjection = !parse.GetValue(floatProjection),
                    Overwrite = parse.GetValue(force),
                });
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"wrote {result.OnnxPath}: {result.QuantizedAttention} attention blocks (QAttention) and {result.QuantizedMatMuls} MatMuls int8, {result.FloatMatMuls} float32; {result.SourceBytes / 1e6:F1} MB -> {result.OutputBytes / 1e6:F1} MB"));
                stdout.WriteLine($"copied {result.CopiedFiles.Count} tokenizer/configuration files; recorded the source (sha256 {result.SourceSha256[..16]}...) in {result.RecordPath}");
                stdout.WriteLine("int8 vectors differ slightly from float32: compare both models with search --queries --qrels on your data before switching.");
                return 0;
            }
            catch (Exception e) when (e is SpladeModelException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                stderr.WriteLine($"quantize: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
