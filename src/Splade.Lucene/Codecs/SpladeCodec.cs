using Lucene.Net.Codecs;
using Lucene.Net.Codecs.Lucene46;

namespace Splade.Lucene.Codecs;

/// <summary>
/// Lucene 4.6's codec with the SPLADE fields' postings written by a format that also persists the pruning
/// scorer's impact bounds with each segment (at flush and at merge), so that the first query after opening
/// an index needs no scan of the postings to bound them. Set it on the writer:
/// <c>new IndexWriterConfig(...) { Codec = new SpladeCodec("splade") }</c>. Other fields keep Lucene's
/// formats. Segments record the codec as <c>Lucene46</c> and the SPLADE field's format by name in their field
/// infos, so any reader finds both once the format is registered: that happens when code of this assembly first
/// runs (a <see cref="Search.SpladeQuery"/>, the schema, the codec itself), so a process that opens such an index
/// with plain Lucene calls only (CheckIndex, a backup or admin tool) calls <see cref="RegisterPostingsFormat"/> first. Indexes written without it open and search exactly as before (their
/// bounds are computed on first use), and segments written with and without it mix freely.
/// <para>
/// One-token term frequency (<see cref="SpladeCodec(IEnumerable{string}, IEnumerable{string})"/>): Lucene.NET 4.8
/// has no term-frequency attribute, so a frequency normally comes from repeating the token. For the fields named
/// as one-token term-frequency fields, a field that reaches the codec with positions and payloads (a
/// <see cref="Documents.SpladeField"/> with <see cref="Index.SpladeFieldOptions.OneTokenTermFrequency"/>: one token
/// per term, its impact in a 4-byte payload) is written at flush as docs and frequencies only, the frequency being
/// the impact (the sum of the payload impacts of its positions, as repeated tokens would count), and the segment's
/// field infos record it as <c>DOCS_AND_FREQS</c> without payloads: the segment is the one repeated tokens give.
/// Segments already in that form (merges, old indexes) pass through unchanged, and a segment written without the
/// conversion (by a writer without this codec) is converted when a merge brings it in, alone or with converted ones.
/// </para>
/// </summary>
[CodecName("Lucene46")]
public sealed class SpladeCodec : FilterCodec
{
    private readonly Settings _settings;

    /// <summary>A codec persisting impact bounds for the given SPLADE fields.</summary>
    /// <param name="spladeFields">The SPLADE field names; at least one.</param>
    /// <exception cref="ArgumentException">No field, or a null or empty name.</exception>
    public SpladeCodec(params string[] spladeFields)
        : this(Settings.Create(spladeFields, []))
    {
    }

    /// <summary>
    /// A codec persisting impact bounds for the given SPLADE fields and writing the one-token term-frequency
    /// fields' payload impacts as term frequencies (see the class remarks).
    /// </summary>
    /// <param name="spladeFields">The SPLADE field names; at least one.</param>
    /// <param name="oneTokenTermFrequencyFields">SPLADE fields indexed with <see cref="Index.SpladeFieldOptions.OneTokenTermFrequency"/>
    /// (added to <paramref name="spladeFields"/> when missing there); may be empty. Never name a field of payload storage here:
    /// its payloads would become frequencies.</param>
    /// <exception cref="ArgumentException">No field, or a null or empty name.</exception>
    public SpladeCodec(IEnumerable<string> spladeFields, IEnumerable<string> oneTokenTermFrequencyFields)
        : this(Settings.Create(spladeFields, oneTokenTermFrequencyFields))
    {
    }

    private SpladeCodec(Settings settings)
        : base(new PerFieldLucene46(settings))
    {
        _settings = settings;
    }

    /// <summary>The SPLADE fields whose postings carry persisted bounds.</summary>
    public IReadOnlyCollection<string> SpladeFields => _settings.Fields;

    /// <summary>The SPLADE fields whose one-token payload impacts are written as term frequencies.</summary>
    public IReadOnlyCollection<string> OneTokenTermFrequencyFields => _settings.OneTokenFields;

    /// <summary>Lucene 4.6's field infos format, recording the one-token fields converted at flush as <c>DOCS_AND_FREQS</c> without payloads.</summary>
    public override FieldInfosFormat FieldInfosFormat => _settings.FieldInfos;

    /// <summary>The postings format of <paramref name="field"/>: the SPLADE format for the SPLADE fields, Lucene 4.1's otherwise.</summary>
    /// <param name="field">A field name.</param>
    public PostingsFormat GetPostingsFormatForField(string field) => ((PerFieldLucene46)m_delegate).GetPostingsFormatForField(field);

    /// <summary>
    /// Makes <see cref="PostingsFormat.ForName"/> find the SPLADE postings format (name <c>SpladeImpacts41</c>),
    /// keeping every format the current factory knows. Runs when code of this assembly is first used (.NET runs module
    /// initializers then, not when the assembly is only referenced): call it at start-up in a process that may open
    /// an index written with <see cref="SpladeCodec"/> before using any Splade.Lucene type (plain
    /// <c>DirectoryReader.Open</c>, CheckIndex), and again after replacing Lucene's postings format factory yourself
    /// (<see cref="PostingsFormat.SetPostingsFormatFactory"/>).
    /// Idempotent and thread-safe.
    /// </summary>
    public static void RegisterPostingsFormat() => SpladePostingsFormatFactory.EnsureRegistered();

    private sealed class Settings
    {
        private Settings(HashSet<string> fields, HashSet<string> oneToken)
        {
            Fields = fields;
            OneTokenFields = oneToken;
            Conversions = new OneTokenConversions(oneToken);
            Postings = new SpladeImpactsPostingsFormat(Conversions);
            FieldInfos = new OneTokenFieldInfosFormat(new Lucene46FieldInfosFormat(), Conversions);
        }

        public HashSet<string> Fields { get; }

        public HashSet<string> OneTokenFields { get; }

        public OneTokenConversions Conversions { get; }

        public SpladeImpactsPostingsFormat Postings { get; }

        public OneTokenFieldInfosFormat FieldInfos { get; }

        public static Settings Create(IEnumerable<string> spladeFields, IEnumerable<string> oneTokenFields)
        {
            ArgumentNullException.ThrowIfNull(spladeFields);
            ArgumentNullException.ThrowIfNull(oneTokenFields);
            var oneToken = Validated(oneTokenFields, nameof(oneTokenFields));
            var fields = Validated(spladeFields, nameof(spladeFields));
            fields.UnionWith(oneToken);
            if (fields.Count == 0)
            {
                throw new ArgumentException("Name at least one SPLADE field.", nameof(spladeFields));
            }
            RegisterPostingsFormat();
            return new Settings(fields, oneToken);
        }

        private static HashSet<string> Validated(IEnumerable<string> names, string parameter)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var f in names)
            {
                if (string.IsNullOrEmpty(f))
                {
                    throw new ArgumentException($"A SPLADE field name is null or empty ('{f}').", parameter);
                }
                set.Add(f);
            }
            return set;
        }
    }

    // The delegate: Lucene 4.6 with the SPLADE fields' postings format (Lucene46Codec seals its FieldInfosFormat,
    // so SpladeCodec is a FilterCodec around it).
    [CodecName("Lucene46")]
    private sealed class PerFieldLucene46 : Lucene46Codec
    {
        private readonly Settings _settings;

        public PerFieldLucene46(Settings settings) => _settings = settings;

        public override PostingsFormat GetPostingsFormatForField(string field) =>
            _settings.Fields.Contains(field) ? _settings.Postings : base.GetPostingsFormatForField(field);
    }
}
