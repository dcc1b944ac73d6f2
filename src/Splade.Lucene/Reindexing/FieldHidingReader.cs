using Lucene.Net.Index;

namespace Splade.Lucene.Reindexing;

/// <summary>
/// An atomic reader that hides one indexed field (its terms and its field info), so that a
/// <see cref="ParallelAtomicReader"/> can take that field from another reader instead.
/// <see cref="ParallelAtomicReader"/> lets the first reader that has a field win and takes deletions
/// from the first reader, so put the original index first, wrapped in this reader.
/// </summary>
public sealed class FieldHidingReader : FilterAtomicReader
{
    private readonly string _hidden;
    private readonly FieldInfos _fieldInfos;

    /// <summary>Wraps <paramref name="reader"/>, hiding <paramref name="hiddenField"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="hiddenField"/> is empty.</exception>
    public FieldHidingReader(AtomicReader reader, string hiddenField)
        : base(reader ?? throw new ArgumentNullException(nameof(reader)))
    {
        if (string.IsNullOrEmpty(hiddenField))
        {
            throw new ArgumentException($"The hidden field name must not be empty, not '{hiddenField}'.", nameof(hiddenField));
        }
        _hidden = hiddenField;
        _fieldInfos = new FieldInfos(reader.FieldInfos.Where(f => f.Name != hiddenField).ToArray());
    }

    /// <summary>The hidden field.</summary>
    public string HiddenField => _hidden;

    /// <inheritdoc/>
    public override FieldInfos FieldInfos => _fieldInfos;

    /// <inheritdoc/>
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
