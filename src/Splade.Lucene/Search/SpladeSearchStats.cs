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
    private long _segmentsPruned;
    private long _segmentsExhaustive;
    private long _segmentsInMemory;

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

    /// <summary>
    /// Segments that <see cref="SpladeSearcher.Search"/> evaluated with the pruning scorer (windowed MaxScore). Per
    /// segment, the search chooses the evaluation the impact bounds predict to be faster: pruning when k is small
    /// against the segment; term at a time over every posting when k is large against it, where pruning cannot
    /// skip enough to pay for its bookkeeping. Results are the same either way.
    /// </summary>
    public long SegmentsPruned => Interlocked.Read(ref _segmentsPruned);

    /// <summary>
    /// Segments that <see cref="SpladeSearcher.Search"/> evaluated exhaustively, term at a time: chosen as faster (see
    /// <see cref="SegmentsPruned"/>), or because the query is <see cref="SpladeQueryOptions.Exhaustive"/> or cannot be
    /// pruned (a weight or the boost is not positive).
    /// </summary>
    public long SegmentsExhaustive => Interlocked.Read(ref _segmentsExhaustive);

    /// <summary>
    /// Segments that <see cref="SpladeSearcher.Search"/> evaluated term at a time from postings held in memory
    /// (<see cref="SpladeQueryOptions.InMemoryPostings"/>), offering only the documents that reach the current top k.
    /// </summary>
    public long SegmentsInMemory => Interlocked.Read(ref _segmentsInMemory);

    /// <summary>Sets every counter to 0.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _searches, 0);
        Interlocked.Exchange(ref _documentsScored, 0);
        Interlocked.Exchange(ref _postingsRead, 0);
        Interlocked.Exchange(ref _windowsScored, 0);
        Interlocked.Exchange(ref _windowsSkipped, 0);
        Interlocked.Exchange(ref _segmentsPruned, 0);
        Interlocked.Exchange(ref _segmentsExhaustive, 0);
        Interlocked.Exchange(ref _segmentsInMemory, 0);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"searches {Searches}, documents scored {DocumentsScored}, postings read {PostingsRead}, windows scored {WindowsScored}, skipped {WindowsSkipped}, segments pruned {SegmentsPruned}, exhaustive {SegmentsExhaustive}, in memory {SegmentsInMemory}");

    /// <summary>Adds the counters of <paramref name="other"/> to this instance.</summary>
    public void Add(SpladeSearchStats other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Interlocked.Add(ref _searches, other.Searches);
        Add(other.DocumentsScored, other.PostingsRead, other.WindowsScored, other.WindowsSkipped);
        Interlocked.Add(ref _segmentsPruned, other.SegmentsPruned);
        Interlocked.Add(ref _segmentsExhaustive, other.SegmentsExhaustive);
        Interlocked.Add(ref _segmentsInMemory, other.SegmentsInMemory);
    }

    internal void AddSegment(bool pruned) => Interlocked.Increment(ref pruned ? ref _segmentsPruned : ref _segmentsExhaustive);

    internal void AddInMemorySegment() => Interlocked.Increment(ref _segmentsInMemory);

    internal void AddSearch() => Interlocked.Increment(ref _searches);

    internal void Add(long documentsScored, long postingsRead, long windowsScored, long windowsSkipped)
    {
        Interlocked.Add(ref _documentsScored, documentsScored);
        Interlocked.Add(ref _postingsRead, postingsRead);
        Interlocked.Add(ref _windowsScored, windowsScored);
        Interlocked.Add(ref _windowsSkipped, windowsSkipped);
    }
}
