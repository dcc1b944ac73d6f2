using IndexPubMed.Evaluation;

namespace IndexPubMed.Tests.Evaluation;

public sealed class RetrievalMetricsTests
{
    private const int Precision = 12;

    // q1 judgments: d1 = 2, d2 = 1, d4 = 1 (never retrieved), d3 = 0 (judged non-relevant).
    // q1 run by score: d3 (0), d1 (2), d5 (unjudged, 0), d2 (1).
    private static (Qrels, TrecRun) GradedExample()
    {
        var qrels = new Qrels();
        qrels.Add("q1", "d1", 2);
        qrels.Add("q1", "d2", 1);
        qrels.Add("q1", "d3", 0);
        qrels.Add("q1", "d4", 1);
        var run = new TrecRun();
        run.Add("q1", "d2", 0.5);
        run.Add("q1", "d5", 1.0);
        run.Add("q1", "d1", 2.0);
        run.Add("q1", "d3", 3.0);
        return (qrels, run);
    }

    [Fact]
    public void Ndcg_GradedRelevance_UsesLinearGainAndIdealFromAllJudgedRelevant()
    {
        var (qrels, run) = GradedExample();

        // @3: DCG = 0/log2(2) + 2/log2(3) + 0/log2(4) = 1.2618595
        //     ideal gains 2, 1, 1 (d1, d2, d4; d4 counts though never retrieved):
        //     IDCG = 2/1 + 1/log2(3) + 1/log2(4) = 3.1309298  ->  0.40303028
        Assert.Equal(0.4030302838010049, RetrievalMetrics.Ndcg(qrels, run, 3).Mean, Precision);

        // @10: DCG adds d2 at rank 4: 1/log2(5) = 0.4306766 -> 1.6925361; IDCG unchanged
        //      (only three relevant documents)  ->  0.54058577
        Assert.Equal(0.5405857679450102, RetrievalMetrics.Ndcg(qrels, run, 10).Mean, Precision);

        // @1: only d3 (rel 0) -> 0.
        Assert.Equal(0, RetrievalMetrics.Ndcg(qrels, run, 1).Mean, Precision);
    }

    [Fact]
    public void Recall_CountsRelevantAboveZeroOverAllJudgedRelevant()
    {
        var (qrels, run) = GradedExample();

        // Three relevant (d1, d2, d4). Top 2 = d3, d1 -> 1/3; top 10 = all four -> d1, d2 -> 2/3.
        Assert.Equal(1.0 / 3, RetrievalMetrics.Recall(qrels, run, 2).Mean, Precision);
        Assert.Equal(2.0 / 3, RetrievalMetrics.Recall(qrels, run, 10).Mean, Precision);
        Assert.Equal(0, RetrievalMetrics.Recall(qrels, run, 1).Mean, Precision);
    }

    [Fact]
    public void Mrr_IsReciprocalRankOfFirstRelevantWithinCutoff()
    {
        var (qrels, run) = GradedExample();

        // First relevant document (d1) is at rank 2.
        Assert.Equal(0.5, RetrievalMetrics.Mrr(qrels, run, 10).Mean, Precision);
        Assert.Equal(0.5, RetrievalMetrics.Mrr(qrels, run, 2).Mean, Precision);
        Assert.Equal(0, RetrievalMetrics.Mrr(qrels, run, 1).Mean, Precision);
    }

    [Fact]
    public void TiedScores_AreOrderedByDescendingDocIdAsTrecEvalDoes()
    {
        // dA and dB tie at 1.0; trec_eval ranks dB before dA (strcmp(b, a) order), even though
        // the rank column below says dA is first.
        var run = TrecRun.Read(new StringReader(
            "q1 Q0 dA 1 1.0 t\n" +
            "q1 Q0 dB 2 1.0 t\n" +
            "q1 Q0 dC 3 0.5 t\n"));
        var qrels = new Qrels();
        qrels.Add("q1", "dA", 1);

        Assert.Equal(["dB", "dA", "dC"], run.GetRanking("q1").Select(e => e.DocId));
        // dA at rank 2: RR = 1/2; nDCG@2 = (1/log2(3)) / 1 = 0.6309298; nDCG@1 = 0; R@1 = 0.
        Assert.Equal(0.5, RetrievalMetrics.Mrr(qrels, run, 10).Mean, Precision);
        Assert.Equal(0.6309297535714575, RetrievalMetrics.Ndcg(qrels, run, 2).Mean, Precision);
        Assert.Equal(0, RetrievalMetrics.Ndcg(qrels, run, 1).Mean, Precision);
        Assert.Equal(0, RetrievalMetrics.Recall(qrels, run, 1).Mean, Precision);
        Assert.Equal(1, RetrievalMetrics.Recall(qrels, run, 2).Mean, Precision);
    }

    [Fact]
    public void MissingQueries_EvaluateIntersectionByDefault_OrCountAsZeroLikeTrecEvalC()
    {
        // q1: d1 relevant, retrieved first -> 1 in every metric.
        // q2: judged, absent from the run.
        // q3: judged, only non-relevant judgments -> 0 in every metric.
        // q4: in the run, not judged -> never evaluated.
        var qrels = new Qrels();
        qrels.Add("q1", "d1", 1);
        qrels.Add("q2", "d2", 1);
        qrels.Add("q3", "d3", 0);
        var run = new TrecRun();
        run.Add("q1", "d1", 2);
        run.Add("q3", "d3", 2);
        run.Add("q4", "d9", 2);

        var intersection = RetrievalMetrics.Ndcg(qrels, run, 10);
        Assert.Equal(2, intersection.QueryCount);
        Assert.Equal(["q1", "q3"], intersection.PerQuery.Keys.Order());
        Assert.Equal(0.5, intersection.Mean, Precision);   // (1 + 0) / 2
        Assert.Equal(0.5, RetrievalMetrics.Recall(qrels, run, 10).Mean, Precision);
        Assert.Equal(0.5, RetrievalMetrics.Mrr(qrels, run, 10).Mean, Precision);

        var allJudged = RetrievalMetrics.Ndcg(qrels, run, 10, countMissingQueriesAsZero: true);
        Assert.Equal(3, allJudged.QueryCount);
        Assert.Equal(0, allJudged.PerQuery["q2"]);
        Assert.Equal(1.0 / 3, allJudged.Mean, Precision);  // (1 + 0 + 0) / 3
    }

    [Fact]
    public void NoQueryInCommon_GivesZeroOverZeroQueries()
    {
        var qrels = new Qrels();
        qrels.Add("q1", "d1", 1);
        var run = new TrecRun();
        run.Add("q2", "d1", 1);

        var result = RetrievalMetrics.Ndcg(qrels, run, 10);
        Assert.Equal(0, result.QueryCount);
        Assert.Equal(0, result.Mean);
    }

    [Fact]
    public void NonPositiveCutoff_IsRejected()
    {
        var (qrels, run) = GradedExample();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RetrievalMetrics.Ndcg(qrels, run, 0));
        Assert.Equal("k", e.ParamName);
    }
}
