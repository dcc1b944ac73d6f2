using IndexPubMed.Searching;

namespace IndexPubMed.Tests.Searching;

public sealed class LatencyStatsTests
{
    [Fact]
    public void MeanMedianAndP99_UseNearestRank()
    {
        var stats = new LatencyStats();
        // 1..100 ms, added out of order.
        foreach (int ms in Enumerable.Range(1, 100).Reverse())
        {
            stats.Add(TimeSpan.FromMilliseconds(ms));
        }

        Assert.Equal(50.5, stats.Mean, 9);
        Assert.Equal(50, stats.Median, 9);
        Assert.Equal(99, stats.P99, 9);
        Assert.Equal(100, stats.Percentile(100), 9);
        Assert.Equal(100, stats.First, 9);
        Assert.Equal(95.5, stats.FirstTenMean, 9);
        Assert.Contains("100 queries in 2.00 s: 50.0 queries/s", stats.Format(TimeSpan.FromSeconds(2)));
        Assert.Contains("first 100.00 ms, first 10 mean 95.50 ms", stats.Format(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void Empty_IsZero()
    {
        var stats = new LatencyStats();
        Assert.Equal(0, stats.Mean);
        Assert.Equal(0, stats.P99);
        Assert.Equal(0, stats.First);
        Assert.Equal(0, stats.FirstTenMean);
    }
}
