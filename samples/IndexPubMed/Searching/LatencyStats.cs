using System.Globalization;

namespace IndexPubMed.Searching;

/// <summary>Per-query latencies of a batch: mean, median, 99th percentile and throughput.</summary>
internal sealed class LatencyStats
{
    private readonly List<double> _millis = [];

    public int Count => _millis.Count;

    public void Add(TimeSpan latency) => _millis.Add(latency.TotalMilliseconds);

    public double Mean => _millis.Count == 0 ? 0 : _millis.Average();

    public double Median => Percentile(50);

    /// <summary>The first query's latency (a fresh process's first search: what a cold start costs), 0 when none ran.</summary>
    public double First => _millis.Count == 0 ? 0 : _millis[0];

    /// <summary>The mean latency of the first ten queries (or of all, when fewer ran).</summary>
    public double FirstTenMean => _millis.Count == 0 ? 0 : _millis.Take(10).Average();

    public double P99 => Percentile(99);

    /// <summary>The nearest-rank percentile: the smallest latency with at least p% of queries at or below it.</summary>
    public double Percentile(double p)
    {
        if (p is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "A percentile is between 0 and 100.");
        }
        if (_millis.Count == 0)
        {
            return 0;
        }
        var sorted = _millis.Order().ToArray();
        int rank = Math.Max(1, (int)Math.Ceiling(p / 100 * sorted.Length));
        return sorted[rank - 1];
    }

    /// <summary>One line: query count, latencies in ms and queries per second over <paramref name="elapsed"/>.</summary>
    public string Format(TimeSpan elapsed) => string.Create(CultureInfo.InvariantCulture,
        $"{Count} queries in {elapsed.TotalSeconds:F2} s: {Count / Math.Max(elapsed.TotalSeconds, 1e-9):F1} queries/s; latency mean {Mean:F2} ms, median {Median:F2} ms, p99 {P99:F2} ms, first {First:F2} ms, first 10 mean {FirstTenMean:F2} ms");
}
