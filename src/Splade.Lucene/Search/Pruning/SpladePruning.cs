namespace Splade.Lucene.Search;

/// <summary>What <see cref="SpladeSearcher"/> tells its private copy of a query: the k of the search and where to count work.</summary>
internal sealed class SpladePruning
{
    public SpladePruning(int k, SpladeSearchStats? stats, TopKThreshold? top = null)
    {
        K = k;
        Stats = stats;
        Top = top;
    }

    /// <summary>The search's top k when the searcher reads its result from it (ties by external id), else null.</summary>
    public TopKThreshold? Top { get; }

    public int K { get; }

    public SpladeSearchStats? Stats { get; }
}
