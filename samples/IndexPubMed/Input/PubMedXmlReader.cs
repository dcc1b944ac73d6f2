using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace IndexPubMed.Input;

/// <summary>
/// Streams NLM PubMed XML (<c>PubmedArticleSet</c> baseline and update files, EFetch output, and the
/// older <c>MedlineCitationSet</c>), plain or gzip-compressed. One record is in memory at a time.
/// The DOCTYPE's DTD is never fetched.
/// </summary>
public static partial class PubMedXmlReader
{
    /// <summary>
    /// Reads <paramref name="path"/> lazily, in file order. Problems go to <paramref name="onError"/>
    /// and reading continues: a record without a usable PMID is skipped; malformed XML or a truncated
    /// file ends the file after the items already returned, with one error giving file and line.
    /// </summary>
    /// <param name="path">A .xml or .xml.gz file (compression is detected from content).</param>
    /// <param name="onError">Receives each problem; called on the enumerating thread.</param>
    public static IEnumerable<PubMedItem> Read(string path, Action<InputError> onError)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(onError);
        return ReadIterator(path, onError);
    }

    private static IEnumerable<PubMedItem> ReadIterator(string path, Action<InputError> onError)
    {
        using var parser = Parser.Open(path, onError);
        if (parser is null)
        {
            yield break;
        }
        while (parser.Next() is { } item)
        {
            yield return item;
        }
    }

    // C# forbids yield inside try/catch, so the parsing state lives here and Next() catches.
    private sealed class Parser : IDisposable
    {
        private readonly string _path;
        private readonly Action<InputError> _onError;
        private readonly XmlReader _reader;
        private readonly IXmlLineInfo _lineInfo;
        private long _records;
        private bool _done;

        private Parser(string path, Action<InputError> onError, XmlReader reader)
        {
            _path = path;
            _onError = onError;
            _reader = reader;
            _lineInfo = (IXmlLineInfo)reader;
        }

        public static Parser? Open(string path, Action<InputError> onError)
        {
            var settings = new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Ignore, // the DOCTYPE names a DTD on nlm.nih.gov: never fetch it
                XmlResolver = null,
                IgnoreComments = true,
                IgnoreProcessingInstructions = true,
                IgnoreWhitespace = false, // whitespace between inline tags separates words
                CloseInput = true,
            };
            // Without the DTD its default xmlns attributes are missing, so predeclare the prefixes
            // PubMed uses in abstracts; otherwise an undeclared "mml:" would end the file.
            var names = new NameTable();
            var namespaces = new XmlNamespaceManager(names);
            namespaces.AddNamespace("mml", "http://www.w3.org/1998/Math/MathML");
            namespaces.AddNamespace("xlink", "http://www.w3.org/1999/xlink");
            var context = new XmlParserContext(names, namespaces, null, XmlSpace.None);
            Stream stream;
            try
            {
                // CA2000 does not follow the stream into the try below, which hands it to the XmlReader or disposes it.
#pragma warning disable CA2000
                stream = InputStreams.Open(path);
#pragma warning restore CA2000
            }
            catch (Exception e) when (InputStreams.IsDataOrIoError(e))
            {
                onError(new InputError(path, 0, $"cannot open: {e.Message}"));
                return null;
            }
            try
            {
                return new Parser(path, onError, XmlReader.Create(stream, settings, context));   // owns the stream (CloseInput)
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        public PubMedItem? Next()
        {
            if (_done)
            {
                return null;
            }
            try
            {
                while (true)
                {
                    var item = Step(out bool end);
                    if (end)
                    {
                        _done = true;
                        return null;
                    }
                    if (item is not null)
                    {
                        return item;
                    }
                }
            }
            catch (XmlException e)
            {
                Fail(e.LineNumber > 0 ? e.LineNumber : _lineInfo.LineNumber, $"malformed XML: {e.Message}");
            }
            catch (Exception e) when (InputStreams.IsDataOrIoError(e))
            {
                Fail(_lineInfo.LineNumber, $"read error: {e.Message}");
            }
            return null;
        }

        private void Fail(long line, string message)
        {
            _done = true;
            _onError(new InputError(_path, line, message + " (reading stopped; earlier records were kept)"));
        }

        // One unit of progress: returns an item, or null with end=false to be called again.
        private PubMedItem? Step(out bool end)
        {
            end = false;
            var r = _reader;
            if (r.ReadState == ReadState.Initial || (r.NodeType != XmlNodeType.Element))
            {
                if (!r.Read())
                {
                    end = true;
                    return null;
                }
                if (r.NodeType != XmlNodeType.Element)
                {
                    return null;
                }
            }
            if (r.Depth == 0)
            {
                if (r.LocalName is not ("PubmedArticleSet" or "MedlineCitationSet"))
                {
                    _done = true;
                    _onError(new InputError(_path, _lineInfo.LineNumber, $"root element <{r.Name}> is not PubmedArticleSet or MedlineCitationSet; file skipped"));
                    end = true;
                    return null;
                }
                if (!r.Read())
                {
                    end = true;
                }
                return null;
            }
            if (r.Depth != 1)
            {
                r.Skip();
                return null;
            }
            long line = _lineInfo.LineNumber;
            switch (r.LocalName)
            {
                case "PubmedArticle":
                case "PubmedBookArticle":
                case "MedlineCitation":
                    {
                        long record = ++_records;
                        string name = r.LocalName;
                        var element = XmlRecordReader.Read(r, out string? problem);
                        if (element is null)
                        {
                            _onError(new InputError(_path, line, $"<{name}>: {problem}", record));
                            return null;
                        }
                        return ToArticle(element, line, record);
                    }
                case "DeleteCitation":
                    {
                        var element = XmlRecordReader.Read(r, out string? problem);
                        if (element is null)
                        {
                            _onError(new InputError(_path, line, $"<DeleteCitation>: {problem}"));
                            return null;
                        }
                        var pmids = element.Elements("PMID").Select(p => p.Value.Trim()).Where(p => p.Length > 0).ToArray();
                        return new PubMedDeletion(pmids, line);
                    }
                default:
                    // e.g. PubmedArticleSet's DeleteDocument for books: nothing to index.
                    r.Skip();
                    return null;
            }
        }

        private PubMedArticle? ToArticle(XElement element, long line, long record)
        {
            XElement? citation, article, pmidElement, pubmedData;
            string title, journal;
            int? year;
            if (element.Name.LocalName == "PubmedBookArticle")
            {
                var book = element.Element("BookDocument");
                article = book;
                citation = book;
                pmidElement = book?.Element("PMID");
                pubmedData = element.Element("PubmedBookData");
                title = PubMedText.Of(book?.Element("ArticleTitle"));
                if (title.Length == 0)
                {
                    title = PubMedText.Of(book?.Element("Book")?.Element("BookTitle"));
                }
                journal = "";
                year = YearOf(book?.Element("Book")?.Element("PubDate"));
            }
            else
            {
                citation = element.Name.LocalName == "MedlineCitation" ? element : element.Element("MedlineCitation");
                article = citation?.Element("Article");
                pmidElement = citation?.Element("PMID");
                pubmedData = element.Element("PubmedData");
                title = PubMedText.Of(article?.Element("ArticleTitle"));
                var journalElement = article?.Element("Journal");
                journal = PubMedText.Of(journalElement?.Element("Title"));
                year = YearOf(journalElement?.Element("JournalIssue")?.Element("PubDate"))
                    ?? article?.Elements("ArticleDate").Select(d => ParseYear((string?)d.Element("Year"))).FirstOrDefault(y => y is not null);
            }
            string pmid = pmidElement?.Value.Trim() ?? "";
            if (pmid.Length == 0 || !pmid.All(char.IsAsciiDigit))
            {
                string what = pmid.Length == 0 ? "no PMID" : $"PMID '{pmid}' is not a number";
                _onError(new InputError(_path, line, $"<{element.Name.LocalName}> has {what}; skipped", record));
                return null;
            }
            int version = int.TryParse((string?)pmidElement!.Attribute("Version"), NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : 1;
            string vernacular = PubMedText.Of(article?.Element("VernacularTitle"));
            return new PubMedArticle(line)
            {
                Pmid = pmid,
                Version = version,
                Title = title,
                Abstract = PubMedText.OfAbstract(article?.Element("Abstract")),
                Journal = journal,
                Year = year,
                Languages = Texts(article?.Elements("Language")),
                VernacularTitle = vernacular.Length > 0 ? vernacular : null,
                OtherAbstracts = (citation?.Elements("OtherAbstract") ?? [])
                    .Select(o => new PubMedOtherAbstract((string?)o.Attribute("Type") ?? "", (string?)o.Attribute("Language") ?? "", PubMedText.OfAbstract(o)))
                    .Where(o => o.Text.Length > 0)
                    .ToArray(),
                MeshHeadings = Texts(citation?.Element("MeshHeadingList")?.Elements("MeshHeading").Elements("DescriptorName")),
                PublicationTypes = Texts(article?.Element("PublicationTypeList")?.Elements("PublicationType")),
                Doi = DoiOf(article, pubmedData),
                RecordNumber = record,
            };
        }

        private static string[] Texts(IEnumerable<XElement>? elements) =>
            elements is null ? [] : elements.Select(PubMedText.Of).Where(t => t.Length > 0).ToArray();

        private static string? DoiOf(XElement? article, XElement? pubmedData)
        {
            var fromLocation = article?.Elements("ELocationID")
                .FirstOrDefault(e => (string?)e.Attribute("EIdType") == "doi" && (string?)e.Attribute("ValidYN") != "N");
            // Only PubmedData's own ArticleIdList: the ReferenceList below it lists cited papers' DOIs.
            var fromIds = pubmedData?.Element("ArticleIdList")?.Elements("ArticleId")
                .FirstOrDefault(e => (string?)e.Attribute("IdType") == "doi");
            string doi = (fromLocation ?? fromIds)?.Value.Trim() ?? "";
            return doi.Length > 0 ? doi : null;
        }

        private static int? YearOf(XElement? pubDate)
        {
            if (pubDate is null)
            {
                return null;
            }
            return ParseYear((string?)pubDate.Element("Year"))
                ?? ParseYear(FirstYear().Match((string?)pubDate.Element("MedlineDate") ?? "") is { Success: true } m ? m.Value : null);
        }

        private static int? ParseYear(string? text) =>
            int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int y) && y is >= 1000 and <= 9999 ? y : null;

        public void Dispose() => _reader.Dispose();
    }

    [GeneratedRegex(@"(?<!\d)\d{4}(?!\d)")]
    private static partial Regex FirstYear();
}
