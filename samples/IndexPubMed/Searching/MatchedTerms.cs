using System.Globalization;
using Lucene.Net.Search;

namespace IndexPubMed.Searching;

/// <summary>
/// Reads the SPLADE terms that matched a document out of an <see cref="Explanation"/> tree: <c>SpladeQuery</c>
/// explains each matching term as <c>"{field}:{term}: query weight x impact"</c> with the query weight and
/// the impact as its two details, wherever the query sits in a boolean or hybrid query.
/// </summary>
internal static class MatchedTerms
{
    private const string Suffix = ": query weight x impact";

    /// <summary>The matched terms of <paramref name="field"/>, heaviest contribution first (ties by term).</summary>
    public static IReadOnlyList<MatchedTerm> From(Explanation explanation, string field)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        var terms = new List<MatchedTerm>();
        Collect(explanation, field + ":", terms);
        terms.Sort((a, b) =>
        {
            int c = b.Contribution.CompareTo(a.Contribution);
            return c != 0 ? c : string.CompareOrdinal(a.Term, b.Term);
        });
        return terms;
    }

    /// <summary>"term w x i = c" items, for one line of output.</summary>
    public static string Format(IEnumerable<MatchedTerm> terms) => string.Join(", ", terms.Select(t =>
        string.Create(CultureInfo.InvariantCulture, $"{t.Term} {t.QueryWeight:0.###}x{t.Impact:0}={t.Contribution:0.##}")));

    private static void Collect(Explanation e, string prefix, List<MatchedTerm> terms)
    {
        string? d = e.Description;
        var details = e.GetDetails();
        if (d is not null && d.StartsWith(prefix, StringComparison.Ordinal) && d.EndsWith(Suffix, StringComparison.Ordinal)
            && details is { Length: 2 })
        {
            terms.Add(new MatchedTerm(d[prefix.Length..^Suffix.Length], details[0].Value, details[1].Value, e.Value));
            return;
        }
        foreach (var child in details ?? [])
        {
            Collect(child, prefix, terms);
        }
    }
}
