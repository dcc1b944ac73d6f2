using Lucene.Net.Search;

namespace IndexPubMed.Searching;

/// <summary>
/// One query to run. Either <see cref="Parsed"/> alone (query syntax, run as written), or a
/// <see cref="Bm25"/> and/or a <see cref="Splade"/> side: one side is a single search, both a hybrid one.
/// </summary>
internal sealed class SearchRequest
{
    public SearchRequest(string id, Query? bm25, Query? splade, Query? parsed = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (parsed is not null ? bm25 is not null || splade is not null : bm25 is null && splade is null)
        {
            throw new ArgumentException("A request has either a parsed query or at least one of a BM25 and a SPLADE query.", nameof(parsed));
        }
        Id = id;
        Bm25 = bm25;
        Splade = splade;
        Parsed = parsed;
    }

    /// <summary>The query id (for runs).</summary>
    public string Id { get; }

    /// <summary>The BM25 side, or null.</summary>
    public Query? Bm25 { get; }

    /// <summary>The SPLADE side, or null.</summary>
    public Query? Splade { get; }

    /// <summary>A parsed query run as written, or null.</summary>
    public Query? Parsed { get; }

    /// <summary>True when both sides are present.</summary>
    public bool IsHybrid => Bm25 is not null && Splade is not null;
}
