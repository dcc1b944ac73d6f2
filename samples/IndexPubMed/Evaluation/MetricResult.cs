namespace IndexPubMed.Evaluation;

/// <summary>A metric averaged over the evaluated queries, with the per-query values.</summary>
/// <param name="Name">The metric in trec_eval style, e.g. <c>ndcg_cut_10</c>.</param>
/// <param name="Mean">The arithmetic mean over <see cref="PerQuery"/>; 0 when no query was evaluated.</param>
/// <param name="PerQuery">The value for every evaluated query.</param>
public sealed record MetricResult(string Name, double Mean, IReadOnlyDictionary<string, double> PerQuery)
{
    /// <summary>The number of queries the mean is taken over.</summary>
    public int QueryCount => PerQuery.Count;
}
