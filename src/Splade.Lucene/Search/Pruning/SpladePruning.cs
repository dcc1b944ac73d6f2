namespace Splade.Lucene.Search;

/// <summary>What <see cref="SpladeSearcher"/> tells its private copy of a query: the k of the search and where to count work.</summary>
internal sealed class SpladePruning
{
    public SpladePruning(int k, SpladeSearchStats? stats)
    {
        K = k;
        Stats = stats;
    }

    public int K { get; }

    public SpladeSearchStats? Stats { get; }
}
