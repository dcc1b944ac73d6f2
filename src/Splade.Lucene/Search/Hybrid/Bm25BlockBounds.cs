using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Splade.Lucene.Search;

/// <summary>
/// What bounds a text term's BM25 (or TF-IDF) score in each sub-block of <see cref="SegmentImpactBounds.SubBlockSize"/>
/// documents of a segment: the largest term frequency there, and a document with the largest norm byte (the
/// shortest field; both similarities score higher for a larger norm byte at a fixed frequency). Computed on first
/// use by one scan of the term's postings (deleted documents included, so the bounds stay bounds after deletes)
/// and cached per segment core, like <see cref="SegmentImpactBounds"/>; the query's own similarity turns them into
/// score bounds, so they do not depend on the query's boosts or the collection statistics.
/// </summary>
internal sealed class Bm25BlockBounds
{
    private static readonly ConditionalWeakTable<object, ConcurrentDictionary<(string Field, string Term), Bm25BlockBounds>> Cache = new();

    private Bm25BlockBounds(int[] maxFreq, int[] bestDoc)
    {
        MaxFreq = maxFreq;
        BestDoc = bestDoc;
    }

    /// <summary>Per sub-block, the largest term frequency; 0 when the term has no posting in the block.</summary>
    public int[] MaxFreq { get; }

    /// <summary>Per sub-block, a document holding the term whose norm byte (unsigned) is the largest there; -1 when absent.</summary>
    public int[] BestDoc { get; }

    /// <summary>The bounds of <paramref name="term"/> (on which <paramref name="termsEnum"/> is positioned) in this segment.</summary>
    public static Bm25BlockBounds Get(AtomicReader reader, string field, string term, TermsEnum termsEnum)
    {
        var perSegment = Cache.GetValue(reader.CoreCacheKey, _ => new());
        if (perSegment.TryGetValue((field, term), out var bounds))
        {
            return bounds;
        }
        bounds = Compute(reader, field, termsEnum);
        return perSegment.GetOrAdd((field, term), bounds);
    }

    private static Bm25BlockBounds Compute(AtomicReader reader, string field, TermsEnum termsEnum)
    {
        int blocks = Math.Max(1, (reader.MaxDoc + SegmentImpactBounds.SubBlockSize - 1) >> SegmentImpactBounds.SubBlockShift);
        var maxFreq = new int[blocks];
        var bestDoc = new int[blocks];
        var bestNorm = new int[blocks];
        Array.Fill(bestDoc, -1);
        var norms = reader.GetNormValues(field);
        var docs = termsEnum.Docs(null, null, DocsFlags.FREQS);
        int doc;
        while ((doc = docs.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
        {
            int block = doc >> SegmentImpactBounds.SubBlockShift;
            int freq = docs.Freq;
            if (freq > maxFreq[block])
            {
                maxFreq[block] = freq;
            }
            int norm = norms is null ? 0 : (int)(norms.Get(doc) & 0xFF);
            if (bestDoc[block] < 0 || norm > bestNorm[block])
            {
                bestDoc[block] = doc;
                bestNorm[block] = norm;
            }
        }
        return new Bm25BlockBounds(maxFreq, bestDoc);
    }
}
