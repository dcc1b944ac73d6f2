namespace IndexPubMed.Input;

/// <summary>A document from a JSON-lines corpus.</summary>
/// <param name="Id">The document id ("_id" or "id").</param>
/// <param name="Title">The title; empty when absent or null.</param>
/// <param name="Text">The body text.</param>
public sealed record DocumentRecord(string Id, string Title, string Text);
