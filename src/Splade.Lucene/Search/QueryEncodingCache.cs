using System.Runtime.CompilerServices;
using Splade.Encoder;

namespace Splade.Lucene.Search;

/// <summary>
/// A thread-safe least-recently-used cache of query encodings for one encoder, so that a query text is
/// encoded once even when a query is rewritten several times or repeated. Concurrent requests for the
/// same text wait for a single encoding; a failed encoding is not cached.
/// </summary>
public sealed class QueryEncodingCache
{
    /// <summary>The default capacity.</summary>
    public const int DefaultCapacity = 1024;

    private static readonly ConditionalWeakTable<ISparseEncoder, QueryEncodingCache> Shared = new();

    private readonly object _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _map = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _lru = new();

    /// <summary>Creates a cache.</summary>
    /// <param name="encoder">Encodes the queries.</param>
    /// <param name="capacity">Most texts kept; the least recently used is evicted first.</param>
    public QueryEncodingCache(ISparseEncoder encoder, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (capacity <= 0)
        {
            throw new ArgumentException($"The capacity must be positive, not {capacity}.", nameof(capacity));
        }
        Encoder = encoder;
        Capacity = capacity;
    }

    /// <summary>The encoder.</summary>
    public ISparseEncoder Encoder { get; }

    /// <summary>Most texts kept.</summary>
    public int Capacity { get; }

    /// <summary>Texts currently cached.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _map.Count;
            }
        }
    }

    /// <summary>The cache shared by every query of <paramref name="encoder"/> that is not given its own (default capacity).</summary>
    public static QueryEncodingCache GetShared(ISparseEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        return Shared.GetValue(encoder, e => new QueryEncodingCache(e));
    }

    /// <summary>The query encoding of <paramref name="text"/>, from the cache or computed once.</summary>
    public SparseVector Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Lazy<SparseVector> value;
        lock (_lock)
        {
            if (_map.TryGetValue(text, out var node))
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
                value = node.Value.Value;
            }
            else
            {
                value = new Lazy<SparseVector>(() => Encoder.EncodeQuery(text), LazyThreadSafetyMode.ExecutionAndPublication);
                _map[text] = _lru.AddFirst(new Entry(text, value));
                while (_map.Count > Capacity)
                {
                    var last = _lru.Last!;
                    _lru.RemoveLast();
                    _map.Remove(last.Value.Text);
                }
            }
        }
        try
        {
            return value.Value;
        }
        catch
        {
            lock (_lock)
            {
                if (_map.TryGetValue(text, out var node) && ReferenceEquals(node.Value.Value, value))
                {
                    _lru.Remove(node);
                    _map.Remove(text);
                }
            }
            throw;
        }
    }

    /// <summary>Forgets every encoding.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _map.Clear();
            _lru.Clear();
        }
    }

    private sealed record Entry(string Text, Lazy<SparseVector> Value);
}
