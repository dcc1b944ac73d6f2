using IndexPubMed.Input;
using Splade.Encoder;
using Splade.Lucene.Index;

namespace IndexPubMed.Indexing;

/// <summary>Settings of one indexing run.</summary>
internal sealed class PubMedIndexerOptions
{
    public required string IndexDirectory { get; init; }

    /// <summary>The SPLADE model that encodes texts; null indexes texts with BM25 fields only (precomputed vectors still make SPLADE fields).</summary>
    public ISparseEncoder? Encoder { get; init; }

    /// <summary>BM25 fields only: no SPLADE field, and precomputed vectors are refused.</summary>
    public bool NoSplade { get; init; }

    /// <summary>
    /// With no <see cref="Encoder"/>: the vocabulary precomputed vectors are checked against (tokens outside it
    /// are counted and skipped); null takes their tokens as given.
    /// </summary>
    public Vocabulary? VectorVocabulary { get; init; }

    /// <summary>With no <see cref="Encoder"/>: the model id recorded in the index settings for precomputed vectors (null: unknown).</summary>
    public string? VectorModelId { get; init; }

    public SpladeFieldOptions Splade { get; init; } = new() { FieldName = PubMedSchema.Splade };

    /// <summary>Documents encoded per model call batch handed down the pipeline.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Records of text (encoded by the model) between commits when <see cref="CommitEvery"/> is not set.</summary>
    public const long DefaultCommitEvery = 10_000;

    /// <summary>
    /// Records of precomputed vectors between commits when <see cref="CommitEvery"/> is not set: vectors were indexed at
    /// about 12,000 a second, so 10,000 of them was a commit a second, whose flushes (each pays per segment) made the
    /// run 3-6% slower than at 100,000 (docs/PERFORMANCE.md, "Vector commits by count"). Now about 20,000 a second
    /// (held and written as one segment per commit, <see cref="BulkVectors"/>), 100,000 are about five seconds of work,
    /// well inside the one-minute bound.
    /// </summary>
    public const long DefaultVectorCommitEvery = 100_000;

    /// <summary>
    /// Commit (and record progress) after this many items of a file, as well as at the end of each file; null:
    /// <see cref="DefaultCommitEvery"/> for text, <see cref="DefaultVectorCommitEvery"/> for precomputed vectors.
    /// </summary>
    public long? CommitEvery { get; init; }

    /// <summary>Records between commits in an input file of <paramref name="kind"/>.</summary>
    public long CommitEveryFor(InputKind kind) => CommitEvery ?? (kind == InputKind.Vectors ? DefaultVectorCommitEvery : DefaultCommitEvery);

    /// <summary>Commit (and record progress) also when this much time has passed since the last commit, whatever the count.</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(60);

    public bool Quiet { get; init; }

    /// <summary>
    /// Threads that write precomputed vectors into the index (IndexWriter is thread-safe; each fills its own segment).
    /// Default one: two threads cost more CPU per 200,000 vectors and were not faster on the 2-core benchmark machine,
    /// loaded or quiet (docs/PERFORMANCE.md, branch tf2 and "Vector commits by count"); kept, tested, for larger machines.
    /// </summary>
    public int WriterThreads { get; init; } = 1;

    /// <summary>
    /// Term-frequency storage with one writer thread: vector-only documents of new ids are held and written as one
    /// segment per commit (<see cref="VectorBulkWriter"/>), without Lucene.NET's inversion of each SPLADE field; the
    /// index holds the same documents, terms and frequencies. False writes every document with AddDocument (the
    /// comparison path of the benchmarks and tests).
    /// </summary>
    public bool BulkVectors { get; init; } = true;

    /// <summary>Postings held by the bulk writer before it writes them (<see cref="VectorBulkWriter.IsFull"/>); tests lower it.</summary>
    public long BulkMaxPostings { get; init; } = VectorBulkWriter.DefaultMaxPostings;

    /// <summary>Index only the records (and deletions) of this share of the ids (<c>index --shard K/N</c>); default all.</summary>
    public IndexPubMed.Input.RecordShard Shard { get; init; } = IndexPubMed.Input.RecordShard.All;

    /// <summary>Test hook: the process kills itself (as kill -9 would) after writing this many documents.</summary>
    public long? CrashAfterDocuments { get; init; }

    /// <summary>Test hook: called with the number of documents written so far before each document is written (tests throw from it to simulate a full disk).</summary>
    public Action<long>? BeforeWrite { get; init; }
}
