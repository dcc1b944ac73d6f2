using Splade.Encoder;
using Splade.Lucene.Index;

namespace IndexPubMed.Reindexing;

/// <summary>Settings of one reindexing run.</summary>
internal sealed class SpladeReindexerOptions
{
    public required string IndexDirectory { get; init; }

    public required ISparseEncoder Encoder { get; init; }

    /// <summary>The SPLADE field to (re)build, its storage mode and scale.</summary>
    public required SpladeFieldOptions Splade { get; init; }

    /// <summary>Stored fields whose values, joined by spaces, are the text the model encodes.</summary>
    public required IReadOnlyList<string> TextFields { get; init; }

    public int BatchSize { get; init; } = 32;

    public int CommitEvery { get; init; } = 10_000;

    public bool Quiet { get; init; }

    /// <summary>Test hook: the process kills itself after encoding this many documents.</summary>
    public long? CrashAfterDocuments { get; init; }
}
