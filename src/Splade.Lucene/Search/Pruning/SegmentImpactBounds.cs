using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Splade.Lucene.Codecs;

namespace Splade.Lucene.Search;

/// <summary>
/// Upper bounds of the impacts of a segment's terms: for each block of <see cref="BlockSize"/> documents,
/// the largest impact (term frequency or payload) of the term in the block, or -1 when the term has no
/// posting there; and for each sub-block of <see cref="SubBlockSize"/> documents a byte q: 0 when the term
/// has no posting in the sub-block, otherwise <c>ceil(255 x sub-block max / block max)</c> (at least 1), so
/// that <c>block max x q / 255</c> bounds the sub-block's impacts at one byte per 128 documents.
/// Common terms (at least <see cref="TierMinDocFreq"/> postings) also keep their high-impact tier: the
/// postings whose impact is above <c>Tau</c>, the 15th percentile of the term's impacts in the segment, in
/// memory (4 bytes each: a 16-bit offset in the block and a 16-bit impact; about 85% of the term's postings,
/// so about 3.4 bytes per posting of every common term ever queried, while the index itself takes about 2.3),
/// so that the pruning scorer reads those without decoding postings and bounds the rest by the small Tau.
/// SPLADE impacts are skewed (most are small), which is what makes the low part's bound small. Computed on first use of a term from one scan of its postings (deleted documents
/// included: deletions only lower the true maximum, so the bound stays valid), and cached per segment core
/// (<see cref="IndexReader.CoreCacheKey"/>, which segments reopened with new deletions share) in a
/// <see cref="ConditionalWeakTable{TKey, TValue}"/>, so the cache goes away with the segment. Thread-safe.
/// </summary>
internal sealed class SegmentImpactBounds
{
    public const int BlockShift = 11;
    public const int BlockSize = 1 << BlockShift;
    public const int SubBlockShift = 7;
    public const int SubBlockSize = 1 << SubBlockShift;

    /// <summary>Terms with at least this many postings in the segment get a high-impact tier.</summary>
    public const int TierMinDocFreq = 1024;

    // Measured at 1M synthetic documents: a tier above the median left many borderline documents to check
    // against the low part's postings (2.0x faster than BooleanQuery); above the 30th percentile, 2.5x.
    internal const double TierLowFraction = 0.15;

    private static readonly ConditionalWeakTable<object, SegmentImpactBounds> Cache = new();

    private readonly int _blocks;
    private readonly int _subBlocks;
    // Per field, then per term: string keys hash with the runtime's fast ordinal comparer (a tuple key did not).
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, TermImpactBounds>> _fields = new(StringComparer.Ordinal);
    // Bytes of the tiers held (reserved before a tier's arrays are allocated, released when a racing duplicate is
    // dropped), and the number of terms left without a tier because the cap was reached.
    private long _tierBytes;
    private long _tiersRefused;

    private SegmentImpactBounds(int maxDoc)
    {
        _blocks = Math.Max(1, (maxDoc + BlockSize - 1) >> BlockShift);
        _subBlocks = Math.Max(1, (maxDoc + SubBlockSize - 1) >> SubBlockShift);
    }

    public static SegmentImpactBounds For(AtomicReader reader) =>
        Cache.GetValue(reader.CoreCacheKey, _ => new SegmentImpactBounds(reader.MaxDoc));

    /// <summary>The segment's cache when a search has created it, else null (nothing is created).</summary>
    public static SegmentImpactBounds? Find(AtomicReader reader) =>
        Cache.TryGetValue(reader.CoreCacheKey, out var bounds) ? bounds : null;

    /// <summary>Bytes held by the high-impact tiers of this segment (see <see cref="TermImpactBounds.TierBytes"/>).</summary>
    public long TierBytes => Interlocked.Read(ref _tierBytes);

    /// <summary>Terms of this segment left without a tier because the tier memory cap was reached.</summary>
    public long TiersRefused => Interlocked.Read(ref _tiersRefused);

    /// <summary>The cached bounds of a term, or null; computes nothing.</summary>
    public TermImpactBounds? Peek(string field, string term) =>
        _fields.TryGetValue(field, out var terms) && terms.TryGetValue(term, out var bounds) ? bounds : null;

    /// <summary>Adds this segment's cached terms, bounds bytes and tiers to the given totals.</summary>
    public void Measure(ref long terms, ref long boundsBytes, ref long tierTerms, ref long tierBytes)
    {
        foreach (var field in _fields.Values)
        {
            foreach (var bounds in field.Values)
            {
                terms++;
                boundsBytes += bounds.BoundsBytes;
                if (bounds.TierBytes > 0)
                {
                    tierTerms++;
                    tierBytes += bounds.TierBytes;
                }
            }
        }
    }

    /// <summary>Bounds of the term <paramref name="termsEnum"/> is positioned on (its position is unchanged).</summary>
    /// <param name="field">The field.</param>
    /// <param name="term">The term.</param>
    /// <param name="termsEnum">Positioned on the term.</param>
    /// <param name="payloads">Whether impacts are payloads.</param>
    /// <param name="tier">Whether the caller wants the high-impact tier (computed, once, only when asked for).</param>
    /// <param name="persisted">The field's bounds persisted with the segment (<see cref="SpladeCodec"/>), or null.</param>
    /// <param name="maxTierBytes">
    /// The cap on this segment's tier memory (<see cref="SpladeQueryOptions.MaxTierBytesPerSegment"/>), or null. A tier
    /// that would take the segment's tiers above it is not built, and the term keeps no tier for the life of the cache.
    /// </param>
    public TermImpactBounds Get(string field, string term, TermsEnum termsEnum, bool payloads, bool tier, PersistedFieldBounds? persisted = null, long? maxTierBytes = null)
    {
        if (!_fields.TryGetValue(field, out var terms))
        {
            terms = _fields.GetOrAdd(field, _ => new ConcurrentDictionary<string, TermImpactBounds>());
        }
        bool found = terms.TryGetValue(term, out var bounds);
        if (found && (bounds!.TierComputed || !tier))
        {
            return bounds;
        }
        bool wantTier = tier && termsEnum.DocFreq >= TierMinDocFreq;
        if (found && !wantTier)
        {
            return bounds!;
        }
        // Computed with this caller's own enum; a concurrent caller may compute the same bounds, which is harmless.
        // With persisted bounds, a term's first query runs without its tier (reading the bounds costs little,
        // building the tier costs a scan of the postings), so that the first queries after opening an index
        // are not slowed by tier building; the tier is built when the term is queried again.
        // The cap already reached: the tier is refused without scanning the postings.
        bool refuse = wantTier && maxTierBytes is { } cap && TierBytes >= cap;
        if (refuse && (found || persisted is null || !persisted.Contains(term)))
        {
            // Remember the refusal, so that later queries neither scan the postings nor retry.
            Interlocked.Increment(ref _tiersRefused);
            var without = found ? bounds!.WithoutTier() : Compute(termsEnum, payloads, wantTier: false).WithoutTier();
            return terms.AddOrUpdate(term, without, (_, old) => old.TierComputed ? old : without);
        }
        var computed = (persisted is not null ? FromPersisted(persisted, term, termsEnum, payloads, wantTier && found, maxTierBytes) : null)
            ?? Compute(termsEnum, payloads, wantTier, maxTierBytes);
        // A tier built wins over an entry without one (a concurrent caller may have been refused because of this
        // caller's reservation for the same term); otherwise the first entry with its tier decided stays.
        var kept = terms.AddOrUpdate(term, computed, (_, old) =>
            old.TierBytes > 0 || !computed.TierComputed || (old.TierComputed && computed.TierBytes == 0) ? old : computed);
        if (!ReferenceEquals(kept, computed) && computed.TierBytes > 0)
        {
            // A concurrent caller's tier was kept: this one's reservation is given back.
            Interlocked.Add(ref _tierBytes, -computed.TierBytes);
        }
        return kept;
    }

    internal TermImpactBounds Compute(TermsEnum termsEnum, bool payloads, bool wantTier, long? maxTierBytes = null)
    {
        var maxima = new int[_blocks];
        Array.Fill(maxima, -1);
        var subMaxima = new int[_subBlocks];
        Array.Fill(subMaxima, -1);
        DocsEnum? docs = payloads
            ? termsEnum.DocsAndPositions(null, null, DocsAndPositionsFlags.PAYLOADS)
            : termsEnum.Docs(null, null, DocsFlags.FREQS);
        if (docs is null)
        {
            return new TermImpactBounds(maxima, new byte[_subBlocks], tierComputed: true);
        }
        var postings = new ImpactPostings(docs, string.Empty, 1f);
        bool tier = wantTier;
        var allDocs = tier ? new List<int>(termsEnum.DocFreq) : null;
        var allImpacts = tier ? new List<int>(termsEnum.DocFreq) : null;
        int doc;
        while ((doc = postings.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
        {
            int block = doc >> BlockShift;
            int raw = postings.Impact();
            if (tier)
            {
                allDocs!.Add(doc);
                allImpacts!.Add(raw);
                tier = raw is >= 0 and <= ushort.MaxValue;
            }
            int impact = Math.Max(0, raw);
            if (impact > maxima[block])
            {
                maxima[block] = impact;
            }
            int sub = doc >> SubBlockShift;
            if (impact > subMaxima[sub])
            {
                subMaxima[sub] = impact;
            }
        }
        var quantized = new byte[_subBlocks];
        for (int sub = 0; sub < _subBlocks; sub++)
        {
            if (subMaxima[sub] < 0)
            {
                continue;
            }
            long blockMax = maxima[sub >> (BlockShift - SubBlockShift)];
            quantized[sub] = blockMax == 0 ? (byte)1 : (byte)Math.Max(1, ((255L * subMaxima[sub]) + blockMax - 1) / blockMax);
        }
        return tier ? WithTier(maxima, quantized, allDocs!, allImpacts!, maxTierBytes) : new TermImpactBounds(maxima, quantized, tierComputed: wantTier);
    }

    // The persisted block and sub-block maxima and tier threshold; the tier itself (when wanted) from one scan of
    // the postings, with no sorting. Null when the term was not persisted.
    internal TermImpactBounds? FromPersisted(PersistedFieldBounds persisted, string term, TermsEnum termsEnum, bool payloads, bool wantTier, long? maxTierBytes = null)
    {
        var maxima = new int[_blocks];
        var quantized = new byte[_subBlocks];
        if (!persisted.TryRead(term, maxima, quantized, out int tau, out int docFreq) || docFreq != termsEnum.DocFreq)
        {
            return null;
        }
        if (!wantTier || tau < 0)
        {
            return new TermImpactBounds(maxima, quantized, tierComputed: wantTier);
        }
        DocsEnum? docs = payloads
            ? termsEnum.DocsAndPositions(null, null, DocsAndPositionsFlags.PAYLOADS)
            : termsEnum.Docs(null, null, DocsFlags.FREQS);
        if (docs is null)
        {
            return new TermImpactBounds(maxima, quantized, tierComputed: true);
        }
        var postings = new ImpactPostings(docs, string.Empty, 1f);
        var highDocs = new List<int>(termsEnum.DocFreq);
        var highImpacts = new List<int>(termsEnum.DocFreq);
        int doc;
        while ((doc = postings.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
        {
            int impact = postings.Impact();
            if (impact > tau)
            {
                highDocs.Add(doc);
                highImpacts.Add(impact);
            }
        }
        return BuildTier(maxima, quantized, tau, highDocs, highImpacts, maxTierBytes);
    }

    private TermImpactBounds WithTier(int[] maxima, byte[] quantized, List<int> docs, List<int> impacts, long? maxTierBytes)
    {
        var sorted = impacts.ToArray();
        Array.Sort(sorted);
        int tau = sorted[(int)(sorted.Length * TierLowFraction)];
        return BuildTier(maxima, quantized, tau, docs, impacts, maxTierBytes);
    }

    // The tier of the postings above tau (the others in the lists are skipped), when its memory fits under the cap.
    private TermImpactBounds BuildTier(int[] maxima, byte[] quantized, int tau, List<int> docs, List<int> impacts, long? maxTierBytes)
    {
        int count = 0;
        foreach (int impact in impacts)
        {
            if (impact > tau)
            {
                count++;
            }
        }
        if (count == 0)
        {
            return new TermImpactBounds(maxima, quantized, tierComputed: true);
        }
        long bytes = TermImpactBounds.TierBytesOf(count, _blocks);
        long held = Interlocked.Add(ref _tierBytes, bytes);
        if (maxTierBytes is { } cap && held > cap)
        {
            Interlocked.Add(ref _tierBytes, -bytes);
            Interlocked.Increment(ref _tiersRefused);
            return new TermImpactBounds(maxima, quantized, tierComputed: true);
        }
        var highOffsets = new ushort[count];
        var highImpacts = new ushort[count];
        var blockStart = new int[_blocks + 1];
        int n = 0;
        int nextBlock = 0;
        for (int i = 0; i < docs.Count; i++)
        {
            if (impacts[i] <= tau)
            {
                continue;
            }
            int block = docs[i] >> BlockShift;
            while (nextBlock <= block)
            {
                blockStart[nextBlock++] = n;
            }
            highOffsets[n] = (ushort)(docs[i] - (block << BlockShift));
            highImpacts[n++] = (ushort)impacts[i];
        }
        while (nextBlock <= _blocks)
        {
            blockStart[nextBlock++] = n;
        }
        return new TermImpactBounds(maxima, quantized, tau, highOffsets, highImpacts, blockStart, tierComputed: true);
    }
}
