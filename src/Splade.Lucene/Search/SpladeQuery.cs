using System.Globalization;
using System.Text;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using Splade.Encoder;

namespace Splade.Lucene.Search;

/// <summary>
/// Ranks documents of a SPLADE field by the dot product of the query's term weights and the indexed
/// impacts: <c>score = boost x sum(weight(t) x impact(t, doc))</c>, summed in query term order (ordinal
/// order of the term strings). Impacts are read from the term frequency or the payload, whichever the
/// field stores, without asking the searcher's similarity, so the score is exact under any similarity.
/// Query weights are the float SPLADE weights unless <see cref="SpladeQueryOptions.WeightScale"/> is set.
/// <para>
/// A query built from text is encoded at search time (in <see cref="Rewrite"/>, through a
/// <see cref="QueryEncodingCache"/>) and rewritten to a query of weighted terms. Evaluation through
/// <c>IndexSearcher.Search</c> is exhaustive: term at a time for top-level searches, document at a time
/// inside a <see cref="BooleanQuery"/> (hybrid search); both give bit-identical scores.
/// <see cref="SpladeSearcher.Search"/> returns the same top k with exact dynamic pruning (windowed MaxScore
/// over per-segment upper bounds of the impacts), reading far fewer postings.
/// </para>
/// </summary>
public sealed class SpladeQuery : Query
{
    private static readonly KeyValuePair<string, float>[] NoTerms = [];

    private readonly string _field;
    private readonly string? _text;
    private readonly ISparseEncoder? _encoder;
    private readonly QueryEncodingCache? _cache;
    private readonly SpladeQueryOptions _options;
    private readonly SpladePruning? _pruning;
    private string[]? _terms;
    private float[]? _weights;

    /// <summary>A query encoded from text at search time.</summary>
    /// <param name="field">The SPLADE field.</param>
    /// <param name="text">The query text.</param>
    /// <param name="encoder">Encodes the text with <see cref="ISparseEncoder.EncodeQuery"/>.</param>
    /// <param name="options">Term selection and weighting (copied); defaults when null.</param>
    /// <param name="cache">The encoding cache; the encoder's shared cache when null.</param>
    public SpladeQuery(string field, string text, ISparseEncoder encoder, SpladeQueryOptions? options = null, QueryEncodingCache? cache = null)
    {
        _field = CheckField(field);
        _text = text ?? throw new ArgumentNullException(nameof(text));
        _encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        if (cache is not null && !ReferenceEquals(cache.Encoder, encoder))
        {
            throw new ArgumentException("The cache belongs to another encoder.", nameof(cache));
        }
        _cache = cache;
        _options = CheckOptions(options);
    }

    /// <summary>A query from a precomputed query vector.</summary>
    /// <param name="field">The SPLADE field.</param>
    /// <param name="vector">The query vector.</param>
    /// <param name="vocabulary">The vocabulary its ids refer to.</param>
    /// <param name="options">Term selection and weighting; defaults when null.</param>
    /// <exception cref="ArgumentException">An id is outside the vocabulary.</exception>
    public SpladeQuery(string field, SparseVector vector, Vocabulary vocabulary, SpladeQueryOptions? options = null)
    {
        _field = CheckField(field);
        ArgumentNullException.ThrowIfNull(vocabulary);
        _options = CheckOptions(options);
        (_terms, _weights) = Select(vector, vocabulary, _options);
    }

    /// <summary>A query from term strings and weights.</summary>
    /// <param name="field">The SPLADE field.</param>
    /// <param name="termWeights">Terms (vocabulary token strings) and their weights.</param>
    /// <param name="options">Term selection and weighting; defaults when null.</param>
    /// <exception cref="ArgumentException">A weight is NaN or infinite, or a term is repeated.</exception>
    public SpladeQuery(string field, IEnumerable<KeyValuePair<string, float>> termWeights, SpladeQueryOptions? options = null)
    {
        _field = CheckField(field);
        ArgumentNullException.ThrowIfNull(termWeights);
        _options = CheckOptions(options);
        (_terms, _weights) = Select(termWeights, _options);
    }

    private SpladeQuery(string field, string[] terms, float[] weights, SpladeQueryOptions options, SpladePruning? pruning = null)
    {
        _field = field;
        _terms = terms;
        _weights = weights;
        _options = options;
        _pruning = pruning;
    }

    /// <summary>The SPLADE field.</summary>
    public string Field => _field;

    /// <summary>The query text, or null for a query built from a vector or term weights.</summary>
    public string? Text => _text;

    /// <summary>The encoder of a text query, otherwise null.</summary>
    public ISparseEncoder? Encoder => _encoder;

    /// <summary>
    /// The weighted terms in scoring order (ordinal order of the terms), after the options were applied.
    /// A text query is encoded (once, through its cache) on first use.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, float>> TermWeights
    {
        get
        {
            var (terms, weights) = Resolve();
            if (terms.Length == 0)
            {
                return NoTerms;
            }
            var result = new KeyValuePair<string, float>[terms.Length];
            for (int i = 0; i < terms.Length; i++)
            {
                result[i] = new(terms[i], weights[i]);
            }
            return result;
        }
    }

    internal SpladeQueryOptions Options => _options;

    /// <summary>
    /// A private copy that prunes for a top-k search. Only <see cref="SpladeSearcher"/> makes one and searches
    /// it with a top-k collector of the same k: pruning is wrong for any other collector.
    /// </summary>
    internal SpladeQuery WithPruning(SpladePruning pruning)
    {
        var (terms, weights) = Resolve();
        return new SpladeQuery(_field, terms, weights, _options, pruning) { Boost = Boost };
    }

    /// <summary>A text query becomes a query of weighted terms with the same boost; other queries rewrite to themselves.</summary>
    public override Query Rewrite(IndexReader reader)
    {
        if (_text is null)
        {
            return this;
        }
        var (terms, weights) = Resolve();
        return new SpladeQuery(_field, terms, weights, _options) { Boost = Boost };
    }

    /// <inheritdoc/>
    public override Weight CreateWeight(IndexSearcher searcher)
    {
        var (terms, weights) = Resolve();
        return new SpladeWeight(this, terms, weights, _pruning);
    }

    /// <summary>Adds every query term (encoding a text query if needed).</summary>
    public override void ExtractTerms(ISet<Term> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        foreach (var t in Resolve().Terms)
        {
            terms.Add(new Term(_field, t));
        }
    }

    /// <summary>
    /// <c>field:splade("text")</c> for a text query, <c>field:splade(term:weight ...)</c> otherwise; the field
    /// is left out when it is <paramref name="field"/>, and a boost other than 1 is appended as <c>^boost</c>.
    /// </summary>
    public override string ToString(string field)
    {
        var sb = new StringBuilder();
        if (!string.Equals(field, _field, StringComparison.Ordinal))
        {
            sb.Append(_field).Append(':');
        }
        sb.Append("splade(");
        if (_text is not null)
        {
            sb.Append('"').Append(_text.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        }
        else
        {
            for (int i = 0; i < _terms!.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(' ');
                }
                sb.Append(_terms[i]).Append(':').Append(_weights![i].ToString("R", CultureInfo.InvariantCulture));
            }
        }
        sb.Append(')').Append(ToStringUtils.Boost(Boost));
        return sb.ToString();
    }

    /// <summary>Equal when of the same kind with the same field, boost and text, encoder and options, or the same weighted terms.</summary>
    public override bool Equals(object? obj)
    {
        if (ReferenceEquals(this, obj))
        {
            return true;
        }
        if (!base.Equals(obj) || obj is not SpladeQuery other || !string.Equals(_field, other._field, StringComparison.Ordinal))
        {
            return false;
        }
        if (_text is not null || other._text is not null)
        {
            return string.Equals(_text, other._text, StringComparison.Ordinal)
                && ReferenceEquals(_encoder, other._encoder)
                && _options.TopK == other._options.TopK
                && _options.MinWeight.Equals(other._options.MinWeight)
                && Nullable.Equals(_options.WeightScale, other._options.WeightScale);
        }
        return _terms.AsSpan().SequenceEqual(other._terms) && _weights.AsSpan().SequenceEqual(other._weights);
    }

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(base.GetHashCode());
        hash.Add(_field, StringComparer.Ordinal);
        if (_text is not null)
        {
            hash.Add(_text, StringComparer.Ordinal);
            hash.Add(_options.TopK);
            hash.Add(_options.MinWeight);
            hash.Add(_options.WeightScale);
        }
        else
        {
            for (int i = 0; i < _terms!.Length; i++)
            {
                hash.Add(_terms[i], StringComparer.Ordinal);
                hash.Add(_weights![i]);
            }
        }
        return hash.ToHashCode();
    }

    private (string[] Terms, float[] Weights) Resolve()
    {
        var terms = Volatile.Read(ref _terms);
        if (terms is not null)
        {
            return (terms, _weights!);
        }
        var vector = (_cache ?? QueryEncodingCache.GetShared(_encoder!)).Encode(_text!);
        var (t, w) = Select(vector, _encoder!.Vocabulary, _options);
        _weights = w;
        Volatile.Write(ref _terms, t);
        return (t, w);
    }

    private static (string[], float[]) Select(SparseVector vector, Vocabulary vocabulary, SpladeQueryOptions options)
    {
        var v = vector.Prune(options.MinWeight);
        if (options.TopK is int k)
        {
            v = v.TopK(k);
        }
        var pairs = new List<KeyValuePair<string, float>>(v.Count);
        for (int i = 0; i < v.Count; i++)
        {
            int id = v.Indices[i];
            if ((uint)id >= (uint)vocabulary.Count)
            {
                throw new ArgumentException($"Query vector id {id} is not in the vocabulary (ids 0..{vocabulary.Count - 1}, {vocabulary.Source}).", nameof(vector));
            }
            pairs.Add(new(vocabulary[id], v.Values[i]));
        }
        return Finish(pairs, options);
    }

    private static (string[], float[]) Select(IEnumerable<KeyValuePair<string, float>> termWeights, SpladeQueryOptions options)
    {
        var pairs = new List<KeyValuePair<string, float>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (term, weight) in termWeights)
        {
            ArgumentNullException.ThrowIfNull(term, nameof(termWeights));
            if (!float.IsFinite(weight))
            {
                throw new ArgumentException($"Query term '{term}' has weight {weight}; weights must be finite.", nameof(termWeights));
            }
            if (!seen.Add(term))
            {
                throw new ArgumentException($"Query term '{term}' appears more than once.", nameof(termWeights));
            }
            if (weight != 0f && weight >= options.MinWeight)
            {
                pairs.Add(new(term, weight));
            }
        }
        if (options.TopK is int k && pairs.Count > k)
        {
            pairs.Sort((a, b) =>
            {
                int c = b.Value.CompareTo(a.Value);
                return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
            });
            pairs.RemoveRange(k, pairs.Count - k);
        }
        return Finish(pairs, options);
    }

    private static (string[], float[]) Finish(List<KeyValuePair<string, float>> pairs, SpladeQueryOptions options)
    {
        if (options.WeightScale is float scale)
        {
            for (int i = 0; i < pairs.Count; i++)
            {
                pairs[i] = new(pairs[i].Key, (float)Math.Round((double)pairs[i].Value * scale, MidpointRounding.AwayFromZero));
            }
            pairs.RemoveAll(p => p.Value == 0f);
        }
        // A fixed order (ordinal by term) is what makes the two scorers and Explain sum identically.
        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var terms = new string[pairs.Count];
        var weights = new float[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            terms[i] = pairs[i].Key;
            weights[i] = pairs[i].Value;
        }
        return (terms, weights);
    }

    private static string CheckField(string field) =>
        string.IsNullOrEmpty(field) ? throw new ArgumentException($"The field name must not be empty, not '{field}'.", nameof(field)) : field;

    private static SpladeQueryOptions CheckOptions(SpladeQueryOptions? options)
    {
        var copy = options?.Clone() ?? new SpladeQueryOptions();
        copy.Validate();
        return copy;
    }
}
