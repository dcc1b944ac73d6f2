using Lucene.Net.Codecs;
using Lucene.Net.Util;

namespace Splade.Lucene.Codecs;

/// <summary>
/// Turns the postings of a one-token term-frequency field (one position per term and document, the impact in a
/// 4-byte payload) into docs and frequencies: each document's frequency is the sum over its positions of
/// max(1, payload impact), what the same terms emitted as repeated tokens would count (one token per term gives the
/// impact itself), and a term's total term frequency and the field's sum of them are recomputed from those
/// frequencies. Positions and payloads are not passed on. Used at flush, and at a merge of segments written
/// without the conversion.
/// </summary>
internal sealed class OneTokenTermsConsumer : TermsConsumer
{
    private readonly TermsConsumer _inner;
    private readonly OneTokenPostingsConsumer _postings;
    private long _sumTotalTermFreq;

    public OneTokenTermsConsumer(TermsConsumer inner, string field)
    {
        _inner = inner;
        _postings = new OneTokenPostingsConsumer(field);
    }

    public override IComparer<BytesRef> Comparer => _inner.Comparer;

    public override PostingsConsumer StartTerm(BytesRef text)
    {
        _postings.Start(_inner.StartTerm(text), text);
        return _postings;
    }

    public override void FinishTerm(BytesRef text, TermStats stats)
    {
        long total = _postings.TotalTermFreq;
        _sumTotalTermFreq += total;
        _inner.FinishTerm(text, new TermStats(stats.DocFreq, total));
    }

    public override void Finish(long sumTotalTermFreq, long sumDocFreq, int docCount) =>
        _inner.Finish(_sumTotalTermFreq, sumDocFreq, docCount);

    private sealed class OneTokenPostingsConsumer : PostingsConsumer
    {
        private readonly string _field;
        private PostingsConsumer _inner = null!;
        private BytesRef _term = null!;
        private int _doc;
        private long _freq;
        private int _positions;

        public OneTokenPostingsConsumer(string field) => _field = field;

        public long TotalTermFreq { get; private set; }

        public void Start(PostingsConsumer inner, BytesRef term)
        {
            _inner = inner;
            _term = term;
            TotalTermFreq = 0;
        }

        public override void StartDoc(int docId, int freq)
        {
            _doc = docId;
            _freq = 0;
            _positions = 0;
        }

        public override void AddPosition(int position, BytesRef payload, int startOffset, int endOffset)
        {
            _freq += OneTokenImpacts.Of(payload, () =>
                $"SpladeCodec writes field '{_field}' as one-token term frequency (an impact payload per token), but term '{_term.Utf8ToString()}' of "
                + $"document {_doc} has a position with a {(payload is null ? "missing" : payload.Length + "-byte")} payload. Index this field only "
                + "with SpladeField or SpladeAnalyzer and SpladeFieldOptions.OneTokenTermFrequency, or leave it out of the codec's one-token fields.");
            _positions++;
        }

        public override void FinishDoc()
        {
            int freq = OneTokenImpacts.Frequency(_freq, () => $"Term '{_term.Utf8ToString()}' of field '{_field}' in document {_doc}");
            _inner.StartDoc(_doc, freq);
            _inner.FinishDoc();
            TotalTermFreq += freq;
        }
    }
}
