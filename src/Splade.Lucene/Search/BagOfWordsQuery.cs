using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Splade.Lucene.Search;

/// <summary>
/// Anserini's bag-of-words query: the analysed terms of a text as SHOULD term clauses, so that
/// query syntax characters (<c>? : " -</c>) in natural-language text are just separators.
/// </summary>
public static class BagOfWordsQuery
{
    /// <summary>
    /// Builds a disjunction with one clause per distinct analysed term, boosted by the number of
    /// times the term occurs in <paramref name="text"/>.
    /// </summary>
    /// <remarks>
    /// One boosted clause scores the same as repeated clauses (BM25 is linear in the query
    /// boost) and keeps the clause count below <see cref="BooleanQuery.MaxClauseCount"/> for
    /// longer texts. Coord is disabled so that, as in Lucene 9, the score is the plain sum.
    /// A text with no indexable term gives a query with no clause, which matches nothing.
    /// </remarks>
    /// <param name="analyzer">The analyzer of <paramref name="field"/>.</param>
    /// <param name="field">The field searched.</param>
    /// <param name="text">Any text; query syntax has no meaning in it.</param>
    /// <returns>The disjunction (not yet rewritten).</returns>
    public static BooleanQuery Build(Analyzer analyzer, string field, string text)
    {
        ArgumentNullException.ThrowIfNull(analyzer);
        ArgumentException.ThrowIfNullOrEmpty(field);
        ArgumentNullException.ThrowIfNull(text);

        // Ordered by first occurrence so the query's ToString is deterministic.
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        using (var stream = analyzer.GetTokenStream(field, text))
        {
            var term = stream.AddAttribute<ICharTermAttribute>();
            stream.Reset();
            while (stream.IncrementToken())
            {
                string t = term.ToString();
                if (counts.TryGetValue(t, out int n))
                {
                    counts[t] = n + 1;
                }
                else
                {
                    counts[t] = 1;
                    order.Add(t);
                }
            }
            stream.End();
        }

        var query = new BooleanQuery(disableCoord: true);
        foreach (string t in order)
        {
            query.Add(new TermQuery(new Term(field, t)) { Boost = counts[t] }, Occur.SHOULD);
        }
        return query;
    }
}
