using System.Globalization;

namespace Splade.Lucene.Search;

/// <summary>
/// Work counters of <see cref="SpladeSearcher.Search"/>, summed over every search that was given this
/// instance (thread-safe: segments searched in parallel add with <see cref="Interlocked"/>). They show what
/// pruning saved: compare a pruned search with the same query searched with
/// <see cref="SpladeQueryOptions.Exhaustive"/> set.
/// </summary>
public sealed class SpladeSearchStats
{
    private long _searches;
    private long _documentsScored;
    private long _postingsRead;
    private long _windowsScored;
    private long _windowsSkipped;

    /// <summary>Calls of <see cref="SpladeSearcher.Search"/>.</summary>
    public long Searches => Interlocked.Read(ref _searches);

    /// <summary>
    /// Documents whose complete score was computed. Exhaustive: every live document matching a query
    /// term. Pruned: only documents whose upper bound could still reach the current top k.
    /// </summary>
    public long DocumentsScored => Interlocked.Read(ref _documentsScored);

    /// <summary>Postings read: postings decoded term at a time plus the positions reached by skipping (Advance).</summary>
    public long PostingsRead => Interlocked.Read(ref _postingsRead);

    /// <summary>Windows of up to 2,048 documents that the pruning scorer evaluated (0 when exhaustive).</summary>
    public long WindowsScored => Interlocked.Read(ref _windowsScored);

    /// <summary>Windows skipped without reading a posting because their upper bound could not reach the top k.</summary>
    public long WindowsSkipped => Interlocked.Read(ref _windowsSkipped);

    /// <summary>Sets every counter to 0.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _searches, 0);
        Interlocked.Exchange(ref _documentsScored, 0);
        Interlocked.Exchange(ref _postingsRead, 0);
        Interlocked.Exchange(ref _windowsScored, 0);
        Interlocked.Exchange(ref _windowsSkipped, 0);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"searches {Searches}, documents scored {DocumentsScored}, postings read {PostingsRead}, windows scored {WindowsScored}, skipped {WindowsSkipped}");

    /// <summary>Adds the counters of <paramref name="other"/> to this instance.</summary>
    public void Add(SpladeSearchStats other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Interlocked.Add(ref _searches, other.Searches);
        Add(other.DocumentsScored, other.PostingsRead, other.WindowsScored, other.WindowsSkipped);
    }

    internal void AddSearch() => Interlocked.Increment(ref _searches);

    internal void Add(long documentsScored, long postingsRead, long windowsScored, long windowsSkipped)
    {
        Interlocked.Add(ref _documentsScored, documentsScored);
        Interlocked.Add(ref _postingsRead, postingsRead);
        Interlocked.Add(ref _windowsScored, windowsScored);
        Interlocked.Add(ref _windowsSkipped, windowsSkipped);
    }
}
