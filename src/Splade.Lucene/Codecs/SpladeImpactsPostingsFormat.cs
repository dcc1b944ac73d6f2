using Lucene.Net.Codecs;
using Lucene.Net.Codecs.Lucene41;
using Lucene.Net.Index;

namespace Splade.Lucene.Codecs;

/// <summary>
/// Lucene 4.1's postings format plus the pruning scorer's impact bounds, written beside the postings of each
/// segment (at flush and at merge, through the same consumer calls) into a segment file of its own
/// (<c>.sib</c>), so <c>IndexWriter</c> creates, merges, compounds and deletes it with the segment: no side
/// file can go stale. Readers find the format by its name, <see cref="FormatName"/>, which the per-field
/// postings format records in the field infos (see <see cref="SpladeCodec"/>, which registers it).
/// </summary>
[PostingsFormatName(FormatName)]
internal sealed class SpladeImpactsPostingsFormat : PostingsFormat
{
    public const string FormatName = "SpladeImpacts41";

    private readonly Lucene41PostingsFormat _postings = new();
    private readonly OneTokenConversions? _conversions;

    /// <summary>The format readers find by name: writes no one-token conversions.</summary>
    public SpladeImpactsPostingsFormat()
    {
    }

    /// <summary>The format of a <see cref="SpladeCodec"/>, converting its one-token term-frequency fields.</summary>
    public SpladeImpactsPostingsFormat(OneTokenConversions conversions) => _conversions = conversions;

    public override FieldsConsumer FieldsConsumer(SegmentWriteState state)
    {
        var inner = _postings.FieldsConsumer(state);
        try
        {
            return new ImpactBoundsFieldsConsumer(inner, state, _conversions);
        }
        catch
        {
            inner.Dispose();
            throw;
        }
    }

    public override FieldsProducer FieldsProducer(SegmentReadState state)
    {
        var inner = _postings.FieldsProducer(state);
        try
        {
            return new ImpactBoundsFieldsProducer(inner, state);
        }
        catch
        {
            inner.Dispose();
            throw;
        }
    }
}
