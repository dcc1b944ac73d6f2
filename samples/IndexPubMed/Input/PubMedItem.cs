namespace IndexPubMed.Input;

/// <summary>
/// One thing read from a PubMed XML file, in file order: a <see cref="PubMedArticle"/> to add or
/// replace, or a <see cref="PubMedDeletion"/> to apply. Order matters: an update file's deletions
/// come after its records.
/// </summary>
public abstract class PubMedItem
{
    private protected PubMedItem(long line) => Line = line;

    /// <summary>Line (in the decompressed file) where the item's element starts.</summary>
    public long Line { get; }
}
