using IndexPubMed.Input;

namespace IndexPubMed.Tests.Input;

public class JsonlDocumentReaderTests
{
    private const string Corpus =
        "{\"_id\": \"4983\", \"title\": \"Microstructural development\", \"text\": \"Alterations of the architecture.\", \"metadata\": {\"a\": [1, {\"b\": 2}]}}\n" // 1
        + "\n" // 2: blank, ignored
        + "not json\n" // 3
        + "{\"title\": \"no id\", \"text\": \"x\"}\n" // 4
        + "{\"id\": 42, \"text\": \"numeric id, no title\"}\r\n" // 5
        + "{\"_id\": \"5\", \"title\": \"no text\"}\n" // 6
        + "{\"_id\": \"6\", \"text\": 3}\n" // 7: text not a string
        + "{\"_id\": \"7\", \"text\": \"a\"} {\"_id\": \"8\"}\n" // 8: two objects
        + "{\"id\": \"9\", \"contents\": \"Anserini style\", \"title\": null}\n" // 9
        + "{\"_id\": \"10\", \"text\": \"caf\\u00e9 \\\"quoted\\\"\"}"; // 10: escapes, no final newline

    private static (List<DocumentRecord>, List<InputError>) Read(string path)
    {
        var errors = new List<InputError>();
        return (JsonlDocumentReader.Read(path, errors.Add).ToList(), errors);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_good_lines_and_reports_bad_ones_with_line_numbers(bool gzip)
    {
        using var dir = new TempDir();
        // The gzip copy is named .jsonl on purpose: compression is detected from content.
        string path = gzip ? dir.WriteGzip("corpus.jsonl", Corpus) : dir.Write("corpus.jsonl", "\uFEFF" + Corpus);

        var (docs, errors) = Read(path);

        Assert.Equal(
            [
                new DocumentRecord("4983", "Microstructural development", "Alterations of the architecture."),
                new DocumentRecord("42", "", "numeric id, no title"),
                new DocumentRecord("9", "", "Anserini style"),
                new DocumentRecord("10", "", "café \"quoted\""),
            ],
            docs);
        Assert.Equal([3L, 4L, 6L, 7L, 8L], errors.Select(e => e.Line));
        Assert.All(errors, e => Assert.Equal(path, e.File));
        Assert.Contains("not valid JSON", errors[0].Message);
        Assert.Contains("no \"_id\"", errors[1].Message);
        Assert.Contains("no \"text\"", errors[2].Message);
    }

    [Fact]
    public void Bom_before_the_first_object_is_skipped()
    {
        using var dir = new TempDir();
        var (docs, errors) = Read(dir.Write("bom.jsonl", "\uFEFF{\"_id\": \"1\", \"text\": \"t\"}\n"));
        Assert.Empty(errors);
        Assert.Equal("1", Assert.Single(docs).Id);
    }

    [Fact]
    public void Long_lines_beyond_the_initial_buffer_are_read_whole()
    {
        using var dir = new TempDir();
        string text = new('w', 300_000);
        var (docs, errors) = Read(dir.Write("long.jsonl", $"{{\"_id\": \"a\", \"text\": \"{text}\"}}\n{{\"_id\": \"b\", \"text\": \"short\"}}\n"));
        Assert.Empty(errors);
        Assert.Equal(text, docs[0].Text);
        Assert.Equal("b", docs[1].Id);
    }
}
