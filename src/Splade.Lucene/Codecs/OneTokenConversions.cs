using System.Runtime.CompilerServices;
using Lucene.Net.Index;

namespace Splade.Lucene.Codecs;

/// <summary>
/// Which fields of a <see cref="SpladeCodec"/> are one-token term-frequency fields, and the field infos the postings
/// consumer converted: the postings of a segment are written before its field infos (Lucene lets postings consumers
/// alter them), so the field infos writer looks the same <see cref="FieldInfo"/> objects up here and records the
/// converted copies. Only field infos whose postings were converted are changed, so field infos written for any other
/// reason (a doc-values update of an old segment, a merge of converted segments) stay as they are.
/// </summary>
internal sealed class OneTokenConversions
{
    private readonly HashSet<string> _fields;
    private readonly ConditionalWeakTable<FieldInfo, FieldInfo> _converted = new();

    public OneTokenConversions(HashSet<string> fields) => _fields = fields;

    /// <summary>The one-token term-frequency fields.</summary>
    public IReadOnlySet<string> Fields => _fields;

    /// <summary>
    /// The copy of <paramref name="field"/> to write its postings with, <c>DOCS_AND_FREQS</c> without payloads, when it is
    /// a one-token field arriving with positions and payloads; else null (written as it is).
    /// </summary>
    public FieldInfo? Convert(FieldInfo field)
    {
        if (!_fields.Contains(field.Name) || !field.IsIndexed || field.IndexOptions < IndexOptions.DOCS_AND_FREQS_AND_POSITIONS || !field.HasPayloads)
        {
            return null;
        }
        var converted = Copy(field);
        _converted.AddOrUpdate(field, converted);
        return converted;
    }

    /// <summary>The converted copy of <paramref name="field"/> if its postings were converted, else the field itself.</summary>
    public FieldInfo Written(FieldInfo field)
    {
        if (!_converted.TryGetValue(field, out var converted))
        {
            return field;
        }
        // Attributes (the per-field postings format's name and suffix) are put on the original while the postings are
        // written: copy them again now that they are complete.
        return Copy(field);
    }

    private static FieldInfo Copy(FieldInfo field)
    {
        var attributes = field.Attributes is { } a ? new Dictionary<string, string>(a, StringComparer.Ordinal) : null;
        return new FieldInfo(field.Name, indexed: true, field.Number, field.HasVectors, field.OmitsNorms, storePayloads: false,
            IndexOptions.DOCS_AND_FREQS, field.DocValuesType, field.NormType, attributes);
    }
}
