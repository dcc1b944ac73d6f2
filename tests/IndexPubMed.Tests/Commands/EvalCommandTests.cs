namespace IndexPubMed.Tests.Commands;

/// <summary>The <c>eval</c> command on a hand-made run and qrels whose figures are worked out by hand.</summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eval-test").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void HandMadeRun_GivesHandComputedFigures()
    {
        // q1: relevant d1 (rel 2) and d3 (rel 1); the run ranks d2, d1, d3.
        //   DCG@10 = 2/log2(3) + 1/log2(4) = 1.261860 + 0.5 = 1.761860; IDCG = 2 + 1/log2(3) = 2.630930;
        //   nDCG = 0.669679; R@100 = 1; MRR@10 = 1/2.
        // q2: relevant d9 (rel 1), never retrieved: nDCG 0, recall 0, MRR 0.
        // q3: in the run but not judged: not evaluated. q4: judged but not in the run: not evaluated.
        // Means over q1 and q2: nDCG 0.334840, R@100 0.5, R@1000 0.5, MRR@10 0.25.
        string qrels = Path.Combine(_dir, "qrels.tsv");
        File.WriteAllLines(qrels, ["query-id\tcorpus-id\tscore", "q1\td1\t2", "q1\td3\t1", "q1\td2\t0", "q2\td9\t1", "q4\td1\t1"]);
        string run = Path.Combine(_dir, "run.trec");
        // Ranks are deliberately wrong: evaluation orders by score, as trec_eval does.
        File.WriteAllLines(run, ["q1 Q0 d3 1 1.0 x", "q1 Q0 d1 2 2.0 x", "q1 Q0 d2 3 3.0 x", "q2 Q0 d5 1 4.0 x", "q3 Q0 d1 1 1.0 x"]);

        var (exit, output, error) = Cli.Run("eval", "--run", run, "--qrels", qrels);

        Assert.True(exit == 0, error);
        Assert.Equal(0.3348, SciFactSearchCommandTests.Metric(output, "nDCG@10"), 4);
        Assert.Equal(0.5, SciFactSearchCommandTests.Metric(output, "R@100"), 4);
        Assert.Equal(0.5, SciFactSearchCommandTests.Metric(output, "R@1000"), 4);
        Assert.Equal(0.25, SciFactSearchCommandTests.Metric(output, "MRR@10"), 4);
        Assert.Contains("2 evaluated (run has 3, qrels judge 3", output);
    }

    [Fact]
    public void BadRunLine_IsReportedWithItsLineNumber()
    {
        string qrels = Path.Combine(_dir, "qrels.tsv");
        File.WriteAllLines(qrels, ["q1\td1\t1"]);
        string run = Path.Combine(_dir, "run.trec");
        File.WriteAllLines(run, ["q1 Q0 d1 1 1.0 x", "q1 Q0 d2 2 oops x"]);

        var (exit, _, error) = Cli.Run("eval", "--run", run, "--qrels", qrels);

        Assert.Equal(2, exit);
        Assert.Contains("line 2", error);
    }

    [Fact]
    public void NoCommonQuery_ExitsWithOne()
    {
        string qrels = Path.Combine(_dir, "qrels.tsv");
        File.WriteAllLines(qrels, ["q1\td1\t1"]);
        string run = Path.Combine(_dir, "run.trec");
        File.WriteAllLines(run, ["other Q0 d1 1 1.0 x"]);

        var (exit, output, _) = Cli.Run("eval", "--run", run, "--qrels", qrels);

        Assert.Equal(1, exit);
        Assert.Contains("0 evaluated", output);
    }
}
