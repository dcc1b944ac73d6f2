using IndexPubMed.Input;

namespace IndexPubMed.Tests.Input;

public class PubMedFileNameTests
{
    [Theory]
    [InlineData("pubmed26n1335.xml.gz", 26, 1335)]
    [InlineData("/data/updates/pubmed25n1274.xml", 25, 1274)]
    [InlineData("PUBMED25N0001.XML.GZ", 25, 1)]
    [InlineData("pubmed26n10000.xml.gz", 26, 10000)]
    public void Parses_nlm_names(string path, int year, int number)
    {
        Assert.True(PubMedFileName.TryParse(path, out var name));
        Assert.Equal(new PubMedFileName(year, number), name);
    }

    [Theory]
    [InlineData("pubmed_no_rows.xml")]
    [InlineData("pubmed-29768149.xml")]
    [InlineData("pubmed26n1335.xml.gz.md5")]
    [InlineData("corpus.jsonl")]
    public void Rejects_other_names(string path)
    {
        Assert.False(PubMedFileName.TryParse(path, out _));
    }

    [Fact]
    public void Orders_by_year_then_number()
    {
        Assert.True(new PubMedFileName(25, 1275) < new PubMedFileName(26, 1));
        Assert.True(new PubMedFileName(26, 9999) < new PubMedFileName(26, 10000));
        Assert.True(new PubMedFileName(26, 3) >= new PubMedFileName(26, 3));
    }
}
