using Splade.Lucene.Search;

namespace Splade.Lucene;

/// <summary>A search result of <see cref="SpladeIndex"/>.</summary>
public sealed class SpladeHit
{
    /// <summary>Creates a hit.</summary>
    public SpladeHit(string id, float score, int doc, IReadOnlyDictionary<string, string> fields, IReadOnlyList<SpladeMatchedTerm> matchedTerms)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(matchedTerms);
        Id = id;
        Score = score;
        Doc = doc;
        Fields = fields;
        MatchedTerms = matchedTerms;
    }

    /// <summary>The document's external id.</summary>
    public string Id { get; }

    /// <summary>
    /// The score: a dot product in model units (SPLADE), a BM25 score, their weighted sum (linear hybrid), or the
    /// reciprocal-rank-fusion score.
    /// </summary>
    public float Score { get; }

    /// <summary>The Lucene document number in the searcher that found it (valid only for that point-in-time view).</summary>
    public int Doc { get; }

    /// <summary>The stored fields other than the id (the text under the text field's name), first value of each.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>The SPLADE query terms the document holds, heaviest contribution first; empty in BM25 mode or when not requested.</summary>
    public IReadOnlyList<SpladeMatchedTerm> MatchedTerms { get; }
}
