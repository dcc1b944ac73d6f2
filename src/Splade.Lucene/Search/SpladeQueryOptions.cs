namespace Splade.Lucene.Search;

/// <summary>How a <see cref="SpladeQuery"/> turns its query vector into weighted terms.</summary>
public sealed class SpladeQueryOptions
{
    /// <summary>
    /// Keeps the <c>TopK</c> heaviest query terms (ties: smaller vocabulary id, or smaller term string
    /// for term-weight queries); null (the default) keeps all. Applied after <see cref="MinWeight"/>.
    /// </summary>
    public int? TopK { get; set; }

    /// <summary>Drops query terms whose weight is below this value. Default 0, which drops only negative weights.</summary>
    public float MinWeight { get; set; }

    /// <summary>
    /// Null (the default): query weights are the float SPLADE weights, so a score is
    /// <c>sum(weight x impact)</c>, about <c>scale x</c> the model's dot product. A value <c>s</c>
    /// replaces each weight by <c>round(weight x s)</c> (terms rounding to 0 are dropped), making every
    /// score an exact integer as long as it stays below 2^24; Anserini's query encoding is <c>s = 256/5 = 51.2</c>.
    /// </summary>
    public float? WeightScale { get; set; }

    /// <summary>
    /// Turns off dynamic pruning in <see cref="SpladeSearcher.Search"/>: every matching document is
    /// scored, term at a time from Lucene's postings in the index (never from <see cref="InMemoryPostings"/>), and
    /// collected, as <c>searcher.Search(query, k)</c> does. Results are the same either way (pruning is exact); this
    /// is the reference the other paths are tested against, for measuring what they save and as a safety switch.
    /// Default false. Does not take part in query equality.
    /// </summary>
    public bool Exhaustive { get; set; }

    /// <summary>
    /// Lets <see cref="SpladeSearcher.Search"/> keep, for each common query term (1,024 or more postings in a
    /// segment), the postings above the term's 15th-percentile impact in memory (4 bytes each, cached per
    /// segment with the impact bounds), so that common terms need not be decoded. Default true: measured about
    /// 3x faster than a BooleanQuery at 1M documents instead of about 2x, at a cost of about 3.4 bytes per
    /// posting of every common term ever queried (more than those terms take in the index). False keeps only
    /// the bounds (about one byte per term per 128 documents). Results are the same either way; does not take
    /// part in query equality.
    /// </summary>
    public bool ImpactTiers { get; set; } = true;

    /// <summary>
    /// Caps the memory that the high-impact tiers (<see cref="ImpactTiers"/>) of one segment may hold, in bytes; null
    /// (the default) sets no cap. The tiers are cached per segment and shared by every query of the index, so an index
    /// of n segments holds at most n times this value in tiers (plus the bounds, about 4 bytes per term per 2,048
    /// documents and one per 128, which are always kept). When a term's tier would take the segment above the cap,
    /// the term gets no tier, and keeps none for as long as the segment stays open, whatever the cap of later
    /// queries: it is then evaluated from its postings and bounds, like a term with <see cref="ImpactTiers"/> off.
    /// Results are the same with any cap (0 builds no tier at all); only speed changes. The current cost is read
    /// with <see cref="SpladeCacheMemory.Measure"/>. Must be null or at least 0. Does not take part in query equality.
    /// </summary>
    public long? MaxTierBytesPerSegment { get; set; }

    /// <summary>
    /// Lets <see cref="SpladeSearcher.Search"/> copy the postings of the query terms into memory, per segment, on a
    /// term's first use (3 bytes per posting whose impact fits a byte, 4 for the others: a 16-bit document offset and
    /// the impact; cached with the segment and shared by every query), and evaluate a segment term at a time from those
    /// arrays when at least half of the query's postings there are in memory, offering to the top k only the
    /// documents that reach its current k-th best score. Measured several times faster per posting than reading
    /// Lucene's postings (docs/PERFORMANCE.md, branch fast). Default true. Results are the same either way; the memory
    /// is capped by <see cref="MaxInMemoryPostingsBytesPerSegment"/> and reported by <see cref="SpladeCacheMemory"/>.
    /// Does not take part in query equality.
    /// </summary>
    public bool InMemoryPostings { get; set; } = true;

    /// <summary>The default of <see cref="MaxInMemoryPostingsBytesPerSegment"/>: 256 MiB.</summary>
    public const long DefaultMaxInMemoryPostingsBytesPerSegment = 256L << 20;

    /// <summary>
    /// Caps the memory that the in-memory postings (<see cref="InMemoryPostings"/>) of one segment may hold, in bytes;
    /// default <see cref="DefaultMaxInMemoryPostingsBytesPerSegment"/> (256 MiB, 67-89 million postings), null for
    /// no cap. An index of n segments holds at most n times this value. A term whose postings would take its segment
    /// above the cap is not copied, and stays uncopied while the segment is open (it is read from the index; a segment
    /// with less than half of a query's postings in memory is evaluated as without in-memory postings). Results are
    /// the same with any cap (0 copies nothing). Must be null or at least 0. Does not take part in query equality.
    /// </summary>
    public long? MaxInMemoryPostingsBytesPerSegment { get; set; } = DefaultMaxInMemoryPostingsBytesPerSegment;

    /// <summary>
    /// Null (the default): <see cref="SpladeSearcher.Search"/> breaks score ties by Lucene's document number, as
    /// <c>IndexSearcher.Search</c> does, so which tied documents make the top k depends on the segment layout
    /// (indexing order, merges, a resumed or rebuilt index). A field name: ties are broken by that field's value
    /// instead, smaller first (unsigned byte order of its UTF-8 value, which is ordinal order for ASCII ids),
    /// in the top-k selection itself, pruned or exhaustive, so the same corpus gives the same top k whatever
    /// its layout. The field must hold one unique external id per document as sorted or binary doc values
    /// (e.g. <c>SortedDocValuesField</c>); a document without a value sorts as the empty id. Does not take
    /// part in query equality.
    /// </summary>
    public string? TieBreakField { get; set; }

    /// <summary>
    /// Internal (tests and benchmarks): how <see cref="SpladeSearcher.Search"/> evaluates the segments of a pruned
    /// search. <see cref="SpladeEvaluation.Auto"/> (the default) chooses per segment; the others force one path, so
    /// that tests exercise the pruning scorer at every k whatever the chooser would pick for their small corpora.
    /// </summary>
    internal SpladeEvaluation Evaluation { get; set; }

    /// <summary>Checks every property.</summary>
    /// <exception cref="ArgumentException">A property is out of range; the message names it.</exception>
    public void Validate()
    {
        if (TopK is <= 0)
        {
            throw new ArgumentException($"{nameof(TopK)} must be positive or null, not {TopK}.", nameof(TopK));
        }
        if (float.IsNaN(MinWeight) || float.IsPositiveInfinity(MinWeight))
        {
            throw new ArgumentException($"{nameof(MinWeight)} must be a number below infinity, not {MinWeight}.", nameof(MinWeight));
        }
        if (TieBreakField is { Length: 0 })
        {
            throw new ArgumentException($"{nameof(TieBreakField)} must be a field name or null, not empty.", nameof(TieBreakField));
        }
        if (MaxTierBytesPerSegment is < 0)
        {
            throw new ArgumentException($"{nameof(MaxTierBytesPerSegment)} must be null or at least 0, not {MaxTierBytesPerSegment}.", nameof(MaxTierBytesPerSegment));
        }
        if (MaxInMemoryPostingsBytesPerSegment is < 0)
        {
            throw new ArgumentException($"{nameof(MaxInMemoryPostingsBytesPerSegment)} must be null or at least 0, not {MaxInMemoryPostingsBytesPerSegment}.", nameof(MaxInMemoryPostingsBytesPerSegment));
        }
        if (WeightScale is { } s && (!float.IsFinite(s) || s <= 0))
        {
            throw new ArgumentException($"{nameof(WeightScale)} must be a finite positive number or null, not {s}.", nameof(WeightScale));
        }
    }

    /// <summary>A copy.</summary>
    public SpladeQueryOptions Clone() => (SpladeQueryOptions)MemberwiseClone();
}
