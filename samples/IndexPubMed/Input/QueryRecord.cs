namespace IndexPubMed.Input;

/// <summary>A query to run: its id and text.</summary>
/// <param name="Id">The query id.</param>
/// <param name="Text">The query text, trimmed.</param>
public sealed record QueryRecord(string Id, string Text);
