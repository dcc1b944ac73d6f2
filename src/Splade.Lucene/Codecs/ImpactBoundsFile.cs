using Splade.Lucene.Search;

namespace Splade.Lucene.Codecs;

/// <summary>
/// Layout of the <c>.sib</c> segment file. Header (<c>CodecUtil</c>, <see cref="Codec"/>, <see cref="Version"/>),
/// then the block and sub-block shifts it was written with, then per persisted term: vint docFreq, vint
/// tau + 1 (0: no tier), vint number of non-empty blocks and for each (vint block gap, vint max impact),
/// vint number of non-empty sub-blocks and for each (vint gap, byte q). Then the directory: vint field
/// count; per field its name, a payload flag byte, vint term count and per term its UTF-8 bytes and vlong
/// file pointer. Then a long pointing at the directory and the <c>CodecUtil</c> footer.
/// </summary>
internal static class ImpactBoundsFile
{
    public const string Extension = "sib";
    public const string Codec = "SpladeImpactBounds";
    public const int Version = 0;

    /// <summary>
    /// Terms with fewer postings in a segment are not persisted: computing their bounds on first use costs
    /// a scan of a few postings, less than reading them back.
    /// </summary>
    public const int MinDocFreq = 128;

    public const int BlockShift = SegmentImpactBounds.BlockShift;
    public const int SubBlockShift = SegmentImpactBounds.SubBlockShift;
}
