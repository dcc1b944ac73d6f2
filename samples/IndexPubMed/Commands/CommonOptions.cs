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

    /// <summary><c>--storage tf|payload</c>: how SPLADE impacts are stored (index and reindex).</summary>
    public static Option<string> Storage(string? defaultValue)
    {
        var option = new Option<string>("--storage")
        {
            Description = "SPLADE storage: tf (impact as term frequency, compact and fast) or payload (impact in a payload)"
                + (defaultValue is null ? "; default: the index's stored setting, else tf" : ""),
        };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }
        option.AcceptOnlyFromAmong("tf", "payload");
        return option;
    }

    /// <summary>The storage mode named by <c>--storage</c>; null when not given.</summary>
    public static Splade.Lucene.Index.SpladeStorageMode? ParseStorage(string? value) => value switch
    {
        "tf" => Splade.Lucene.Index.SpladeStorageMode.TermFrequency,
        "payload" => Splade.Lucene.Index.SpladeStorageMode.Payload,
        _ => null,
    };

    public static Option<bool> Quiet() => new("--quiet", "-q")
    {
        Description = "no progress or summary output (problems and results are still printed)",
    };
}
