using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Splade.Lucene.Search;

/// <summary>
/// What bounds a text term's BM25 (or TF-IDF) score in each sub-block of <see cref="SegmentImpactBounds.SubBlockSize"/>
/// documents of a segment. Both similarities score higher for a larger frequency at a fixed norm byte and for a larger
/// (unsigned) norm byte, a shorter field, at a fixed frequency, so the best score in a sub-block is reached at one of
/// its Pareto-optimal (frequency, norm byte) postings: those that no other posting there beats in both. Up to
/// <see cref="MaxFrontier"/> of them are kept per sub-block (a document and its frequency each); a sub-block with more
/// keeps the one point (largest frequency, a document with the largest norm byte), which dominates them all but may
/// be no real posting. Computed on first use by one scan of the term's postings (deleted documents included, so the
/// bounds stay bounds after deletes) and cached per segment core, like <see cref="SegmentImpactBounds"/>; the query's
/// own similarity turns them into score bounds, so they depend neither on the query's boosts nor on the collection
/// statistics.
/// </summary>
internal sealed class Bm25BlockBounds
{
    /// <summary>The most frontier points kept per sub-block (measured: most sub-blocks need 1 to 3).</summary>
    public const int MaxFrontier = 4;

    private static readonly ConditionalWeakTable<object, ConcurrentDictionary<(string Field, string Term), Bm25BlockBounds>> Cache = new();

    private Bm25BlockBounds(int[] maxFreq, int[] start, int[] docs, int[] freqs)
    {
        MaxFreq = maxFreq;
        Start = start;
        Docs = docs;
        Freqs = freqs;
    }

    /// <summary>Per sub-block, the largest term frequency; 0 when the term has no posting in the block.</summary>
    public int[] MaxFreq { get; }

    /// <summary>Per sub-block, the index of its first point in <see cref="Docs"/> and <see cref="Freqs"/> (one extra entry at the end).</summary>
    public int[] Start { get; }

    /// <summary>The points' documents (whose norm byte the similarity reads).</summary>
    public int[] Docs { get; }

    /// <summary>The points' frequencies.</summary>
    public int[] Freqs { get; }

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

    internal static Bm25BlockBounds Compute(AtomicReader reader, string field, TermsEnum termsEnum)
    {
        int blocks = Math.Max(1, (reader.MaxDoc + SegmentImpactBounds.SubBlockSize - 1) >> SegmentImpactBounds.SubBlockShift);
        var maxFreq = new int[blocks];
        var start = new int[blocks + 1];
        var docs = new List<int>();
        var freqs = new List<int>();
        var norms = reader.GetNormValues(field);
        var postings = termsEnum.Docs(null, null, DocsFlags.FREQS);
        // The current sub-block's postings.
        var bufDoc = new int[SegmentImpactBounds.SubBlockSize];
        var bufFreq = new int[SegmentImpactBounds.SubBlockSize];
        var bufNorm = new int[SegmentImpactBounds.SubBlockSize];
        var order = new int[SegmentImpactBounds.SubBlockSize];
        var keys = new long[SegmentImpactBounds.SubBlockSize];
        int count = 0;
        int current = 0;
        int doc;
        while (true)
        {
            doc = postings.NextDoc();
            int block = doc == DocIdSetIterator.NO_MORE_DOCS ? blocks : doc >> SegmentImpactBounds.SubBlockShift;
            if (block != current)
            {
                Frontier(bufDoc, bufFreq, bufNorm, order, keys, count, docs, freqs);
                count = 0;
                for (int b = current + 1; b <= block; b++)
                {
                    start[b] = docs.Count;
                }
                current = block;
            }
            if (doc == DocIdSetIterator.NO_MORE_DOCS)
            {
                break;
            }
            int freq = postings.Freq;
            maxFreq[block] = Math.Max(maxFreq[block], freq);
            bufDoc[count] = doc;
            bufFreq[count] = freq;
            bufNorm[count++] = norms is null ? 0 : (int)(norms.Get(doc) & 0xFF);
        }
        return new Bm25BlockBounds(maxFreq, start, docs.ToArray(), freqs.ToArray());
    }

    // Appends the Pareto-optimal (frequency, norm) points of one sub-block's postings, or the one dominating point.
    private static void Frontier(int[] bufDoc, int[] bufFreq, int[] bufNorm, int[] order, long[] keys, int count, List<int> docs, List<int> freqs)
    {
        if (count == 0)
        {
            return;
        }
        // By frequency descending, then norm descending (one long key each): a point is on the frontier when its
        // norm beats every norm before it.
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
            keys[i] = -(((long)bufFreq[i] << 8) | (uint)bufNorm[i]);
        }
        Array.Sort(keys, order, 0, count);
        int first = docs.Count;
        int bestNorm = -1;
        int bestNormDoc = -1;
        for (int j = 0; j < count; j++)
        {
            int i = order[j];
            if (bufNorm[i] > bestNorm)
            {
                bestNorm = bufNorm[i];
                bestNormDoc = bufDoc[i];
                docs.Add(bufDoc[i]);
                freqs.Add(bufFreq[i]);
            }
        }
        if (docs.Count - first > MaxFrontier)
        {
            docs.RemoveRange(first, docs.Count - first);
            freqs.RemoveRange(first, freqs.Count - first);
            docs.Add(bestNormDoc);
            freqs.Add(bufFreq[order[0]]);
        }
    }
}
