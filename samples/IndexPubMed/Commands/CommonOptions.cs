using System.CommandLine;

namespace IndexPubMed.Commands;

/// <summary>Options shared by several commands, so that they read and behave alike.</summary>
internal static class CommonOptions
{
    public static Option<DirectoryInfo> Model(bool required) => new("--model")
    {
        Description = "SPLADE model folder (ONNX file plus tokenizer and sentence-transformers configuration files)",
        Required = required,
    };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "ONNX Runtime threads per call (0 = one per core)",
        DefaultValueFactory = _ => 0,
    };

    public static Option<int> BatchSize() => new("--batch-size")
    {
        Description = "texts per model call",
        DefaultValueFactory = _ => 16,
    };

    public static Option<bool> Quiet() => new("--quiet", "-q")
    {
        Description = "no progress output",
    };
}
