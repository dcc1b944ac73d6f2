using System.Globalization;
using System.Text;
using IndexPubMed.Evaluation;

namespace IndexPubMed.Searching;

/// <summary>The figures <c>search --qrels</c> and <c>eval</c> print: nDCG@10, Recall@100, Recall@1000, MRR@10 and the query count.</summary>
internal sealed record EvaluationReport(double Ndcg10, double Recall100, double Recall1000, double Mrr10, int Queries, int RunQueries, int JudgedQueries)
{
    /// <summary>Evaluates over the queries both in the run and in the qrels (pytrec_eval / BEIR convention).</summary>
    public static EvaluationReport Compute(Qrels qrels, TrecRun run)
    {
        ArgumentNullException.ThrowIfNull(qrels);
        ArgumentNullException.ThrowIfNull(run);
        var ndcg = RetrievalMetrics.Ndcg(qrels, run, 10);
        return new EvaluationReport(
            ndcg.Mean,
            RetrievalMetrics.Recall(qrels, run, 100).Mean,
            RetrievalMetrics.Recall(qrels, run, 1000).Mean,
            RetrievalMetrics.Mrr(qrels, run, 10).Mean,
            ndcg.QueryCount,
            run.QueryIds.Count,
            qrels.QueryIds.Count);
    }

    /// <summary>Aligned lines, four decimals as Anserini and BEIR publish.</summary>
    public string Format()
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.AppendLine(c, $"nDCG@10   {Ndcg10:F4}");
        sb.AppendLine(c, $"R@100     {Recall100:F4}");
        sb.AppendLine(c, $"R@1000    {Recall1000:F4}");
        sb.AppendLine(c, $"MRR@10    {Mrr10:F4}");
        sb.AppendLine(c, $"queries   {Queries} evaluated (run has {RunQueries}, qrels judge {JudgedQueries}; only queries in both count)");
        return sb.ToString();
    }
}
