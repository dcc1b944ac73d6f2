namespace Splade.Lucene.Index;

/// <summary>What indexing does with a vector entry that cannot be indexed.</summary>
/// <remarks>
/// Invalid entries are weights that are zero, negative, NaN or infinite, ids outside the vocabulary and
/// token strings the vocabulary does not contain.
/// </remarks>
public enum InvalidEntryHandling
{
    /// <summary>Throw an <see cref="ArgumentException"/> naming the term and its value (the default).</summary>
    Throw = 0,

    /// <summary>Leave the entry out and count it in <see cref="SpladeIndexingStats"/>.</summary>
    Skip = 1,
}
