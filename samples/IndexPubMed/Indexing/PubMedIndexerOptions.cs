using Splade.Encoder;
using Splade.Lucene.Index;

namespace IndexPubMed.Indexing;

/// <summary>Settings of one indexing run.</summary>
internal sealed class PubMedIndexerOptions
{
    public required string IndexDirectory { get; init; }

    /// <summary>The SPLADE model; null indexes BM25 fields only (and precomputed vectors need one for their vocabulary).</summary>
    public ISparseEncoder? Encoder { get; init; }

    public SpladeFieldOptions Splade { get; init; } = new() { FieldName = PubMedSchema.Splade };

    /// <summary>Documents encoded per model call batch handed down the pipeline.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Commit (and record progress) after this many items of a file, as well as at the end of each file.</summary>
    public long CommitEvery { get; init; } = 10_000;

    /// <summary>Commit (and record progress) also when this much time has passed since the last commit, whatever the count.</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(60);

    public bool Quiet { get; init; }

    /// <summary>Test hook: the process kills itself (as kill -9 would) after writing this many documents.</summary>
    public long? CrashAfterDocuments { get; init; }

    /// <summary>Test hook: called with the number of documents written so far before each document is written (tests throw from it to simulate a full disk).</summary>
    public Action<long>? BeforeWrite { get; init; }
}
