namespace Splade.Lucene.Search;

/// <summary>
/// Chooses, per segment of a pruned search, between the pruning scorer (<see cref="SpladeMaxScoreBulkScorer"/>)
/// and term-at-a-time evaluation of every posting (<see cref="SpladeBulkScorer"/>), from what predicts which one
/// is faster. Both return exactly the same top k, so the choice only changes speed.
/// </summary>
internal static class SpladeEvaluationChooser
{
    /// <summary>
    /// Pruning is chosen when the segment has at least this many documents per k. Below it, the k-th best
    /// score stays low for most of the segment, few windows or documents can be skipped, and the pruning
    /// scorer's bookkeeping (bounds, sorting parts, buffering, skipping) costs more than it saves.
    /// Measured (docs/PERFORMANCE.md, 25,000-document segments, DL19 and BRIGHT query shapes): pruning was
    /// 1.4-1.8x faster at k = 1 and 10 (2,500+ documents per k), 0.92-0.96x at k = 100 (250) and 0.53x at
    /// k = 1000 (25); the crossover is near 350 documents per k, and 1,000 keeps a margin.
    /// </summary>
    internal static int MinDocsPerK { get; set; } = 1000;

    /// <summary>True to evaluate the segment with the pruning scorer, false for term at a time.</summary>
    /// <param name="evaluation">The query's forced evaluation, or <see cref="SpladeEvaluation.Auto"/>.</param>
    /// <param name="k">The search's k.</param>
    /// <param name="maxDoc">The segment's MaxDoc.</param>
    public static bool Prune(SpladeEvaluation evaluation, int k, int maxDoc) => evaluation switch
    {
        SpladeEvaluation.MaxScore => true,
        SpladeEvaluation.Exhaustive => false,
        _ => (long)k * MinDocsPerK <= maxDoc,
    };
}
