namespace IndexPubMed.Input;

/// <summary>A precomputed sparse vector: token strings with their weights.</summary>
/// <param name="Id">The document or query id ("id" or "_id").</param>
/// <param name="Weights">Token to weight; when a token is repeated in the line the last weight wins.</param>
public sealed record VectorRecord(string Id, IReadOnlyDictionary<string, float> Weights);
