using System.Globalization;
using System.Text;

namespace Splade.Encoder;

/// <summary>
/// A sparse vector over a vocabulary: ids in strictly increasing order, each with a finite non-zero
/// weight. Immutable; copying it copies two references.
/// </summary>
public readonly struct SparseVector : IEquatable<SparseVector>
{
    private readonly int[]? _indices;
    private readonly float[]? _values;

    // Trusted: callers guarantee sorted unique ids and matching lengths, and hand over the arrays.
    internal SparseVector(int[] indices, float[] values)
    {
        _indices = indices;
        _values = values;
    }

    /// <summary>The vector with no active entry.</summary>
    public static SparseVector Empty => new([], []);

    /// <summary>Number of active (non-zero) entries.</summary>
    public int Count => _indices?.Length ?? 0;

    /// <summary>Active ids, strictly increasing.</summary>
    public ReadOnlySpan<int> Indices => _indices;

    /// <summary>Weights, aligned with <see cref="Indices"/>.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>The weight of <paramref name="id"/>, 0 when it is not active.</summary>
    public float this[int id]
    {
        get
        {
            int i = Array.BinarySearch(_indices ?? [], id);
            return i >= 0 ? _values![i] : 0f;
        }
    }

    /// <summary>
    /// Builds a vector from ids and weights in any order. Zero weights are dropped.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, an id is negative or repeated, or a weight is NaN or infinite.</exception>
    public static SparseVector Create(ReadOnlySpan<int> indices, ReadOnlySpan<float> values)
    {
        if (indices.Length != values.Length)
        {
            throw new ArgumentException($"{indices.Length} ids but {values.Length} weights.", nameof(values));
        }
        var ids = indices.ToArray();
        var weights = values.ToArray();
        Array.Sort(ids, weights);
        int n = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i] < 0)
            {
                throw new ArgumentException($"Id {ids[i]} is negative.", nameof(indices));
            }
            if (i > 0 && ids[i] == ids[i - 1])
            {
                throw new ArgumentException($"Id {ids[i]} appears more than once.", nameof(indices));
            }
            if (!float.IsFinite(weights[i]))
            {
                throw new ArgumentException($"The weight of id {ids[i]} is {weights[i]}; weights must be finite.", nameof(values));
            }
            if (weights[i] != 0f)
            {
                ids[n] = ids[i];
                weights[n] = weights[i];
                n++;
            }
        }
        if (n < ids.Length)
        {
            Array.Resize(ref ids, n);
            Array.Resize(ref weights, n);
        }
        return new SparseVector(ids, weights);
    }

    /// <summary>Builds a vector from the non-zero entries of a dense array (index = id).</summary>
    public static SparseVector FromDense(ReadOnlySpan<float> dense)
    {
        int n = 0;
        foreach (float v in dense)
        {
            if (v != 0f)
            {
                n++;
            }
        }
        var ids = new int[n];
        var weights = new float[n];
        int j = 0;
        for (int i = 0; i < dense.Length && j < n; i++)
        {
            if (dense[i] != 0f)
            {
                ids[j] = i;
                weights[j] = dense[i];
                j++;
            }
        }
        return new SparseVector(ids, weights);
    }

    /// <summary>Dot product, accumulated in double precision.</summary>
    public float Dot(SparseVector other)
    {
        ReadOnlySpan<int> a = Indices, b = other.Indices;
        ReadOnlySpan<float> av = Values, bv = other.Values;
        double sum = 0;
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                sum += (double)av[i++] * bv[j++];
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return (float)sum;
    }

    /// <summary>Euclidean (L2) norm.</summary>
    public float L2Norm()
    {
        double sum = 0;
        foreach (float v in Values)
        {
            sum += (double)v * v;
        }
        return (float)Math.Sqrt(sum);
    }

    /// <summary>
    /// The unit vector in the same direction (what cosine models compare), or the vector itself when
    /// its norm is 0.
    /// </summary>
    public SparseVector Normalize()
    {
        double sum = 0;
        foreach (float v in Values)
        {
            sum += (double)v * v;
        }
        if (sum == 0)
        {
            return this;
        }
        double inv = 1.0 / Math.Sqrt(sum);
        var weights = new float[Count];
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)(_values![i] * inv);
        }
        return new SparseVector(_indices!, weights);
    }

    /// <summary>
    /// Keeps the <paramref name="k"/> largest weights (sentence-transformers' <c>max_active_dims</c>);
    /// among equal weights the smaller id wins.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is negative.</exception>
    public SparseVector TopK(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (k >= Count)
        {
            return this;
        }
        var order = RankByWeight();
        var keep = order.AsSpan(0, k).ToArray();
        Array.Sort(keep);
        var ids = new int[k];
        var weights = new float[k];
        for (int i = 0; i < k; i++)
        {
            ids[i] = _indices![keep[i]];
            weights[i] = _values![keep[i]];
        }
        return new SparseVector(ids, weights);
    }

    /// <summary>Drops every entry whose weight is below <paramref name="threshold"/>.</summary>
    public SparseVector Prune(float threshold)
    {
        int n = 0;
        foreach (float v in Values)
        {
            if (v >= threshold)
            {
                n++;
            }
        }
        if (n == Count)
        {
            return this;
        }
        var ids = new int[n];
        var weights = new float[n];
        int j = 0;
        for (int i = 0; i < Count; i++)
        {
            if (_values![i] >= threshold)
            {
                ids[j] = _indices![i];
                weights[j++] = _values[i];
            }
        }
        return new SparseVector(ids, weights);
    }

    /// <summary>
    /// The entries as (token, weight) pairs, heaviest first (ties by id), like sentence-transformers'
    /// <c>decode</c>.
    /// </summary>
    /// <param name="vocabulary">The vocabulary the ids refer to.</param>
    /// <param name="topK">How many pairs to return; all when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topK"/> is negative.</exception>
    public IReadOnlyList<(string Token, float Weight)> Decode(Vocabulary vocabulary, int? topK = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (topK is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(topK), topK, "topK must be null (all) or non-negative.");
        }
        var order = RankByWeight();
        int n = Math.Min(topK ?? Count, Count);
        var result = new (string, float)[n];
        for (int i = 0; i < n; i++)
        {
            result[i] = (vocabulary[_indices![order[i]]], _values![order[i]]);
        }
        return result;
    }

    private int[] RankByWeight()
    {
        var order = new int[Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        var values = _values;
        Array.Sort(order, (x, y) =>
        {
            int c = values![y].CompareTo(values[x]);
            return c != 0 ? c : x.CompareTo(y);
        });
        return order;
    }

    /// <inheritdoc/>
    public bool Equals(SparseVector other) => Indices.SequenceEqual(other.Indices) && Values.SequenceEqual(other.Values);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SparseVector v && Equals(v);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        for (int i = 0; i < Count; i++)
        {
            hash.Add(_indices![i]);
            hash.Add(_values![i]);
        }
        return hash.ToHashCode();
    }

    /// <summary>Equality of ids and weights.</summary>
    public static bool operator ==(SparseVector left, SparseVector right) => left.Equals(right);

    /// <summary>Inequality of ids or weights.</summary>
    public static bool operator !=(SparseVector left, SparseVector right) => !left.Equals(right);

    /// <summary>Shows up to 10 entries as <c>{id:weight, ...}</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("{");
        for (int i = 0; i < Math.Min(Count, 10); i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }
            sb.Append(_indices![i].ToString(CultureInfo.InvariantCulture)).Append(':').Append(_values![i].ToString("G6", CultureInfo.InvariantCulture));
        }
        if (Count > 10)
        {
            sb.Append(", ... (").Append(Count.ToString(CultureInfo.InvariantCulture)).Append(" entries)");
        }
        return sb.Append('}').ToString();
    }
}
