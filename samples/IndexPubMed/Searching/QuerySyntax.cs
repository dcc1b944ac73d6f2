using System.Text.RegularExpressions;
using IndexPubMed.Indexing;

namespace IndexPubMed.Searching;

/// <summary>
/// The rule deciding whether a command-line query is query syntax: it is when it has a clause on a
/// field of the index (<c>title:aspirin</c>, <c>year:2020</c>, <c>splade:"..."</c>; the field name
/// starting a word, case-sensitive) or a boolean operator as a word of its own (<c>AND</c>, <c>OR</c>,
/// <c>NOT</c>, <c>&amp;&amp;</c>, <c>||</c>, upper case as in the classic parser). Anything else, including
/// quotes, parentheses, <c>?</c> and words followed by a colon such as <c>Aspirin: a review</c>, is plain
/// text, as natural-language queries (BEIR, TREC topics) are.
/// </summary>
internal static partial class QuerySyntax
{
    /// <summary>The fields a query may name.</summary>
    public static readonly IReadOnlyList<string> Fields =
    [
        PubMedSchema.Id, PubMedSchema.Title, PubMedSchema.Abstract, PubMedSchema.Contents, PubMedSchema.Journal, PubMedSchema.Year,
        PubMedSchema.Mesh, PubMedSchema.Language, PubMedSchema.PublicationType, PubMedSchema.Doi, PubMedSchema.Splade,
    ];

    /// <summary>Whether <paramref name="text"/> is to be parsed (see the type's summary).</summary>
    public static bool LooksLikeSyntax(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return FieldClause().IsMatch(text) || Operator().IsMatch(text);
    }

    /// <summary>Whether a query is parsed under <paramref name="mode"/>.</summary>
    public static bool ShouldParse(string text, SyntaxMode mode) => mode switch
    {
        SyntaxMode.On => true,
        SyntaxMode.Off => false,
        _ => LooksLikeSyntax(text),
    };

    [GeneratedRegex(@"(?<![\w.\-])[+\-]?\(?(id|title|abstract|contents|journal|year|mesh|language|pubtype|doi|splade):", RegexOptions.CultureInvariant)]
    private static partial Regex FieldClause();

    [GeneratedRegex(@"(?<!\S)(AND|OR|NOT|&&|\|\|)(?!\S)", RegexOptions.CultureInvariant)]
    private static partial Regex Operator();
}
