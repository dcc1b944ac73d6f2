using Lucene.Net.Index;
using Lucene.Net.Util;

namespace Splade.Lucene.Codecs;

/// <summary>
/// The postings a merge reads, with the one-token fields of segments written without the codec's conversion
/// (positions with an impact payload per token) read as the frequencies the conversion gives them. Needed when such a
/// segment is merged with converted ones: Lucene's merged field infos are then docs and frequencies without payloads,
/// so the conversion at <see cref="ImpactBoundsFieldsConsumer.AddField"/> does not run, and the frequency Lucene would
/// read is the count of positions (1), not the impact. Built as SegmentMerger builds the merge's fields, from the
/// merge's readers.
/// </summary>
internal static class OneTokenMergeFields
{
    /// <summary>The merge's postings of <paramref name="field"/> with unconverted segments read by impact, or null when no segment needs it.</summary>
    public static TermsEnum? TermsEnum(MergeState state, string field)
    {
        var merged = state.FieldInfos.FieldInfo(field);
        // Absent, or itself with payloads (every segment unconverted: AddField converts it).
        if (merged is not { IsIndexed: true, HasPayloads: false }
            || !state.Readers.Any(r => IsUnconverted(r.FieldInfos.FieldInfo(field))))
        {
            return null;
        }
        // As SegmentMerger builds the merge's fields: one slice per reader with fields, at the sum of the earlier maxDocs.
        var subs = new List<Fields>();
        var slices = new List<ReaderSlice>();
        int docBase = 0;
        for (int i = 0; i < state.Readers.Count; i++)
        {
            var reader = state.Readers[i];
            var readerFields = reader.Fields;
            if (readerFields is not null)
            {
                subs.Add(IsUnconverted(reader.FieldInfos.FieldInfo(field)) ? new ImpactFrequencyFields(readerFields, field) : readerFields);
                slices.Add(new ReaderSlice(docBase, reader.MaxDoc, i));
            }
            docBase += reader.MaxDoc;
        }
        return new MultiFields(subs.ToArray(), slices.ToArray()).GetTerms(field)?.GetEnumerator();
    }

    private static bool IsUnconverted(FieldInfo? info) =>
        info is { IsIndexed: true, HasPayloads: true } && info.IndexOptions >= IndexOptions.DOCS_AND_FREQS_AND_POSITIONS;

    private sealed class ImpactFrequencyFields(Fields input, string converted) : FilterAtomicReader.FilterFields(input)
    {
        public override Terms GetTerms(string field)
        {
            var terms = base.GetTerms(field);
            return terms is not null && field == converted ? new ImpactFrequencyTerms(terms, field) : terms!;
        }
    }

    private sealed class ImpactFrequencyTerms(Terms input, string field) : FilterAtomicReader.FilterTerms(input)
    {
        public override bool HasPositions => false;

        public override bool HasPayloads => false;

        public override long SumTotalTermFreq => -1;

        public override TermsEnum GetEnumerator() => new ImpactFrequencyTermsEnum(m_input.GetEnumerator(), field);

        public override TermsEnum GetEnumerator(TermsEnum reuse) => GetEnumerator();
    }

    private sealed class ImpactFrequencyTermsEnum(TermsEnum input, string field) : FilterAtomicReader.FilterTermsEnum(input)
    {
        public override long TotalTermFreq => -1;

        // The merge reads a term's documents before moving to the next term, so the enum names the term on an error.
        public override DocsEnum Docs(IBits liveDocs, DocsEnum reuse, DocsFlags flags) =>
            new ImpactFrequencyDocsEnum(m_input.DocsAndPositions(liveDocs, null, DocsAndPositionsFlags.PAYLOADS)!, field, m_input);

        public override DocsAndPositionsEnum DocsAndPositions(IBits liveDocs, DocsAndPositionsEnum reuse, DocsAndPositionsFlags flags) => null!;
    }

    // A document's frequency is the sum of its positions' impacts (at least 1 each), as the conversion at flush counts it.
    private sealed class ImpactFrequencyDocsEnum(DocsAndPositionsEnum input, string field, TermsEnum term) : DocsEnum
    {
        private int _freq;

        public override int DocID => input.DocID;

        public override int Freq => _freq;

        public override int NextDoc() => Read(input.NextDoc());

        public override int Advance(int target) => Read(input.Advance(target));

        public override long GetCost() => input.GetCost();

        private int Read(int doc)
        {
            if (doc == NO_MORE_DOCS)
            {
                return doc;
            }
            long sum = 0;
            for (int i = input.Freq; i > 0; i--)
            {
                input.NextPosition();
                sum += OneTokenImpacts.Of(input.GetPayload(), () =>
                    $"Merging field '{field}' as one-token term frequency: term '{term.Term.Utf8ToString()}' of a segment written without the codec's conversion has a position without an impact payload; it cannot be converted.");
            }
            _freq = OneTokenImpacts.Frequency(sum, () => $"Term '{term.Term.Utf8ToString()}' of field '{field}'");
            return doc;
        }
    }
}
