using System.Globalization;
using Splade.Encoder;

namespace Splade.Lucene.Index;

/// <summary>Turns weights into integer impacts, enforcing <see cref="SpladeFieldOptions"/>.</summary>
internal static class ImpactQuantizer
{
    /// <summary>
    /// round(weight x scale), midpoints away from zero. The product is taken in double precision, where it
    /// is exact for the default scale, so that rounding sees the true value of the stored float: 0.285f is
    /// 0.28499999642..., times 100 is 28.4999996 and gives 28, whereas a float product rounds to 28.5 and
    /// would give 29.
    /// </summary>
    public static double Product(float weight, float scale) => Math.Round((double)weight * scale, MidpointRounding.AwayFromZero);

    /// <summary>The impact of a valid weight; 0 when it rounds to zero.</summary>
    public static int ToImpact(float weight, float scale)
    {
        double p = Product(weight, scale);
        if (p > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"Weight {weight} x scale {scale} does not fit an impact.");
        }
        return (int)p;
    }

    public static QuantizedTerms Quantize(SparseVector vector, Vocabulary vocabulary, SpladeFieldOptions options, bool normalize, SpladeIndexingStats? stats)
    {
        var ids = new List<int>(vector.Count);
        var weights = new List<float>(vector.Count);
        ReadOnlySpan<int> indices = vector.Indices;
        ReadOnlySpan<float> values = vector.Values;
        for (int i = 0; i < indices.Length; i++)
        {
            int id = indices[i];
            if ((uint)id >= (uint)vocabulary.Count)
            {
                Reject(options, stats, unknown: true, $"Vector id {id} is not in the vocabulary (ids 0..{vocabulary.Count - 1}, {vocabulary.Source}).", "vector");
                continue;
            }
            if (!IsValidWeight(values[i], options.Scale))
            {
                Reject(options, stats, unknown: false, $"Term '{vocabulary[id]}' (id {id}) has weight {values[i].ToString(CultureInfo.InvariantCulture)}; weights must be positive, finite and at most {Limit(options.Scale)} (impact {SpladeFieldOptions.MaxImpact.ToString("N0", CultureInfo.InvariantCulture)} at scale {options.Scale.ToString(CultureInfo.InvariantCulture)}).", "vector");
                continue;
            }
            ids.Add(id);
            weights.Add(values[i]);
        }
        return Finish(ids, weights, id => vocabulary[id], options, normalize, stats);
    }

    /// <summary>Quantizes token weights; with no <paramref name="vocabulary"/> every non-empty token is a term as given.</summary>
    public static QuantizedTerms Quantize(IEnumerable<KeyValuePair<string, float>> termWeights, Vocabulary? vocabulary, SpladeFieldOptions options, bool normalize, SpladeIndexingStats? stats)
    {
        ArgumentNullException.ThrowIfNull(termWeights);
        if (vocabulary is null)
        {
            return QuantizeTokens(termWeights, options, normalize, stats);
        }
        var pairs = new List<(int Id, float Weight)>();
        var seen = new HashSet<int>();
        foreach (var (token, weight) in termWeights)
        {
            if (token is null || !vocabulary.TryGetId(token, out int id))
            {
                Reject(options, stats, unknown: true, $"Term '{token}' (weight {weight.ToString(CultureInfo.InvariantCulture)}) is not in the vocabulary ({vocabulary.Source}).", nameof(termWeights));
                continue;
            }
            if (!IsValidWeight(weight, options.Scale))
            {
                Reject(options, stats, unknown: false, $"Term '{token}' has weight {weight.ToString(CultureInfo.InvariantCulture)}; weights must be positive, finite and at most {Limit(options.Scale)} (impact {SpladeFieldOptions.MaxImpact.ToString("N0", CultureInfo.InvariantCulture)} at scale {options.Scale.ToString(CultureInfo.InvariantCulture)}).", nameof(termWeights));
                continue;
            }
            if (!seen.Add(id))
            {
                throw new ArgumentException($"Term '{token}' appears more than once.", nameof(termWeights));
            }
            pairs.Add((id, weight));
        }
        pairs.Sort((a, b) => a.Id.CompareTo(b.Id));
        return Finish(pairs.ConvertAll(p => p.Id), pairs.ConvertAll(p => p.Weight), id => vocabulary[id], options, normalize, stats);
    }

    // Tokens taken as given (precomputed vectors of any model): ids are the ordinal ranks of the tokens.
    private static QuantizedTerms QuantizeTokens(IEnumerable<KeyValuePair<string, float>> termWeights, SpladeFieldOptions options, bool normalize, SpladeIndexingStats? stats)
    {
        if (termWeights is Dictionary<string, float> dictionary
            && (ReferenceEquals(dictionary.Comparer, StringComparer.Ordinal) || ReferenceEquals(dictionary.Comparer, EqualityComparer<string>.Default)))
        {
            return QuantizeDistinctTokens(dictionary, options, normalize, stats);
        }
        var pairs = new List<(string Token, float Weight)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (token, weight) in termWeights)
        {
            if (!IsIndexableToken(token, weight, options, stats, nameof(termWeights)))
            {
                continue;
            }
            if (!seen.Add(token))
            {
                throw new ArgumentException($"Term '{token}' appears more than once.", nameof(termWeights));
            }
            pairs.Add((token, weight));
        }
        pairs.Sort((a, b) => string.CompareOrdinal(a.Token, b.Token));
        var ids = new List<int>(pairs.Count);
        for (int i = 0; i < pairs.Count; i++)
        {
            ids.Add(i);
        }
        return Finish(ids, pairs.ConvertAll(p => p.Weight), id => pairs[id].Token, options, normalize, stats);
    }

    /// <summary>
    /// <see cref="QuantizeTokens"/> for the vectors <see cref="Formats.JsonVectorReader"/> reads: an ordinal
    /// dictionary's keys are distinct, so no set checks them, and tokens and weights are sorted as two arrays
    /// (a third of the allocations; the order is the same, keys being distinct). Tested against the general path.
    /// </summary>
    internal static QuantizedTerms QuantizeDistinctTokens(Dictionary<string, float> termWeights, SpladeFieldOptions options, bool normalize, SpladeIndexingStats? stats)
    {
        var tokens = new string[termWeights.Count];
        var weights = new float[termWeights.Count];
        int n = 0;
        foreach (var (token, weight) in termWeights)
        {
            if (!IsIndexableToken(token, weight, options, stats, nameof(termWeights)))
            {
                continue;
            }
            tokens[n] = token;
            weights[n++] = weight;
        }
        Array.Sort(tokens, weights, 0, n, StringComparer.Ordinal);
        var ids = new int[n];
        for (int i = 0; i < n; i++)
        {
            ids[i] = i;
        }
        return Finish(ids, weights.AsSpan(0, n), id => tokens[id], options, normalize, stats);
    }

    // A token taken as given (no vocabulary) can be indexed when it is not empty, is valid UTF-16 and its weight is
    // valid; otherwise it is rejected (counted or thrown). One check for the general and the distinct-tokens paths,
    // which must agree.
    private static bool IsIndexableToken(string token, float weight, SpladeFieldOptions options, SpladeIndexingStats? stats, string parameter)
    {
        if (string.IsNullOrEmpty(token))
        {
            Reject(options, stats, unknown: true, $"An empty term (weight {weight.ToString(CultureInfo.InvariantCulture)}) cannot be indexed.", parameter);
            return false;
        }
        if (UnpairedSurrogateAt(token) is int at)
        {
            // Lucene writes terms as UTF-8 and turns a lone surrogate into U+FFFD, so two different tokens could
            // become one term (and no query would find the token as written).
            Reject(options, stats, unknown: true, $"Term '{token}' has an unpaired UTF-16 surrogate at index {at.ToString(CultureInfo.InvariantCulture)} (U+{((int)token[at]).ToString("X4", CultureInfo.InvariantCulture)}); terms must be valid Unicode.", parameter);
            return false;
        }
        if (!IsValidWeight(weight, options.Scale))
        {
            Reject(options, stats, unknown: false, $"Term '{token}' has weight {weight.ToString(CultureInfo.InvariantCulture)}; weights must be positive, finite and small enough to quantize.", parameter);
            return false;
        }
        return true;
    }

    // The index of the first surrogate that is not part of a high-low pair, or null.
    internal static int? UnpairedSurrogateAt(string token)
    {
        int i = token.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (i < 0)
        {
            return null;
        }
        for (; i < token.Length; i++)
        {
            char c = token[i];
            if (char.IsHighSurrogate(c) && i + 1 < token.Length && char.IsLowSurrogate(token[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return i;
            }
        }
        return null;
    }

    // round(w x scale) <= MaxImpact exactly when w x scale < MaxImpact + 0.5 (midpoints round up).
    private static bool IsValidWeight(float w, float scale) => float.IsFinite(w) && w > 0 && (double)w * scale < SpladeFieldOptions.MaxImpact + 0.5;

    private static string Limit(float scale) => (SpladeFieldOptions.MaxImpact / (double)scale).ToString("G6", CultureInfo.InvariantCulture);

    // Counts a skipped entry, or throws under InvalidEntryHandling.Throw.
    private static void Reject(SpladeFieldOptions options, SpladeIndexingStats? stats, bool unknown, string message, string parameter)
    {
        if (options.InvalidEntries == InvalidEntryHandling.Throw)
        {
            throw new ArgumentException(message, parameter);
        }
        if (unknown)
        {
            stats?.AddUnknownTerm();
        }
        else
        {
            stats?.AddInvalidWeight();
        }
    }

    private static QuantizedTerms Finish(List<int> ids, List<float> weights, Func<int, string> tokenOf, SpladeFieldOptions options, bool normalize, SpladeIndexingStats? stats) =>
        Finish(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(weights), tokenOf, options, normalize, stats);

    private static QuantizedTerms Finish(ReadOnlySpan<int> ids, ReadOnlySpan<float> weights, Func<int, string> tokenOf, SpladeFieldOptions options, bool normalize, SpladeIndexingStats? stats)
    {
        var vector = SparseVector.Create(ids, weights);
        if (normalize)
        {
            vector = vector.Normalize();
        }
        if (options.MaxTerms is int max && vector.Count > max)
        {
            stats?.AddDroppedByMaxTerms(vector.Count - max);
            vector = vector.TopK(max);
        }
        var terms = new string[vector.Count];
        var impacts = new int[vector.Count];
        int n = 0, zeros = 0;
        long sum = 0;
        for (int i = 0; i < vector.Count; i++)
        {
            int impact = ToImpact(vector.Values[i], options.Scale);
            if (impact == 0)
            {
                zeros++;
                continue;
            }
            terms[n] = tokenOf(vector.Indices[i]);
            impacts[n++] = impact;
            sum += impact;
        }
        if (zeros > 0)
        {
            stats?.AddRoundedToZero(zeros);
            Array.Resize(ref terms, n);
            Array.Resize(ref impacts, n);
        }
        stats?.AddDocument(n, sum);
        return n == 0 ? QuantizedTerms.Empty : new QuantizedTerms(terms, impacts);
    }
}
