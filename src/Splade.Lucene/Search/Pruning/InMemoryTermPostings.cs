using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Splade.Lucene.Search;

/// <summary>
/// One term's postings in one segment, copied into flat arrays so that term-at-a-time scoring reads them at array
/// speed instead of through Lucene's <c>DocsEnum</c> (block decoding and virtual calls per posting, measured about
/// 2x Java Lucene's per-posting cost in Lucene.NET 4.8). Documents are kept as 16-bit offsets inside blocks of
/// 65,536 documents (with one start index per block when the segment is larger than one block), in two lists: the
/// postings whose impact fits a byte (3 bytes each) and the others (4 bytes each). A document appears in one list
/// only, so adding the two lists one after the other gives each document the same single contribution, in the same
/// query term order, as reading the postings in document order. Deleted documents are kept (the postings of a
/// segment core never change; the scorer checks the live documents of its reader). Only terms whose impacts are all
/// in 1..65,535 are kept, so that with positive query weights a document's score is positive exactly when it
/// matches a term.
/// </summary>
internal sealed class InMemoryTermPostings
{
    /// <summary>Documents per block of offsets.</summary>
    public const int BlockShift = 16;

    /// <summary>Marks a term that is not in the segment.</summary>
    public static readonly InMemoryTermPostings Absent = new([], [], null, [], [], null);

    /// <summary>Marks a term that is in the segment but not kept in memory (cap reached, or impacts out of range).</summary>
    public static readonly InMemoryTermPostings NotKept = new([], [], null, [], [], null);

    private InMemoryTermPostings(ushort[] docs, byte[] impacts8, int[]? blockStart, ushort[] wideDocs, ushort[] impacts16, int[]? wideBlockStart)
    {
        Docs = docs;
        Impacts8 = impacts8;
        BlockStart = blockStart;
        WideDocs = wideDocs;
        Impacts16 = impacts16;
        WideBlockStart = wideBlockStart;
    }

    /// <summary>Number of postings (both lists).</summary>
    public int Count => Docs.Length + WideDocs.Length;

    /// <summary>Document offsets (inside their block of 65,536 documents, ascending per block) of the postings with an impact up to 255.</summary>
    public ushort[] Docs { get; }

    /// <summary>Their impacts.</summary>
    public byte[] Impacts8 { get; }

    /// <summary>Null when the segment has at most 65,536 documents; otherwise per block the index of its first entry in <see cref="Docs"/>, plus one entry.</summary>
    public int[]? BlockStart { get; }

    /// <summary>Document offsets of the postings with an impact above 255.</summary>
    public ushort[] WideDocs { get; }

    /// <summary>Their impacts.</summary>
    public ushort[] Impacts16 { get; }

    /// <summary>As <see cref="BlockStart"/>, for <see cref="WideDocs"/>.</summary>
    public int[]? WideBlockStart { get; }

    /// <summary>Bytes of the arrays (not counting object headers).</summary>
    public long Bytes => (3L * Docs.Length) + (4L * WideDocs.Length) + (4L * ((BlockStart?.Length ?? 0) + (WideBlockStart?.Length ?? 0)));

    /// <summary>Most bytes a term of <paramref name="count"/> postings can take (all impacts above 255).</summary>
    public static long MaxBytesOf(int count, int blocks) => (4L * count) + (blocks > 1 ? 8L * (blocks + 1) : 0);

    /// <summary>Blocks of 65,536 documents in a segment of <paramref name="maxDoc"/> documents.</summary>
    public static int Blocks(int maxDoc) => Math.Max(1, (int)(((long)maxDoc + (1 << BlockShift) - 1) >> BlockShift));

    /// <summary>
    /// Reads every posting of the term <paramref name="termsEnum"/> is positioned on (live or deleted); null when an
    /// impact is outside 1..65,535 or the postings do not match the term's document frequency.
    /// </summary>
    /// <param name="termsEnum">Positioned on the term.</param>
    /// <param name="payloads">True when the field stores impacts in payloads.</param>
    /// <param name="maxDoc">The segment's MaxDoc.</param>
    /// <param name="reuse">
    /// A postings enumerator to reuse (Lucene checks that it can: same segment and field), replaced by the one used;
    /// copying a whole field term by term otherwise allocates an enumerator and its buffers per term.
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static InMemoryTermPostings? Read(TermsEnum termsEnum, bool payloads, int maxDoc, ref DocsEnum? reuse)
    {
        int docFreq = termsEnum.DocFreq;
        DocsEnum? docsEnum = payloads
            ? termsEnum.DocsAndPositions(null, reuse as DocsAndPositionsEnum, DocsAndPositionsFlags.PAYLOADS)
            : termsEnum.Docs(null, reuse, DocsFlags.FREQS);
        reuse = docsEnum;
        if (docsEnum is null)
        {
            return null;
        }
        var postings = new ImpactPostings(docsEnum, string.Empty, 1f);
        var docs = new int[docFreq];
        var impacts = new ushort[docFreq];
        int n = 0;
        int wide = 0;
        int doc;
        while ((doc = postings.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
        {
            int impact = postings.Impact();
            if (n == docFreq || impact is < 1 or > ushort.MaxValue || (uint)doc >= (uint)maxDoc)
            {
                return null;
            }
            docs[n] = doc;
            impacts[n++] = (ushort)impact;
            wide += impact > byte.MaxValue ? 1 : 0;
        }
        if (n != docFreq)
        {
            return null;
        }
        int blocks = Blocks(maxDoc);
        var narrowDocs = new ushort[n - wide];
        var narrowImpacts = new byte[n - wide];
        var wideDocs = new ushort[wide];
        var wideImpacts = new ushort[wide];
        int[]? narrowStart = blocks > 1 ? new int[blocks + 1] : null;
        int[]? wideStart = blocks > 1 && wide > 0 ? new int[blocks + 1] : null;
        int a = 0, b = 0, nextNarrow = 0, nextWide = 0;
        for (int i = 0; i < n; i++)
        {
            int block = docs[i] >> BlockShift;
            if (impacts[i] > byte.MaxValue)
            {
                while (wideStart is not null && nextWide <= block)
                {
                    wideStart[nextWide++] = b;
                }
                wideDocs[b] = (ushort)docs[i];
                wideImpacts[b++] = impacts[i];
            }
            else
            {
                while (narrowStart is not null && nextNarrow <= block)
                {
                    narrowStart[nextNarrow++] = a;
                }
                narrowDocs[a] = (ushort)docs[i];
                narrowImpacts[a++] = (byte)impacts[i];
            }
        }
        while (narrowStart is not null && nextNarrow <= blocks)
        {
            narrowStart[nextNarrow++] = a;
        }
        while (wideStart is not null && nextWide <= blocks)
        {
            wideStart[nextWide++] = b;
        }
        return new InMemoryTermPostings(narrowDocs, narrowImpacts, narrowStart, wideDocs, wideImpacts, wideStart);
    }

    /// <summary>
    /// Adds <c>weight x impact</c> of every posting to <paramref name="scores"/> (at least the segment's MaxDoc long),
    /// in float, as <see cref="ImpactPostings.Contribution"/> computes it.
    /// </summary>
    public void AccumulateInto(float[] scores, float weight)
    {
        AccumulateList(scores, Docs, Impacts8, BlockStart, weight);
        if (WideDocs.Length != 0)
        {
            AccumulateList(scores, WideDocs, Impacts16, WideBlockStart, weight);
        }
    }

    // One of the two lists, in one piece or block by block when the segment has more than one block. Generic over the
    // impact width (byte or ushort, value types: the JIT compiles one copy of this and of Accumulate per width, the
    // conversion to float inlined) so that both lists run the same loop.
    private static void AccumulateList<TImpact>(float[] scores, ushort[] docs, TImpact[] impacts, int[]? blockStart, float weight)
        where TImpact : unmanaged, IBinaryInteger<TImpact>
    {
        if (blockStart is null)
        {
            Accumulate(scores, 0, docs, impacts, 0, docs.Length, weight);
            return;
        }
        for (int b = 0; b + 1 < blockStart.Length; b++)
        {
            Accumulate(scores, b << BlockShift, docs, impacts, blockStart[b], blockStart[b + 1], weight);
        }
    }

    // Offsets were checked against MaxDoc when read and the array holds at least MaxDoc entries, so the bounds
    // checks of the scattered writes can be left out. float.CreateTruncating of a byte or ushort is the plain
    // conversion, the same float as (float)impact in ImpactPostings.Contribution.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate<TImpact>(float[] scores, int docBase, ushort[] docs, TImpact[] impacts, int from, int to, float weight)
        where TImpact : unmanaged, IBinaryInteger<TImpact>
    {
        if (to <= from)
        {
            return;
        }
        ref float s = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(scores), docBase);
        ref ushort d = ref MemoryMarshal.GetArrayDataReference(docs);
        ref TImpact impact = ref MemoryMarshal.GetArrayDataReference(impacts);
        for (int j = from; j < to; j++)
        {
            Unsafe.Add(ref s, Unsafe.Add(ref d, j)) += weight * float.CreateTruncating(Unsafe.Add(ref impact, j));
        }
    }
}
