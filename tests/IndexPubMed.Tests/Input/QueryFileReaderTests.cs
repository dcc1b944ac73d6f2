using IndexPubMed.Input;

namespace IndexPubMed.Tests.Input;

public class QueryFileReaderTests
{
    [Fact]
    public void Reads_beir_jsonl_queries()
    {
        using var dir = new TempDir();
        // Line 1 is the first query of BEIR SciFact's test split.
        string path = dir.Write("queries.jsonl",
            "{\"_id\": \"1\", \"text\": \"0-dimensional biomaterials show inductive properties.\", \"metadata\": {}}\n"
            + "{\"_id\": \"3\", \"text\": \"  1,000 genomes project enables mapping of genetic sequence variation.  \"}\n"
            + "{\"_id\": \"4\"}\n"
            + "{\"_id\": \"1\", \"text\": \"duplicate\"}\n"
            + "{\"text\": \"no id\"}\n"
            + "{\"id\": 5, \"text\": \"numeric id\"}\n");
        var errors = new List<InputError>();

        var queries = QueryFileReader.Read(path, errors.Add);

        Assert.Equal(
            [
                new QueryRecord("1", "0-dimensional biomaterials show inductive properties."),
                new QueryRecord("3", "1,000 genomes project enables mapping of genetic sequence variation."),
                new QueryRecord("5", "numeric id"),
            ],
            queries);
        Assert.Equal([3L, 4L, 5L], errors.Select(e => e.Line));
        Assert.Contains("no text", errors[0].Message);
        Assert.Contains("repeated", errors[1].Message);
    }

    [Fact]
    public void Reads_tsv_queries()
    {
        using var dir = new TempDir();
        string path = dir.WriteGzip("topics.tsv.gz", "156493\tdo goldfish grow\n1110199\twhat is wifi vs bluetooth\r\nno tab here\n\tempty id\n42\t   \n7\ttext with\ta second tab\n");
        var errors = new List<InputError>();

        var queries = QueryFileReader.Read(path, errors.Add);

        Assert.Equal(
            [
                new QueryRecord("156493", "do goldfish grow"),
                new QueryRecord("1110199", "what is wifi vs bluetooth"),
                new QueryRecord("7", "text with\ta second tab"),
            ],
            queries);
        Assert.Equal([3L, 4L, 5L], errors.Select(e => e.Line));
        Assert.All(errors, e => Assert.Equal(path, e.File));
    }
}
