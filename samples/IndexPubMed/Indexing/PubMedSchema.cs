using System.Diagnostics.CodeAnalysis;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Documents;
using Lucene.Net.Util;

namespace IndexPubMed.Indexing;

/// <summary>
/// The fields of a PubMed index. BM25 fields use Anserini's English analysis; the SPLADE field holds
/// the impacts of title + abstract; metadata fields are exact terms usable as filters.
/// </summary>
internal static class PubMedSchema
{
    /// <summary>PMID, exact (and sorted doc values for tie-breaking).</summary>
    public const string Id = Bm25Index.IdField;

    /// <summary>Article title (BM25, stored).</summary>
    public const string Title = "title";

    /// <summary>Abstract, structured sections as "LABEL: text" lines (BM25, stored).</summary>
    public const string Abstract = "abstract";

    /// <summary>Title + abstract (BM25, not stored): the default field of BM25 searches.</summary>
    public const string Contents = Bm25Index.ContentsField;

    /// <summary>Journal title (exact, stored).</summary>
    public const string Journal = "journal";

    /// <summary>Publication year (exact term and stored).</summary>
    public const string Year = "year";

    /// <summary>MeSH descriptor names (exact, stored, one value each).</summary>
    public const string Mesh = "mesh";

    /// <summary>Language codes such as "eng" (exact, stored).</summary>
    public const string Language = "language";

    /// <summary>Publication types (exact, stored).</summary>
    public const string PublicationType = "pubtype";

    /// <summary>Title in the original language (stored only: kept apart from the English text).</summary>
    public const string VernacularTitle = "vernacular_title";

    /// <summary>Other abstracts such as translations (stored only).</summary>
    public const string OtherAbstract = "other_abstract";

    /// <summary>DOI (exact, stored).</summary>
    public const string Doi = "doi";

    /// <summary>The default SPLADE field.</summary>
    public const string Splade = "splade";

    /// <summary>Analysis per field: English BM25 analysis for text, the keyword analyzer for exact fields.</summary>
    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope",
        Justification = "PerFieldAnalyzerWrapper (Lucene.NET 4.8) does not dispose the analyzers it wraps; they hold only managed per-thread token stream caches, released by the GC with the wrapper, which its caller disposes.")]
    public static Analyzer CreateAnalyzer() => new PerFieldAnalyzerWrapper(new EnglishBm25Analyzer(), new Dictionary<string, Analyzer>
    {
        [Id] = new KeywordAnalyzer(),
        [Journal] = new KeywordAnalyzer(),
        [Year] = new KeywordAnalyzer(),
        [Mesh] = new KeywordAnalyzer(),
        [Language] = new KeywordAnalyzer(),
        [PublicationType] = new KeywordAnalyzer(),
        [Doi] = new KeywordAnalyzer(),
    });

    /// <summary>The text the SPLADE model sees: title, a space, abstract (BEIR's convention).</summary>
    public static string SpladeText(string title, string abstractText) => Bm25Index.Contents(title, abstractText);

    /// <summary>The document of stored article fields, without its SPLADE field.</summary>
    public static Document CreateDocument(StoredArticle article)
    {
        var doc = new Document
        {
            new StringField(Id, article.Pmid, Field.Store.YES),
            new SortedDocValuesField(Id, new BytesRef(article.Pmid)),
            new TextField(Title, article.Title, Field.Store.YES),
            new TextField(Abstract, article.Abstract, Field.Store.YES),
            new TextField(Contents, Bm25Index.Contents(article.Title, article.Abstract), Field.Store.NO),
        };
        if (article.Journal.Length > 0)
        {
            doc.Add(new StringField(Journal, article.Journal, Field.Store.YES));
        }
        if (article.Year is int year)
        {
            doc.Add(new StringField(Year, year.ToString(System.Globalization.CultureInfo.InvariantCulture), Field.Store.YES));
        }
        foreach (var mesh in article.MeshHeadings)
        {
            doc.Add(new StringField(Mesh, mesh, Field.Store.YES));
        }
        foreach (var language in article.Languages)
        {
            doc.Add(new StringField(Language, language, Field.Store.YES));
        }
        foreach (var type in article.PublicationTypes)
        {
            doc.Add(new StringField(PublicationType, type, Field.Store.YES));
        }
        if (article.VernacularTitle is { Length: > 0 } vernacular)
        {
            doc.Add(new StoredField(VernacularTitle, vernacular));
        }
        foreach (var other in article.OtherAbstracts)
        {
            doc.Add(new StoredField(OtherAbstract, other));
        }
        if (article.Doi is { Length: > 0 } doi)
        {
            doc.Add(new StringField(Doi, doi, Field.Store.YES));
        }
        return doc;
    }

    /// <summary>Reads back the stored fields of a document (for reindexing and for adding vectors to existing documents).</summary>
    public static StoredArticle ReadStored(Document doc)
    {
        string? yearText = doc.Get(Year);
        return new StoredArticle(
            doc.Get(Id) ?? "",
            doc.Get(Title) ?? "",
            doc.Get(Abstract) ?? "",
            doc.Get(Journal) ?? "",
            int.TryParse(yearText, System.Globalization.CultureInfo.InvariantCulture, out int y) ? y : null,
            doc.GetValues(Mesh) ?? [],
            doc.GetValues(Language) ?? [],
            doc.GetValues(PublicationType) ?? [],
            doc.Get(VernacularTitle),
            doc.GetValues(OtherAbstract) ?? [],
            doc.Get(Doi));
    }
}
