namespace IndexPubMed.Searching;

/// <summary>A SPLADE query term matching a document: its query weight, the document's impact and their product.</summary>
internal sealed record MatchedTerm(string Term, float QueryWeight, float Impact, float Contribution);
