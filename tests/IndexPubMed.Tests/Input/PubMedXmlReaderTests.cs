using IndexPubMed.Input;

namespace IndexPubMed.Tests.Input;

// Expected values were read by hand from the fixture XML (zcat | grep).
public class PubMedXmlReaderTests
{
    internal static (List<PubMedItem> Items, List<InputError> Errors) ReadAll(string path)
    {
        var errors = new List<InputError>();
        var items = PubMedXmlReader.Read(path, errors.Add).ToList();
        return (items, errors);
    }

    private static PubMedArticle Article(string file, string pmid) =>
        ReadAll(TempDir.Fixture(file)).Items.OfType<PubMedArticle>().Single(a => a.Pmid == pmid);

    [Theory]
    [InlineData("pubmed25n1274.xml.gz", 30, 0)]
    [InlineData("pubmed25n1275.xml.gz", 30, 0)]
    [InlineData("pubmed26n1334.xml.gz", 30, 0)]
    [InlineData("pubmed26n1335.xml.gz", 30, 1)]
    [InlineData("test_current_medline.xml.gz", 4, 0)]
    [InlineData("pubmed-29768149.xml", 1, 0)]
    [InlineData("pubmed20n0000.xml", 0, 0)]
    public void Counts_records_and_deletions_per_file_without_errors(string file, int articles, int deletions)
    {
        var (items, errors) = ReadAll(TempDir.Fixture(file));
        Assert.Empty(errors);
        Assert.Equal(articles, items.OfType<PubMedArticle>().Count());
        Assert.Equal(deletions, items.OfType<PubMedDeletion>().Count());
        Assert.Equal(Enumerable.Range(1, articles).Select(i => (long)i), items.OfType<PubMedArticle>().Select(a => a.RecordNumber));
        Assert.All(items.OfType<PubMedArticle>(), a => Assert.Matches("^[0-9]+$", a.Pmid));
    }

    [Fact]
    public void Pmids_are_unique_within_the_samples()
    {
        var pmids = new[] { "pubmed25n1274.xml.gz", "pubmed25n1275.xml.gz", "pubmed26n1334.xml.gz", "pubmed26n1335.xml.gz" }
            .SelectMany(f => ReadAll(TempDir.Fixture(f)).Items.OfType<PubMedArticle>())
            .Select(a => a.Pmid)
            .ToList();
        Assert.Equal(120, pmids.Distinct().Count());
        Assert.Equal("39733499", pmids[0]);
    }

    [Fact]
    public void DeleteCitation_block_lists_its_six_pmids_after_the_records()
    {
        var (items, _) = ReadAll(TempDir.Fixture("pubmed26n1335.xml.gz"));
        var deletion = Assert.IsType<PubMedDeletion>(items[^1]);
        Assert.Equal(["41456105", "41557076", "41616784", "41618748", "41618749", "41618779"], deletion.Pmids);
    }

    [Fact]
    public void Structured_abstract_keeps_labels_in_order_one_paragraph_each()
    {
        var a = Article("pubmed-29768149.xml", "29768149");
        var paragraphs = a.Abstract.Split('\n');
        Assert.Equal(["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"], paragraphs.Select(p => p[..p.IndexOf(':')]));
        // The file is pretty-printed: "&#946;\n\t\t\t\t\t\t<sub>2</sub>-agonist" must read as one word.
        Assert.Equal(
            "BACKGROUND: In patients with mild asthma, as-needed use of an inhaled glucocorticoid plus a fast-acting β2-agonist may be an alternative to conventional treatment strategies.",
            paragraphs[0]);
        Assert.StartsWith("METHODS: We conducted a 52-week, double-blind trial involving patients 12 years of age or older with mild asthma.", paragraphs[1]);
        Assert.Contains("(200 μg of budesonide and 6 μg of formoterol)", paragraphs[1]);
        Assert.DoesNotContain("  ", a.Abstract);
        Assert.DoesNotContain("\t", a.Abstract);
    }

    [Fact]
    public void Efetch_record_fields()
    {
        var a = Article("pubmed-29768149.xml", "29768149");
        Assert.Equal(1, a.Version);
        Assert.Equal("Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma.", a.Title);
        Assert.Equal("The New England journal of medicine", a.Journal);
        Assert.Equal(2018, a.Year);
        Assert.Equal(["eng"], a.Languages);
        Assert.Equal("10.1056/NEJMoa1715274", a.Doi);
        Assert.Null(a.VernacularTitle);
        Assert.Empty(a.OtherAbstracts);
        Assert.Equal(23, a.MeshHeadings.Count);
        Assert.Equal("Administration, Inhalation", a.MeshHeadings[0]);
        Assert.Equal("Young Adult", a.MeshHeadings[^1]);
        Assert.Equal(["Clinical Trial, Phase III", "Comparative Study", "Journal Article", "Multicenter Study", "Randomized Controlled Trial", "Research Support, Non-U.S. Gov't"], a.PublicationTypes);
        Assert.Equal(4, a.Line);
    }

    [Fact]
    public void Structured_abstract_with_multiword_label()
    {
        var a = Article("pubmed25n1274.xml.gz", "39736535");
        var labels = a.Abstract.Split('\n').Select(p => p[..p.IndexOf(':')]);
        Assert.Equal(["BACKGROUND", "CASE PRESENTATION", "CONCLUSIONS"], labels);
        Assert.StartsWith("BACKGROUND: Reversible cerebral vasoconstriction syndrome (RCVS) is characterized by severe headaches", a.Abstract);
        Assert.Equal("Reversible cerebral vasoconstriction syndrome in a methylphenidate-treated patient: a case report.", a.Title);
    }

    [Fact]
    public void Record_without_abstract_keeps_its_title()
    {
        var a = Article("pubmed25n1274.xml.gz", "39743653");
        Assert.Equal("", a.Abstract);
        Assert.Equal("Correction to: Estimating the influence of high temperature on hand, foot, and mouth disease incidence in China.", a.Title);
        Assert.True(a.HasText);
    }

    [Fact]
    public void Vernacular_title_and_other_abstract_are_kept_apart_from_the_english_text()
    {
        var a = Article("pubmed25n1274.xml.gz", "39738818");
        Assert.Equal("[A new validated ophthalmic patient questionnaire for cataract and lens surgery : CLOQ: cataract and lens ophthalmic questionnaire].", a.Title);
        Assert.Equal("Ein neuer validierter ophthalmologischer Patientenfragebogen zur Katarakt- und Linsen-Operation : CLOQ: „cataract and lens ophthalmic questionnaire“.", a.VernacularTitle);
        Assert.Equal(["ger"], a.Languages);
        Assert.Equal(["BACKGROUND", "METHODS", "RESULTS", "CONCLUSION"], a.Abstract.Split('\n').Select(p => p[..p.IndexOf(':')]));
        // No-break spaces ("A\u00a0total of 317\u00a0patients") become plain spaces.
        Assert.Contains("METHODS: A total of 317 patients with bilateral cataract surgery", a.Abstract);
        Assert.DoesNotContain("ZUSAMMENFASSUNG", a.Abstract);
        Assert.DoesNotContain("Katarakt", a.Abstract);

        var other = Assert.Single(a.OtherAbstracts);
        Assert.Equal("Publisher", other.Type);
        Assert.Equal("ger", other.Language);
        Assert.Equal(["ZUSAMMENFASSUNG", "METHODIK", "ERGEBNISSE", "SCHLUSSFOLGERUNG"], other.Text.Split('\n').Select(p => p[..p.IndexOf(':')]));
        Assert.StartsWith("ZUSAMMENFASSUNG: HINTERGRUND: Der neue ophthalmologische Patientenfragebogen zu Katarakt und Linsentrübung (CLOQ)", other.Text);
    }

    [Fact]
    public void Chinese_vernacular_title_and_two_languages()
    {
        var a = Article("pubmed25n1275.xml.gz", "39788492");
        Assert.Equal("Probiotics in reducing obesity by reconfiguring the gut microbiota.", a.Title);
        Assert.Equal("益生菌通过重构肠道微生态减轻肥胖.", a.VernacularTitle);
        Assert.Equal(["eng", "chi"], a.Languages);
        Assert.StartsWith("Obesity, as a global health crisis, is increasingly linked to intestinal microecology.", a.Abstract);
        var other = Assert.Single(a.OtherAbstracts);
        Assert.Equal("chi", other.Language);
        Assert.StartsWith("肥胖已成为全球性的健康危机", other.Text);
    }

    [Fact]
    public void Record_with_empty_ArticleTitle_and_only_a_vernacular_title()
    {
        var a = Article("pubmed26n1334.xml.gz", "41605226");
        Assert.Equal("", a.Title);
        Assert.Equal("", a.Abstract);
        Assert.Equal("Kommentar zu „ABDOMEN BECKEN – Das Avocado-Zeichen als Prädiktor des lokalen Lymphknotenstatus bei Rektumkarzinomen“.", a.VernacularTitle);
        Assert.True(a.HasText);
        Assert.Equal(2026, a.Year); // PubDate Year 2026, Month Feb
    }

    [Theory]
    [InlineData("pubmed26n1334.xml.gz", "41601840", "Cu x O/Au chimeric micro-nanoparticles for sensitive SERS monitoring of cigarette smoke via synergistic enhancement.")]
    [InlineData("pubmed25n1275.xml.gz", "39788391", "Coenzyme Q10 deficiency disrupts lipid metabolism by altering cholesterol homeostasis in neurons.")]
    [InlineData("pubmed25n1274.xml.gz", "39748592", "Sweet Syndrome-Like Disorder Induced by the Oxford-AstraZeneca® SARS-CoV-2 Vaccine.")]
    [InlineData("pubmed26n1334.xml.gz", "41599792", "Correction: Senceroglu et al. Constructing an Intelligent Model Based on Support Vector Regression to Simulate the Solubility of Drugs in Polymeric Media. Pharmaceuticals 2022, 15, 1405.")]
    public void Inline_markup_in_titles_becomes_plain_text(string file, string pmid, string title)
    {
        Assert.Equal(title, Article(file, pmid).Title);
    }

    [Fact]
    public void Inline_markup_in_abstracts_neither_glues_words_nor_adds_spaces()
    {
        // <u><b><i/></b></u><u><b><i>Background:</i></b></u> Eczema ... treatments. <u><b><i>Methods:</i></b></u> This study
        var a = Article("pubmed25n1275.xml.gz", "39786806");
        Assert.StartsWith("Background: Eczema and dermatitis are common inflammatory skin conditions with significant morbidity. Identifying drug-targetable genes can facilitate the development of effective treatments. Methods: This study analyzed", a.Abstract);
        var q10 = Article("pubmed25n1275.xml.gz", "39788391");
        Assert.StartsWith("Coenzyme Q10 (CoQ10) is a critical component of the mitochondrial respiratory chain.", q10.Abstract);
    }

    [Fact]
    public void Year_falls_back_to_MedlineDate()
    {
        // <PubDate><MedlineDate>2025 Jan-Dec</MedlineDate></PubDate>
        Assert.Equal(2025, Article("pubmed25n1275.xml.gz", "39780848").Year);
    }

    [Fact]
    public void Pmid_only_records_are_returned_as_empty_articles_without_error()
    {
        // Decision: a record is identified by its PMID; having no text is the caller's business
        // (HasText), and in an update file such a record still replaces the older version.
        var (items, errors) = ReadAll(TempDir.Fixture("pubmed_no_rows.xml"));
        Assert.Empty(errors);
        var articles = items.Cast<PubMedArticle>().ToList();
        Assert.Equal(["1", "2"], articles.Select(a => a.Pmid));
        Assert.All(articles, a =>
        {
            Assert.False(a.HasText);
            Assert.Equal("", a.Title);
            Assert.Equal("", a.Abstract);
            Assert.Equal("", a.Journal);
            Assert.Null(a.Year);
            Assert.Null(a.Doi);
            Assert.Empty(a.MeshHeadings);
        });
        Assert.Equal([4L, 9L], articles.Select(a => a.Line));
    }

    [Fact]
    public void Gzip_is_detected_by_content_not_name()
    {
        using var dir = new TempDir();
        string renamed = Path.Combine(dir.Path, "renamed.xml");
        File.Copy(TempDir.Fixture("test_current_medline.xml.gz"), renamed);
        string plainNamedGz = Path.Combine(dir.Path, "plain.xml.gz");
        File.Copy(TempDir.Fixture("pubmed_no_rows.xml"), plainNamedGz);

        var (items, errors) = ReadAll(renamed);
        Assert.Empty(errors);
        Assert.Equal(4, items.Count);
        Assert.Equal("36400559", ((PubMedArticle)items[0]).Pmid);
        Assert.Equal("Back Pain: Differential Diagnosis and Management.", ((PubMedArticle)items[0]).Title);
        Assert.Equal(2, ReadAll(plainNamedGz).Items.Count);
    }
}
