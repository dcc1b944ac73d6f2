namespace IndexPubMed.Input;

/// <summary>A <c>DeleteCitation</c> block of an update file: these PMIDs are withdrawn from PubMed.</summary>
public sealed class PubMedDeletion : PubMedItem
{
    internal PubMedDeletion(IReadOnlyList<string> pmids, long line) : base(line) => Pmids = pmids;

    /// <summary>PMIDs to delete, in file order.</summary>
    public IReadOnlyList<string> Pmids { get; }
}
