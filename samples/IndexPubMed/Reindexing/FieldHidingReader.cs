using Lucene.Net.Index;

namespace IndexPubMed.Reindexing;

/// <summary>
/// An atomic reader that hides one indexed field, so that a <see cref="ParallelAtomicReader"/> can take
/// that field from another reader instead (ParallelAtomicReader lets the first reader with a field win,
/// and takes deletions from the first reader, so the original index must stay first).
/// </summary>
internal sealed class FieldHidingReader : FilterAtomicReader
{
    private readonly string _hidden;
    private readonly FieldInfos _fieldInfos;

    public FieldHidingReader(AtomicReader reader, string hiddenField)
        : base(reader)
    {
        _hidden = hiddenField;
        _fieldInfos = new FieldInfos(reader.FieldInfos.Where(f => f.Name != hiddenField).ToArray());
    }

    public override FieldInfos FieldInfos => _fieldInfos;

    public override Fields Fields => base.Fields is { } fields ? new HidingFields(fields, _hidden) : null!;

    private sealed class HidingFields : FilterFields
    {
        private readonly string _hidden;

        public HidingFields(Fields fields, string hidden)
            : base(fields) => _hidden = hidden;

        public override IEnumerator<string> GetEnumerator() => m_input.Where(f => f != _hidden).GetEnumerator();

        public override Terms GetTerms(string field) => field == _hidden ? null! : base.GetTerms(field);

        public override int Count => -1;
    }
}
