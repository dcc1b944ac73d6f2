namespace Splade.Lucene.Formats;

/// <summary>A precomputed sparse vector read from a file: token strings with their weights.</summary>
/// <param name="Id">The document or query id (<c>"id"</c> or <c>"_id"</c>).</param>
/// <param name="Weights">Token to weight; when a token is repeated in the object the last weight wins.</param>
/// <param name="Line">The 1-based line of the file where the record's JSON object starts.</param>
public sealed record VectorRecord(string Id, IReadOnlyDictionary<string, float> Weights, long Line);
