using System.IO.Compression;
using System.Text;
using Splade.Lucene.Formats;

namespace Splade.Lucene.Tests.Formats;

/// <summary>
/// <see cref="JsonVectorReader"/> reads the three layouts Anserini's JsonVectorCollection reads (JSON Lines,
/// pretty-printed objects, an array of objects), plain or gzip, and reports every bad record with the line
/// where it starts.
/// </summary>
public sealed class JsonVectorReaderTests : IDisposable
{
    // Line 1 is shaped like Anserini's query vectors (integer weights), shortened.
    private const string Lines =
        "{\"id\": \"156493\", \"vector\": {\"gold\": 3002, \"##fish\": 2684, \"fish\": 2230}, \"text\": \"do goldfish grow\"}\n" // 1
        + "{\"_id\": \"d1\", \"contents\": \"ignored\", \"vector\": {\"a\": 0.5, \"b\": 1e-3, \"a\": 2}}\n" // 2: repeated token, last wins
        + "{\"id\": \"d2\", \"vector\": {}}\n" // 3: empty vector is valid
        + "{\"id\": \"d3\", \"vector\": {\"a\": \"1.5\"}}\n" // 4: weight is a string
        + "{\"vector\": {\"a\": 1}}\n" // 5: no id
        + "{\"id\": \"d4\", \"vector\": [1, 2]}\n" // 6: not an object
        + "{\"id\": \"d5\"}\n" // 7: no vector
        + "{\"id\": \"d6\", \"vector\": {\"a\": 1}\n" // 8: truncated (the next object starts in column 1)
        + "   \n" // 9: blank
        + "{\"id\": \"d7\", \"vector\": {\"caf\\u00e9\": 7, \"fish\": 1}}\n" // 10
        + "{\"id\": 42, \"vector\": {\"\\ud800\": 1}}\n" // 11: lone surrogate in a token
        + "garbage\n" // 12
        + "{\"id\": 43, \"vector\": {\"x\": 1.25}}\n"; // 13: numeric id kept as written

    // Pretty-printed as Anserini's json_vector collection3 is (two objects, each over several lines), own content.
    private const string PrettyPrinted =
        "{\n" // 1
        + "  \"id\" : \"docA\",\n"
        + "  \"contents\" : \"f1 f2 f2\",\n"
        + "  \"vector\" : {\n"
        + "    \"f1\" : 1,\n"
        + "    \"f2\" : 2\n"
        + "  }\n"
        + "}\n"
        + "{\n" // 9
        + "  \"id\" : \"docB\",\n"
        + "  \"vector\" : {\n"
        + "    \"f2\" : 3,\n"
        + "    \"f9\" : 0.5\n"
        + "  }\n"
        + "}\n"
        + "{\n" // 16: bad weight on line 19
        + "  \"id\" : \"docC\",\n"
        + "  \"vector\" : {\n"
        + "    \"f1\" : true\n"
        + "  }\n"
        + "}\n"
        + "{\n" // 22
        + "  \"id\" : \"docD\",\n"
        + "  \"vector\" : { \"f4\" : 4 }\n"
        + "}\n";

    private const string Array = "[\n  {\"id\": \"x1\", \"vector\": {\"f1\": 1}},\n  {\n    \"id\": \"x2\",\n    \"vector\": {\"f2\": 2}\n  }\n]\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("vectors-test").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void JsonLinesGoodRecordsAreReadAndBadOnesReportedWithTheirLine(bool gzip)
    {
        string path = Write("v.jsonl", Lines, gzip);
        var errors = new List<VectorFormatError>();

        var records = new JsonVectorReader().Read(path, errors.Add).ToList();

        Assert.Equal(["156493", "d1", "d2", "d7", "43"], records.Select(r => r.Id));
        Assert.Equal([1L, 2L, 3L, 10L, 13L], records.Select(r => r.Line));
        Assert.Equal(new Dictionary<string, float> { ["gold"] = 3002, ["##fish"] = 2684, ["fish"] = 2230 }, records[0].Weights);
        Assert.Equal(new Dictionary<string, float> { ["a"] = 2f, ["b"] = 0.001f }, records[1].Weights);
        Assert.Empty(records[2].Weights);
        Assert.Equal(7f, records[3].Weights["café"]);
        Assert.Equal([4L, 5L, 6L, 7L, 8L, 11L, 12L], errors.Select(e => e.Line));
        Assert.Contains("'a' is not a finite number", errors[0].Message);
        Assert.StartsWith($"{path}:4: ", errors[0].ToString());
        Assert.Contains("no \"id\"", errors[1].Message);
        Assert.Contains("must be an object", errors[2].Message);
        Assert.Contains("no \"vector\"", errors[3].Message);
        Assert.Contains("incomplete JSON object", errors[4].Message);
        Assert.Contains("invalid text", errors[5].Message);
        Assert.Contains("expected a JSON object", errors[6].Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PrettyPrintedObjectsSpanningLinesAreRead(bool gzip)
    {
        string path = Write("collection.json", PrettyPrinted, gzip);
        var errors = new List<VectorFormatError>();

        var records = new JsonVectorReader().Read(path, errors.Add).ToList();

        Assert.Equal(["docA", "docB", "docD"], records.Select(r => r.Id));
        Assert.Equal([1L, 9L, 22L], records.Select(r => r.Line));
        Assert.Equal(new Dictionary<string, float> { ["f1"] = 1, ["f2"] = 2 }, records[0].Weights);
        Assert.Equal(new Dictionary<string, float> { ["f2"] = 3, ["f9"] = 0.5f }, records[1].Weights);
        var error = Assert.Single(errors);
        Assert.Equal(16L, error.Line);
        Assert.Contains("'f1'", error.Message);
    }

    [Fact]
    public void AnArrayOfObjectsIsRead()
    {
        string path = Write("array.json", Array, gzip: false);
        var errors = new List<VectorFormatError>();
        var records = new JsonVectorReader().Read(path, errors.Add).ToList();
        Assert.Empty(errors);
        Assert.Equal(["x1", "x2"], records.Select(r => r.Id));
        Assert.Equal([2L, 3L], records.Select(r => r.Line));
    }

    [Fact]
    public void AnUnclosedStringDoesNotSwallowTheNextRecords()
    {
        string text = "{\"id\": \"a\", \"vector\": {\"x\n{\"id\": \"b\", \"vector\": {\"y\": 1}}\n";
        var errors = new List<VectorFormatError>();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var records = new JsonVectorReader().Read(stream, "mem", errors.Add).ToList();
        Assert.Equal(["b"], records.Select(r => r.Id));
        Assert.Equal(1L, Assert.Single(errors).Line);
    }

    [Fact]
    public void AMissingFileIsReportedNotThrown()
    {
        var errors = new List<VectorFormatError>();
        Assert.Empty(new JsonVectorReader().Read(Path.Combine(_dir, "nope.jsonl"), errors.Add).ToList());
        Assert.Contains("cannot open", Assert.Single(errors).Message);
    }

    [Fact]
    public void TokenStringsAreSharedBetweenRecordsOfOneReader()
    {
        string path = Write("v.jsonl", Lines, gzip: false);
        var records = new JsonVectorReader().Read(path, _ => { }).ToList();
        string first = records[0].Weights.Keys.Single(k => k == "fish");
        string again = records[3].Weights.Keys.Single(k => k == "fish");
        Assert.Same(first, again);
    }

    private string Write(string name, string text, bool gzip)
    {
        string path = Path.Combine(_dir, name + (gzip ? ".gz" : ""));
        using var file = File.Create(path);
        using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        stream.Write(Encoding.UTF8.GetBytes(text));
        return path;
    }
}
