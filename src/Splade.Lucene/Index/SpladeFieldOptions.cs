using Splade.Encoder;

namespace Splade.Lucene.Index;

/// <summary>
/// How a SPLADE field is indexed. The same values must be used to search the field; they are recorded
/// in the index by <see cref="SpladeIndexSettings"/>.
/// </summary>
public sealed class SpladeFieldOptions
{
    /// <summary>The default <see cref="Scale"/>, Anserini's.</summary>
    public const float DefaultScale = 100f;

    /// <summary>
    /// The largest impact a term may have in one document: 65,535. An entry whose <c>round(w x Scale)</c> is larger is
    /// an invalid entry (see <see cref="InvalidEntries"/>). In <see cref="SpladeStorageMode.TermFrequency"/> mode an
    /// impact is indexed as that many repeated tokens, and a document's token positions must stay below 2^31:
    /// 65,535 x a 32,768-term vocabulary is just under it, and with the default scale the bound is a weight of
    /// 655, far above any SPLADE weight (about 0 to 3.5). Without it a weight of 2e7 ran for minutes and then failed
    /// with Lucene's "position overflow".
    /// </summary>
    public const int MaxImpact = 65_535;

    /// <summary>Name of the Lucene field holding the vector. Default <c>"splade"</c>.</summary>
    public string FieldName { get; set; } = "splade";

    /// <summary>How impacts are stored. Default <see cref="SpladeStorageMode.TermFrequency"/>.</summary>
    public SpladeStorageMode StorageMode { get; set; } = SpladeStorageMode.TermFrequency;

    /// <summary>
    /// Quantization factor: a weight <c>w</c> is indexed as the integer impact
    /// <c>round(w x Scale)</c> (midpoints away from zero). Default 100, as in Anserini: SPLADE weights lie
    /// in about 0 to 3.5, so 100 keeps two decimals, the largest impact is about 350 (cheap to emit as
    /// repeated tokens), and a document score, a sum of at most a few hundred such integers times the
    /// query weights, stays far below 2^24 where float sums of integers stop being exact.
    /// Precision: each impact is off from <c>w x Scale</c> by at most 0.5, i.e. 0.5 / Scale (0.005) in weight
    /// units, and weights below that round to 0 and are dropped; a score divided by <c>Scale</c> is therefore
    /// within <c>0.5 / Scale x sum of |query weights|</c> of the unquantized dot product.
    /// </summary>
    public float Scale { get; set; } = DefaultScale;

    /// <summary>
    /// In <see cref="SpladeStorageMode.TermFrequency"/> storage, indexes each term as one token with its impact in a
    /// 4-byte payload (positions and payloads in memory, as <see cref="SpladeStorageMode.Payload"/> does) for the
    /// writer's codec to write as the term frequency when the segment is flushed: the index is the same as with
    /// repeated tokens (docs and frequencies, no positions or payloads) at the cost of one token per term instead of
    /// <c>impact</c> tokens. Requires the writer's codec to be a <see cref="Codecs.SpladeCodec"/> naming this field
    /// among its one-token term-frequency fields (<see cref="Codecs.SpladeCodec(IEnumerable{string}, IEnumerable{string})"/>;
    /// <c>SpladeIndex</c> and <c>SpladeFieldSchema.CreateCodec</c> do this). Without it the segment keeps positions
    /// and payloads, which <c>SpladeFieldSchema</c> refuses when the index is opened (searches of it still score the
    /// payload impacts correctly). Do not mix fields with and without this option in one writer session: Lucene
    /// lowers a field's options to the least of its documents in a segment, which would drop the payloads.
    /// Ignored in <see cref="SpladeStorageMode.Payload"/> storage. Default false (each term repeated <c>impact</c> times).
    /// </summary>
    public bool OneTokenTermFrequency { get; set; }

    /// <summary>What to do with invalid weights and unknown terms. Default <see cref="InvalidEntryHandling.Throw"/>.</summary>
    public InvalidEntryHandling InvalidEntries { get; set; } = InvalidEntryHandling.Throw;

    /// <summary>
    /// Keeps only the heaviest terms of each document vector (ties: smaller id); null (the default)
    /// keeps them all.
    /// </summary>
    public int? MaxTerms { get; set; }

    /// <summary>
    /// How the model compares vectors. Null (the default) means: the encoder's
    /// <see cref="ISparseEncoder.SimilarityFunction"/> when text is encoded by <c>SpladeAnalyzer</c>,
    /// and <see cref="Encoder.SimilarityFunction.Dot"/> for precomputed vectors. For
    /// <see cref="Encoder.SimilarityFunction.Cosine"/>, precomputed vectors are L2-normalised before
    /// quantizing (encoder output already is).
    /// </summary>
    public SimilarityFunction? SimilarityFunction { get; set; }

    /// <summary>Checks every property.</summary>
    /// <exception cref="ArgumentException">A property is out of range; the message names it.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(FieldName))
        {
            throw new ArgumentException($"{nameof(FieldName)} must be a non-empty field name, not '{FieldName}'.", nameof(FieldName));
        }
        if (!Enum.IsDefined(StorageMode))
        {
            throw new ArgumentException($"{nameof(StorageMode)} {(int)StorageMode} is not a {nameof(SpladeStorageMode)}.", nameof(StorageMode));
        }
        if (!float.IsFinite(Scale) || Scale <= 0)
        {
            throw new ArgumentException($"{nameof(Scale)} must be a finite positive number, not {Scale}.", nameof(Scale));
        }
        if (!Enum.IsDefined(InvalidEntries))
        {
            throw new ArgumentException($"{nameof(InvalidEntries)} {(int)InvalidEntries} is not an {nameof(InvalidEntryHandling)}.", nameof(InvalidEntries));
        }
        if (MaxTerms is <= 0)
        {
            throw new ArgumentException($"{nameof(MaxTerms)} must be positive or null, not {MaxTerms}.", nameof(MaxTerms));
        }
        if (SimilarityFunction is { } s && !Enum.IsDefined(s))
        {
            throw new ArgumentException($"{nameof(SimilarityFunction)} {(int)s} is not a {nameof(Encoder.SimilarityFunction)}.", nameof(SimilarityFunction));
        }
    }

    /// <summary>A copy, so that later changes to this instance do not affect an analyzer or field.</summary>
    public SpladeFieldOptions Clone() => (SpladeFieldOptions)MemberwiseClone();
}
