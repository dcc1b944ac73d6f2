using Splade.Encoder;

namespace Splade.Bench.Encoder;

/// <summary>How closely one model's vectors (int8) follow another's (float32) on the same texts.</summary>
internal static class VectorAgreement
{
    /// <summary>|A ∩ B| / |A ∪ B| of the active entries (1 when both are empty).</summary>
    public static double Jaccard(SparseVector a, SparseVector b)
    {
        var sa = a.Indices.ToArray().ToHashSet();
        var sb = b.Indices.ToArray();
        int both = sb.Count(sa.Contains);
        int union = sa.Count + sb.Length - both;
        return union == 0 ? 1 : (double)both / union;
    }

    /// <summary>Share of the reference's k heaviest entries that are among the other's k heaviest.</summary>
    public static double TopKOverlap(SparseVector reference, SparseVector other, int k)
    {
        var top = reference.TopK(k).Indices.ToArray();
        if (top.Length == 0)
        {
            return 1;
        }
        var otherTop = other.TopK(k).Indices.ToArray().ToHashSet();
        return (double)top.Count(otherTop.Contains) / top.Length;
    }

    /// <summary>Spearman correlation of the weights over the union of both active sets (absent = 0).</summary>
    public static double SpearmanOfWeights(SparseVector a, SparseVector b)
    {
        var ids = a.Indices.ToArray().Union(b.Indices.ToArray()).ToArray();
        return Spearman(ids.Select(i => (double)a[i]).ToArray(), ids.Select(i => (double)b[i]).ToArray());
    }

    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        if (n < 2)
        {
            return double.NaN;
        }
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? (sxx == syy ? 1 : 0) : sxy / Math.Sqrt(sxx * syy);
    }

    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y) => Pearson(Ranks(x), Ranks(y));

    // Average ranks for ties.
    private static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && values[order[j + 1]] == values[order[i]])
            {
                j++;
            }
            for (int k = i; k <= j; k++)
            {
                ranks[order[k]] = (i + j) / 2.0;
            }
            i = j + 1;
        }
        return ranks;
    }
}
