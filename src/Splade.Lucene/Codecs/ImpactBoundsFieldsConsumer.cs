using Lucene.Net.Analysis.Payloads;
using Lucene.Net.Codecs;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Lucene.Search;

namespace Splade.Lucene.Codecs;

/// <summary>
/// Writes the postings through Lucene 4.1's consumer and, watching the same calls, each term's impact bounds
/// (<see cref="ImpactBoundsFile"/>). Flush and merge both feed postings through <see cref="TermsConsumer.StartTerm"/>
/// and <see cref="PostingsConsumer.StartDoc"/>, so merged segments get bounds of their renumbered documents.
/// </summary>
internal sealed class ImpactBoundsFieldsConsumer : FieldsConsumer
{
    private readonly FieldsConsumer _inner;
    private readonly IndexOutput _out;
    private readonly List<(string Field, bool Payloads, List<(byte[] Term, long Pointer)> Terms)> _fields = [];
    private readonly OneTokenConversions? _conversions;
    private bool _disposed;

    public ImpactBoundsFieldsConsumer(FieldsConsumer inner, SegmentWriteState state, OneTokenConversions? conversions = null)
    {
        _inner = inner;
        _conversions = conversions;
        string name = IndexFileNames.SegmentFileName(state.SegmentInfo.Name, state.SegmentSuffix, ImpactBoundsFile.Extension);
        _out = state.Directory.CreateOutput(name, state.Context);
        try
        {
            CodecUtil.WriteHeader(_out, ImpactBoundsFile.Codec, ImpactBoundsFile.Version);
            _out.WriteVInt32(ImpactBoundsFile.BlockShift);
            _out.WriteVInt32(ImpactBoundsFile.SubBlockShift);
        }
        catch
        {
            _out.Dispose();
            throw;
        }
    }

    public override TermsConsumer AddField(FieldInfo field)
    {
        // A one-token term-frequency field is written (postings and bounds) as the docs-and-freqs field it stands for.
        var converted = _conversions?.Convert(field);
        var written = converted ?? field;
        var terms = new List<(byte[], long)>();
        _fields.Add((written.Name, written.HasPayloads, terms));
        var bounds = new BoundsTermsConsumer(_inner.AddField(written), _out, written.HasPayloads, terms);
        if (converted is not null)
        {
            return new OneTokenTermsConsumer(bounds, field.Name);
        }
        // A one-token field already in docs-and-frequencies form: a merge may still bring segments written without the
        // conversion, read with their impacts as frequencies (the per-field writer merges field by field, through here).
        return _conversions is not null && _conversions.Fields.Contains(field.Name) ? new OneTokenMergeTermsConsumer(bounds, field.Name) : bounds;
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing || _disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            long directory = _out.Position;
            _out.WriteVInt32(_fields.Count);
            foreach (var (field, payloads, terms) in _fields)
            {
                _out.WriteString(field);
                _out.WriteByte(payloads ? (byte)1 : (byte)0);
                _out.WriteVInt32(terms.Count);
                foreach (var (term, pointer) in terms)
                {
                    _out.WriteVInt32(term.Length);
                    _out.WriteBytes(term, 0, term.Length);
                    _out.WriteVInt64(pointer);
                }
            }
            _out.WriteInt64(directory);
            CodecUtil.WriteFooter(_out);
        }
        finally
        {
            IOUtils.Dispose(_out, _inner);
        }
    }

    private sealed class BoundsTermsConsumer : TermsConsumer
    {
        private readonly TermsConsumer _inner;
        private readonly IndexOutput _out;
        private readonly List<(byte[], long)> _terms;
        private readonly BoundsPostingsConsumer _postings;

        public BoundsTermsConsumer(TermsConsumer inner, IndexOutput output, bool payloads, List<(byte[], long)> terms)
        {
            _inner = inner;
            _out = output;
            _terms = terms;
            _postings = new BoundsPostingsConsumer(payloads);
        }

        public override IComparer<BytesRef> Comparer => _inner.Comparer;

        public override PostingsConsumer StartTerm(BytesRef text)
        {
            _postings.Start(_inner.StartTerm(text));
            return _postings;
        }

        public override void FinishTerm(BytesRef text, TermStats stats)
        {
            _inner.FinishTerm(text, stats);
            if (stats.DocFreq >= ImpactBoundsFile.MinDocFreq)
            {
                var term = new byte[text.Length];
                Array.Copy(text.Bytes, text.Offset, term, 0, text.Length);
                _terms.Add((term, _out.Position));
                _postings.WriteBounds(_out, stats.DocFreq);
            }
        }

        public override void Finish(long sumTotalTermFreq, long sumDocFreq, int docCount) =>
            _inner.Finish(sumTotalTermFreq, sumDocFreq, docCount);
    }

    /// <summary>Collects one term's block and sub-block maxima and impact histogram as its postings go by.</summary>
    private sealed class BoundsPostingsConsumer : PostingsConsumer
    {
        private const int BlockShift = ImpactBoundsFile.BlockShift;
        private const int SubShift = ImpactBoundsFile.SubBlockShift;

        private readonly bool _payloads;
        private PostingsConsumer _inner = null!;
        private readonly List<int> _blocks = [];
        private readonly List<int> _blockMax = [];
        private readonly List<int> _subs = [];
        private readonly List<int> _subMax = [];
        // Impacts up to 65,535 (the tier's limit); one above disables the tier of the term, as on first use.
        private readonly int[] _histogram = new int[ushort.MaxValue + 1];
        private int _histogramTop;
        private bool _tierPossible;
        private int _docCount;
        private int _doc;
        private int _impact;
        private bool _firstPosition;

        public BoundsPostingsConsumer(bool payloads) => _payloads = payloads;

        public void Start(PostingsConsumer inner)
        {
            _inner = inner;
            _blocks.Clear();
            _blockMax.Clear();
            _subs.Clear();
            _subMax.Clear();
            // Terms too rare to persist never reach WriteBounds: the histogram is cleared here.
            Array.Clear(_histogram, 0, _histogramTop + 1);
            _histogramTop = 0;
            _tierPossible = true;
            _docCount = 0;
            _doc = -1;
        }

        public override void StartDoc(int docId, int freq)
        {
            _inner.StartDoc(docId, freq);
            FlushDoc();
            _doc = docId;
            // A field indexed without frequencies reads as frequency 1.
            _impact = _payloads ? 0 : Math.Max(1, freq);
            _firstPosition = true;
        }

        public override void AddPosition(int position, BytesRef payload, int startOffset, int endOffset)
        {
            _inner.AddPosition(position, payload, startOffset, endOffset);
            if (_firstPosition)
            {
                _firstPosition = false;
                if (_payloads)
                {
                    // What ImpactPostings reads: the first position's payload, 0 when missing.
                    _impact = payload is { Length: >= 4 } ? PayloadHelper.DecodeInt32(payload.Bytes, payload.Offset) : 0;
                }
            }
        }

        public override void FinishDoc() => _inner.FinishDoc();

        // Folds the previous document into the maxima (called at the next StartDoc and before writing).
        private void FlushDoc()
        {
            if (_doc < 0)
            {
                return;
            }
            int raw = _impact;
            int impact = Math.Max(0, raw);
            int block = _doc >> BlockShift;
            if (_blocks.Count == 0 || _blocks[^1] != block)
            {
                _blocks.Add(block);
                _blockMax.Add(impact);
            }
            else if (impact > _blockMax[^1])
            {
                _blockMax[^1] = impact;
            }
            int sub = _doc >> SubShift;
            if (_subs.Count == 0 || _subs[^1] != sub)
            {
                _subs.Add(sub);
                _subMax.Add(impact);
            }
            else if (impact > _subMax[^1])
            {
                _subMax[^1] = impact;
            }
            if (raw is >= 0 and <= ushort.MaxValue)
            {
                _histogram[raw]++;
                _histogramTop = Math.Max(_histogramTop, raw);
            }
            else
            {
                _tierPossible = false;
            }
            _docCount++;
            _doc = -1;
        }

        public void WriteBounds(IndexOutput output, int docFreq)
        {
            FlushDoc();
            // Tau as SegmentImpactBounds computes it: the impact at rank floor(n x 15%) in ascending order.
            int tau = -1;
            if (_tierPossible && _docCount >= SegmentImpactBounds.TierMinDocFreq)
            {
                long rank = (long)(_docCount * SegmentImpactBounds.TierLowFraction);
                long seen = 0;
                for (int v = 0; v <= _histogramTop; v++)
                {
                    seen += _histogram[v];
                    if (seen > rank)
                    {
                        tau = v;
                        break;
                    }
                }
            }
            output.WriteVInt32(docFreq);
            output.WriteVInt32(tau + 1);
            output.WriteVInt32(_blocks.Count);
            int previous = -1;
            for (int i = 0; i < _blocks.Count; i++)
            {
                output.WriteVInt32(_blocks[i] - previous - 1);
                output.WriteVInt32(_blockMax[i]);
                previous = _blocks[i];
            }
            output.WriteVInt32(_subs.Count);
            previous = -1;
            int b = 0;
            for (int i = 0; i < _subs.Count; i++)
            {
                int sub = _subs[i];
                int block = sub >> (BlockShift - SubShift);
                while (_blocks[b] != block)
                {
                    b++;
                }
                long blockMax = _blockMax[b];
                byte q = blockMax == 0 ? (byte)1 : (byte)Math.Max(1, ((255L * _subMax[i]) + blockMax - 1) / blockMax);
                output.WriteVInt32(sub - previous - 1);
                output.WriteByte(q);
                previous = sub;
            }
        }
    }
}
