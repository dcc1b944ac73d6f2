using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Analysis;
using Splade.Lucene.Codecs;
using Splade.Lucene.Documents;
using Splade.Lucene.Search;

namespace Splade.Lucene.Index;

/// <summary>
/// Everything about one SPLADE field of an index, in one object: its settings (storage mode, scale, model,
/// similarity), written with every commit made through <see cref="Commit"/> and verified when an index is
/// opened; the analyzer wrapper and the fields that index it; the similarity for searchers; SPLADE, hybrid
/// and parsed queries whose scores are in the model's units; and the terms a hit matched, as data.
/// <para>
/// Scores in model units: a SPLADE query made here carries the boost <c>1 / scale</c>, so its score is the
/// impact sum divided by the scale, i.e. the dot product of the query vector and the quantized document vector.
/// It is within <c>sum(|query weight|) x 0.5 / scale</c> of the float dot product of the model's vectors
/// (each impact is off by at most 0.5), plus float rounding (relative 1e-6).
/// A hybrid query scores <c>bm25Weight x BM25 + spladeWeight x (that dot product)</c>.
/// </para>
/// <para>
/// Misuse caught by <see cref="Verify"/> (and so by <see cref="Open(DirectoryReader, string, ISparseEncoder?)"/>):
/// settings missing while the field has postings (for example dropped by an <c>IndexWriter.SetCommitData</c>
/// that replaced the commit data), or another model, scale, storage mode or similarity; and a field indexed by
/// something other than the SPLADE analyzer or <see cref="SpladeField"/>, detected from its postings:
/// (1) the field info must be indexed without norms, with <c>DOCS_AND_FREQS</c> for term-frequency storage, or
/// positions with payloads for payload storage (a plain <c>TextField</c> has norms and positions);
/// (2) with a vocabulary, every term of the field must be one of its tokens (a plain analyzer emits whole words
/// such as <c>infarction</c> that a WordPiece vocabulary does not hold; checked up to 100,000 terms per segment);
/// (3) in term-frequency storage with a scale of at least 100 and a dot-product model (cosine models' unit vectors
/// spread their weight thin), the mean impact of a segment
/// (sum of term frequencies / postings, over at least 100 postings) must be at least <c>0.02 x scale</c>: SPLADE weights
/// under 0.02 are rare, while words of plain text occur once or twice per document.
/// </para>
/// Instances are immutable and safe for concurrent use.
/// </summary>
public sealed class SpladeFieldSchema
{
    /// <summary>At most this many terms per segment are compared with the vocabulary by <see cref="Verify"/>.</summary>
    public const int MaxTermsChecked = 100_000;

    private readonly SpladeFieldOptions _options;

    private SpladeFieldSchema(SpladeFieldOptions options, SpladeIndexSettings settings, ISparseEncoder? encoder, Vocabulary? vocabulary)
    {
        _options = options;
        Settings = settings;
        Encoder = encoder;
        Vocabulary = vocabulary;
    }

    /// <summary>The settings this field is indexed and searched with.</summary>
    public SpladeIndexSettings Settings { get; }

    /// <summary>The SPLADE field.</summary>
    public string FieldName => Settings.FieldName;

    /// <summary>The quantization scale.</summary>
    public float Scale => Settings.Scale;

    /// <summary>The encoder of text (documents and queries), or null for a schema of precomputed vectors.</summary>
    public ISparseEncoder? Encoder { get; }

    /// <summary>The vocabulary of the vectors, or null when tokens are taken as given.</summary>
    public Vocabulary? Vocabulary { get; }

    /// <summary>A copy of the field options (with the similarity function filled in).</summary>
    public SpladeFieldOptions Options => _options.Clone();

    /// <summary>Counters of every vector indexed through this schema's fields and analyzers.</summary>
    public SpladeIndexingStats Stats { get; } = new();

    /// <summary>A schema for a new field whose text is encoded by <paramref name="encoder"/>.</summary>
    /// <param name="options">The field options (copied); defaults when null.</param>
    /// <param name="encoder">Encodes documents and queries; its model id and similarity go into the settings.</param>
    /// <exception cref="ArgumentException">Invalid options, or a similarity function other than the encoder's.</exception>
    public static SpladeFieldSchema Create(SpladeFieldOptions? options, ISparseEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var copy = options?.Clone() ?? new SpladeFieldOptions();
        copy.Validate();
        if (copy.SimilarityFunction is { } s && s != encoder.SimilarityFunction)
        {
            throw new ArgumentException($"{nameof(SpladeFieldOptions.SimilarityFunction)} is {s} but the encoder '{encoder.ModelId}' uses {encoder.SimilarityFunction}.", nameof(options));
        }
        copy.SimilarityFunction = encoder.SimilarityFunction;
        return new SpladeFieldSchema(copy, SpladeIndexSettings.From(copy, encoder), encoder, encoder.Vocabulary);
    }

    /// <summary>A schema for a new field of precomputed vectors (no encoder: text fields and text queries are refused).</summary>
    /// <param name="options">The field options (copied); defaults when null.</param>
    /// <param name="vocabulary">The vocabulary of the vectors; null takes tokens as given.</param>
    /// <param name="modelId">The model identity recorded in the index (empty when unknown).</param>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public static SpladeFieldSchema Create(SpladeFieldOptions? options, Vocabulary? vocabulary, string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        var copy = options?.Clone() ?? new SpladeFieldOptions();
        copy.Validate();
        copy.SimilarityFunction ??= SimilarityFunction.Dot;
        return new SpladeFieldSchema(copy, SpladeIndexSettings.From(copy, modelId), null, vocabulary);
    }

    /// <summary>
    /// The schema of field <paramref name="fieldName"/> of an existing index, from the settings stored in its
    /// commit, checked with <see cref="Verify"/> (against <paramref name="encoder"/>'s model and similarity when given).
    /// </summary>
    /// <exception cref="SpladeIndexMismatchException">No settings, other settings or a field that is not a SPLADE field (see the class remarks).</exception>
    public static SpladeFieldSchema Open(DirectoryReader reader, string fieldName, ISparseEncoder? encoder)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentException.ThrowIfNullOrEmpty(fieldName);
        var stored = SpladeIndexSettings.Read(reader, fieldName) ?? throw MissingSettings(fieldName, reader);
        var schema = FromSettings(stored, encoder);
        schema.Verify(reader);
        return schema;
    }

    /// <summary>
    /// The schema for a writer: the stored settings of the index when it has them (which must equal the ones
    /// <paramref name="options"/> and <paramref name="encoder"/> give), otherwise new settings, refused when the
    /// index already holds documents (an index built without this SPLADE field, whose documents SPLADE searches would
    /// silently miss: rebuild the field with a reindexer) unless <paramref name="allowDocumentsWithoutField"/> says the
    /// caller will give them the field (for example by replacing each with its precomputed vector).
    /// The settings are merged into the writer's pending commit data at once, so any later commit keeps them
    /// unless it replaces the commit data.
    /// </summary>
    /// <exception cref="SpladeIndexMismatchException">Other settings, documents without the field, or a field that is not a SPLADE field.</exception>
    public static SpladeFieldSchema OpenOrCreate(IndexWriter writer, SpladeFieldOptions? options, ISparseEncoder encoder, bool allowDocumentsWithoutField = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return Attach(writer, Create(options, encoder), allowDocumentsWithoutField);
    }

    /// <summary>As <see cref="OpenOrCreate(IndexWriter, SpladeFieldOptions?, ISparseEncoder, bool)"/> for precomputed vectors.</summary>
    /// <exception cref="SpladeIndexMismatchException">Other settings, documents without the field, or a field that is not a SPLADE field.</exception>
    public static SpladeFieldSchema OpenOrCreate(IndexWriter writer, SpladeFieldOptions? options, Vocabulary? vocabulary, string modelId, bool allowDocumentsWithoutField = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return Attach(writer, Create(options, vocabulary, modelId), allowDocumentsWithoutField);
    }

    private static SpladeFieldSchema Attach(IndexWriter writer, SpladeFieldSchema wanted, bool allowDocumentsWithoutField)
    {
        var data = writer.CommitData ?? new Dictionary<string, string>();
        var stored = SpladeIndexSettings.Read(data, wanted.FieldName);
        using (var reader = DirectoryReader.Open(writer, applyAllDeletes: false))
        {
            if (stored is null)
            {
                if (reader.MaxDoc > 0 && !allowDocumentsWithoutField)
                {
                    throw new SpladeIndexMismatchException(wanted.FieldName,
                        $"the index holds {reader.MaxDoc} documents but no settings of SPLADE field '{wanted.FieldName}': it was built without it "
                        + "(BM25 only, or committed with commit data that dropped the settings). Rebuild the SPLADE field with a reindexer, or index into a new folder.");
                }
            }
            if (stored is not null || reader.MaxDoc > 0)
            {
                if (stored is not null && !Compatible(stored, wanted.Settings))
                {
                    throw new SpladeIndexMismatchException(wanted.FieldName, "settings", stored.ToString(),
                        wanted.Settings + " (use the same storage mode, scale, model and long-text handling, or rebuild the SPLADE field with a reindexer)");
                }
                wanted.VerifyPostings(reader);
            }
        }
        if (stored is not null && stored.ModelId.Length > 0 && wanted.Settings.ModelId.Length == 0)
        {
            // Vectors of an unnamed model added to an index that knows its model: keep the index's model id.
            var s = wanted.Settings;
            wanted = new SpladeFieldSchema(wanted._options, new SpladeIndexSettings(s.FieldName, s.StorageMode, s.Scale, stored.ModelId, s.SimilarityFunction) { DocumentEncoding = s.DocumentEncoding }, wanted.Encoder, wanted.Vocabulary);
        }
        var merged = wanted.MergeCommitData(data);
        if (merged.Count != data.Count || merged.Any(p => !data.TryGetValue(p.Key, out var v) || v != p.Value))
        {
            // Only when something changes: setting commit data makes the writer's next Dispose or Commit write a commit.
            writer.SetCommitData(merged);
        }
        return wanted;
    }

    private static bool Compatible(SpladeIndexSettings stored, SpladeIndexSettings wanted) =>
        stored.StorageMode == wanted.StorageMode && stored.Scale == wanted.Scale && stored.SimilarityFunction == wanted.SimilarityFunction
        && (stored.ModelId.Length == 0 || wanted.ModelId.Length == 0 || stored.ModelId == wanted.ModelId)
        && (wanted.DocumentEncoding.Length == 0 || stored.ComparableDocumentEncoding == wanted.ComparableDocumentEncoding);

    private static SpladeFieldSchema FromSettings(SpladeIndexSettings stored, ISparseEncoder? encoder)
    {
        var options = new SpladeFieldOptions
        {
            FieldName = stored.FieldName,
            StorageMode = stored.StorageMode,
            Scale = stored.Scale,
            SimilarityFunction = stored.SimilarityFunction,
        };
        if (encoder is null)
        {
            return new SpladeFieldSchema(options, stored, null, null);
        }
        if (stored.SimilarityFunction != encoder.SimilarityFunction)
        {
            throw new SpladeIndexMismatchException(stored.FieldName, SpladeIndexSettings.SimilarityKey, stored.SimilarityFunction.ToString(), encoder.SimilarityFunction.ToString());
        }
        if (stored.ModelId.Length > 0 && stored.ModelId != encoder.ModelId)
        {
            throw new SpladeIndexMismatchException(stored.FieldName, SpladeIndexSettings.ModelIdKey, stored.ModelId, encoder.ModelId);
        }
        var settings = new SpladeIndexSettings(stored.FieldName, stored.StorageMode, stored.Scale, stored.ModelId.Length > 0 ? stored.ModelId : encoder.ModelId, stored.SimilarityFunction) { DocumentEncoding = stored.DocumentEncoding };
        return new SpladeFieldSchema(options, settings, encoder, encoder.Vocabulary);
    }

    private static SpladeIndexMismatchException MissingSettings(string fieldName, IndexReader reader)
    {
        bool hasPostings = reader.Leaves.Any(l => l.AtomicReader.GetTerms(fieldName) is not null);
        return new SpladeIndexMismatchException(fieldName, hasPostings
            ? $"field '{fieldName}' has postings but the last commit records no SPLADE settings for it: IndexWriter.SetCommitData replaces all "
              + "commit data, so a call after the settings were written dropped them. Commit through SpladeFieldSchema.Commit, which merges them."
            : $"the index has no SPLADE field '{fieldName}' (no settings and no postings): was it built without SPLADE?");
    }

    /// <summary>
    /// <paramref name="userData"/> (may be null) with this field's settings added. Entries of other fields and
    /// keys are kept.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="userData"/> gives one of this field's setting keys another value.</exception>
    public IDictionary<string, string> MergeCommitData(IEnumerable<KeyValuePair<string, string>>? userData)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in userData ?? [])
        {
            merged[k] = v;
        }
        foreach (var (key, value) in Settings.ToUserData())
        {
            if (merged.TryGetValue(key, out var given) && given != value
                && !(key == SpladeIndexSettings.KeyFor(FieldName, SpladeIndexSettings.ModelIdKey) && given.Length == 0))
            {
                throw new ArgumentException($"The commit data sets '{key}' to '{given}' but SPLADE field '{FieldName}' has '{value}'.", nameof(userData));
            }
            merged[key] = value;
        }
        return merged;
    }

    /// <summary>
    /// Commits <paramref name="writer"/> with commit data made of <paramref name="userData"/> (when given; the
    /// writer's current commit data otherwise) plus this field's settings, so that they cannot be dropped.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="userData"/> contradicts this field's settings.</exception>
    public void Commit(IndexWriter writer, IEnumerable<KeyValuePair<string, string>>? userData = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.SetCommitData(MergeCommitData(userData ?? writer.CommitData));
        writer.Commit();
    }

    /// <summary>
    /// Checks that the index behind <paramref name="reader"/> records this field's settings and that its postings
    /// look like a SPLADE field's of this storage mode and vocabulary (see the class remarks for what is checked).
    /// </summary>
    /// <exception cref="SpladeIndexMismatchException">What differs, named in the message.</exception>
    public void Verify(DirectoryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _ = SpladeIndexSettings.Read(reader, FieldName) ?? throw MissingSettings(FieldName, reader);
        Settings.Verify(reader);
        VerifyPostings(reader);
    }

    private void VerifyPostings(IndexReader reader)
    {
        foreach (var leaf in reader.Leaves)
        {
            var atomic = leaf.AtomicReader;
            var info = atomic.FieldInfos.FieldInfo(FieldName);
            if (info is null)
            {
                continue;
            }
            string wantedShape = Settings.StorageMode == SpladeStorageMode.TermFrequency
                ? "indexed, no norms, DOCS_AND_FREQS (SpladeField or SpladeAnalyzer with SpladeField.GetFieldType(TermFrequency))"
                : "indexed, no norms, positions with payloads (SpladeField or SpladeAnalyzer with SpladeField.GetFieldType(Payload))";
            var expectedOptions = Settings.StorageMode == SpladeStorageMode.TermFrequency ? IndexOptions.DOCS_AND_FREQS : IndexOptions.DOCS_AND_FREQS_AND_POSITIONS;
            if (Settings.StorageMode == SpladeStorageMode.TermFrequency && info.IsIndexed && info.HasPayloads
                && info.IndexOptions >= IndexOptions.DOCS_AND_FREQS_AND_POSITIONS)
            {
                throw NotSplade($"segment {leaf.Ord} holds it with positions and payloads while the index stores term frequencies: it was indexed as "
                    + "one token per term with an impact payload (SpladeFieldOptions.OneTokenTermFrequency) by a writer whose codec did not convert it; "
                    + $"set IndexWriterConfig.Codec = new SpladeCodec([\"{FieldName}\"], [\"{FieldName}\"]) (or SpladeFieldSchema.CreateCodec()) and index those documents again");
            }
            if (!info.IsIndexed || info.HasNorms || info.IndexOptions != expectedOptions)
            {
                throw NotSplade($"its field info is {(info.IsIndexed ? info.IndexOptions.ToString() : "not indexed")}{(info.HasNorms ? " with norms" : "")} in segment {leaf.Ord}, expected {wantedShape}");
            }
            var terms = atomic.GetTerms(FieldName);
            if (terms is null)
            {
                continue;
            }
            if (Settings.StorageMode == SpladeStorageMode.Payload && !info.HasPayloads)
            {
                throw NotSplade($"segment {leaf.Ord} has no payloads, expected {wantedShape}");
            }
            if (Settings.StorageMode == SpladeStorageMode.TermFrequency && Scale >= 100 && Settings.SimilarityFunction == SimilarityFunction.Dot)
            {
                long postings = terms.SumDocFreq, impacts = terms.SumTotalTermFreq;
                if (postings >= 100 && impacts >= 0 && impacts < 0.02 * Scale * postings)
                {
                    throw NotSplade(string.Create(CultureInfo.InvariantCulture,
                        $"the mean impact in segment {leaf.Ord} is {(double)impacts / postings:0.##} over {postings} postings, expected at least 0.02 x scale = {0.02 * Scale:0.##} (plain text: words occur once or twice)"));
                }
            }
            if (Vocabulary is { } vocabulary)
            {
                var e = terms.GetEnumerator();
                int n = 0;
                while (n++ < MaxTermsChecked && e.MoveNext())
                {
                    string token = e.Term.Utf8ToString();
                    if (!vocabulary.TryGetId(token, out _))
                    {
                        throw NotSplade($"its term '{token}' in segment {leaf.Ord} is not a token of the model's vocabulary ({vocabulary.Source})");
                    }
                }
            }
        }
    }

    private SpladeIndexMismatchException NotSplade(string detail) => new(FieldName,
        $"field '{FieldName}' was not indexed as a SPLADE field: {detail}. Was the SPLADE analyzer left out (index it through "
        + "SpladeFieldSchema.CreateAnalyzer or with SpladeFieldSchema.CreateField)?");

    /// <summary>
    /// A <see cref="PerFieldAnalyzerWrapper"/> giving this field a <see cref="SpladeAnalyzer"/> and every other field
    /// <paramref name="defaultAnalyzer"/> or its entry of <paramref name="fieldAnalyzers"/>. Index the text with
    /// <see cref="CreateAnalyzedField"/>. This encodes one document per model call; <see cref="CreateFields"/> batches.
    /// </summary>
    /// <exception cref="InvalidOperationException">The schema has no encoder.</exception>
    /// <exception cref="ArgumentException"><paramref name="fieldAnalyzers"/> names this field.</exception>
    public Analyzer CreateAnalyzer(Analyzer defaultAnalyzer, IDictionary<string, Analyzer>? fieldAnalyzers = null)
    {
        ArgumentNullException.ThrowIfNull(defaultAnalyzer);
        var encoder = RequireEncoder("an analyzer");
        var map = new Dictionary<string, Analyzer>(fieldAnalyzers ?? new Dictionary<string, Analyzer>(), StringComparer.Ordinal);
        if (map.ContainsKey(FieldName))
        {
            throw new ArgumentException($"The analyzers name the SPLADE field '{FieldName}'; its analyzer is made by the schema.", nameof(fieldAnalyzers));
        }
        map[FieldName] = new SpladeAnalyzer(encoder, _options);
        return new PerFieldAnalyzerWrapper(defaultAnalyzer, map);
    }

    /// <summary>
    /// The writer's codec for this field (set it as <c>IndexWriterConfig.Codec</c>): a <see cref="SpladeCodec"/> persisting
    /// the field's impact bounds with each segment and, when the options ask for
    /// <see cref="SpladeFieldOptions.OneTokenTermFrequency"/> in term-frequency storage, writing the one-token payload
    /// impacts of the fields this schema creates as term frequencies.
    /// </summary>
    public SpladeCodec CreateCodec() =>
        SpladeField.UsesPayloads(_options) && Settings.StorageMode == SpladeStorageMode.TermFrequency
            ? new SpladeCodec([FieldName], [FieldName])
            : new SpladeCodec(FieldName);

    /// <summary>A field holding <paramref name="text"/> for the analyzer of <see cref="CreateAnalyzer"/> to encode when the document is indexed.</summary>
    public Field CreateAnalyzedField(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Field(FieldName, text, SpladeField.GetFieldType(_options));
    }

    /// <summary>The field of <paramref name="text"/>, encoded now (one model call; use <see cref="CreateFields"/> for many texts).</summary>
    /// <exception cref="InvalidOperationException">The schema has no encoder.</exception>
    public SpladeField CreateField(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return CreateField(RequireEncoder("text fields").EncodeDocument(text));
    }

    /// <summary>The fields of <paramref name="texts"/>, encoded in one batched call of <see cref="ISparseEncoder.EncodeDocuments"/>, in input order.</summary>
    /// <exception cref="InvalidOperationException">The schema has no encoder.</exception>
    public IReadOnlyList<SpladeField> CreateFields(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var vectors = RequireEncoder("text fields").EncodeDocuments(texts);
        var fields = new SpladeField[vectors.Count];
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = CreateField(vectors[i]);
        }
        return fields;
    }

    /// <summary>The field of a precomputed vector over the schema's vocabulary.</summary>
    /// <exception cref="InvalidOperationException">The schema has no vocabulary.</exception>
    /// <exception cref="ArgumentException">An invalid entry under <see cref="InvalidEntryHandling.Throw"/>.</exception>
    public SpladeField CreateField(SparseVector vector)
    {
        var vocabulary = Vocabulary ?? throw new InvalidOperationException($"SPLADE field '{FieldName}' has no vocabulary: give token weights instead of a vector.");
        return new SpladeField(vector, vocabulary, _options, Stats);
    }

    /// <summary>The field of precomputed token weights (Anserini's JSON <c>vector</c>).</summary>
    /// <exception cref="InvalidOperationException">The schema has no vocabulary.</exception>
    /// <exception cref="ArgumentException">An invalid entry under <see cref="InvalidEntryHandling.Throw"/>, or a repeated token.</exception>
    public SpladeField CreateField(IEnumerable<KeyValuePair<string, float>> termWeights)
    {
        ArgumentNullException.ThrowIfNull(termWeights);
        var vocabulary = Vocabulary ?? throw new InvalidOperationException($"SPLADE field '{FieldName}' has no vocabulary to check the tokens against.");
        return new SpladeField(termWeights, vocabulary, _options, Stats);
    }

    /// <summary>The searcher similarity: <see cref="SpladeSimilarity"/> for this field, <paramref name="otherFields"/> (BM25 by default) elsewhere, coord and query norm 1.</summary>
    public Similarity CreateSimilarity(Similarity? otherFields = null) => new SpladePerFieldSimilarity(FieldName, otherFields);

    /// <summary>A searcher of <paramref name="reader"/> with <see cref="CreateSimilarity"/>.</summary>
    public IndexSearcher CreateSearcher(IndexReader reader, Similarity? otherFields = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new IndexSearcher(reader) { Similarity = CreateSimilarity(otherFields) };
    }

    /// <summary>A SPLADE query of <paramref name="text"/> whose score is the dot product in model units (boost <c>1 / scale</c>).</summary>
    /// <exception cref="InvalidOperationException">The schema has no encoder.</exception>
    public SpladeQuery CreateQuery(string text, SpladeQueryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return InModelUnits(new SpladeQuery(FieldName, text, RequireEncoder("text queries"), CheckUnits(options)));
    }

    /// <summary>A SPLADE query of a precomputed query vector, scored in model units.</summary>
    /// <exception cref="InvalidOperationException">The schema has no vocabulary.</exception>
    public SpladeQuery CreateQuery(SparseVector vector, SpladeQueryOptions? options = null)
    {
        var vocabulary = Vocabulary ?? throw new InvalidOperationException($"SPLADE field '{FieldName}' has no vocabulary: give token weights instead of a vector.");
        return InModelUnits(new SpladeQuery(FieldName, vector, vocabulary, CheckUnits(options)));
    }

    /// <summary>A SPLADE query of token weights, scored in model units.</summary>
    public SpladeQuery CreateQuery(IEnumerable<KeyValuePair<string, float>> termWeights, SpladeQueryOptions? options = null) =>
        InModelUnits(new SpladeQuery(FieldName, termWeights ?? throw new ArgumentNullException(nameof(termWeights)), CheckUnits(options)));

    private SpladeQuery InModelUnits(SpladeQuery query)
    {
        query.Boost = 1f / Scale;
        return query;
    }

    private static SpladeQueryOptions? CheckUnits(SpladeQueryOptions? options) =>
        options?.WeightScale is not null
            ? throw new ArgumentException($"{nameof(SpladeQueryOptions.WeightScale)} makes integer query weights, whose scores are not in model units; use SpladeQuery directly.", nameof(options))
            : options;

    /// <summary>
    /// <c>bm25Weight x BM25 + spladeWeight x SPLADE</c> in one query, SPLADE in model units, so that weights of 1
    /// add a BM25 score and a dot product. Search it with <see cref="CreateSimilarity"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A weight is negative, NaN or infinite.</exception>
    public BooleanQuery CreateHybridQuery(Query bm25Query, SpladeQuery spladeQuery, float bm25Weight = 1f, float spladeWeight = 1f)
    {
        ArgumentNullException.ThrowIfNull(bm25Query);
        ArgumentNullException.ThrowIfNull(spladeQuery);
        if (!string.Equals(spladeQuery.Field, FieldName, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The SPLADE query searches field '{spladeQuery.Field}', not '{FieldName}'.", nameof(spladeQuery));
        }
        return HybridQuery.Create(bm25Query, spladeQuery, bm25Weight, spladeWeight);
    }

    /// <summary>
    /// The classic query parser with SPLADE clauses on this field scored in model units
    /// (<see cref="SpladeQueryParser.SpladeBoost"/> = 1 / scale): <c>title:aspirin AND splade:"..."</c> adds a BM25
    /// score and a dot product.
    /// </summary>
    /// <exception cref="InvalidOperationException">The schema has no encoder.</exception>
    public SpladeQueryParser CreateQueryParser(string defaultField, Analyzer analyzer, SpladeQueryOptions? options = null) =>
        new(LuceneVersion.LUCENE_48, defaultField, analyzer, FieldName, RequireEncoder("a query parser"), options) { SpladeBoost = 1f / Scale };

    /// <summary>
    /// The query terms that document <paramref name="doc"/> (a top-level document number of <paramref name="reader"/>)
    /// holds in this field, with the query weight, the document weight (impact / scale) and their product; heaviest
    /// contribution first, ties by token. The contributions sum to the document's model-unit score of the query
    /// (divided by any boost beyond <c>1 / scale</c>), up to float rounding.
    /// </summary>
    /// <exception cref="ArgumentException">The query is on another field.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="doc"/> is not a document of the reader.</exception>
    public IReadOnlyList<SpladeMatchedTerm> GetMatchedTerms(IndexReader reader, int doc, SpladeQuery query)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(query);
        if (!string.Equals(query.Field, FieldName, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The query searches field '{query.Field}', not '{FieldName}'.", nameof(query));
        }
        if (doc < 0 || doc >= reader.MaxDoc)
        {
            throw new ArgumentOutOfRangeException(nameof(doc), doc, $"Document {doc} is not in the reader (0..{reader.MaxDoc - 1}).");
        }
        return GetMatchedTerms(reader, doc, query.TermWeights);
    }

    /// <summary>As <see cref="GetMatchedTerms(IndexReader, int, SpladeQuery)"/> for query token weights.</summary>
    public IReadOnlyList<SpladeMatchedTerm> GetMatchedTerms(IndexReader reader, int doc, IReadOnlyList<KeyValuePair<string, float>> queryWeights)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(queryWeights);
        var leaves = reader.Leaves;
        var leaf = leaves[ReaderUtil.SubIndex(doc, leaves)];
        int local = doc - leaf.DocBase;
        var result = new List<SpladeMatchedTerm>();
        var terms = leaf.AtomicReader.GetTerms(FieldName);
        var info = leaf.AtomicReader.FieldInfos.FieldInfo(FieldName);
        if (terms is null || info is null)
        {
            return result;
        }
        var termsEnum = terms.GetEnumerator();
        foreach (var (token, weight) in queryWeights)
        {
            if (!termsEnum.SeekExact(new BytesRef(token)))
            {
                continue;
            }
            DocsEnum? docs = info.HasPayloads
                ? termsEnum.DocsAndPositions(null, null, DocsAndPositionsFlags.PAYLOADS)
                : termsEnum.Docs(null, null, DocsFlags.FREQS);
            if (docs is null)
            {
                continue;
            }
            var postings = new ImpactPostings(docs, token, weight);
            if (postings.Advance(local) == local)
            {
                result.Add(new SpladeMatchedTerm(token, weight, postings.Impact(), Scale));
            }
        }
        result.Sort((a, b) =>
        {
            int c = b.Contribution.CompareTo(a.Contribution);
            return c != 0 ? c : string.CompareOrdinal(a.Token, b.Token);
        });
        return result;
    }

    private ISparseEncoder RequireEncoder(string what) =>
        Encoder ?? throw new InvalidOperationException($"SPLADE field '{FieldName}' has no encoder, which {what} need(s): create the schema with one.");
}
