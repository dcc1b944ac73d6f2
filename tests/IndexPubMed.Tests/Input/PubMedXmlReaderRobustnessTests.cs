using System.IO.Compression;
using System.Text;
using IndexPubMed.Input;

namespace IndexPubMed.Tests.Input;

public class PubMedXmlReaderRobustnessTests
{
    private const string Prolog = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        + "<!DOCTYPE PubmedArticleSet PUBLIC \"-//NLM//DTD PubMedArticle, 1st January 2025//EN\" \"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd\">\n";

    private static (List<PubMedItem> Items, List<InputError> Errors) ReadAll(string path) => PubMedXmlReaderTests.ReadAll(path);

    private static string Record(string pmid, string title, string extra = "") =>
        $"<PubmedArticle><MedlineCitation Status=\"MEDLINE\" Owner=\"NLM\"><PMID Version=\"1\">{pmid}</PMID><Article><Journal><JournalIssue><PubDate><Year>2020</Year></PubDate></JournalIssue><Title>J</Title></Journal><ArticleTitle>{title}</ArticleTitle>{extra}</Article></MedlineCitation></PubmedArticle>";

    // The pmparser samples hold all records on one line; one record per line makes line numbers telling.
    private static string OneRecordPerLine(string fixture) =>
        TempDir.ReadFixtureText(fixture).Replace("</PubmedArticle>", "</PubmedArticle>\n", StringComparison.Ordinal);

    [Fact]
    public void Truncated_file_keeps_earlier_records_and_reports_file_and_line()
    {
        using var dir = new TempDir();
        string text = OneRecordPerLine("pubmed25n1274.xml.gz");
        var lines = text.Split('\n');
        Assert.StartsWith("<PubmedArticle>", lines[13]); // record 11 is on line 14
        string cut = string.Join('\n', lines.Take(13)) + "\n" + lines[13][..(lines[13].Length / 2)];
        string path = dir.Write("pubmed25n1274.xml", cut);

        var (items, errors) = ReadAll(path);

        Assert.Equal(10, items.Count);
        Assert.Equal("39739532", ((PubMedArticle)items[^1]).Pmid);
        var error = Assert.Single(errors);
        Assert.Equal(path, error.File);
        Assert.Equal(14, error.Line);
        Assert.StartsWith(path + ":14: malformed XML", error.ToString());
    }

    [Fact]
    public void Truncated_gzip_keeps_earlier_records_and_reports_the_file()
    {
        using var dir = new TempDir();
        byte[] gz = File.ReadAllBytes(TempDir.Fixture("pubmed25n1275.xml.gz"));
        string path = Path.Combine(dir.Path, "pubmed25n1275.xml.gz");
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);

        var (items, errors) = ReadAll(path);

        Assert.InRange(items.Count, 5, 29);
        Assert.Equal("39780651", ((PubMedArticle)items[0]).Pmid);
        var error = Assert.Single(errors);
        Assert.Equal(path, error.File);
        Assert.True(error.Line > 0);
    }

    [Fact]
    public void Malformed_record_stops_the_file_after_the_earlier_records()
    {
        using var dir = new TempDir();
        var lines = OneRecordPerLine("pubmed26n1334.xml.gz").Split('\n');
        lines[8] = lines[8].Replace("</ArticleTitle>", "</Title>", StringComparison.Ordinal); // record 6
        string path = dir.Write("bad.xml", string.Join('\n', lines));

        var (items, errors) = ReadAll(path);

        Assert.Equal(5, items.Count);
        var error = Assert.Single(errors);
        Assert.Equal(9, error.Line);
        Assert.Contains("malformed XML", error.Message);
    }

    [Fact]
    public void Record_without_pmid_is_reported_with_record_number_and_line_and_skipped()
    {
        using var dir = new TempDir();
        // The second record only has a PMID inside CommentsCorrections, which is someone else's.
        string noPmid = "<PubmedArticle><MedlineCitation><Article><ArticleTitle>No id</ArticleTitle></Article>"
            + "<CommentsCorrectionsList><CommentsCorrections RefType=\"CommentOn\"><RefSource>X</RefSource><PMID Version=\"1\">999</PMID></CommentsCorrections></CommentsCorrectionsList>"
            + "</MedlineCitation></PubmedArticle>";
        string path = dir.Write("nopmid.xml", Prolog + "<PubmedArticleSet>\n" + Record("10", "First") + "\n" + noPmid + "\n"
            + Record("abc", "Bad id") + "\n" + Record("11", "Last") + "\n</PubmedArticleSet>\n");

        var (items, errors) = ReadAll(path);

        Assert.Equal(["10", "11"], items.Cast<PubMedArticle>().Select(a => a.Pmid));
        Assert.Equal([1L, 4L], items.Cast<PubMedArticle>().Select(a => a.RecordNumber));
        Assert.Equal(2, errors.Count);
        Assert.Equal((5L, 2L), (errors[0].Line, errors[0].Record!.Value));
        Assert.Contains("no PMID", errors[0].Message);
        Assert.Equal((6L, 3L), (errors[1].Line, errors[1].Record!.Value));
        Assert.Contains("'abc'", errors[1].Message);
        Assert.Equal($"{path}:5: record 2: {errors[0].Message}", errors[0].ToString());
    }

    [Fact]
    public void Version_attribute_is_read_and_defaults_to_one()
    {
        using var dir = new TempDir();
        string path = dir.Write("v.xml", "<PubmedArticleSet>"
            + "<PubmedArticle><MedlineCitation><PMID Version=\"2\">5</PMID></MedlineCitation></PubmedArticle>"
            + "<PubmedArticle><MedlineCitation><PMID>6</PMID></MedlineCitation></PubmedArticle></PubmedArticleSet>");
        var items = ReadAll(path).Items.Cast<PubMedArticle>().ToList();
        Assert.Equal([2, 1], items.Select(a => a.Version));
    }

    [Fact]
    public void MathML_without_namespace_declaration_and_annotations_become_plain_text()
    {
        using var dir = new TempDir();
        string abs = "<Abstract><AbstractText Label=\"RESULTS\">We found <mml:math><mml:semantics><mml:msup><mml:mi>x</mml:mi><mml:mn>2</mml:mn></mml:msup>"
            + "<mml:annotation encoding=\"application/x-tex\">x^2</mml:annotation></mml:semantics></mml:math> growth and <i>E. coli</i> <b>strains</b>.</AbstractText>"
            + "<CopyrightInformation>© 2024 Someone.</CopyrightInformation></Abstract>";
        string path = dir.Write("math.xml", Prolog + "<PubmedArticleSet>" + Record("7", "T<sup>1</sup>", abs) + "</PubmedArticleSet>");

        var (items, errors) = ReadAll(path);

        Assert.Empty(errors);
        var a = Assert.IsType<PubMedArticle>(Assert.Single(items));
        Assert.Equal("RESULTS: We found x2 growth and E. coli strains.", a.Abstract);
        Assert.Equal("T1", a.Title);
    }

    [Fact]
    public void Dtd_is_not_loaded_even_when_it_is_a_local_path()
    {
        using var dir = new TempDir();
        string missing = Path.Combine(dir.Path, "does-not-exist.dtd");
        string path = dir.Write("dtd.xml", $"<?xml version=\"1.0\"?>\n<!DOCTYPE PubmedArticleSet SYSTEM \"{missing}\">\n<PubmedArticleSet>{Record("8", "T")}</PubmedArticleSet>");
        var (items, errors) = ReadAll(path);
        Assert.Empty(errors);
        Assert.Single(items);
    }

    [Fact]
    public void Year_falls_back_to_ArticleDate_and_doi_to_ArticleIdList()
    {
        using var dir = new TempDir();
        string xml = "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version=\"1\">9</PMID><Article>"
            + "<Journal><JournalIssue><PubDate><Season>Spring</Season></PubDate></JournalIssue><Title>J</Title></Journal>"
            + "<ArticleTitle>T</ArticleTitle><ELocationID EIdType=\"doi\" ValidYN=\"N\">10.1/invalid</ELocationID>"
            + "<ArticleDate DateType=\"Electronic\"><Year>2019</Year></ArticleDate></Article></MedlineCitation>"
            + "<PubmedData><ArticleIdList><ArticleId IdType=\"pubmed\">9</ArticleId><ArticleId IdType=\"doi\">10.1/ok</ArticleId></ArticleIdList>"
            + "<ReferenceList><Reference><ArticleIdList><ArticleId IdType=\"doi\">10.1/cited</ArticleId></ArticleIdList></Reference></ReferenceList></PubmedData>"
            + "</PubmedArticle></PubmedArticleSet>";
        var a = (PubMedArticle)ReadAll(dir.Write("y.xml", xml)).Items.Single();
        Assert.Equal(2019, a.Year);
        Assert.Equal("10.1/ok", a.Doi);
    }

    [Fact]
    public void Older_MedlineCitationSet_yields_citations_and_deletions()
    {
        using var dir = new TempDir();
        string xml = "<MedlineCitationSet>\n<MedlineCitation Owner=\"NLM\"><PMID>100</PMID><Article><ArticleTitle>Old one.</ArticleTitle>"
            + "<Abstract><AbstractText>Old abstract.</AbstractText></Abstract></Article></MedlineCitation>\n"
            + "<DeleteCitation><PMID>5</PMID><PMID>6</PMID></DeleteCitation>\n</MedlineCitationSet>";
        var (items, errors) = ReadAll(dir.Write("medline08n0001.xml", xml));
        Assert.Empty(errors);
        var a = Assert.IsType<PubMedArticle>(items[0]);
        Assert.Equal(("100", "Old one.", "Old abstract."), (a.Pmid, a.Title, a.Abstract));
        Assert.Equal(["5", "6"], Assert.IsType<PubMedDeletion>(items[1]).Pmids);
        Assert.Equal(3, items[1].Line);
    }

    [Fact]
    public void Book_article_uses_its_BookDocument()
    {
        using var dir = new TempDir();
        string xml = "<PubmedArticleSet><PubmedBookArticle><BookDocument><PMID Version=\"1\">20301295</PMID>"
            + "<Book><BookTitle>GeneReviews</BookTitle><PubDate><Year>1993</Year></PubDate></Book>"
            + "<ArticleTitle>Alport Syndrome</ArticleTitle><Language>eng</Language>"
            + "<Abstract><AbstractText Label=\"CLINICAL CHARACTERISTICS\">Kidney disease.</AbstractText></Abstract></BookDocument>"
            + "</PubmedBookArticle></PubmedArticleSet>";
        var a = (PubMedArticle)ReadAll(dir.Write("book.xml", xml)).Items.Single();
        Assert.Equal(("20301295", "Alport Syndrome", "CLINICAL CHARACTERISTICS: Kidney disease.", 1993), (a.Pmid, a.Title, a.Abstract, a.Year!.Value));
        Assert.Equal(["eng"], a.Languages);
    }

    [Fact]
    public void Other_root_element_is_reported_and_yields_nothing()
    {
        using var dir = new TempDir();
        string path = dir.Write("other.xml", "<?xml version=\"1.0\"?>\n<html><PubmedArticle/></html>");
        var (items, errors) = ReadAll(path);
        Assert.Empty(items);
        Assert.Equal(2, Assert.Single(errors).Line);
    }

    [Fact]
    public void Missing_file_is_reported()
    {
        var (items, errors) = ReadAll(Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "x.xml"));
        Assert.Empty(items);
        Assert.Equal(0, Assert.Single(errors).Line);
    }

    [Fact]
    public void Streams_a_large_generated_file()
    {
        const int count = 20_000;
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "big.xml.gz");
        using (var writer = new StreamWriter(new GZipStream(File.Create(path), CompressionLevel.Fastest), new UTF8Encoding(false)))
        {
            writer.Write(Prolog + "<PubmedArticleSet>\n");
            for (int i = 1; i <= count; i++)
            {
                writer.Write(Record(i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"Title {i}",
                    $"<Abstract><AbstractText Label=\"A\">Text of record {i} with <i>markup</i>.</AbstractText></Abstract>"));
                writer.Write('\n');
            }
            writer.Write("</PubmedArticleSet>\n");
        }

        var errors = new List<InputError>();
        long n = 0;
        PubMedArticle? last = null;
        // Items are consumed one by one, never collected.
        foreach (var item in PubMedXmlReader.Read(path, errors.Add))
        {
            n++;
            last = (PubMedArticle)item;
        }

        Assert.Empty(errors);
        Assert.Equal(count, n);
        Assert.Equal("20000", last!.Pmid);
        Assert.Equal("A: Text of record 20000 with markup.", last.Abstract);
        Assert.Equal(count + 3, last.Line); // prolog 2 lines, root 1
    }
}
