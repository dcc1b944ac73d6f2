using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Splade.Lucene.Search;

/// <summary>
/// One term's postings in one segment, copied into flat arrays so that term-at-a-time scoring reads them at array
/// speed instead of through Lucene's <c>DocsEnum</c> (block decoding and virtual calls per posting, measured about
/// 2x Java Lucene's per-posting cost in Lucene.NET 4.8). Documents are kept as 16-bit offsets inside blocks of
/// 65,536 documents (with one start index per block when the segment is larger than one block) and impacts as one
/// byte when the term's largest impact is at most 255, else two: 3 or 4 bytes per posting. Deleted documents are
/// kept (the postings of a segment core never change; the scorer checks the live documents of its reader).
/// Only terms whose impacts are all in 1..65,535 are kept, so that with positive query weights a document's
/// score is positive exactly when it matches a term.
/// </summary>
internal sealed class InMemoryTermPostings
{
    /// <summary>Documents per block of <see cref="Docs"/> offsets.</summary>
    public const int BlockShift = 16;

    /// <summary>Marks a term that is not in the segment.</summary>
    public static readonly InMemoryTermPostings Absent = new(0, [], null, [], null);

    /// <summary>Marks a term that is in the segment but not kept in memory (cap reached, or impacts out of range).</summary>
    public static readonly InMemoryTermPostings NotKept = new(0, [], null, [], null);

    private InMemoryTermPostings(int count, ushort[] docs, int[]? blockStart, byte[]? impacts8, ushort[]? impacts16)
    {
        Count = count;
        Docs = docs;
        BlockStart = blockStart;
        Impacts8 = impacts8;
        Impacts16 = impacts16;
    }

    /// <summary>Number of postings.</summary>
    public int Count { get; }

    /// <summary>Document offsets inside their block of 65,536 documents, ascending per block.</summary>
    public ushort[] Docs { get; }

    /// <summary>Null when the segment has at most 65,536 documents; otherwise per block the index of its first posting, plus one entry.</summary>
    public int[]? BlockStart { get; }

    /// <summary>The impacts when all fit in a byte, else null.</summary>
    public byte[]? Impacts8 { get; }

    /// <summary>The impacts when one is above 255, else null.</summary>
    public ushort[]? Impacts16 { get; }

    /// <summary>Bytes of the arrays (not counting object headers).</summary>
    public long Bytes => BytesOf(Count, Impacts16 is not null, BlockStart?.Length ?? 0);

    /// <summary>Bytes of a term of <paramref name="count"/> postings.</summary>
    public static long BytesOf(int count, bool wideImpacts, int blockStarts) => ((wideImpacts ? 4L : 3L) * count) + (4L * blockStarts);

    /// <summary>Blocks of 65,536 documents in a segment of <paramref name="maxDoc"/> documents.</summary>
    public static int Blocks(int maxDoc) => Math.Max(1, (int)(((long)maxDoc + (1 << BlockShift) - 1) >> BlockShift));

    /// <summary>
    /// Reads every posting of the term <paramref name="termsEnum"/> is positioned on (live or deleted); null when an
    /// impact is outside 1..65,535 or the postings do not match the term's document frequency.
    /// </summary>
    public static InMemoryTermPostings? Read(TermsEnum termsEnum, bool payloads, int maxDoc)
    {
        int docFreq = termsEnum.DocFreq;
        DocsEnum? docsEnum = payloads
            ? termsEnum.DocsAndPositions(null, null, DocsAndPositionsFlags.PAYLOADS)
            : termsEnum.Docs(null, null, DocsFlags.FREQS);
        if (docsEnum is null)
        {
            return null;
        }
        var postings = new ImpactPostings(docsEnum, string.Empty, 1f);
        var docs = new ushort[docFreq];
        var impacts = new ushort[docFreq];
        int blocks = Blocks(maxDoc);
        int[]? blockStart = blocks > 1 ? new int[blocks + 1] : null;
        int n = 0;
        int nextBlock = 0;
        int max = 0;
        int doc;
        while ((doc = postings.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
        {
            int impact = postings.Impact();
            if (n == docFreq || impact is < 1 or > ushort.MaxValue || (uint)doc >= (uint)maxDoc)
            {
                return null;
            }
            if (blockStart is not null)
            {
                int block = doc >> BlockShift;
                while (nextBlock <= block)
                {
                    blockStart[nextBlock++] = n;
                }
            }
            docs[n] = (ushort)doc;
            impacts[n++] = (ushort)impact;
            max = Math.Max(max, impact);
        }
        if (n != docFreq)
        {
            return null;
        }
        if (blockStart is not null)
        {
            while (nextBlock <= blocks)
            {
                blockStart[nextBlock++] = n;
            }
        }
        if (max > byte.MaxValue)
        {
            return new InMemoryTermPostings(n, docs, blockStart, null, impacts);
        }
        var narrow = new byte[n];
        for (int i = 0; i < n; i++)
        {
            narrow[i] = (byte)impacts[i];
        }
        return new InMemoryTermPostings(n, docs, blockStart, narrow, null);
    }

    /// <summary>
    /// Adds <c>weight x impact</c> of every posting to <paramref name="scores"/> (at least the segment's MaxDoc long),
    /// in float, as <see cref="ImpactPostings.Contribution"/> computes it.
    /// </summary>
    public void AccumulateInto(float[] scores, float weight)
    {
        if (BlockStart is null)
        {
            Accumulate(scores, 0, 0, Count, weight);
            return;
        }
        for (int b = 0; b + 1 < BlockStart.Length; b++)
        {
            Accumulate(scores, b << BlockShift, BlockStart[b], BlockStart[b + 1], weight);
        }
    }

    private void Accumulate(float[] scores, int docBase, int from, int to, float weight)
    {
        // Offsets were checked against MaxDoc when read and the array holds at least MaxDoc entries, so the
        // bounds checks of the scattered writes can be left out.
        if (to <= from)
        {
            return;
        }
        ref float s = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(scores), docBase);
        ref ushort d = ref MemoryMarshal.GetArrayDataReference(Docs);
        if (Impacts8 is { } narrow)
        {
            ref byte i8 = ref MemoryMarshal.GetArrayDataReference(narrow);
            for (int j = from; j < to; j++)
            {
                Unsafe.Add(ref s, Unsafe.Add(ref d, j)) += weight * (float)Unsafe.Add(ref i8, j);
            }
        }
        else
        {
            ref ushort i16 = ref MemoryMarshal.GetArrayDataReference(Impacts16!);
            for (int j = from; j < to; j++)
            {
                Unsafe.Add(ref s, Unsafe.Add(ref d, j)) += weight * (float)Unsafe.Add(ref i16, j);
            }
        }
    }
}
