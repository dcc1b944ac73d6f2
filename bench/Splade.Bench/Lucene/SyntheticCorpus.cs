using Splade.Encoder;

namespace Splade.Bench.Lucene;

/// <summary>
/// Deterministic SPLADE-like sparse vectors for benchmarks: a 30,522-token vocabulary, about 75 active
/// terms per document (50 to 100, all indexed at scale 100) drawn from a flattened Zipf popularity (weight of rank r is 1/(r + c), with c chosen
/// so that the commonest term is in about a fifth of the documents), 12 to 36 terms per query, weights
/// in (0, 3.5]. The same seed always gives the same corpus.
/// </summary>
internal sealed class SyntheticCorpus
{
    public const int VocabularySize = 30522;

    private readonly int _seed;
    private readonly double[] _cdf;
    private readonly int[] _idOfRank;

    public SyntheticCorpus(int seed = 42, int meanTerms = 75, double topTermDocFraction = 0.2)
    {
        _seed = seed;
        MeanTerms = meanTerms;
        Vocabulary = Vocabulary.Create(Enumerable.Range(0, VocabularySize).Select(i => "t" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)), "synthetic");
        // Probability of the top term per draw such that ~meanTerms draws hit it with probability topTermDocFraction.
        double p0 = 1 - Math.Pow(1 - topTermDocFraction, 1.0 / meanTerms);
        Offset = SolveOffset(p0);
        _cdf = new double[VocabularySize];
        double sum = 0;
        for (int r = 0; r < VocabularySize; r++)
        {
            sum += 1.0 / (r + Offset);
            _cdf[r] = sum;
        }
        for (int r = 0; r < VocabularySize; r++)
        {
            _cdf[r] /= sum;
        }
        // Popular terms are spread over the id space, as in a real vocabulary.
        _idOfRank = Enumerable.Range(0, VocabularySize).ToArray();
        new Random(seed).Shuffle(_idOfRank);
    }

    public Vocabulary Vocabulary { get; }

    public int MeanTerms { get; }

    /// <summary>The Zipf offset c.</summary>
    public double Offset { get; }

    /// <summary>Documents 0..count-1; document i is the same whatever count is.</summary>
    public IEnumerable<SparseVector> Documents(int count)
    {
        for (int i = 0; i < count; i++)
        {
            var random = new Random(StreamSeed(1, i));
            int n = random.Next(MeanTerms * 2 / 3, (MeanTerms * 4 / 3) + 1);
            // 0.01 + 3.49 u^3 for u in (0, 1]: mostly small weights, a few near 3.5, like SPLADE output. The floor
            // keeps every term above 0.005, so none rounds to a zero impact at scale 100 and all ~75 are indexed
            // (3.5 u^3 alone dropped 11% of the terms, leaving ~67 per document).
            yield return Sample(random, n, r => 0.01f + (3.49f * (float)Math.Pow(1 - r.NextDouble(), 3)));
        }
    }

    /// <summary>Queries 0..count-1, 12 to 36 terms each.</summary>
    public IEnumerable<SparseVector> Queries(int count)
    {
        for (int i = 0; i < count; i++)
        {
            var random = new Random(StreamSeed(2, i));
            yield return Sample(random, random.Next(12, 37), r => 3.5f * (float)(1 - r.NextDouble()));
        }
    }

    /// <summary>
    /// A query with the given weights (one term per weight) on terms drawn like the synthetic queries':
    /// replays the term counts and weight ratios of real query vectors on this vocabulary.
    /// </summary>
    public SparseVector QueryWithWeights(int index, IReadOnlyList<float> weights)
    {
        var random = new Random(StreamSeed(3, index));
        int i = 0;
        return Sample(random, Math.Min(weights.Count, VocabularySize / 2), _ => weights[i++]);
    }

    // HashCode.Combine is randomised per process; this mix is stable so that a seed always gives the same corpus.
    private int StreamSeed(int stream, int index) => unchecked((((_seed * 1_000_003) + stream) * 1_000_033) + index);

    private SparseVector Sample(Random random, int n, Func<Random, float> weight)
    {
        var ids = new HashSet<int>();
        while (ids.Count < n)
        {
            int rank = Array.BinarySearch(_cdf, random.NextDouble());
            rank = rank < 0 ? Math.Min(~rank, VocabularySize - 1) : rank;
            ids.Add(_idOfRank[rank]);
        }
        var idArray = ids.ToArray();
        var weights = new float[idArray.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            float w = weight(random);
            weights[i] = w > 0 ? w : float.Epsilon;
        }
        return SparseVector.Create(idArray, weights);
    }

    private static double SolveOffset(double p0)
    {
        double lo = 1e-3, hi = 1e7;
        for (int i = 0; i < 200; i++)
        {
            double c = Math.Sqrt(lo * hi);
            double sum = 0;
            for (int r = 0; r < VocabularySize; r++)
            {
                sum += 1.0 / (r + c);
            }
            double p = (1.0 / c) / sum;
            if (p > p0)
            {
                lo = c;
            }
            else
            {
                hi = c;
            }
        }
        return Math.Sqrt(lo * hi);
    }
}
