using System.CommandLine;
using IndexPubMed.Commands;

namespace IndexPubMed.Tests.Commands;

/// <summary>The <c>quantize</c> command end to end on the tiny model: an int8 folder that indexes and searches.</summary>
public sealed class QuantizeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("quantize-test").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand { QuantizeCommand.Create(), IndexCommand.Create(), SearchCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void WritesAnInt8Folder_ThatIndexesAndSearches_AndRefusesTheFloatIndex()
    {
        string int8 = Path.Combine(_dir, "int8");
        var (exit, output, error) = Run("quantize", "--model", Cli.ModelDir, "--output", int8);
        Assert.True(exit == 0, error);
        Assert.Contains("14 MatMuls int8", output);
        Assert.True(File.Exists(Path.Combine(int8, "model.onnx")));
        Assert.True(File.Exists(Path.Combine(int8, "splade_quantization.json")));
        Assert.True(File.Exists(Path.Combine(int8, "vocab.txt")));

        string index = Path.Combine(_dir, "index");
        (exit, _, error) = Run("index", "--index", index, "--model", int8, "--quiet", Cli.PubMedDir);
        Assert.True(exit is 0 or 1, error);
        (exit, output, error) = Run("search", "--index", index, "--model", int8, "--mode", "splade", "--top", "3", "heart failure");
        Assert.True(exit == 0, error);
        Assert.NotEmpty(Cli.HitIds(output));

        // The float32 model has another identity: the int8 index refuses it.
        (exit, _, error) = Run("search", "--index", index, "--model", Cli.ModelDir, "--mode", "splade", "heart failure");
        Assert.Equal(2, exit);
        Assert.NotEmpty(error);
    }

    [Fact]
    public void NonEmptyOutput_IsRefusedWithExitCode2_UnlessForced()
    {
        string output = Path.Combine(_dir, "busy");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "x.txt"), "x");
        var (exit, _, error) = Run("quantize", "--model", Cli.ModelDir, "--output", output);
        Assert.Equal(2, exit);
        Assert.Contains("not empty", error);
        (exit, _, error) = Run("quantize", "--model", Cli.ModelDir, "--output", output, "--force", "--float-projection");
        Assert.True(exit == 0, error);
    }
}
