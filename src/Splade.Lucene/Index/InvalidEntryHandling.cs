namespace Splade.Lucene.Index;

/// <summary>What indexing does with a vector entry that cannot be indexed.</summary>
/// <remarks>
/// Invalid entries are weights that are zero, negative, NaN or infinite, ids outside the vocabulary,
/// token strings the vocabulary does not contain and, without a vocabulary, empty tokens and tokens that are
/// not valid UTF-16 (an unpaired surrogate).
/// </remarks>
public enum InvalidEntryHandling
{
    /// <summary>Throw an <see cref="ArgumentException"/> naming the term and its value (the default).</summary>
    Throw = 0,

    /// <summary>Leave the entry out and count it in <see cref="SpladeIndexingStats"/>.</summary>
    Skip = 1,
}
