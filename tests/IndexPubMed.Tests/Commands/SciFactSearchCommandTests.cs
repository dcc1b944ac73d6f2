using System.Globalization;
using IndexPubMed.Evaluation;

namespace IndexPubMed.Tests.Commands;

/// <summary>
/// Anserini's SciFact BM25 "flat" figure reproduced through the CLI: <c>index --no-splade</c> on the BEIR
/// corpus, then <c>search --mode bm25 --queries --qrels --run</c>, then <c>eval</c> on the written run.
/// </summary>
public sealed class SciFactSearchCommandTests : IDisposable
{
    // Anserini BEIR regression, bm25-flat, SciFact test (trec_eval, 4 decimals).
    private const double AnseriniNdcg10 = 0.6789;
    private const double AnseriniRecall100 = 0.9253;

    // The library path matches to the printed decimals (SciFactBm25ReproductionTests); the CLI must too.
    private const double Tolerance = 0.0005;

    private readonly string _dir = Directory.CreateTempSubdirectory("scifact-cli").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Bm25_ThroughTheCli_ReproducesAnserini()
    {
        string index = Path.Combine(_dir, "index");
        var indexed = Cli.Run("index", "--index", index, "--no-splade", "--quiet", Path.Combine(Cli.SciFactDir, "corpus.jsonl.gz"));
        Assert.True(indexed.Exit == 0, indexed.Error);
        string run = Path.Combine(_dir, "bm25.trec");

        var (exit, output, error) = Cli.Run("search", "--index", index, "--mode", "bm25", "--quiet",
            "--queries", Path.Combine(Cli.SciFactDir, "queries.test.jsonl"),
            "--qrels", Path.Combine(Cli.SciFactDir, "qrels", "test.tsv"),
            "--run", run);

        Assert.True(exit == 0, error);
        Assert.InRange(Metric(output, "nDCG@10"), AnseriniNdcg10 - Tolerance, AnseriniNdcg10 + Tolerance);
        Assert.InRange(Metric(output, "R@100"), AnseriniRecall100 - Tolerance, AnseriniRecall100 + Tolerance);
        Assert.Contains("300 evaluated", output);
        var written = TrecRun.Load(run);
        Assert.Equal(300, written.QueryIds.Count);
        Assert.All(written.QueryIds, q => Assert.InRange(written.GetRanking(q).Count, 1, 1000));

        var evaluated = Cli.Run("eval", "--run", run, "--qrels", Path.Combine(Cli.SciFactDir, "qrels", "test.tsv"));
        Assert.True(evaluated.Exit == 0, evaluated.Error);
        Assert.Equal(output, evaluated.Output);

        var stats = Cli.Run("stats", "--index", index);
        Assert.Contains("documents          5,183", stats.Output);
        Assert.Contains("SPLADE             none", stats.Output);

        var splade = Cli.Run("search", "--index", index, "--mode", "splade", "--model", Cli.ModelDir, "aspirin");
        Assert.Equal(2, splade.Exit);
        Assert.Contains("no SPLADE field", splade.Error);
    }

    internal static double Metric(string output, string name)
    {
        var line = output.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[name.Length..].Trim(), CultureInfo.InvariantCulture);
    }
}
