namespace IndexPubMed.Indexing;

/// <summary>One retrieved document: its external id and its score.</summary>
/// <param name="DocId">The value of the document's id field.</param>
/// <param name="Score">The similarity score; higher is better.</param>
public readonly record struct SearchHit(string DocId, float Score);
