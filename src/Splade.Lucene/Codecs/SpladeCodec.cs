using Lucene.Net.Codecs;
using Lucene.Net.Codecs.Lucene46;

namespace Splade.Lucene.Codecs;

/// <summary>
/// Lucene 4.6's codec with the SPLADE fields' postings written by a format that also persists the pruning
/// scorer's impact bounds with each segment (at flush and at merge), so that the first query after opening
/// an index needs no scan of the postings to bound them. Set it on the writer:
/// <c>new IndexWriterConfig(...) { Codec = new SpladeCodec("splade") }</c>. Other fields keep Lucene's
/// formats. Segments record the codec as <c>Lucene46</c> and the SPLADE field's format by name in their field
/// infos, so any reader finds both once this assembly is loaded (it registers the format when it loads; see
/// <see cref="RegisterPostingsFormat"/>). Indexes written without it open and search exactly as before (their
/// bounds are computed on first use), and segments written with and without it mix freely.
/// </summary>
[CodecName("Lucene46")]
public sealed class SpladeCodec : Lucene46Codec
{
    private readonly HashSet<string> _fields;
    private readonly PostingsFormat _splade;

    /// <summary>A codec persisting impact bounds for the given SPLADE fields.</summary>
    /// <param name="spladeFields">The SPLADE field names; at least one.</param>
    /// <exception cref="ArgumentException">No field, or a null or empty name.</exception>
    public SpladeCodec(params string[] spladeFields)
    {
        ArgumentNullException.ThrowIfNull(spladeFields);
        if (spladeFields.Length == 0)
        {
            throw new ArgumentException("Name at least one SPLADE field.", nameof(spladeFields));
        }
        foreach (var f in spladeFields)
        {
            if (string.IsNullOrEmpty(f))
            {
                throw new ArgumentException($"A SPLADE field name is null or empty ('{f}').", nameof(spladeFields));
            }
        }
        RegisterPostingsFormat();
        _fields = new HashSet<string>(spladeFields, StringComparer.Ordinal);
        _splade = PostingsFormat.ForName(SpladeImpactsPostingsFormat.FormatName);
    }

    /// <summary>The SPLADE fields whose postings carry persisted bounds.</summary>
    public IReadOnlyCollection<string> SpladeFields => _fields;

    /// <inheritdoc/>
    public override PostingsFormat GetPostingsFormatForField(string field) =>
        _fields.Contains(field) ? _splade : base.GetPostingsFormatForField(field);

    /// <summary>
    /// Makes <see cref="PostingsFormat.ForName"/> find the SPLADE postings format (name <c>SpladeImpacts41</c>),
    /// keeping every format the current factory knows. Runs when this assembly loads; call it again only after
    /// replacing Lucene's postings format factory yourself (<see cref="PostingsFormat.SetPostingsFormatFactory"/>).
    /// Idempotent and thread-safe.
    /// </summary>
    public static void RegisterPostingsFormat() => SpladePostingsFormatFactory.EnsureRegistered();
}
