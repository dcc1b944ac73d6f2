using Lucene.Net.Index;
using Lucene.Net.Util;

namespace Splade.Lucene.Search;

/// <summary>
/// Reads a document's external id (sorted or binary doc values of one field) by global document number, for
/// breaking score ties independently of the segment layout. Not thread-safe: <see cref="TopKThreshold"/> calls
/// it under its lock.
/// </summary>
internal sealed class ExternalIds
{
    private readonly IList<AtomicReaderContext> _leaves;
    private readonly string _field;
    private readonly object?[] _values;
    private readonly BytesRef _scratch = new();

    /// <exception cref="ArgumentException">No segment has sorted or binary doc values in the field.</exception>
    public ExternalIds(IndexReader reader, string field)
    {
        _leaves = reader.Leaves;
        _field = field;
        _values = new object?[_leaves.Count];
        bool any = _leaves.Count == 0;
        foreach (var leaf in _leaves)
        {
            var type = leaf.AtomicReader.FieldInfos.FieldInfo(field)?.DocValuesType;
            any |= type is DocValuesType.SORTED or DocValuesType.BINARY;
        }
        if (!any)
        {
            throw new ArgumentException($"Cannot break ties by '{field}': no segment has sorted or binary doc values in that field (index the id with a SortedDocValuesField).", nameof(field));
        }
    }

    /// <summary>The id bytes of global document <paramref name="doc"/> (empty when it has none).</summary>
    public byte[] Get(int doc)
    {
        int n = ReaderUtil.SubIndex(doc, _leaves);
        var leaf = _leaves[n];
        var values = _values[n] ??= (object?)leaf.AtomicReader.GetSortedDocValues(_field) ?? leaf.AtomicReader.GetBinaryDocValues(_field) ?? (object)string.Empty;
        switch (values)
        {
            case SortedDocValues sorted:
                sorted.Get(doc - leaf.DocBase, _scratch);
                break;
            case BinaryDocValues binary:
                binary.Get(doc - leaf.DocBase, _scratch);
                break;
            default:
                return [];
        }
        var id = new byte[_scratch.Length];
        Array.Copy(_scratch.Bytes, _scratch.Offset, id, 0, id.Length);
        return id;
    }
}
