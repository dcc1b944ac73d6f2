using IndexPubMed.Input;

namespace IndexPubMed.Tests.Input;

public class VectorJsonlReaderTests
{
    // Line 1 is the first line of Anserini's dl19-passage splade-pp-ed query vectors, shortened.
    private const string Vectors =
        "{\"id\": \"156493\", \"vector\": {\"gold\": 3002, \"##fish\": 2684, \"fish\": 2230}, \"text\": \"do goldfish grow\"}\n" // 1
        + "{\"_id\": \"d1\", \"contents\": \"ignored\", \"vector\": {\"a\": 0.5, \"b\": 1e-3, \"a\": 2}}\n" // 2: repeated token, last wins
        + "{\"id\": \"d2\", \"vector\": {}}\n" // 3: empty vector is valid
        + "{\"id\": \"d3\", \"vector\": {\"a\": \"1.5\"}}\n" // 4: weight is a string
        + "{\"vector\": {\"a\": 1}}\n" // 5: no id
        + "{\"id\": \"d4\", \"vector\": [1, 2]}\n" // 6: not an object
        + "{\"id\": \"d5\"}\n" // 7: no vector
        + "{\"id\": \"d6\", \"vector\": {\"a\": 1}\n" // 8: truncated JSON
        + "   \n" // 9: blank
        + "{\"id\": \"d7\", \"vector\": {\"caf\\u00e9\": 7, \"fish\": 1}}\n"; // 10

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_good_lines_and_reports_bad_ones_with_line_numbers(bool gzip)
    {
        using var dir = new TempDir();
        string path = gzip ? dir.WriteGzip("v.jsonl.gz", Vectors) : dir.Write("v.jsonl", Vectors);
        var errors = new List<InputError>();

        var records = new VectorJsonlReader().Read(path, errors.Add).ToList();

        Assert.Equal(["156493", "d1", "d2", "d7"], records.Select(r => r.Id));
        Assert.Equal(new Dictionary<string, float> { ["gold"] = 3002, ["##fish"] = 2684, ["fish"] = 2230 }, records[0].Weights);
        Assert.Equal(new Dictionary<string, float> { ["a"] = 2f, ["b"] = 0.001f }, records[1].Weights);
        Assert.Empty(records[2].Weights);
        Assert.Equal(7f, records[3].Weights["café"]);
        Assert.Equal([4L, 5L, 6L, 7L, 8L], errors.Select(e => e.Line));
        Assert.Contains("'a' is not a finite number", errors[0].Message);
        Assert.StartsWith($"{path}:4: ", errors[0].ToString());
        Assert.Contains("no \"id\"", errors[1].Message);
        Assert.Contains("must be an object", errors[2].Message);
        Assert.Contains("no \"vector\"", errors[3].Message);
        Assert.Contains("not valid JSON", errors[4].Message);
    }

    [Fact]
    public void Token_strings_are_shared_between_records_of_one_reader()
    {
        using var dir = new TempDir();
        string path = dir.Write("v.jsonl", Vectors);
        var records = new VectorJsonlReader().Read(path, _ => { }).ToList();
        string first = records[0].Weights.Keys.Single(k => k == "fish");
        string again = records[3].Weights.Keys.Single(k => k == "fish");
        Assert.Same(first, again);
    }
}
