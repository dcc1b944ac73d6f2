using IndexPubMed.Input;

namespace IndexPubMed.Indexing;

/// <summary>The stored fields of one article.</summary>
internal sealed record StoredArticle(
    string Pmid, string Title, string Abstract, string Journal, int? Year, IReadOnlyList<string> MeshHeadings, IReadOnlyList<string> Languages,
    IReadOnlyList<string> PublicationTypes, string? VernacularTitle, IReadOnlyList<string> OtherAbstracts, string? Doi)
{
    public static StoredArticle From(PubMedArticle article) => new(
        article.Pmid, article.Title, article.Abstract, article.Journal, article.Year, article.MeshHeadings, article.Languages,
        article.PublicationTypes, article.VernacularTitle, article.OtherAbstracts.Select(o => o.Text).ToList(), article.Doi);

    /// <summary>A record of a plain document collection (JSONL): id, title and text only.</summary>
    public static StoredArticle FromText(string id, string title, string text) => new(id, title, text, "", null, [], [], [], null, [], null);
}
