using System.Globalization;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Splade.Lucene.Index;
using Splade.Lucene.Search;

namespace IndexPubMed.Searching;

/// <summary>
/// The SPLADE terms that matched a document, as data from <see cref="SpladeFieldSchema.GetMatchedTerms(IndexReader, int, SpladeQuery)"/>
/// for every <see cref="SpladeQuery"/> on the schema's field wherever it sits in a boolean, parsed or hybrid query.
/// </summary>
internal static class MatchedTerms
{
    /// <summary>The matched terms of the SPLADE clauses of <paramref name="query"/>, heaviest contribution first (ties by token).</summary>
    public static IReadOnlyList<SpladeMatchedTerm> From(SpladeFieldSchema schema, IndexReader reader, Query query, int doc)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(query);
        var terms = new List<SpladeMatchedTerm>();
        Collect(schema, reader, query, doc, terms);
        terms.Sort((a, b) =>
        {
            int c = b.Contribution.CompareTo(a.Contribution);
            return c != 0 ? c : string.CompareOrdinal(a.Token, b.Token);
        });
        return terms;
    }

    /// <summary>"token q x d = c" items, for one line of output.</summary>
    public static string Format(IEnumerable<SpladeMatchedTerm> terms) => string.Join(", ", terms.Select(t =>
        string.Create(CultureInfo.InvariantCulture, $"{t.Token} {t.QueryWeight:0.###}x{t.DocumentWeight:0.###}={t.Contribution:0.####}")));

    private static void Collect(SpladeFieldSchema schema, IndexReader reader, Query query, int doc, List<SpladeMatchedTerm> terms)
    {
        switch (query)
        {
            case SpladeQuery splade when splade.Field == schema.FieldName:
                terms.AddRange(schema.GetMatchedTerms(reader, doc, splade));
                break;
            case BooleanQuery boolean:
                foreach (var clause in boolean.Clauses)
                {
                    if (!clause.IsProhibited)
                    {
                        Collect(schema, reader, clause.Query, doc, terms);
                    }
                }
                break;
        }
    }
}
