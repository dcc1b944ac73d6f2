using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Splade.Lucene.Index;

/// <summary>
/// The reader <see cref="SpladeFieldBatch.CreateReader"/> gives: one indexed field, <c>DOCS_AND_FREQS</c> without norms,
/// whose postings are in arrays laid out term by term (terms in Lucene's UTF-8 order, documents ascending). It has no
/// stored fields, doc values or deletions; it serves a <see cref="ParallelAtomicReader"/> join and a merge.
/// </summary>
internal sealed class SpladeFieldBatchReader : AtomicReader
{
    private readonly string _field;
    private readonly int _maxDoc;
    private readonly FieldInfos _fieldInfos;
    private readonly BatchFields _fields;

    public SpladeFieldBatchReader(string field, int maxDoc, int docCount, BytesRef[] terms, int[] starts, int[] docs, int[] freqs)
    {
        _field = field;
        _maxDoc = maxDoc;
        _fieldInfos = new FieldInfos([
            new FieldInfo(field, indexed: true, number: 0, storeTermVector: false, omitNorms: true, storePayloads: false,
                IndexOptions.DOCS_AND_FREQS, DocValuesType.NONE, DocValuesType.NONE, null),
        ]);
        _fields = new BatchFields(field, new BatchTerms(docCount, terms, starts, docs, freqs));
    }

    public override Fields Fields => _fields;

    public override FieldInfos FieldInfos => _fieldInfos;

    public override IBits LiveDocs => null!;

    public override int NumDocs => _maxDoc;

    public override int MaxDoc => _maxDoc;

    public override NumericDocValues GetNumericDocValues(string field) => null!;

    public override BinaryDocValues GetBinaryDocValues(string field) => null!;

    public override SortedDocValues GetSortedDocValues(string field) => null!;

    public override SortedSetDocValues GetSortedSetDocValues(string field) => null!;

    public override IBits GetDocsWithField(string field) => null!;

    public override NumericDocValues GetNormValues(string field) => null!;

    public override Fields GetTermVectors(int docID) => null!;

    public override void Document(int docID, StoredFieldVisitor visitor)
    {
        // No stored fields.
    }

    public override void CheckIntegrity()
    {
        // Nothing on disk to check.
    }

    protected override void DoClose()
    {
    }

    public override string ToString() => $"{nameof(SpladeFieldBatchReader)}({_field}, {_maxDoc} documents)";

    private sealed class BatchFields(string field, BatchTerms terms) : Fields
    {
        public override IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)[field]).GetEnumerator();

        public override Terms GetTerms(string name) => name == field ? terms : null!;

        public override int Count => 1;
    }

    private sealed class BatchTerms(int docCount, BytesRef[] terms, int[] starts, int[] docs, int[] freqs) : Terms
    {
        private readonly long _sumTotalTermFreq = freqs.Sum(f => (long)f);

        public BytesRef[] TermBytes => terms;

        public int[] Starts => starts;

        public int[] Docs => docs;

        public int[] Freqs => freqs;

        public override TermsEnum GetEnumerator() => new BatchTermsEnum(this);

        public override IComparer<BytesRef> Comparer => BytesRef.UTF8SortedAsUnicodeComparer;

        public override long Count => terms.Length;

        public override long SumTotalTermFreq => _sumTotalTermFreq;

        public override long SumDocFreq => docs.Length;

        public override int DocCount => docCount;

        public override bool HasFreqs => true;

        public override bool HasOffsets => false;

        public override bool HasPositions => false;

        public override bool HasPayloads => false;
    }

    private sealed class BatchTermsEnum(BatchTerms terms) : TermsEnum
    {
        private int _ord = -1;

        public override IComparer<BytesRef> Comparer => BytesRef.UTF8SortedAsUnicodeComparer;

        public override BytesRef Term => _ord >= 0 && _ord < terms.TermBytes.Length ? terms.TermBytes[_ord] : null!;

        public override long Ord => _ord;

        public override int DocFreq => terms.Starts[_ord + 1] - terms.Starts[_ord];

        public override long TotalTermFreq
        {
            get
            {
                long total = 0;
                for (int i = terms.Starts[_ord]; i < terms.Starts[_ord + 1]; i++)
                {
                    total += terms.Freqs[i];
                }
                return total;
            }
        }

        public override bool MoveNext()
        {
            if (_ord < terms.TermBytes.Length)
            {
                _ord++;
            }
            return _ord < terms.TermBytes.Length;
        }

        [Obsolete("Use MoveNext() and Term instead.")]
        public override BytesRef Next() => MoveNext() ? Term : null!;

        public override SeekStatus SeekCeil(BytesRef text)
        {
            int lo = 0, hi = terms.TermBytes.Length - 1;
            var comparer = BytesRef.UTF8SortedAsUnicodeComparer;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                int c = comparer.Compare(terms.TermBytes[mid], text);
                if (c < 0)
                {
                    lo = mid + 1;
                }
                else if (c > 0)
                {
                    hi = mid - 1;
                }
                else
                {
                    _ord = mid;
                    return SeekStatus.FOUND;
                }
            }
            _ord = lo;
            return lo < terms.TermBytes.Length ? SeekStatus.NOT_FOUND : SeekStatus.END;
        }

        public override void SeekExact(long ord) => _ord = checked((int)ord);

        public override DocsEnum Docs(IBits liveDocs, DocsEnum reuse, DocsFlags flags)
        {
            var docs = reuse is BatchDocsEnum mine && mine.Terms == terms ? mine : new BatchDocsEnum(terms);
            docs.Reset(terms.Starts[_ord], terms.Starts[_ord + 1], liveDocs);
            return docs;
        }

        public override DocsAndPositionsEnum DocsAndPositions(IBits liveDocs, DocsAndPositionsEnum reuse, DocsAndPositionsFlags flags) => null!;
    }

    private sealed class BatchDocsEnum(BatchTerms terms) : DocsEnum
    {
        private int _at;
        private int _end;
        private int _cost;
        private int _doc = -1;
        private IBits? _liveDocs;

        public BatchTerms Terms => terms;

        public void Reset(int start, int end, IBits? liveDocs)
        {
            _at = start - 1;
            _end = end;
            _cost = end - start;
            _doc = -1;
            _liveDocs = liveDocs;
        }

        public override int Freq => terms.Freqs[_at];

        public override int DocID => _doc;

        public override int NextDoc()
        {
            while (++_at < _end)
            {
                int doc = terms.Docs[_at];
                if (_liveDocs is null || _liveDocs.Get(doc))
                {
                    return _doc = doc;
                }
            }
            _at = _end;
            return _doc = DocIdSetIterator.NO_MORE_DOCS;
        }

        public override int Advance(int target)
        {
            int doc;
            while ((doc = NextDoc()) < target)
            {
            }
            return doc;
        }

        // The term's document frequency, whatever the position (Lucene's enumerators report a fixed cost).
        public override long GetCost() => _cost;
    }
}
