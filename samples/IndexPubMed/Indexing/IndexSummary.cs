namespace IndexPubMed.Indexing;

/// <summary>What an indexing run did, for the closing summary and the exit code.</summary>
internal sealed class IndexSummary
{
    public int Files { get; set; }

    public int FilesAlreadyIndexed { get; set; }

    public long Added { get; set; }

    public long Updated { get; set; }

    public long Deleted { get; set; }

    public long DeletionsOfUnknownIds { get; set; }

    public long VectorsAdded { get; set; }

    public long Skipped { get; set; }

    /// <summary>Vector tokens outside the model's vocabulary, skipped (the rest of each vector is indexed).</summary>
    public long UnknownTokens { get; set; }

    public long EmptyRecords { get; set; }

    public override string ToString() =>
        $"files: {Files} ({FilesAlreadyIndexed} already indexed), records added: {Added:N0}, updated: {Updated:N0}, deleted: {Deleted:N0}" +
        (DeletionsOfUnknownIds > 0 ? $" ({DeletionsOfUnknownIds:N0} deletions of PMIDs not in the index)" : "") +
        (VectorsAdded > 0 ? $", vectors added: {VectorsAdded:N0}" : "") +
        (UnknownTokens > 0 ? $", vector tokens outside the vocabulary skipped: {UnknownTokens:N0}" : "") +
        (EmptyRecords > 0 ? $", records without text: {EmptyRecords:N0}" : "") +
        $", skipped: {Skipped:N0}";
}
