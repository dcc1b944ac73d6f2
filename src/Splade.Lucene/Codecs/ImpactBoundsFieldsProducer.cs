using System.Collections;
using System.Text;
using Lucene.Net.Codecs;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace Splade.Lucene.Codecs;

/// <summary>
/// Reads the postings through Lucene 4.1's producer; the terms of a field with persisted bounds come wrapped
/// in <see cref="PersistedBoundsTerms"/>, through which the pruning scorer finds the bounds. Only the directory
/// of the <c>.sib</c> file is read at open; a term's bounds are read when a query first needs them.
/// </summary>
internal sealed class ImpactBoundsFieldsProducer : FieldsProducer
{
    private readonly FieldsProducer _inner;
    private readonly IndexInput _input;
    private readonly Dictionary<string, PersistedFieldBounds> _fields = new(StringComparer.Ordinal);
    private readonly long _ramBytes;

    public ImpactBoundsFieldsProducer(FieldsProducer inner, SegmentReadState state)
    {
        _inner = inner;
        string name = IndexFileNames.SegmentFileName(state.SegmentInfo.Name, state.SegmentSuffix, ImpactBoundsFile.Extension);
        _input = state.Directory.OpenInput(name, state.Context);
        try
        {
            CodecUtil.CheckHeader(_input, ImpactBoundsFile.Codec, ImpactBoundsFile.Version, ImpactBoundsFile.Version);
            int blockShift = _input.ReadVInt32();
            int subShift = _input.ReadVInt32();
            // Bounds of another geometry are ignored (computed on first use instead).
            bool usable = blockShift == ImpactBoundsFile.BlockShift && subShift == ImpactBoundsFile.SubBlockShift;
            _input.Seek(_input.Length - CodecUtil.FooterLength() - 8);
            _input.Seek(_input.ReadInt64());
            int fieldCount = _input.ReadVInt32();
            for (int f = 0; f < fieldCount; f++)
            {
                string field = _input.ReadString();
                bool payloads = _input.ReadByte() != 0;
                int termCount = _input.ReadVInt32();
                var pointers = new Dictionary<string, long>(termCount, StringComparer.Ordinal);
                byte[] buffer = [];
                for (int t = 0; t < termCount; t++)
                {
                    int length = _input.ReadVInt32();
                    if (buffer.Length < length)
                    {
                        buffer = new byte[Math.Max(length, 2 * buffer.Length)];
                    }
                    _input.ReadBytes(buffer, 0, length);
                    string term = Encoding.UTF8.GetString(buffer, 0, length);
                    pointers[term] = _input.ReadVInt64();
                    _ramBytes += 64 + (2L * term.Length);
                }
                var info = state.FieldInfos.FieldInfo(field);
                if (usable && info is not null && info.HasPayloads == payloads)
                {
                    _fields[field] = new PersistedFieldBounds(_input, pointers, state.SegmentInfo.DocCount);
                }
            }
        }
        catch
        {
            _input.Dispose();
            throw;
        }
    }

    public override IEnumerator<string> GetEnumerator() => _inner.GetEnumerator();

    public override Terms? GetTerms(string field)
    {
        var terms = _inner.GetTerms(field);
        return terms is not null && _fields.TryGetValue(field, out var bounds) ? new PersistedBoundsTerms(terms, bounds) : terms;
    }

    public override int Count => _inner.Count;

    public override long RamBytesUsed() => _inner.RamBytesUsed() + _ramBytes;

    public override void CheckIntegrity()
    {
        _inner.CheckIntegrity();
        CodecUtil.ChecksumEntireFile(_input);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            IOUtils.Dispose(_input, _inner);
        }
    }
}

/// <summary>A field's terms, carrying the field's persisted impact bounds for the pruning scorer.</summary>
internal sealed class PersistedBoundsTerms : FilterAtomicReader.FilterTerms
{
    public PersistedBoundsTerms(Terms terms, PersistedFieldBounds bounds)
        : base(terms) => Bounds = bounds;

    public PersistedFieldBounds Bounds { get; }

    public override TermsEnum Intersect(global::Lucene.Net.Util.Automaton.CompiledAutomaton compiled, BytesRef startTerm) =>
        m_input.Intersect(compiled, startTerm);
}

/// <summary>The persisted bounds of one field in one segment; reads a term's entry on demand. Thread-safe.</summary>
internal sealed class PersistedFieldBounds
{
    private readonly IndexInput _input;
    private readonly Dictionary<string, long> _pointers;

    public PersistedFieldBounds(IndexInput input, Dictionary<string, long> pointers, int maxDoc)
    {
        _input = input;
        _pointers = pointers;
        MaxDoc = maxDoc;
    }

    public int MaxDoc { get; }

    /// <summary>Whether the term's bounds were persisted.</summary>
    public bool Contains(string term) => _pointers.ContainsKey(term);

    /// <summary>
    /// The term's block maxima (-1 for blocks without a posting), quantized sub-block maxima and tier
    /// threshold (-1: no tier), into arrays of the given sizes; false when the term was not persisted.
    /// </summary>
    public bool TryRead(string term, int[] blockMax, byte[] subBlockMax, out int tau, out int docFreq)
    {
        tau = -1;
        docFreq = 0;
        if (!_pointers.TryGetValue(term, out long pointer))
        {
            return false;
        }
        // A clone per read: clones are cheap, independent and need no disposal (the original owns the file).
        var input = (IndexInput)_input.Clone();
        input.Seek(pointer);
        docFreq = input.ReadVInt32();
        tau = input.ReadVInt32() - 1;
        Array.Fill(blockMax, -1);
        int count = input.ReadVInt32();
        int index = -1;
        for (int i = 0; i < count; i++)
        {
            index += input.ReadVInt32() + 1;
            blockMax[index] = input.ReadVInt32();
        }
        count = input.ReadVInt32();
        index = -1;
        for (int i = 0; i < count; i++)
        {
            index += input.ReadVInt32() + 1;
            subBlockMax[index] = input.ReadByte();
        }
        return true;
    }
}
