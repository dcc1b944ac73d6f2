using Lucene.Net.Index;
using Splade.Encoder;
using Splade.Lucene.Index;

namespace Splade.Lucene.Reindexing;

/// <summary>Settings of one <see cref="SpladeReindexer"/> run; validated once by <see cref="Validate"/>.</summary>
public sealed class SpladeReindexerOptions
{
    /// <summary>The index to rebuild the field of: any Lucene.NET 4.8 index. It changes only in the final commit.</summary>
    public required global::Lucene.Net.Store.Directory Index { get; init; }

    /// <summary>
    /// A directory for the side index holding the new field while it is built (committed as it goes, so a
    /// killed run resumes from it). It must not be <see cref="Index"/>; it is emptied after a successful run.
    /// </summary>
    public required global::Lucene.Net.Store.Directory Work { get; init; }

    /// <summary>The encoder that turns each document's text into its new vector.</summary>
    public required ISparseEncoder Encoder { get; init; }

    /// <summary>The SPLADE field to (re)build, its storage mode and scale.</summary>
    public required SpladeFieldOptions Splade { get; init; }

    /// <summary>
    /// Stored fields whose values, joined by spaces, are the text the model encodes. Each must be stored
    /// by at least one live document, or the run is refused before anything is written.
    /// </summary>
    public required IReadOnlyList<string> TextFields { get; init; }

    /// <summary>Texts per encoder call (default 32).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The side index is committed every this many documents (default 10,000).</summary>
    public int CommitEvery { get; init; } = 10_000;

    /// <summary>
    /// Makes the configuration of the writer that joins the index and the side index (its merge policy and
    /// codec; no text is analysed there). Default: a LUCENE_48 configuration with Lucene's defaults.
    /// </summary>
    public Func<IndexWriterConfig>? CreateJoinWriterConfig { get; init; }

    /// <summary>Receives the number of documents (of <see cref="IndexReader.MaxDoc"/>) done so far, after each batch; synchronously.</summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>Checks every setting once.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it and its value.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Index, nameof(Index));
        ArgumentNullException.ThrowIfNull(Work, nameof(Work));
        ArgumentNullException.ThrowIfNull(Encoder, nameof(Encoder));
        ArgumentNullException.ThrowIfNull(Splade, nameof(Splade));
        ArgumentNullException.ThrowIfNull(TextFields, nameof(TextFields));
        Splade.Validate();
        if (ReferenceEquals(Index, Work))
        {
            throw new ArgumentException("The work directory must not be the index directory.", nameof(Work));
        }
        if (TextFields.Count == 0 || TextFields.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"Give at least one non-empty text field, not [{string.Join(", ", TextFields)}].", nameof(TextFields));
        }
        if (TextFields.Contains(Splade.FieldName))
        {
            throw new ArgumentException($"The text fields must not include the SPLADE field '{Splade.FieldName}' itself.", nameof(TextFields));
        }
        if (BatchSize < 1)
        {
            throw new ArgumentException($"BatchSize must be at least 1, not {BatchSize}.", nameof(BatchSize));
        }
        if (CommitEvery < 1)
        {
            throw new ArgumentException($"CommitEvery must be at least 1, not {CommitEvery}.", nameof(CommitEvery));
        }
    }
}
