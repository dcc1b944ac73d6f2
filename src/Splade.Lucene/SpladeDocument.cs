namespace Splade.Lucene;

/// <summary>
/// A document for <see cref="SpladeIndex"/>: an id, a text (stored, analyzed for BM25 and encoded for SPLADE) and
/// optional extra fields (each stored and analyzed for BM25).
/// </summary>
public sealed class SpladeDocument
{
    /// <summary>Creates a document.</summary>
    /// <param name="id">The external id, unique in the index (an exact term).</param>
    /// <param name="text">The text; empty text is valid.</param>
    /// <param name="fields">Extra fields by name (copied); null for none.</param>
    /// <exception cref="ArgumentException">An empty id, or a null field name or value.</exception>
    public SpladeDocument(string id, string text, IReadOnlyDictionary<string, string>? fields = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(text);
        Id = id;
        Text = text;
        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in fields ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrEmpty(name) || value is null)
            {
                throw new ArgumentException($"Document '{id}': field '{name}' needs a name and a value.", nameof(fields));
            }
            copy[name] = value;
        }
        Fields = copy;
    }

    /// <summary>The external id.</summary>
    public string Id { get; }

    /// <summary>The text.</summary>
    public string Text { get; }

    /// <summary>The extra fields (stored and analyzed for BM25).</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }
}
