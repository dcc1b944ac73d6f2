using Lucene.Net.Search;

namespace Splade.Lucene.Search;

/// <summary>
/// Fuses ranked result lists of the same index (for example BM25 and SPLADE top-k) by document id.
/// Each list is in rank order (as in <c>TopDocs.ScoreDocs</c>) and must not repeat a document. The
/// result is sorted by fused score, descending, ties by smaller document id; a document absent from a
/// list gets nothing from it.
/// </summary>
public static class RankFusion
{
    /// <summary>The usual RRF constant (Cormack et al. 2009; Anserini's BEIR fusion runs).</summary>
    public const int DefaultK = 60;

    /// <summary>
    /// Reciprocal rank fusion: <c>score(d) = sum over lists of 1 / (k + rank(d))</c>, ranks counted from 1.
    /// Sums are taken in double precision, then rounded to float.
    /// </summary>
    /// <param name="rankings">The result lists.</param>
    /// <param name="k">The constant, non-negative; 60 by default.</param>
    /// <param name="topN">Keep only this many fused results; all when null.</param>
    /// <exception cref="ArgumentException">No list, a null list, a repeated document, a negative k or topN.</exception>
    public static ScoreDoc[] Reciprocal(IReadOnlyList<ScoreDoc[]> rankings, int k = DefaultK, int? topN = null)
    {
        CheckLists(rankings);
        if (k < 0)
        {
            throw new ArgumentException($"k must be non-negative, not {k}.", nameof(k));
        }
        CheckTopN(topN);
        var fused = new Dictionary<int, double>();
        foreach (var list in rankings)
        {
            for (int i = 0; i < list.Length; i++)
            {
                fused[list[i].Doc] = fused.GetValueOrDefault(list[i].Doc) + (1.0 / (k + i + 1.0));
            }
        }
        return Sorted(fused, topN);
    }

    /// <summary>
    /// Convex combination of min-max normalised scores: each list's scores are mapped to
    /// <c>(s - min) / (max - min)</c> over that list, so its best document gets 1 and its worst 0; when
    /// all scores of a list are equal (including a single result) they all normalise to 1. The fused
    /// score is <c>sum of weight(list) x normalised score</c>, in double precision then rounded to float.
    /// </summary>
    /// <param name="rankings">The result lists.</param>
    /// <param name="weights">One non-negative weight per list (they need not sum to 1).</param>
    /// <param name="topN">Keep only this many fused results; all when null.</param>
    /// <exception cref="ArgumentException">List and weight counts differ, a weight or score is invalid, a document repeats, a negative topN.</exception>
    public static ScoreDoc[] MinMaxCombination(IReadOnlyList<ScoreDoc[]> rankings, IReadOnlyList<float> weights, int? topN = null)
    {
        CheckLists(rankings);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != rankings.Count)
        {
            throw new ArgumentException($"{weights.Count} weights for {rankings.Count} result lists.", nameof(weights));
        }
        for (int i = 0; i < weights.Count; i++)
        {
            if (!float.IsFinite(weights[i]) || weights[i] < 0)
            {
                throw new ArgumentException($"Weight {i} must be a finite non-negative number, not {weights[i]}.", nameof(weights));
            }
        }
        CheckTopN(topN);
        var fused = new Dictionary<int, double>();
        for (int l = 0; l < rankings.Count; l++)
        {
            var list = rankings[l];
            if (list.Length == 0)
            {
                continue;
            }
            double min = double.MaxValue, max = double.MinValue;
            foreach (var sd in list)
            {
                if (!float.IsFinite(sd.Score))
                {
                    throw new ArgumentException($"Document {sd.Doc} in list {l} has score {sd.Score}; scores must be finite.", nameof(rankings));
                }
                min = Math.Min(min, sd.Score);
                max = Math.Max(max, sd.Score);
            }
            double range = max - min;
            foreach (var sd in list)
            {
                double normalised = range > 0 ? (sd.Score - min) / range : 1.0;
                fused[sd.Doc] = fused.GetValueOrDefault(sd.Doc) + (weights[l] * normalised);
            }
        }
        return Sorted(fused, topN);
    }

    private static void CheckLists(IReadOnlyList<ScoreDoc[]> rankings)
    {
        ArgumentNullException.ThrowIfNull(rankings);
        if (rankings.Count == 0)
        {
            throw new ArgumentException("At least one result list is needed.", nameof(rankings));
        }
        var seen = new HashSet<int>();
        for (int l = 0; l < rankings.Count; l++)
        {
            if (rankings[l] is not { } list)
            {
                throw new ArgumentException($"Result list {l} is null.", nameof(rankings));
            }
            seen.Clear();
            foreach (var sd in list)
            {
                if (sd is null || !seen.Add(sd.Doc))
                {
                    throw new ArgumentException($"Result list {l} has a null entry or repeats document {sd?.Doc}.", nameof(rankings));
                }
            }
        }
    }

    private static void CheckTopN(int? topN)
    {
        if (topN is < 0)
        {
            throw new ArgumentException($"topN must be non-negative or null, not {topN}.", nameof(topN));
        }
    }

    private static ScoreDoc[] Sorted(Dictionary<int, double> fused, int? topN)
    {
        var result = fused.Select(p => (Doc: p.Key, Score: p.Value)).ToList();
        // Ties are decided on the double sums, before rounding to float.
        result.Sort((a, b) =>
        {
            int c = b.Score.CompareTo(a.Score);
            return c != 0 ? c : a.Doc.CompareTo(b.Doc);
        });
        int n = Math.Min(topN ?? result.Count, result.Count);
        var docs = new ScoreDoc[n];
        for (int i = 0; i < n; i++)
        {
            docs[i] = new ScoreDoc(result[i].Doc, (float)result[i].Score);
        }
        return docs;
    }
}
