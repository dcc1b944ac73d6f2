using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Lucene.Net.Index;

namespace Splade.Lucene.Search;

/// <summary>
/// The in-memory postings (<see cref="InMemoryTermPostings"/>) of one segment's SPLADE terms, read on a term's first
/// use by a pruned search and cached per segment core (<see cref="IndexReader.CoreCacheKey"/>, shared by readers
/// reopened with new deletions) in a <see cref="ConditionalWeakTable{TKey, TValue}"/>, so that the cache goes away
/// with the segment. The bytes held are reserved before a term's arrays are read, under a per-segment cap
/// (<see cref="SpladeQueryOptions.MaxInMemoryPostingsBytesPerSegment"/>); a term that would exceed it is marked
/// <see cref="InMemoryTermPostings.NotKept"/> for the life of the cache and read from the index. Thread-safe.
/// </summary>
internal sealed class SegmentInMemoryPostings
{
    private static readonly ConditionalWeakTable<object, SegmentInMemoryPostings> Cache = new();

    private readonly int _maxDoc;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, InMemoryTermPostings>> _fields = new(StringComparer.Ordinal);
    private long _bytes;
    private long _inFlight;
    private long _refused;

    private SegmentInMemoryPostings(int maxDoc) => _maxDoc = maxDoc;

    public static SegmentInMemoryPostings For(AtomicReader reader) =>
        Cache.GetValue(reader.CoreCacheKey, _ => new SegmentInMemoryPostings(reader.MaxDoc));

    /// <summary>The segment's cache when a search has created it, else null (nothing is created).</summary>
    public static SegmentInMemoryPostings? Find(AtomicReader reader) =>
        Cache.TryGetValue(reader.CoreCacheKey, out var cache) ? cache : null;

    /// <summary>Bytes of the postings held (reserved ones included).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Terms not kept because the cap was reached.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>The cached entry of a term, or null when the term was never looked up in this segment.</summary>
    public InMemoryTermPostings? Peek(string field, string term) =>
        _fields.TryGetValue(field, out var terms) && terms.TryGetValue(term, out var postings) ? postings : null;

    /// <summary>Records that <paramref name="term"/> is not in the segment.</summary>
    public void SetAbsent(string field, string term) => Terms(field).TryAdd(term, InMemoryTermPostings.Absent);

    /// <summary>
    /// The term's postings read into memory (<paramref name="termsEnum"/> positioned on it), or
    /// <see cref="InMemoryTermPostings.NotKept"/> when they would take the segment above <paramref name="maxBytes"/>
    /// or cannot be kept.
    /// </summary>
    public InMemoryTermPostings Load(string field, string term, TermsEnum termsEnum, bool payloads, long? maxBytes)
    {
        DocsEnum? reuse = null;
        return Load(field, term, termsEnum, payloads, maxBytes, ref reuse);
    }

    /// <summary>As the other overload, reusing <paramref name="reuse"/> to read the postings (see <see cref="InMemoryTermPostings.Read"/>).</summary>
    public InMemoryTermPostings Load(string field, string term, TermsEnum termsEnum, bool payloads, long? maxBytes, ref DocsEnum? reuse)
    {
        var terms = Terms(field);
        if (terms.TryGetValue(term, out var existing))
        {
            return existing;
        }
        int blocks = InMemoryTermPostings.Blocks(_maxDoc);
        // Reserved at the wider size (known after reading), so that concurrent loads cannot overshoot the cap.
        long reserved = InMemoryTermPostings.MaxBytesOf(termsEnum.DocFreq, blocks);
        Interlocked.Add(ref _inFlight, reserved);
        long held = Interlocked.Add(ref _bytes, reserved);
        if (maxBytes is { } cap && held > cap)
        {
            Interlocked.Add(ref _bytes, -reserved);
            long othersInFlight = Interlocked.Add(ref _inFlight, -reserved);
            if (othersInFlight > 0)
            {
                // Other loads hold reservations (at their wider size, or for this very term): they may give bytes
                // back, so this refusal is not remembered and a later query tries again.
                return InMemoryTermPostings.NotKept;
            }
            Interlocked.Increment(ref _refused);
            return terms.GetOrAdd(term, InMemoryTermPostings.NotKept);
        }
        InMemoryTermPostings? read;
        try
        {
            read = InMemoryTermPostings.Read(termsEnum, payloads, _maxDoc, ref reuse);
        }
        catch
        {
            Interlocked.Add(ref _bytes, -reserved);
            Interlocked.Add(ref _inFlight, -reserved);
            throw;
        }
        Interlocked.Add(ref _bytes, (read?.Bytes ?? 0) - reserved);
        Interlocked.Add(ref _inFlight, -reserved);
        var entry = read ?? InMemoryTermPostings.NotKept;
        var kept = terms.GetOrAdd(term, entry);
        if (!ReferenceEquals(kept, entry) && read is not null)
        {
            // A concurrent caller's copy was kept.
            Interlocked.Add(ref _bytes, -read.Bytes);
        }
        return kept;
    }

    /// <summary>Adds this segment's kept terms, postings and bytes to the totals.</summary>
    public void Measure(ref long terms, ref long postings, ref long bytes)
    {
        foreach (var field in _fields.Values)
        {
            foreach (var entry in field.Values)
            {
                if (entry.Count > 0)
                {
                    terms++;
                    postings += entry.Count;
                    bytes += entry.Bytes;
                }
            }
        }
    }

    private ConcurrentDictionary<string, InMemoryTermPostings> Terms(string field) =>
        _fields.TryGetValue(field, out var terms) ? terms : _fields.GetOrAdd(field, _ => new ConcurrentDictionary<string, InMemoryTermPostings>(StringComparer.Ordinal));
}
