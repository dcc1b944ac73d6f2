using Lucene.Net.Codecs;
using Lucene.Net.Index;
using Lucene.Net.Util;

namespace Splade.Lucene.Codecs;

/// <summary>
/// The terms consumer of a one-token field written as docs and frequencies: passes everything on, and at a merge
/// that brings segments written without the one-token conversion, merges from their impacts
/// (<see cref="OneTokenMergeFields"/>) instead of their position counts.
/// </summary>
internal sealed class OneTokenMergeTermsConsumer(TermsConsumer inner, string field) : TermsConsumer
{
    public override IComparer<BytesRef> Comparer => inner.Comparer;

    public override PostingsConsumer StartTerm(BytesRef text) => inner.StartTerm(text);

    public override void FinishTerm(BytesRef text, TermStats stats) => inner.FinishTerm(text, stats);

    public override void Finish(long sumTotalTermFreq, long sumDocFreq, int docCount) => inner.Finish(sumTotalTermFreq, sumDocFreq, docCount);

    public override void Merge(MergeState mergeState, IndexOptions indexOptions, TermsEnum termsEnum) =>
        base.Merge(mergeState, indexOptions, OneTokenMergeFields.TermsEnum(mergeState, field) ?? termsEnum);
}
