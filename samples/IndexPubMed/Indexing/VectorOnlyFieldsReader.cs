using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace IndexPubMed.Indexing;

/// <summary>
/// The fields other than SPLADE of a batch of vector-only documents (<see cref="VectorOnlyDocument"/>), read without
/// indexing them: they differ only by their id, so one template document, indexed once in memory with the index's own
/// analysis and similarity, gives the field infos, the stored fields, the norms (of the empty text fields) and the
/// shape of the id's term and sorted doc value; this reader repeats them per document with the document's id. Indexing
/// the same documents in a side index cost 11-15 µs each on the writer thread (docs/PERFORMANCE.md). The CLI's
/// equivalence tests compare what it writes with <c>AddDocument</c>.
/// </summary>
internal sealed class VectorOnlyFieldsReader : AtomicReader
{
    private readonly Template _template;
    private readonly BytesRef[] _ids;
    // Documents in id order (Lucene's UTF-8 order), their ids in that order, and each document's rank in it (its term
    // and doc-values ordinal).
    private readonly int[] _byId;
    private readonly BytesRef[] _sorted;
    private readonly int[] _ordOfDoc;
    private readonly IdFields _fields;

    public VectorOnlyFieldsReader(Template template, IReadOnlyList<string> ids)
    {
        _template = template;
        _ids = ids.Select(id => new BytesRef(id)).ToArray();
        var comparer = BytesRef.UTF8SortedAsUnicodeComparer;
        _byId = Enumerable.Range(0, _ids.Length).ToArray();
        Array.Sort(_byId, (a, b) => comparer.Compare(_ids[a], _ids[b]));
        _sorted = new BytesRef[_ids.Length];
        _ordOfDoc = new int[_ids.Length];
        for (int ord = 0; ord < _byId.Length; ord++)
        {
            _sorted[ord] = _ids[_byId[ord]];
            _ordOfDoc[_byId[ord]] = ord;
        }
        _fields = new IdFields(this);
    }

    public override Fields Fields => _fields;

    public override FieldInfos FieldInfos => _template.FieldInfos;

    public override IBits LiveDocs => null!;

    public override int NumDocs => _ids.Length;

    public override int MaxDoc => _ids.Length;

    public override NumericDocValues GetNumericDocValues(string field) => null!;

    public override BinaryDocValues GetBinaryDocValues(string field) => null!;

    public override SortedDocValues GetSortedDocValues(string field) => field == PubMedSchema.Id ? new IdDocValues(this) : null!;

    public override SortedSetDocValues GetSortedSetDocValues(string field) => null!;

    public override IBits GetDocsWithField(string field) => field == PubMedSchema.Id ? new Bits.MatchAllBits(_ids.Length) : null!;

    public override NumericDocValues GetNormValues(string field) =>
        _template.Norms.TryGetValue(field, out long norm) ? new ConstantNorm(norm) : null!;

    public override Fields GetTermVectors(int docID) => null!;

    public override void Document(int docID, StoredFieldVisitor visitor)
    {
        foreach (var (info, value) in _template.Stored)
        {
            switch (visitor.NeedsField(info))
            {
                case StoredFieldVisitor.Status.YES:
                    visitor.StringField(info, ReferenceEquals(value, Template.IdMarker) ? _ids[docID].Utf8ToString() : value);
                    break;
                case StoredFieldVisitor.Status.STOP:
                    return;
            }
        }
    }

    public override void CheckIntegrity()
    {
        // In memory: nothing to check.
    }

    protected override void DoClose()
    {
    }

    /// <summary>What every vector-only document has, read off one indexed in memory.</summary>
    internal sealed class Template
    {
        public const string TemplateId = "template-id";

        // Stands for the document's own id in Stored.
        public static readonly string IdMarker = new(TemplateId);

        private Template(FieldInfos fieldInfos, List<(FieldInfo, string)> stored, Dictionary<string, long> norms)
        {
            FieldInfos = fieldInfos;
            Stored = stored;
            Norms = norms;
        }

        public FieldInfos FieldInfos { get; }

        public IReadOnlyList<(FieldInfo Info, string Value)> Stored { get; }

        public IReadOnlyDictionary<string, long> Norms { get; }

        /// <summary>
        /// Indexes <paramref name="document"/> with id <see cref="TemplateId"/> in memory with <paramref name="config"/>
        /// and reads it back.
        /// </summary>
        /// <exception cref="InvalidOperationException">The document has fields this reader cannot repeat (any term but the id's, doc values but the id's, stored values that are not strings).</exception>
        public static Template Create(IndexWriterConfig config, VectorOnlyDocument document)
        {
            using var directory = new RAMDirectory();
            using (var writer = new IndexWriter(directory, config))
            {
                writer.AddDocument(document.Document(TemplateId));
                writer.Commit();
            }
            using var reader = DirectoryReader.Open(directory);
            var leaf = reader.Leaves[0].AtomicReader;
            var recorder = new StoredRecorder();
            leaf.Document(0, recorder);
            var norms = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var info in leaf.FieldInfos)
            {
                if (info.HasNorms)
                {
                    norms[info.Name] = leaf.GetNormValues(info.Name).Get(0);
                }
                bool isId = info.Name == PubMedSchema.Id;
                if (info.HasDocValues && !(isId && info.DocValuesType == DocValuesType.SORTED))
                {
                    throw new InvalidOperationException($"Vector-only documents have doc values in field '{info.Name}' ({info.DocValuesType}); only the id's sorted value can be repeated.");
                }
                var terms = leaf.GetTerms(info.Name);
                long count = terms?.Count ?? 0;
                if (isId ? count != 1 || info.IndexOptions != IndexOptions.DOCS_ONLY : count != 0)
                {
                    throw new InvalidOperationException($"Vector-only documents index {count} term(s) in field '{info.Name}' ({info.IndexOptions}); only the id, as one DOCS_ONLY term, can be repeated.");
                }
            }
            return new Template(leaf.FieldInfos, recorder.Fields, norms);
        }

        private sealed class StoredRecorder : StoredFieldVisitor
        {
            public List<(FieldInfo, string)> Fields { get; } = [];

            public override Status NeedsField(FieldInfo fieldInfo) => Status.YES;

            public override void StringField(FieldInfo fieldInfo, string value) =>
                Fields.Add((fieldInfo, fieldInfo.Name == PubMedSchema.Id && value == TemplateId ? IdMarker : value));

            public override void BinaryField(FieldInfo fieldInfo, byte[] value) => Unsupported(fieldInfo);

            public override void Int32Field(FieldInfo fieldInfo, int value) => Unsupported(fieldInfo);

            public override void Int64Field(FieldInfo fieldInfo, long value) => Unsupported(fieldInfo);

            public override void SingleField(FieldInfo fieldInfo, float value) => Unsupported(fieldInfo);

            public override void DoubleField(FieldInfo fieldInfo, double value) => Unsupported(fieldInfo);

            private static void Unsupported(FieldInfo fieldInfo) =>
                throw new InvalidOperationException($"Vector-only documents store a non-string value in field '{fieldInfo.Name}'.");
        }
    }

    private sealed class ConstantNorm(long value) : NumericDocValues
    {
        public override long Get(int docID) => value;
    }

    private sealed class IdDocValues(VectorOnlyFieldsReader reader) : SortedDocValues
    {
        public override int GetOrd(int docID) => reader._ordOfDoc[docID];

        public override void LookupOrd(int ord, BytesRef result)
        {
            var id = reader._sorted[ord];
            result.Bytes = id.Bytes;
            result.Offset = id.Offset;
            result.Length = id.Length;
        }

        public override int ValueCount => reader._ids.Length;
    }

    private sealed class IdFields(VectorOnlyFieldsReader reader) : Fields
    {
        private readonly IdTerms _terms = new(reader);

        public override IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)[PubMedSchema.Id]).GetEnumerator();

        public override Terms GetTerms(string field) => field == PubMedSchema.Id ? _terms : null!;

        public override int Count => 1;
    }

    // One term per document, DOCS_ONLY (a StringField): no frequencies, so total term frequencies are -1.
    private sealed class IdTerms(VectorOnlyFieldsReader reader) : Terms
    {
        public override TermsEnum GetEnumerator() => new IdTermsEnum(reader);

        public override IComparer<BytesRef> Comparer => BytesRef.UTF8SortedAsUnicodeComparer;

        public override long Count => reader._ids.Length;

        public override long SumTotalTermFreq => -1;

        public override long SumDocFreq => reader._ids.Length;

        public override int DocCount => reader._ids.Length;

        public override bool HasFreqs => false;

        public override bool HasOffsets => false;

        public override bool HasPositions => false;

        public override bool HasPayloads => false;
    }

    private sealed class IdTermsEnum(VectorOnlyFieldsReader reader) : TermsEnum
    {
        private int _ord = -1;

        public override IComparer<BytesRef> Comparer => BytesRef.UTF8SortedAsUnicodeComparer;

        public override BytesRef Term => _ord >= 0 && _ord < reader._sorted.Length ? reader._sorted[_ord] : null!;

        public override long Ord => _ord;

        public override int DocFreq => 1;

        public override long TotalTermFreq => -1;

        public override bool MoveNext()
        {
            if (_ord < reader._byId.Length)
            {
                _ord++;
            }
            return _ord < reader._byId.Length;
        }

        [Obsolete("Use MoveNext() and Term instead.")]
        public override BytesRef Next() => MoveNext() ? Term : null!;

        public override SeekStatus SeekCeil(BytesRef text)
        {
            var comparer = BytesRef.UTF8SortedAsUnicodeComparer;
            int lo = 0, hi = reader._byId.Length - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                int c = comparer.Compare(reader._sorted[mid], text);
                if (c == 0)
                {
                    _ord = mid;
                    return SeekStatus.FOUND;
                }
                if (c < 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }
            _ord = lo;
            return lo < reader._byId.Length ? SeekStatus.NOT_FOUND : SeekStatus.END;
        }

        public override void SeekExact(long ord) => _ord = checked((int)ord);

        public override DocsEnum Docs(IBits liveDocs, DocsEnum reuse, DocsFlags flags)
        {
            int doc = reader._byId[_ord];
            return new OneDocEnum(liveDocs is null || liveDocs.Get(doc) ? doc : -1);
        }

        public override DocsAndPositionsEnum DocsAndPositions(IBits liveDocs, DocsAndPositionsEnum reuse, DocsAndPositionsFlags flags) => null!;
    }

    // The postings of one id: its document (or none, -1, when deleted by the live docs given).
    private sealed class OneDocEnum(int doc) : DocsEnum
    {
        private int _current = -1;

        public override int Freq => 1;

        public override int DocID => _current;

        public override int NextDoc() => _current = _current == -1 && doc >= 0 ? doc : DocIdSetIterator.NO_MORE_DOCS;

        public override int Advance(int target)
        {
            int d = NextDoc();
            return d >= target ? d : _current = DocIdSetIterator.NO_MORE_DOCS;
        }

        public override long GetCost() => 1;
    }
}
