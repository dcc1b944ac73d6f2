using System.Globalization;
using System.Text;
using IndexPubMed.Input;
using IndexPubMed.Tests.Input;
using IndexPubMed.Tests.Support;

namespace IndexPubMed.Tests.Reliability;

/// <summary>
/// Issue 9 items 1-5: one bad record, line or query is reported with file and line (or query id), counted and
/// skipped, and the run goes on; unusable arguments, models and outputs are refused with one line and exit 2.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private static readonly string Model = IndexPubMed.Tests.Commands.Cli.ModelDir;
    private static readonly byte[] InvalidUtf8 = [0xFF, 0xFE, 0xC3];

    private readonly TempDir _temp = new();

    private string IndexDir => Path.Combine(_temp.Path, "index");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void BadJsonlRecordsAreReportedWithTheirLinesAndSkipped()
    {
        string file = WriteLines("docs.jsonl",
            Utf8(IndexDataLossTests.Doc("1", "valid first")),
            [.. Utf8("{\"_id\": \"2\", \"text\": \"bad "), .. InvalidUtf8, .. Utf8("\"}\n")],
            Utf8("{\"_id\": \"3\", \"text\": \"lone \\ud800 surrogate\"}\n"),
            Utf8(IndexDataLossTests.Doc(new string('7', 40_000), "an id past Lucene's term limit")),
            Utf8(IndexDataLossTests.Doc("5", "valid last")),
            Utf8("{\"_id\": \"\\udc00\", \"text\": \"lone surrogate id\"}\n"));

        var run = InProcessCli.Run("index", "--index", IndexDir, "--model", Model, "--quiet", file);

        InProcessCli.AssertNoCrash(run);
        Assert.Equal(1, run.Exit);
        foreach (int line in new[] { 2, 3, 4, 6 })
        {
            Assert.Contains($"{file}:{line}: ", run.Error);
        }
        Assert.Contains("32,766", run.Error);
        Assert.Equal(["1", "5"], IndexContents.Read(IndexDir).Keys.Order());
    }

    [Fact]
    public void BadVectorLinesAreReportedWithTheirLinesAndSkipped()
    {
        string file = WriteLines("vectors.jsonl",
            Utf8("{\"id\": \"a\", \"vector\": {\"heart\": 1.5}}\n"),
            Utf8("{\"id\": \"b\", \"vector\": {\"\\ud800\": 1.5}}\n"),
            [.. Utf8("{\"id\": \"c\", \"vector\": {\""), .. InvalidUtf8, .. Utf8("\": 1.5}}\n")],
            Utf8("{\"id\": \"d\", \"vector\": {\"notatoken!!\": 1.5}}\n"),
            Utf8("{\"id\": \"e\", \"vector\": {\"heart\": 0}}\n"),
            Utf8("{\"id\": \"f\", \"vector\": {\"attack\": 0.5}}\n"));

        var run = InProcessCli.Run("index", "--index", IndexDir, "--model", Model, "--quiet", "--vectors", file);

        InProcessCli.AssertNoCrash(run);
        Assert.Equal(1, run.Exit);
        foreach (int line in new[] { 2, 3, 4, 5 })
        {
            Assert.Contains($"{file}:{line}: ", run.Error);
        }
        // A token outside the vocabulary is dropped and counted, the rest of its vector kept (README, index), but a
        // vector with no token of the vocabulary at all ('d') would index nothing: it is reported and skipped.
        Assert.Equal(["a", "f"], IndexContents.Read(IndexDir).Keys.Order());
    }

    [Fact]
    public void PubMedRecordsWithValuesPastLuceneLimitsAreSkippedAndTheOthersIndexed()
    {
        string xml = PubMedXml(
            Article("1001", "A valid article", "The New England journal of medicine"),
            Article("1002", "A journal title past the limit", new string('j', 40_000)),
            Article(new string('9', 40_000), "A PMID past the limit", "J"),
            Article("1004", "Another valid article", "Lancet"));
        string file = _temp.Write("pubmed26n0001.xml", xml);

        var run = InProcessCli.Run("index", "--index", IndexDir, "--no-splade", "--quiet", file);

        InProcessCli.AssertNoCrash(run);
        Assert.Equal(1, run.Exit);
        Assert.Contains("journal value of 40,000 UTF-8 bytes", run.Error);
        Assert.Contains("id value of 40,000 UTF-8 bytes", run.Error);
        Assert.Equal(["1001", "1004"], IndexContents.Read(IndexDir).Keys.Order());
    }

    [Theory]
    [InlineData(50_000)]
    [InlineData(1_000_000)]
    public void DeeplyNestedXmlIsRefusedWithoutStackOverflowOrHang(int depth)
    {
        string deep = new StringBuilder().Insert(0, "<i>", depth).Append("deep").ToString() + new StringBuilder().Insert(0, "</i>", depth);
        string xml = PubMedXml(
            Article("2001", "Before", "J"),
            Article("2002", "Deep", "J", abstractXml: deep),
            Article("2003", "After", "J"));
        string file = _temp.Write("pubmed26n0002.xml", xml);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var run = InProcessCli.Run("index", "--index", IndexDir, "--no-splade", "--quiet", file);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(90), $"took {watch.Elapsed}");
        InProcessCli.AssertNoCrash(run);
        Assert.Equal(1, run.Exit);
        Assert.Contains($"nested more than {XmlRecordReader.MaxDepth} levels", run.Error);
        Assert.Equal(["2001", "2003"], IndexContents.Read(IndexDir).Keys.Order());
    }

    /// <summary>A record bounded in depth but not in size: one text node of 40 Mi characters, read in chunks and skipped.</summary>
    [Fact]
    public void ARecordWithMoreTextThanTheLimitIsSkippedWithItsLineAndTheRestIsIndexed()
    {
        string file = Path.Combine(_temp.Path, "pubmed26n0003.xml");
        using (var writer = new StreamWriter(file))
        {
            string xml = PubMedXml(Article("4001", "Before", "J"), Article("4002", "Huge", "J", abstractXml: "HUGE"), Article("4003", "After", "J"));
            int at = xml.IndexOf("HUGE", StringComparison.Ordinal);
            writer.Write(xml[..at]);
            var block = new string('a', 1 << 20);
            for (int i = 0; i < 40; i++)
            {
                writer.Write(block);
            }
            writer.Write(xml[(at + 4)..]);
        }

        var run = InProcessCli.Run("index", "--index", IndexDir, "--no-splade", "--quiet", file);

        InProcessCli.AssertNoCrash(run);
        Assert.Equal(1, run.Exit);
        Assert.Contains($"more than {XmlRecordReader.MaxRecordChars:N0} characters of text; record skipped", run.Error);
        Assert.Equal(["4001", "4003"], IndexContents.Read(IndexDir).Keys.Order());
    }

    [Fact]
    public void TextUpToTheRecordLimitIsKeptWholeAcrossChunks()
    {
        // 20,000 characters read in 8,192-character chunks; a limit just above it keeps the record, just below refuses it.
        string text = string.Concat(Enumerable.Range(0, 2_000).Select(i => (i % 10).ToString(CultureInfo.InvariantCulture) + "abcdefghi"));
        string xml = PubMedXml(Article("5001", "T", "J", abstractXml: text));
        foreach (var (limit, kept) in new[] { (30_000, true), (19_000, false) })
        {
            using var reader = System.Xml.XmlReader.Create(new StringReader(xml));
            reader.ReadToFollowing("PubmedArticle");
            var element = XmlRecordReader.Read(reader, out string? problem, limit);
            Assert.Equal(kept, element is not null);
            Assert.Equal(kept, problem is null);
            if (kept)
            {
                Assert.Equal(text, element!.Descendants("AbstractText").Single().Value);
            }
        }
    }

    [Fact]
    public void NestingUpToTheStatedDepthIsRead()
    {
        int depth = XmlRecordReader.MaxDepth - 10;
        string nested = string.Concat(Enumerable.Repeat("<i>", depth)) + "nested words" + string.Concat(Enumerable.Repeat("</i>", depth));
        var errors = new List<InputError>();

        var items = PubMedXmlReader.Read(_temp.Write("n.xml", PubMedXml(Article("3001", "T", "J", abstractXml: nested))), errors.Add).ToList();

        Assert.Empty(errors);
        Assert.Equal("nested words", Assert.IsType<PubMedArticle>(Assert.Single(items)).Abstract);
    }

    [Fact]
    public void AHugeQueryAndAnInvalidQueryLineDoNotEndTheBatch()
    {
        string docs = _temp.Write("docs.jsonl", IndexDataLossTests.Doc("1", "aspirin heart attack") + IndexDataLossTests.Doc("2", "statins cholesterol word17"));
        Assert.Equal(0, InProcessCli.Run("index", "--index", IndexDir, "--no-splade", "--quiet", docs).Exit);
        // About 100,000 characters, 12,000 distinct terms: far past Lucene's default 1,024 clauses.
        string huge = string.Join(' ', Enumerable.Range(0, 12_000).Select(i => "word" + i.ToString(CultureInfo.InvariantCulture)));
        Assert.True(huge.Length > 90_000);
        string queries = WriteLines("queries.tsv",
            Utf8("q1\taspirin\n"),
            Utf8($"q2\t{huge}\n"),
            [.. Utf8("q3\tbad "), .. InvalidUtf8, .. Utf8("\n")],
            Utf8("q4\tstatins\n"));
        string runFile = Path.Combine(_temp.Path, "run.trec");

        var run = InProcessCli.Run("search", "--index", IndexDir, "--mode", "bm25", "--queries", queries, "--run", runFile, "--quiet");

        InProcessCli.AssertNoCrash(run);
        Assert.Equal(1, run.Exit);
        Assert.Contains($"{queries}:3: ", run.Error);
        var ids = File.ReadAllLines(runFile).Select(l => l.Split(' ')[0]).Distinct().Order().ToList();
        Assert.Equal(["q1", "q2", "q4"], ids);

        var single = InProcessCli.Run("search", "--index", IndexDir, "--mode", "bm25", "--syntax", "off", huge);
        InProcessCli.AssertNoCrash(single);
        Assert.Equal(0, single.Exit);
    }

    [Fact]
    public void EncodeRefusesBadArgumentsModelsAndOutputsWithOneLine()
    {
        string input = _temp.Write("texts.jsonl", IndexDataLossTests.Doc("1", "aspirin"));
        string noOnnx = CopyModel("no-onnx", (name, bytes) => name.EndsWith(".onnx", StringComparison.Ordinal) ? null : bytes);
        string truncated = CopyModel("truncated", (name, bytes) => name.EndsWith(".onnx", StringComparison.Ordinal) ? bytes[..(bytes.Length / 3)] : bytes);
        string wrongVocab = CopyModel("vocab", (name, bytes) => name == "vocab.txt" ? bytes[..(bytes.Length / 2)] : name == "tokenizer.json" ? null : bytes);
        string output = Path.Combine(_temp.Path, "out.jsonl");
        string[][] cases =
        [
            ["--model", noOnnx, "--input", input, "--output", output],
            ["--model", truncated, "--input", input, "--output", output],
            ["--model", wrongVocab, "--input", input, "--output", output],
            ["--model", Path.Combine(_temp.Path, "nosuchmodel"), "--input", input, "--output", output],
            ["--model", Model, "--input", input, "--output", output, "--batch-size", "0"],
            ["--model", Model, "--input", input, "--output", output, "--top-tokens", "-1"],
            ["--model", Model, "--input", input, "--output", _temp.Path],
            ["--model", Model, "--input", input, "--output", Path.Combine(_temp.Path, "no", "such", "folder", "out.jsonl")],
            ["--model", Model, "--input", Path.Combine(_temp.Path, "nosuchinput.jsonl"), "--output", output],
        ];
        foreach (var c in cases)
        {
            string[] args = ["encode", .. c];
            var run = InProcessCli.Run(args);
            InProcessCli.AssertNoCrash(run, args);
            Assert.True(run.Exit == 2, $"exit {run.Exit} for {string.Join(' ', args)}:\n{run.Error}");
            // Console is process-wide, so other test classes' output may land in the capture: count encode's own lines.
            Assert.True(run.Error.Split('\n').Count(l => l.StartsWith("encode", StringComparison.Ordinal)) == 1, $"not one line for {string.Join(' ', args)}:\n{run.Error}");
        }
    }

    [Fact]
    public void EncodeSkipsBadInputLinesWithTheirNumbers()
    {
        string input = WriteLines("texts.jsonl",
            Utf8(IndexDataLossTests.Doc("1", "aspirin")),
            [.. Utf8("{\"_id\": \"2\", \"text\": \"bad "), .. InvalidUtf8, .. Utf8("\"}\n")],
            Utf8("{\"_id\": \"3\", \"text\": \"\\ud800\"}\n"),
            Utf8(IndexDataLossTests.Doc("4", "statins")));
        string output = Path.Combine(_temp.Path, "out.jsonl");

        var run = InProcessCli.Run("encode", "--model", Model, "--input", input, "--output", output, "--quiet");

        InProcessCli.AssertNoCrash(run);
        Assert.Equal(1, run.Exit);
        Assert.Contains($"{input}:2: ", run.Error);
        Assert.Contains($"{input}:3: ", run.Error);
        Assert.Equal(2, File.ReadAllLines(output).Length);
    }

    private string CopyModel(string name, Func<string, byte[], byte[]?> transform)
    {
        string target = Path.Combine(_temp.Path, name);
        foreach (string file in Directory.EnumerateFiles(Model, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(Model, file);
            var bytes = transform(Path.GetFileName(file), File.ReadAllBytes(file));
            if (bytes is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
                File.WriteAllBytes(Path.Combine(target, relative), bytes);
            }
        }
        return target;
    }

    private string WriteLines(string name, params byte[][] lines)
    {
        string path = Path.Combine(_temp.Path, name);
        File.WriteAllBytes(path, lines.SelectMany(l => l).ToArray());
        return path;
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    internal static string PubMedXml(params string[] articles) =>
        "<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n" + string.Concat(articles) + "</PubmedArticleSet>\n";

    internal static string Article(string pmid, string title, string journal, string abstractXml = "An abstract.") => $"""
        <PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article><Journal><Title>{journal}</Title></Journal>
        <ArticleTitle>{title}</ArticleTitle><Abstract><AbstractText>{abstractXml}</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>

        """;
}
