using Lucene.Net.Analysis;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Splade.Encoder;
using Splade.Lucene.Analysis;
using Splade.Lucene.Index;
using System.Diagnostics.CodeAnalysis;

namespace Splade.Lucene.Documents;

/// <summary>
/// A SPLADE field built from a precomputed vector (no encoder needed), indexed as impact terms according
/// to <see cref="SpladeFieldOptions"/>. Like Lucene's own fields it can be reused: add it to a document,
/// index the document, call <see cref="SetVector"/> and index the next one; its token stream is reused.
/// </summary>
public sealed class SpladeField : Field
{
    private static readonly FieldType TermFrequencyType = CreateFieldType(IndexOptions.DOCS_AND_FREQS);
    private static readonly FieldType PayloadType = CreateFieldType(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS);

    private readonly QuantizedTermsTokenStream _source;
    private readonly Vocabulary? _vocabulary;
    private readonly SpladeFieldOptions _options;
    private readonly SpladeIndexingStats? _stats;
    private readonly bool _normalize;

    /// <summary>Creates the field from a vector over <paramref name="vocabulary"/>.</summary>
    /// <param name="vector">The document vector.</param>
    /// <param name="vocabulary">The vocabulary the vector ids refer to; terms are its token strings.</param>
    /// <param name="options">Field options (copied); defaults when null.</param>
    /// <param name="stats">Receives the counters, or null.</param>
    /// <exception cref="ArgumentException">Invalid options, or an invalid entry under <see cref="InvalidEntryHandling.Throw"/>.</exception>
    public SpladeField(SparseVector vector, Vocabulary vocabulary, SpladeFieldOptions? options = null, SpladeIndexingStats? stats = null)
        : this(new QuantizedTermsTokenStream(), vocabulary ?? throw new ArgumentNullException(nameof(vocabulary)), ValidatedCopy(options), stats)
    {
        SetVector(vector);
    }

    /// <summary>Creates the field from token strings and weights (Anserini's JSON <c>vector</c> object).</summary>
    /// <param name="termWeights">Token strings of <paramref name="vocabulary"/> and their weights.</param>
    /// <param name="vocabulary">The vocabulary; tokens not in it are invalid entries.</param>
    /// <param name="options">Field options (copied); defaults when null.</param>
    /// <param name="stats">Receives the counters, or null.</param>
    /// <exception cref="ArgumentException">Invalid options, a repeated token, or an invalid entry under <see cref="InvalidEntryHandling.Throw"/>.</exception>
    public SpladeField(IEnumerable<KeyValuePair<string, float>> termWeights, Vocabulary vocabulary, SpladeFieldOptions? options = null, SpladeIndexingStats? stats = null)
        : this(new QuantizedTermsTokenStream(), vocabulary ?? throw new ArgumentNullException(nameof(vocabulary)), ValidatedCopy(options), stats)
    {
        SetTermWeights(termWeights);
    }

    /// <summary>
    /// Creates the field from token strings and weights with no vocabulary: every non-empty token is indexed
    /// as written (precomputed vectors of any model, whose tokens need not be WordPiece tokens). Queries must
    /// use the same token strings.
    /// </summary>
    /// <param name="termWeights">Token strings and their weights.</param>
    /// <param name="options">Field options (copied); defaults when null.</param>
    /// <param name="stats">Receives the counters, or null.</param>
    /// <exception cref="ArgumentException">Invalid options, a repeated token, or an invalid entry (empty token, token with an unpaired surrogate, bad weight) under <see cref="InvalidEntryHandling.Throw"/>.</exception>
    public SpladeField(IEnumerable<KeyValuePair<string, float>> termWeights, SpladeFieldOptions? options = null, SpladeIndexingStats? stats = null)
        : this(new QuantizedTermsTokenStream(), null, ValidatedCopy(options), stats)
    {
        SetTermWeights(termWeights);
    }

    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope",
        Justification = "The token stream chain belongs to the field (Field.TokenStreamValue): the IndexWriter disposes it after inverting each document, and it is reset for reuse with the next vector.")]
    private SpladeField(QuantizedTermsTokenStream source, Vocabulary? vocabulary, SpladeFieldOptions options, SpladeIndexingStats? stats)
        : base(options.FieldName, Chain(source, options), GetFieldType(options))
    {
        _source = source;
        _vocabulary = vocabulary;
        _options = options;
        _stats = stats;
        _normalize = options.SimilarityFunction == SimilarityFunction.Cosine;
    }

    /// <summary>Number of terms the field will index (after quantization and invalid-entry handling).</summary>
    public int TermCount => _source.Terms.Count;

    // The quantized terms as they are now (each SetVector makes new ones), for SpladeFieldBatch.
    internal QuantizedTerms Quantized => _source.Terms;

    internal SpladeFieldOptions Options => _options;

    /// <summary>Replaces the vector, for reuse with the next document.</summary>
    /// <exception cref="ArgumentException">An invalid entry under <see cref="InvalidEntryHandling.Throw"/>; the field keeps its previous vector.</exception>
    /// <exception cref="InvalidOperationException">The field was created without a vocabulary, so vector ids have no tokens.</exception>
    public void SetVector(SparseVector vector) =>
        _source.Terms = ImpactQuantizer.Quantize(vector, _vocabulary ?? throw new InvalidOperationException("This SpladeField has no vocabulary: give token strings (SetTermWeights)."), _options, _normalize, _stats);

    /// <summary>Replaces the vector by token strings and weights, for reuse with the next document (tokens outside the vocabulary, if the field has one, are invalid entries).</summary>
    /// <exception cref="ArgumentException">A repeated token, or an invalid entry under <see cref="InvalidEntryHandling.Throw"/>.</exception>
    public void SetTermWeights(IEnumerable<KeyValuePair<string, float>> termWeights) =>
        _source.Terms = ImpactQuantizer.Quantize(termWeights, _vocabulary, _options, _normalize, _stats);

    /// <summary>
    /// The (frozen) field type of a SPLADE field: indexed, tokenized, not stored, norms omitted, with
    /// <c>DOCS_AND_FREQS</c> for <see cref="SpladeStorageMode.TermFrequency"/> and positions for
    /// <see cref="SpladeStorageMode.Payload"/>. Use it for a text field analyzed by <see cref="SpladeAnalyzer"/>.
    /// </summary>
    public static FieldType GetFieldType(SpladeStorageMode mode) => mode switch
    {
        SpladeStorageMode.TermFrequency => TermFrequencyType,
        SpladeStorageMode.Payload => PayloadType,
        _ => throw new ArgumentException($"Storage mode {(int)mode} is not a {nameof(SpladeStorageMode)}.", nameof(mode)),
    };

    /// <summary>
    /// The (frozen) field type that fields built with <paramref name="options"/> are indexed with: as
    /// <see cref="GetFieldType(SpladeStorageMode)"/>, except that <see cref="SpladeFieldOptions.OneTokenTermFrequency"/>
    /// in term-frequency storage gives positions (the payloads that <see cref="Codecs.SpladeCodec"/> turns into
    /// frequencies at flush). Use it for a text field analyzed by <see cref="SpladeAnalyzer"/> with the same options.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static FieldType GetFieldType(SpladeFieldOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return UsesPayloads(options) ? PayloadType : TermFrequencyType;
    }

    private static FieldType CreateFieldType(IndexOptions indexOptions)
    {
        var type = new FieldType
        {
            IsIndexed = true,
            IsTokenized = true,
            IsStored = false,
            OmitNorms = true,
            IndexOptions = indexOptions,
        };
        type.Freeze();
        return type;
    }

    private static SpladeFieldOptions ValidatedCopy(SpladeFieldOptions? options)
    {
        var copy = options?.Clone() ?? new SpladeFieldOptions();
        copy.Validate();
        return copy;
    }

    private static TokenStream Chain(QuantizedTermsTokenStream source, SpladeFieldOptions options) =>
        UsesPayloads(options) ? new ImpactPayloadFilter(source) : new ImpactRepeatFilter(source);

    // Payload storage, and term-frequency storage carried to SpladeCodec as one token with a payload per term.
    internal static bool UsesPayloads(SpladeFieldOptions options) =>
        options.StorageMode == SpladeStorageMode.Payload
        || (options.StorageMode == SpladeStorageMode.TermFrequency && options.OneTokenTermFrequency);
}
