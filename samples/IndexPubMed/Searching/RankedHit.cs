namespace IndexPubMed.Searching;

/// <summary>One result: Lucene document number, external id (PMID) and score.</summary>
/// <param name="Doc">The Lucene document number in the searcher's reader.</param>
/// <param name="Id">The stored <c>id</c> (PMID).</param>
/// <param name="Score">The final score (after fusion for hybrid requests).</param>
internal sealed record RankedHit(int Doc, string Id, float Score);
