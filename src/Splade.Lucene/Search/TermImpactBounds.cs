namespace Splade.Lucene.Search;

/// <summary>One term's impact upper bounds in one segment (see <see cref="SegmentImpactBounds"/>).</summary>
internal sealed class TermImpactBounds
{
    public TermImpactBounds(int[] blockMax, byte[] subBlockMax)
    {
        BlockMax = blockMax;
        SubBlockMax = subBlockMax;
    }

    /// <summary>Largest impact per block of 2,048 documents; -1 when the term has no posting in the block.</summary>
    public int[] BlockMax { get; }

    /// <summary>Per sub-block of 128 documents: 0 when absent, else q with sub-block max &lt;= block max x q / 255.</summary>
    public byte[] SubBlockMax { get; }
}
