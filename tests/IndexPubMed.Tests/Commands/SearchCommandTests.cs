using System.Globalization;
using IndexPubMed.Indexing;
using Lucene.Net.Index;
using FSDirectory = Lucene.Net.Store.FSDirectory;
using Lucene.Net.Util;
using Splade.Lucene.Index;

namespace IndexPubMed.Tests.Commands;

/// <summary>The <c>search</c> command end to end on the PubMed fixture indexed with the tiny model.</summary>
[Collection(PubMedIndexCollection.Name)]
public sealed class SearchCommandTests : IDisposable
{
    private readonly PubMedIndexFixture _index;
    private readonly string _dir = Directory.CreateTempSubdirectory("search-test").FullName;

    public SearchCommandTests(PubMedIndexFixture index) => _index = index;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("bm25")]
    [InlineData("splade")]
    [InlineData("hybrid")]
    public void SingleQuery_EveryMode_ShowsHitsThatAreInTheIndex(string mode)
    {
        var (exit, output, error) = Cli.Run("search", "--index", _index.IndexDir, "--model", Cli.ModelDir, "--mode", mode, "--top", "5", "cancer treatment");

        Assert.True(exit == 0, error);
        var ids = Cli.HitIds(output);
        Assert.InRange(ids.Count, 1, 5);
        Assert.All(ids, id => Assert.Contains(id, _index.Ids));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        if (mode != "bm25")
        {
            Assert.Contains("splade terms", output);
        }
        if (mode == "hybrid")
        {
            Assert.Contains("bm25 ", output);
        }
    }

    [Fact]
    public void Explain_PrintsTheExplanationOfEachHit()
    {
        var (exit, output, error) = Cli.Run("search", "--index", _index.IndexDir, "--model", Cli.ModelDir, "--mode", "splade", "--top", "2", "--explain", "cancer");

        Assert.True(exit == 0, error);
        Assert.Contains("query weight x impact", output);
        Assert.Contains("impact (term frequency)", output);
    }

    [Fact]
    public void QuerySyntax_FieldClausesAndSpladeClauses_AreParsed()
    {
        var (exit, output, error) = Cli.Run("search", "--index", _index.IndexDir, "--model", Cli.ModelDir, "title:cancer OR splade:\"lung tumour\"");

        Assert.True(exit == 0, error);
        Assert.Contains("title:cancer", output);
        Assert.Contains("splade(\"lung tumour\")", output);
        Assert.NotEmpty(Cli.HitIds(output));
    }

    [Fact]
    public void QuerySyntax_Error_IsReportedClearly()
    {
        var (exit, _, error) = Cli.Run("search", "--index", _index.IndexDir, "title:(cancer AND");

        Assert.Equal(2, exit);
        Assert.Contains("cannot parse the query", error);
        Assert.Contains("--syntax off", error);
    }

    [Fact]
    public void SpladeClause_WithoutModel_IsRefused()
    {
        var (exit, _, error) = Cli.Run("search", "--index", _index.IndexDir, "splade:cancer AND year:2020");

        Assert.Equal(2, exit);
        Assert.Contains("need --model", error);
    }

    [Fact]
    public void Batch_WritesAWellFormedRun()
    {
        string queries = Path.Combine(_dir, "q.tsv");
        File.WriteAllLines(queries, ["q1\tcancer treatment", "q2\theart attack: aspirin?", "q3\tCOVID-19 vaccine"]);
        string run = Path.Combine(_dir, "run.trec");

        var (exit, _, error) = Cli.Run("search", "--index", _index.IndexDir, "--model", Cli.ModelDir, "--mode", "hybrid", "--fusion", "rrf",
            "--queries", queries, "--run", run, "--depth", "20");

        Assert.True(exit == 0, error);
        Assert.Contains("queries/s", error);
        Assert.Contains("p99", error);
        var lines = File.ReadAllLines(run).Select(l => l.Split(' ')).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, f =>
        {
            Assert.Equal(6, f.Length);
            Assert.Equal("Q0", f[1]);
            Assert.Contains(f[2], _index.Ids);
            Assert.Equal("hybrid-rrf", f[5]);
        });
        foreach (var query in lines.GroupBy(f => f[0]))
        {
            var rows = query.ToList();
            Assert.InRange(rows.Count, 1, 20);
            Assert.Equal(Enumerable.Range(1, rows.Count), rows.Select(f => int.Parse(f[3], CultureInfo.InvariantCulture)));
            var scores = rows.Select(f => double.Parse(f[4], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(scores.OrderByDescending(s => s), scores);
            Assert.Equal(rows.Count, rows.Select(f => f[2]).Distinct().Count());
        }
        Assert.Equal(["q1", "q2", "q3"], lines.Select(f => f[0]).Distinct());
    }

    [Theory]
    [InlineData("3")]
    [InlineData("50")]
    public void PrunedSpladeRuns_EqualExhaustiveRuns(string depth)
    {
        string queries = Path.Combine(_dir, "q.tsv");
        File.WriteAllLines(queries, ["q1\tcancer treatment", "q2\theart attack: aspirin?", "q3\tCOVID-19 vaccine", "q4\tstem cell transplantation"]);
        string pruned = Path.Combine(_dir, "pruned.trec"), exhaustive = Path.Combine(_dir, "exhaustive.trec");

        var (exit1, _, error1) = Cli.Run("search", "--index", _index.IndexDir, "--model", Cli.ModelDir, "--mode", "splade", "--queries", queries, "--run", pruned, "--depth", depth);
        var (exit2, _, error2) = Cli.Run("search", "--index", _index.IndexDir, "--model", Cli.ModelDir, "--mode", "splade", "--queries", queries, "--run", exhaustive, "--depth", depth, "--exhaustive");

        Assert.True(exit1 == 0, error1);
        Assert.True(exit2 == 0, error2);
        Assert.Contains("splade top-k (pruned)", error1);
        Assert.Contains("splade top-k (exhaustive)", error2);
        Assert.Equal(File.ReadAllLines(exhaustive), File.ReadAllLines(pruned));
    }

    [Theory]
    [InlineData("splade", "rrf")]
    [InlineData("hybrid", "rrf")]
    [InlineData("hybrid", "linear")]
    public void WarmUp_ChangesNoRun_AndIsReportedApartFromTheQueries(string mode, string fusion)
    {
        string queries = Path.Combine(_dir, "q.tsv");
        File.WriteAllLines(queries, ["q1\tcancer treatment", "q2\theart attack: aspirin?", "q3\tCOVID-19 vaccine"]);
        string warm = Path.Combine(_dir, "warm.trec"), cold = Path.Combine(_dir, "cold.trec");

        var (exit1, _, error1) = Cli.Run("search", "--index", _index.IndexDir, "--model", Cli.ModelDir, "--mode", mode, "--fusion", fusion, "--queries", queries, "--run", warm);
        var (exit2, _, error2) = Cli.Run("search", "--index", _index.IndexDir, "--model", Cli.ModelDir, "--mode", mode, "--fusion", fusion, "--queries", queries, "--run", cold, "--no-warm-up");

        Assert.True(exit1 == 0, error1);
        Assert.True(exit2 == 0, error2);
        Assert.Matches(@"first [0-9.]+ ms, first 10 mean [0-9.]+ ms; opened in [0-9]+ ms, warm-up [0-9]+ ms", error1);
        Assert.Matches(@"opened in [0-9]+ ms, no warm-up", error2);
        // The warm-up's own searches (library and CLI paths) are not counted with the batch's.
        if (mode == "splade")
        {
            Assert.Contains("splade top-k (pruned): searches 3,", error1);
            Assert.Contains("splade top-k (pruned): searches 3,", error2);
        }
        Assert.Equal(File.ReadAllLines(cold), File.ReadAllLines(warm));
        Assert.NotEmpty(File.ReadAllLines(warm));
    }

    [Theory]
    [InlineData("3")]
    [InlineData("50")]
    public void PrunedLinearHybridRuns_EqualExhaustiveRuns(string depth)
    {
        string queries = Path.Combine(_dir, "q.tsv");
        File.WriteAllLines(queries, ["q1\tcancer treatment", "q2\theart attack: aspirin?", "q3\tCOVID-19 vaccine", "q4\tstem cell transplantation"]);
        string pruned = Path.Combine(_dir, "hybrid-pruned.trec"), exhaustive = Path.Combine(_dir, "hybrid-exhaustive.trec");

        var (exit1, _, error1) = Cli.Run("search", "--index", _index.IndexDir, "--model", Cli.ModelDir, "--mode", "hybrid", "--fusion", "linear", "--queries", queries, "--run", pruned, "--depth", depth);
        var (exit2, _, error2) = Cli.Run("search", "--index", _index.IndexDir, "--model", Cli.ModelDir, "--mode", "hybrid", "--fusion", "linear", "--queries", queries, "--run", exhaustive, "--depth", depth, "--exhaustive");

        Assert.True(exit1 == 0, error1);
        Assert.True(exit2 == 0, error2);
        Assert.Contains("splade top-k (pruned)", error1);
        Assert.Contains("splade top-k (exhaustive)", error2);
        Assert.Equal(File.ReadAllLines(exhaustive), File.ReadAllLines(pruned));
        Assert.NotEmpty(File.ReadAllLines(pruned));
    }

    [Fact]
    public void QueryVectors_WithoutModel_SearchTheSpladeField()
    {
        string vectors = Path.Combine(_dir, "qv.jsonl");
        File.WriteAllLines(vectors, ["{\"id\": \"v1\", \"vector\": {\"cancer\": 1.5, \"treatment\": 0.5}}"]);
        string run = Path.Combine(_dir, "qv.trec");

        var (exit, _, error) = Cli.Run("search", "--index", _index.IndexDir, "--query-vectors", vectors, "--depth", "5", "--run", run, "--quiet");

        Assert.True(exit == 0, error);
        var lines = File.ReadAllLines(run).Select(l => l.Split(' ')).ToList();
        Assert.InRange(lines.Count, 1, 5);
        Assert.All(lines, f => Assert.Equal("splade", f[5]));
        // Scores are (1.5 x impact(cancer) + 0.5 x impact(treatment)) / scale 100, in model units: x 200 an integer.
        Assert.All(lines, f =>
        {
            double twice = double.Parse(f[4], CultureInfo.InvariantCulture) * 200;
            Assert.True(Math.Abs(twice - Math.Round(twice)) < 1e-3, $"score {f[4]} x 200 is not an integer");
        });
    }

    /// <summary>A bad or repeated query vector costs that query only, and is reported with its file and line.</summary>
    [Fact]
    public void ABadQueryVectorIsSkippedWithItsLine()
    {
        string vectors = Path.Combine(_dir, "bad-qv.jsonl");
        File.WriteAllLines(vectors, ["{\"id\": \"v1\", \"vector\": {\"cancer\": 1.5}}", "{\"id\": \"v2\", \"vector\": {\"cancer\": \"much\"}}", "{\"id\": \"v1\", \"vector\": {\"heart\": 1}}"]);
        string run = Path.Combine(_dir, "bad-qv.trec");

        var (exit, _, error) = Cli.Run("search", "--index", _index.IndexDir, "--query-vectors", vectors, "--run", run, "--quiet");

        Assert.Equal(1, exit);
        Assert.Contains($"{vectors}:2: ", error);
        Assert.Contains($"{vectors}:3: query vector 'v1' repeated", error);
        Assert.Equal(["v1"], File.ReadAllLines(run).Select(l => l.Split(' ')[0]).Distinct());
    }

    /// <summary>Issue 8: a batch without --run printed the whole run (294,000 lines for SciFact) to stdout.</summary>
    [Fact]
    public void ABatchWithoutRunPrintsASummaryNotTheRun()
    {
        string queries = Path.Combine(_dir, "q.tsv");
        File.WriteAllLines(queries, ["q1\tcancer treatment", "q2\theart attack"]);

        var (exit, output, error) = Cli.Run("search", "--index", _index.IndexDir, "--queries", queries, "--quiet");

        Assert.True(exit == 0, error);
        Assert.DoesNotContain(" Q0 ", output);
        Assert.StartsWith("bm25: 2 queries, ", output);
        Assert.Contains("--run FILE", output);
        Assert.Equal("", error);   // --quiet: no latency or summary lines
    }

    [Fact]
    public void TopLimitsTheHitsPerQueryOfABatchRun()
    {
        string queries = Path.Combine(_dir, "q.tsv");
        File.WriteAllLines(queries, ["q1\tcancer treatment", "q2\theart attack"]);
        string run = Path.Combine(_dir, "top.trec");

        var (exit, _, error) = Cli.Run("search", "--index", _index.IndexDir, "--queries", queries, "--top", "3", "--run", run, "--quiet");

        Assert.True(exit == 0, error);
        var perQuery = File.ReadAllLines(run).GroupBy(l => l.Split(' ')[0]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["q1"] = 3, ["q2"] = 3 }, perQuery);
    }

    /// <summary>
    /// A batch with --top searches k = --top (not --depth, which a top-10 run used to pay for): the run is the first
    /// --top lines of each query of the --depth run, in every mode; fused modes still fuse --depth hits of each side.
    /// </summary>
    [Theory]
    [InlineData("bm25", "linear")]
    [InlineData("splade", "linear")]
    [InlineData("hybrid", "linear")]
    [InlineData("hybrid", "rrf")]
    [InlineData("hybrid", "minmax")]
    public void TopSearchesOnlyTopHitsAndGivesTheFirstLinesOfTheDepthRun(string mode, string fusion)
    {
        string queries = Path.Combine(_dir, "q.tsv");
        File.WriteAllLines(queries, ["q1	cancer treatment", "q2	heart attack", "q3	protein expression in cells"]);
        string full = Path.Combine(_dir, "full.trec"), top = Path.Combine(_dir, "top.trec");

        var deep = Cli.Run("search", "--index", _index.IndexDir, "--model", Cli.ModelDir, "--mode", mode, "--fusion", fusion, "--queries", queries, "--depth", "50", "--run", full);
        var shallow = Cli.Run("search", "--index", _index.IndexDir, "--model", Cli.ModelDir, "--mode", mode, "--fusion", fusion, "--queries", queries, "--depth", "50", "--top", "3", "--run", top);

        Assert.True(deep.Exit == 0, deep.Error);
        Assert.True(shallow.Exit == 0, shallow.Error);
        Assert.Contains("searched with k = 50", deep.Error);
        Assert.Contains("searched with k = 3", shallow.Error);
        Assert.Equal(mode == "hybrid" && fusion != "linear", shallow.Error.Contains("after fusing the top 50 of each side", StringComparison.Ordinal));
        // The top 3 hits of each query as searched (score descending, ties at the cut by id ascending); the run file
        // then lists tied hits in trec_eval's order, so lines are compared without their ranks.
        static List<string> Hits(IEnumerable<string[]> rows) => rows.Select(f => $"{f[0]} {f[2]} {f[4]}").ToList();
        var expected = File.ReadAllLines(full).Select(l => l.Split(' ')).GroupBy(f => f[0])
            .SelectMany(g => g.OrderByDescending(f => double.Parse(f[4], CultureInfo.InvariantCulture)).ThenBy(f => f[2], StringComparer.Ordinal).Take(3)).ToList();
        var actual = File.ReadAllLines(top).Select(l => l.Split(' ')).ToList();
        Assert.Equal(Hits(expected).Order(StringComparer.Ordinal), Hits(actual).Order(StringComparer.Ordinal));
        Assert.All(actual.GroupBy(f => f[0]), g => Assert.Equal(Enumerable.Range(1, g.Count()), g.Select(f => int.Parse(f[3], CultureInfo.InvariantCulture))));
        Assert.True(expected.Count >= 6, $"{expected.Count} lines");
    }

    /// <summary>--scale sets the scale (index, reindex); search takes it from the index, so the option is not there.</summary>
    [Fact]
    public void UnknownOptions_AreRefusedWithExit2NamingTheOption()
    {
        var (exit, output, error) = Cli.Run("search", "--index", _index.IndexDir, "--scale", "50", "cancer");

        Assert.Equal(2, exit);
        Assert.Contains("unknown option --scale", error);
        Assert.DoesNotContain("'50'", error);
        Assert.Equal("", output);

        (exit, _, error) = Cli.Run("search", "--index", _index.IndexDir, "--mode", "nonsense", "cancer");
        Assert.Equal(2, exit);
        Assert.Contains("--mode", error);

        (exit, _, error) = Cli.Run("search", "--index", _index.IndexDir, "--top", "many", "cancer");
        Assert.Equal(2, exit);
        Assert.Contains("--top", error);
    }

    [Fact]
    public void IndexOfAnotherModel_IsRefused()
    {
        string copy = Path.Combine(_dir, "tampered");
        Directory.CreateDirectory(copy);
        foreach (var f in Directory.GetFiles(_index.IndexDir))
        {
            File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        }
        using (var directory = FSDirectory.Open(copy))
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, null)))
        {
            var data = new Dictionary<string, string>(writer.CommitData);
            data[SpladeIndexSettings.KeyFor(PubMedSchema.Splade, SpladeIndexSettings.ModelIdKey)] = "sha256:another-model";
            writer.SetCommitData(data);
            writer.Commit();
        }

        var (exit, _, error) = Cli.Run("search", "--index", copy, "--model", Cli.ModelDir, "--mode", "splade", "cancer");

        Assert.Equal(2, exit);
        Assert.Contains("model_id = 'sha256:another-model'", error);
    }

    [Fact]
    public void SpladeModeWithoutModel_IsRefused()
    {
        var (exit, _, error) = Cli.Run("search", "--index", _index.IndexDir, "--mode", "hybrid", "cancer");

        Assert.Equal(2, exit);
        Assert.Contains("--model", error);
    }

    [Fact]
    public void MissingIndex_IsNamed()
    {
        string missing = Path.Combine(_dir, "nothing-here");

        var (exit, _, error) = Cli.Run("search", "--index", missing, "cancer");

        Assert.Equal(2, exit);
        Assert.Contains(missing, error);
    }

    [Fact]
    public void EmptyFolder_IsNamed()
    {
        var (exit, _, error) = Cli.Run("search", "--index", _dir, "cancer");

        Assert.Equal(2, exit);
        Assert.Contains(_dir, error);
        Assert.Contains("no Lucene index", error);
    }

    [Fact]
    public void Stats_ReportsTheDocumentsAndSpladeSettings()
    {
        var (exit, output, error) = Cli.Run("stats", "--index", _index.IndexDir);

        Assert.True(exit == 0, error);
        Assert.Contains($"documents          {_index.DocumentCount:N0}", output);
        Assert.Contains("deleted documents  0", output);
        Assert.Contains("scale 100", output);
        Assert.Contains("active terms/document", output);
        Assert.Contains("BM25 contents", output);
        // The CLI writes its indexes with SpladeCodec: every segment has its impact bounds persisted.
        var segments = System.Text.RegularExpressions.Regex.Match(output, @"segments +(\d+)").Groups[1].Value;
        Assert.Matches($@"impact bounds +persisted in {segments} of {segments} segments, [\d,]+ bytes", output);
        Assert.Matches(@"tier memory +at most [\d,]+ bytes", output);
        Assert.Matches(@"in-memory postings at most [1-9][\d,]* bytes \([\d.]+ MiB\) for [1-9][\d,]* postings", output);
    }
}
