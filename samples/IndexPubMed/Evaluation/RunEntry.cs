namespace IndexPubMed.Evaluation;

/// <summary>One retrieved document of a run, for one query.</summary>
/// <param name="DocId">The document id.</param>
/// <param name="Score">The score the system gave it; higher is better.</param>
public readonly record struct RunEntry(string DocId, double Score);
