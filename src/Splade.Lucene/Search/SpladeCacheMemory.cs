using System.Globalization;
using Lucene.Net.Index;

namespace Splade.Lucene.Search;

/// <summary>
/// What the in-memory postings, impact bounds and high-impact tiers that <see cref="SpladeSearcher.Search"/> keeps in memory for an index
/// cost now. They are cached per segment, shared by every query (and by readers reopened with new deletions), built
/// when a query first needs a term in a segment, and released with the segment. The tiers are what
/// <see cref="SpladeQueryOptions.MaxTierBytesPerSegment"/> caps; the bounds are small and never capped.
/// </summary>
public sealed class SpladeCacheMemory
{
    private SpladeCacheMemory(int segments, int segmentsCached, long terms, long boundsBytes, long tierTerms, long tierBytes, long tiersRefused, long largestSegmentTierBytes, (long Terms, long Postings, long Bytes, long Largest, long Refused) inMemory)
    {
        InMemoryTerms = inMemory.Terms;
        InMemoryPostings = inMemory.Postings;
        InMemoryBytes = inMemory.Bytes;
        LargestSegmentInMemoryBytes = inMemory.Largest;
        InMemoryRefused = inMemory.Refused;
        Segments = segments;
        SegmentsCached = segmentsCached;
        Terms = terms;
        BoundsBytes = boundsBytes;
        TierTerms = tierTerms;
        TierBytes = tierBytes;
        TiersRefused = tiersRefused;
        LargestSegmentTierBytes = largestSegmentTierBytes;
    }

    /// <summary>Segments of the reader.</summary>
    public int Segments { get; }

    /// <summary>Segments for which a pruned search has cached bounds.</summary>
    public int SegmentsCached { get; }

    /// <summary>Cached (segment, field, term) entries.</summary>
    public long Terms { get; }

    /// <summary>Bytes of the block and sub-block maxima of every cached term (4 bytes per 2,048 documents plus 1 per 128).</summary>
    public long BoundsBytes { get; }

    /// <summary>Cached terms holding a high-impact tier.</summary>
    public long TierTerms { get; }

    /// <summary>Bytes of the high-impact tiers: 4 per posting kept in memory plus 4 per 2,048 documents per term.</summary>
    public long TierBytes { get; }

    /// <summary>The largest <see cref="TierBytes"/> of one segment (what <see cref="SpladeQueryOptions.MaxTierBytesPerSegment"/> caps).</summary>
    public long LargestSegmentTierBytes { get; }

    /// <summary>Terms left without a tier because their segment's tiers had reached the cap.</summary>
    public long TiersRefused { get; }

    /// <summary>(segment, term) pairs whose postings are held in memory (<see cref="SpladeQueryOptions.InMemoryPostings"/>).</summary>
    public long InMemoryTerms { get; }

    /// <summary>Postings held in memory.</summary>
    public long InMemoryPostings { get; }

    /// <summary>Bytes of the postings held in memory: 3 per posting (4 for a posting with an impact above 255), plus 4 per 65,536 documents per term in larger segments.</summary>
    public long InMemoryBytes { get; }

    /// <summary>The largest <see cref="InMemoryBytes"/> of one segment (what <see cref="SpladeQueryOptions.MaxInMemoryPostingsBytesPerSegment"/> caps).</summary>
    public long LargestSegmentInMemoryBytes { get; }

    /// <summary>Terms whose postings were not copied into memory because their segment had reached the cap.</summary>
    public long InMemoryRefused { get; }

    /// <summary>The current cost for the segments of <paramref name="reader"/>; builds nothing.</summary>
    /// <param name="reader">A reader of the index (its segments' caches are found by their core).</param>
    public static SpladeCacheMemory Measure(IndexReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int cached = 0;
        long terms = 0, boundsBytes = 0, tierTerms = 0, tierBytes = 0, refused = 0, largest = 0;
        long memTerms = 0, memPostings = 0, memBytes = 0, memLargest = 0, memRefused = 0;
        foreach (var leaf in reader.Leaves)
        {
            if (SegmentInMemoryPostings.Find(leaf.AtomicReader) is { } memory)
            {
                long memBefore = memBytes;
                memory.Measure(ref memTerms, ref memPostings, ref memBytes);
                memLargest = Math.Max(memLargest, memBytes - memBefore);
                memRefused += memory.Refused;
            }
            if (SegmentImpactBounds.Find(leaf.AtomicReader) is not { } bounds)
            {
                continue;
            }
            cached++;
            long before = tierBytes;
            bounds.Measure(ref terms, ref boundsBytes, ref tierTerms, ref tierBytes);
            largest = Math.Max(largest, tierBytes - before);
            refused += bounds.TiersRefused;
        }
        return new SpladeCacheMemory(reader.Leaves.Count, cached, terms, boundsBytes, tierTerms, tierBytes, refused, largest, (memTerms, memPostings, memBytes, memLargest, memRefused));
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"segments cached {SegmentsCached}/{Segments}, terms {Terms:N0}, bounds {BoundsBytes:N0} bytes, tiers {TierBytes:N0} bytes ({TierTerms:N0} terms, largest segment {LargestSegmentTierBytes:N0}, refused {TiersRefused:N0}), in-memory postings {InMemoryPostings:N0} in {InMemoryBytes:N0} bytes ({InMemoryTerms:N0} terms, largest segment {LargestSegmentInMemoryBytes:N0}, refused {InMemoryRefused:N0})");
}
