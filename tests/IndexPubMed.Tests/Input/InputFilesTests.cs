using IndexPubMed.Input;

namespace IndexPubMed.Tests.Input;

public class InputFilesTests
{
    [Theory]
    [InlineData("pubmed26n1335.xml.gz", InputKind.PubMedXml)]
    [InlineData("pubmed20n0000.xml", InputKind.PubMedXml)]
    [InlineData("SOURCES.md", InputKind.Unknown)]
    public void Detects_fixture_kinds(string fixture, InputKind kind)
    {
        Assert.Equal(kind, InputFiles.DetectKind(TempDir.Fixture(fixture)));
    }

    [Fact]
    public void Detects_kind_by_content_then_by_name()
    {
        using var dir = new TempDir();
        Assert.Equal(InputKind.Documents, InputFiles.DetectKind(dir.WriteGzip("data.bin", "\n  {\"_id\": \"1\", \"text\": \"t\", \"meta\": {\"vector\": 1}}\n")));
        Assert.Equal(InputKind.Vectors, InputFiles.DetectKind(dir.Write("data.txt", "{\"id\": \"1\", \"contents\": \"\", \"vector\": {\"a\": 1}}\n")));
        Assert.Equal(InputKind.PubMedXml, InputFiles.DetectKind(dir.Write("x.dat", "\uFEFF<?xml version=\"1.0\"?><PubmedArticleSet/>")));
        Assert.Equal(InputKind.PubMedXml, InputFiles.DetectKind(dir.Write("empty.xml", "")));
        Assert.Equal(InputKind.Documents, InputFiles.DetectKind(dir.Write("empty.jsonl.gz", "")));
        Assert.Equal(InputKind.Unknown, InputFiles.DetectKind(dir.Write("empty.txt", "  \n")));
        // Unrecognised content with a known name: the reader will report its bad lines.
        Assert.Equal(InputKind.Documents, InputFiles.DetectKind(dir.Write("text.jsonl", "hello")));
        Assert.Equal(InputKind.Unknown, InputFiles.DetectKind(dir.Write("text.txt", "hello")));
    }

    [Fact]
    public void Expands_folders_recursively_in_update_order_and_keeps_argument_order()
    {
        using var dir = new TempDir();
        const string xml = "<PubmedArticleSet/>";
        string u2 = dir.Write("pubmed/pubmed26n10000.xml.gz", xml);
        string u1 = dir.Write("pubmed/pubmed26n9999.xml.gz", xml);
        string b = dir.Write("pubmed/pubmed25n1274.xml", xml);
        dir.Write("pubmed/pubmed26n9999.xml.gz.md5", "MD5(pubmed26n9999.xml.gz)= 0123");
        dir.Write("pubmed/.hidden.xml", xml);
        dir.Write("pubmed/.cache/pubmed26n0001.xml", xml);
        string nested = dir.Write("pubmed/sub/a.jsonl", "{\"id\": \"1\", \"vector\": {}}\n");
        string readme = dir.Write("pubmed/README.txt", "Baseline files.");
        string corpus = dir.Write("corpus.jsonl", "{\"_id\": \"1\", \"text\": \"t\"}\n");
        string missing = Path.Combine(dir.Path, "missing.xml");
        var errors = new List<InputError>();

        var files = InputFiles.Expand([corpus, Path.Combine(dir.Path, "pubmed"), missing, u1], errors.Add);

        Assert.Equal(
            [
                new InputFile(corpus, InputKind.Documents),
                new InputFile(b, InputKind.PubMedXml),
                new InputFile(u1, InputKind.PubMedXml),
                new InputFile(u2, InputKind.PubMedXml),
                new InputFile(nested, InputKind.Vectors),
            ],
            files);
        Assert.Equal([readme, missing], errors.Select(e => e.File));
    }
}
