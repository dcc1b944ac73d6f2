namespace Splade.Lucene.Search;

/// <summary>One term's impact upper bounds in one segment (see <see cref="SegmentImpactBounds"/>).</summary>
internal sealed class TermImpactBounds
{
    public TermImpactBounds(int[] blockMax, byte[] subBlockMax, int tau = -1, ushort[]? highOffsets = null, ushort[]? highImpacts = null, int[]? highBlockStart = null, bool tierComputed = false)
    {
        TierComputed = tierComputed;
        BlockMax = blockMax;
        SubBlockMax = subBlockMax;
        Tau = tau;
        HighOffsets = highOffsets;
        HighImpacts = highImpacts;
        HighBlockStart = highBlockStart;
    }

    /// <summary>True when the tier was built (or found unnecessary); false when it was not asked for.</summary>
    public bool TierComputed { get; }

    /// <summary>Largest impact per block of 2,048 documents; -1 when the term has no posting in the block.</summary>
    public int[] BlockMax { get; }

    /// <summary>Per sub-block of 128 documents: 0 when absent, else q with sub-block max &lt;= block max x q / 255.</summary>
    public byte[] SubBlockMax { get; }

    /// <summary>-1 without a high tier; otherwise every posting outside the tier has an impact of at most Tau.</summary>
    public int Tau { get; }

    /// <summary>
    /// The documents (ascending) whose impact is above <see cref="Tau"/>, as offsets from the start of their
    /// block (blocks are at most 65,536 documents), or null.
    /// </summary>
    public ushort[]? HighOffsets { get; }

    /// <summary>Their impacts.</summary>
    public ushort[]? HighImpacts { get; }

    /// <summary>Per block, the index of its first entry in <see cref="HighOffsets"/> (one extra entry at the end).</summary>
    public int[]? HighBlockStart { get; }

    /// <summary>Bytes of the block and sub-block maxima.</summary>
    public long BoundsBytes => (4L * BlockMax.Length) + SubBlockMax.Length;

    /// <summary>Bytes of the high-impact tier (0 without one): 4 per entry plus 4 per block.</summary>
    public long TierBytes => HighOffsets is null ? 0 : TierBytesOf(HighOffsets.Length, HighBlockStart!.Length - 1);

    /// <summary>Bytes of a tier of <paramref name="entries"/> postings over <paramref name="blocks"/> blocks.</summary>
    public static long TierBytesOf(int entries, int blocks) => (4L * entries) + (4L * (blocks + 1));

    /// <summary>The same bounds, marked as having no tier and needing none (a tier refused by the memory cap).</summary>
    public TermImpactBounds WithoutTier() => new(BlockMax, SubBlockMax, tierComputed: true);
}
