using System.Text;

namespace IndexPubMed.Indexing;

/// <summary>
/// Lucene's hard limits on one record, checked before the record enters the pipeline so that a bad record is
/// reported with its file and line and skipped instead of failing the writer (and the run) later.
/// </summary>
internal static class RecordLimits
{
    /// <summary>Lucene's longest indexed term (and sorted doc value) in UTF-8 bytes: <c>IndexWriter.MAX_TERM_LENGTH</c>.</summary>
    public const int MaxTermBytes = 32_766;

    /// <summary>
    /// Why <paramref name="article"/> cannot be indexed, or null when it can. An id (PMID) or an exact-term value
    /// (journal, MeSH heading, language, publication type, DOI) longer than <see cref="MaxTermBytes"/> UTF-8 bytes
    /// makes the whole record unusable: such a value is never a real one, and a truncated id would collide.
    /// </summary>
    public static string? Check(StoredArticle article)
    {
        if (CheckId(article.Pmid) is { } idProblem)
        {
            return idProblem;
        }
        return TooLong("journal", article.Journal)
            ?? TooLong("doi", article.Doi)
            ?? article.MeshHeadings.Select(m => TooLong("mesh", m)).FirstOrDefault(p => p is not null)
            ?? article.Languages.Select(l => TooLong("language", l)).FirstOrDefault(p => p is not null)
            ?? article.PublicationTypes.Select(t => TooLong("pubtype", t)).FirstOrDefault(p => p is not null);
    }

    /// <summary>Why <paramref name="id"/> cannot be a document id, or null when it can.</summary>
    public static string? CheckId(string id) => TooLong("id", id);

    private static string? TooLong(string field, string? value)
    {
        if (value is null || value.Length <= MaxTermBytes / 3)
        {
            return null;
        }
        int bytes = Encoding.UTF8.GetByteCount(value);
        return bytes <= MaxTermBytes
            ? null
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{field} value of {bytes:N0} UTF-8 bytes is longer than Lucene's limit of {MaxTermBytes:N0} bytes for one term; record skipped");
    }
}
