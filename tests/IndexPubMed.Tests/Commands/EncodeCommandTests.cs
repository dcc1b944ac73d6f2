using System.CommandLine;
using System.Text.Json;
using IndexPubMed.Commands;

namespace IndexPubMed.Tests.Commands;

/// <summary>The <c>encode</c> command end to end on the tiny model: JSONL in, Anserini vector JSONL out.</summary>
public sealed class EncodeCommandTests : IDisposable
{
    private static readonly string ModelDir = Path.Combine(AppContext.BaseDirectory, "fixtures", "tiny-splade");
    private readonly string _dir = Directory.CreateTempSubdirectory("encode-test").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WritesGoldenVectorsAndInputIdsForEveryLine()
    {
        using var golden = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ModelDir, "golden.json")));
        var docs = golden.RootElement.GetProperty("encodings").EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "doc").ToList();
        string input = Path.Combine(_dir, "in.jsonl");
        File.WriteAllLines(input, docs.Select(d => JsonSerializer.Serialize(new { id = d.GetProperty("id").GetString(), text = d.GetProperty("text").GetString() })));
        string output = Path.Combine(_dir, "out.jsonl");

        int exit = Run("encode", "--model", ModelDir, "--input", input, "--output", output, "--ids", "--quiet");

        Assert.Equal(0, exit);
        var lines = File.ReadAllLines(output);
        Assert.Equal(docs.Count, lines.Length);
        var vocab = File.ReadAllLines(Path.Combine(ModelDir, "vocab.txt"));
        for (int i = 0; i < docs.Count; i++)
        {
            using var line = JsonDocument.Parse(lines[i]);
            var root = line.RootElement;
            Assert.Equal(docs[i].GetProperty("id").GetString(), root.GetProperty("id").GetString());
            Assert.Equal(docs[i].GetProperty("input_ids").EnumerateArray().Select(x => x.GetInt32()), root.GetProperty("input_ids").EnumerateArray().Select(x => x.GetInt32()));
            var expected = docs[i].GetProperty("indices").EnumerateArray().Select(x => vocab[x.GetInt32()])
                .Zip(docs[i].GetProperty("values").EnumerateArray().Select(x => x.GetSingle()))
                .ToDictionary(p => p.First, p => p.Second);
            var actual = root.GetProperty("vector").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetSingle());
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
            foreach (var (token, weight) in expected)
            {
                Assert.True(Math.Abs(actual[token] - weight) <= 1e-4f, $"line {i + 1}, token {token}: {actual[token]} vs golden {weight}");
            }
        }
    }

    [Fact]
    public void BadLinesAreSkippedAndTheExitCodeSaysSo()
    {
        string input = Path.Combine(_dir, "bad.jsonl");
        File.WriteAllLines(input, ["{\"id\": \"a\", \"text\": \"aspirin\"}", "not json", "{\"text\": \"no id\"}", "{\"_id\": \"b\", \"title\": \"T\", \"text\": \"metformin\"}"]);
        string output = Path.Combine(_dir, "out.jsonl");

        int exit = Run("encode", "--model", ModelDir, "--input", input, "--output", output, "--query", "--quiet");

        Assert.Equal(1, exit);
        var ids = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()).ToList();
        Assert.Equal(["a", "b"], ids);
    }

    [Fact]
    public void PlainTextLinesFromStdinAreEncodedLikeTheSameTextsInJsonl()
    {
        string jsonl = Path.Combine(_dir, "texts.jsonl");
        File.WriteAllLines(jsonl, ["{\"id\": \"1\", \"text\": \"aspirin heart attack\"}", "{\"id\": \"3\", \"text\": \"metformin\"}"]);
        string expected = Path.Combine(_dir, "expected.jsonl");
        Assert.Equal(0, Run("encode", "--model", ModelDir, "--input", jsonl, "--output", expected, "--quiet"));

        // Line 2 is blank: plain-text ids are line numbers.
        var (exit, output, error) = Support.CliProcess.RunWithInput("aspirin heart attack\n\nmetformin\n", "encode", "--model", ModelDir, "--input", "-", "--quiet");

        Assert.True(exit == 0, error);
        Assert.Equal("", error);
        Assert.Equal(File.ReadAllLines(expected), output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void TopTokensPrintsTheHeaviestTokensOfEachText()
    {
        string input = Path.Combine(_dir, "plain.txt");
        File.WriteAllLines(input, ["aspirin heart attack"]);
        string output = Path.Combine(_dir, "top.txt");

        Assert.Equal(0, Run("encode", "--model", ModelDir, "--input", input, "--format", "text", "--output", output, "--top-tokens", "3", "--quiet"));

        var fields = File.ReadAllText(output).TrimEnd('\n').Split('\t');
        Assert.Equal("1", fields[0]);
        Assert.Equal(3, fields[2].Split(", ").Length);
    }

    [Theory]
    [InlineData("--batch-size", "0")]
    [InlineData("--top-tokens", "-1")]
    [InlineData("--top", "5")]
    public void BadArgumentsAreRefusedWithExit2NamingTheOption(string option, string value)
    {
        string input = Path.Combine(_dir, "plain.txt");
        File.WriteAllLines(input, ["aspirin"]);
        var error = new StringWriter();

        int exit = CliRunner.Run(["encode", "--model", ModelDir, "--input", input, option, value], new InvocationConfiguration { Error = error, Output = new StringWriter() });

        Assert.Equal(2, exit);
        Assert.Contains(option, error.ToString());
    }

    private static int Run(params string[] args)
    {
        return CliRunner.Run(args);
    }
}
