namespace IndexPubMed.Input;

/// <summary>
/// A citation (<c>PubmedArticle</c>, <c>PubmedBookArticle</c> or a bare <c>MedlineCitation</c>)
/// reduced to what a search index needs. Texts are plain: inline markup is flattened and
/// whitespace collapsed to single spaces. Missing parts are empty strings or empty lists, never null,
/// except for the optional <see cref="VernacularTitle"/>, <see cref="Doi"/> and <see cref="Year"/>.
/// </summary>
public sealed class PubMedArticle : PubMedItem
{
    internal PubMedArticle(long line) : base(line) { }

    /// <summary>The PubMed id (digits), unique together with <see cref="Version"/>.</summary>
    public required string Pmid { get; init; }

    /// <summary>The PMID's <c>Version</c> attribute; 1 when absent (almost always 1).</summary>
    public int Version { get; init; } = 1;

    /// <summary><c>ArticleTitle</c> (for books, the book title when there is no article title).</summary>
    public string Title { get; init; } = "";

    /// <summary>
    /// The abstract. Structured abstracts give one paragraph per <c>AbstractText</c>, in file
    /// order, as "LABEL: text" when it has a <c>Label</c>, joined by "\n". Copyright notes are left out.
    /// </summary>
    public string Abstract { get; init; } = "";

    /// <summary>Journal <c>Title</c>.</summary>
    public string Journal { get; init; } = "";

    /// <summary>
    /// Publication year: <c>PubDate/Year</c>, else the first 4-digit year of <c>MedlineDate</c>,
    /// else <c>ArticleDate/Year</c>; null when none is there.
    /// </summary>
    public int? Year { get; init; }

    /// <summary>Languages of the article (<c>Language</c>, ISO 639-2 codes such as "eng").</summary>
    public IReadOnlyList<string> Languages { get; init; } = [];

    /// <summary>The title in the original language, when the article is not in English.</summary>
    public string? VernacularTitle { get; init; }

    /// <summary>Other abstracts (translations, plain-language summaries), not part of <see cref="Abstract"/>.</summary>
    public IReadOnlyList<PubMedOtherAbstract> OtherAbstracts { get; init; } = [];

    /// <summary>MeSH descriptor names (<c>MeshHeading/DescriptorName</c>), in file order.</summary>
    public IReadOnlyList<string> MeshHeadings { get; init; } = [];

    /// <summary>Publication types, e.g. "Journal Article", "Review".</summary>
    public IReadOnlyList<string> PublicationTypes { get; init; } = [];

    /// <summary>The DOI from a valid <c>ELocationID</c>, else from the article's <c>ArticleIdList</c>.</summary>
    public string? Doi { get; init; }

    /// <summary>1-based position of the record among the records of its file.</summary>
    public long RecordNumber { get; init; }

    /// <summary>
    /// False when the record has no text at all: no title, abstract, vernacular title or other
    /// abstract (e.g. PMID-only records). Some non-English records have only a vernacular title.
    /// </summary>
    public bool HasText => Title.Length > 0 || Abstract.Length > 0 || VernacularTitle is not null || OtherAbstracts.Count > 0;
}
