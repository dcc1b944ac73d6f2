namespace IndexPubMed.Evaluation;

/// <summary>
/// nDCG@k, Recall@k and MRR@k computed as trec_eval 9 / pytrec_eval compute <c>ndcg_cut</c>,
/// <c>recall</c> and (cut) <c>recip_rank</c>.
/// </summary>
/// <remarks>
/// <para>Each ranking is taken in trec_eval order (score descending, document id descending;
/// see <see cref="TrecRun"/>), not in the rank column's order.</para>
/// <para>Queries evaluated: by default those in both the run and the qrels, as pytrec_eval and
/// BEIR do: a run query without judgments is skipped, and so is a judged query the run has no
/// result for. With <c>countMissingQueriesAsZero</c> every judged query counts and a missing
/// one scores 0, as <c>trec_eval -c</c> (which Anserini's published figures use). A judged
/// query whose judgments are all non-relevant is evaluated and scores 0 in every metric.</para>
/// <para>Relevance: a document is relevant when its judged relevance is above 0 (trec_eval's
/// default level 1); unjudged documents are not relevant. nDCG uses the relevance itself as
/// gain (graded, linear) and discount log2(rank + 1); its ideal ranking takes all judged
/// relevant documents of the query, retrieved or not, by decreasing relevance.</para>
/// </remarks>
public static class RetrievalMetrics
{
    /// <summary>Mean nDCG@<paramref name="k"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    public static MetricResult Ndcg(Qrels qrels, TrecRun run, int k, bool countMissingQueriesAsZero = false) =>
        Evaluate($"ndcg_cut_{k}", qrels, run, k, countMissingQueriesAsZero, NdcgAt);

    /// <summary>Mean Recall@<paramref name="k"/>: relevant documents in the top k over all relevant documents.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    public static MetricResult Recall(Qrels qrels, TrecRun run, int k, bool countMissingQueriesAsZero = false) =>
        Evaluate($"recall_{k}", qrels, run, k, countMissingQueriesAsZero, RecallAt);

    /// <summary>Mean reciprocal rank of the first relevant document within the top <paramref name="k"/> (0 if none).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    public static MetricResult Mrr(Qrels qrels, TrecRun run, int k, bool countMissingQueriesAsZero = false) =>
        Evaluate($"recip_rank_{k}", qrels, run, k, countMissingQueriesAsZero, ReciprocalRankAt);

    /// <summary>nDCG@<paramref name="k"/> of one ranking (best first) against one query's judgments.</summary>
    public static double NdcgAt(IReadOnlyList<RunEntry> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(judgments);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);

        double dcg = 0;
        for (int i = 0; i < Math.Min(k, ranking.Count); i++)
        {
            if (judgments.TryGetValue(ranking[i].DocId, out int rel) && rel > 0)
            {
                dcg += rel / Math.Log2(i + 2);
            }
        }

        int[] ideal = judgments.Values.Where(r => r > 0).OrderByDescending(r => r).Take(k).ToArray();
        double idcg = 0;
        for (int i = 0; i < ideal.Length; i++)
        {
            idcg += ideal[i] / Math.Log2(i + 2);
        }
        return idcg > 0 ? dcg / idcg : 0;
    }

    /// <summary>Recall@<paramref name="k"/> of one ranking against one query's judgments.</summary>
    public static double RecallAt(IReadOnlyList<RunEntry> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(judgments);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);

        int relevant = judgments.Values.Count(r => r > 0);
        if (relevant == 0)
        {
            return 0;
        }
        int found = 0;
        for (int i = 0; i < Math.Min(k, ranking.Count); i++)
        {
            if (judgments.TryGetValue(ranking[i].DocId, out int rel) && rel > 0)
            {
                found++;
            }
        }
        return (double)found / relevant;
    }

    /// <summary>Reciprocal rank of the first relevant document within the top <paramref name="k"/>, or 0.</summary>
    public static double ReciprocalRankAt(IReadOnlyList<RunEntry> ranking, IReadOnlyDictionary<string, int> judgments, int k)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(judgments);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);

        for (int i = 0; i < Math.Min(k, ranking.Count); i++)
        {
            if (judgments.TryGetValue(ranking[i].DocId, out int rel) && rel > 0)
            {
                return 1.0 / (i + 1);
            }
        }
        return 0;
    }

    private static MetricResult Evaluate(
        string name,
        Qrels qrels,
        TrecRun run,
        int k,
        bool countMissingQueriesAsZero,
        Func<IReadOnlyList<RunEntry>, IReadOnlyDictionary<string, int>, int, double> metric)
    {
        ArgumentNullException.ThrowIfNull(qrels);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);

        var perQuery = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string queryId in qrels.QueryIds)
        {
            if (run.Contains(queryId))
            {
                perQuery[queryId] = metric(run.GetRanking(queryId), qrels.GetJudgments(queryId), k);
            }
            else if (countMissingQueriesAsZero)
            {
                perQuery[queryId] = 0;
            }
        }
        double mean = perQuery.Count == 0 ? 0 : perQuery.Values.Sum() / perQuery.Count;
        return new MetricResult(name, mean, perQuery);
    }
}
