using System.Globalization;
using Lucene.Net.Index;
using Splade.Encoder;

namespace Splade.Lucene.Index;

/// <summary>
/// The settings a SPLADE field was indexed with, kept in the commit user data of the index so that a
/// search with another scale, storage mode, model or similarity is refused instead of silently giving
/// wrong scores. Keys, for field <c>F</c>:
/// <list type="bullet">
/// <item><c>splade.F.storage_mode</c>: <c>TermFrequency</c> or <c>Payload</c>;</item>
/// <item><c>splade.F.scale</c>: the quantization scale, invariant culture round-trip format (<c>100</c>);</item>
/// <item><c>splade.F.model_id</c>: <see cref="ISparseEncoder.ModelId"/>;</item>
/// <item><c>splade.F.similarity</c>: <c>Dot</c> or <c>Cosine</c>;</item>
/// <item><c>splade.F.document_encoding</c>: <see cref="ISparseEncoder.DocumentEncoding"/> (<c>truncate</c> or
/// <c>chunk(stride=N)</c>), written when known. Indexes written before this key existed were truncated, so
/// comparisons take a missing (empty) value as <c>truncate</c>.</item>
/// </list>
/// </summary>
public sealed class SpladeIndexSettings : IEquatable<SpladeIndexSettings>
{
    /// <summary>Setting name of the storage mode.</summary>
    public const string StorageModeKey = "storage_mode";

    /// <summary>Setting name of the scale.</summary>
    public const string ScaleKey = "scale";

    /// <summary>Setting name of the model id.</summary>
    public const string ModelIdKey = "model_id";

    /// <summary>Setting name of the similarity function.</summary>
    public const string SimilarityKey = "similarity";

    /// <summary>Setting name of the long-text handling of documents.</summary>
    public const string DocumentEncodingKey = "document_encoding";

    /// <summary>Creates settings.</summary>
    /// <exception cref="ArgumentException">An argument is out of range; the message names it.</exception>
    public SpladeIndexSettings(string fieldName, SpladeStorageMode storageMode, float scale, string modelId, SimilarityFunction similarityFunction)
    {
        if (string.IsNullOrWhiteSpace(fieldName))
        {
            throw new ArgumentException($"The field name must not be empty, not '{fieldName}'.", nameof(fieldName));
        }
        if (!Enum.IsDefined(storageMode))
        {
            throw new ArgumentException($"Storage mode {(int)storageMode} is not a {nameof(SpladeStorageMode)}.", nameof(storageMode));
        }
        if (!float.IsFinite(scale) || scale <= 0)
        {
            throw new ArgumentException($"The scale must be a finite positive number, not {scale}.", nameof(scale));
        }
        ArgumentNullException.ThrowIfNull(modelId);
        if (!Enum.IsDefined(similarityFunction))
        {
            throw new ArgumentException($"Similarity function {(int)similarityFunction} is not a {nameof(SimilarityFunction)}.", nameof(similarityFunction));
        }
        FieldName = fieldName;
        StorageMode = storageMode;
        Scale = scale;
        ModelId = modelId;
        SimilarityFunction = similarityFunction;
    }

    /// <summary>The SPLADE field.</summary>
    public string FieldName { get; }

    /// <summary>How impacts are stored.</summary>
    public SpladeStorageMode StorageMode { get; }

    /// <summary>The quantization scale.</summary>
    public float Scale { get; }

    /// <summary>The model identity; empty when unknown (precomputed vectors), which <see cref="Verify"/> does not check.</summary>
    public string ModelId { get; }

    /// <summary>How the model compares vectors.</summary>
    public SimilarityFunction SimilarityFunction { get; }

    /// <summary>
    /// How documents longer than the model's length were encoded (<see cref="ISparseEncoder.DocumentEncoding"/>);
    /// empty when unknown. It changes document vectors only, so <see cref="Verify"/> (used by searches, whose
    /// queries are never chunked) does not check it, while <see cref="Equals(SpladeIndexSettings?)"/> (used
    /// before adding documents or merging indexes) does.
    /// </summary>
    public string DocumentEncoding { get; init; } = string.Empty;

    /// <summary>The settings of a field indexed by <paramref name="encoder"/> with <paramref name="options"/>.</summary>
    public static SpladeIndexSettings From(SpladeFieldOptions options, ISparseEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(encoder);
        options.Validate();
        return new SpladeIndexSettings(options.FieldName, options.StorageMode, options.Scale, encoder.ModelId, options.SimilarityFunction ?? encoder.SimilarityFunction)
        {
            DocumentEncoding = encoder.DocumentEncoding ?? string.Empty,
        };
    }

    /// <summary>The settings of a field of precomputed vectors from model <paramref name="modelId"/>.</summary>
    public static SpladeIndexSettings From(SpladeFieldOptions options, string modelId)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new SpladeIndexSettings(options.FieldName, options.StorageMode, options.Scale, modelId, options.SimilarityFunction ?? SimilarityFunction.Dot);
    }

    /// <summary>The commit user data key of <paramref name="setting"/> for <paramref name="fieldName"/>: <c>splade.{field}.{setting}</c>.</summary>
    public static string KeyFor(string fieldName, string setting) => $"splade.{fieldName}.{setting}";

    /// <summary>
    /// Adds these settings to the commit data of <paramref name="writer"/>, keeping its other entries;
    /// they are written by the next <c>Commit()</c>. A later <c>IndexWriter.SetCommitData</c> replaces all commit
    /// data and so drops them (which <see cref="SpladeFieldSchema.Open"/> then reports); prefer
    /// <see cref="SpladeFieldSchema.Commit"/>, which merges them into every commit.
    /// </summary>
    public void Write(IndexWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var data = new Dictionary<string, string>(writer.CommitData ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in ToUserData())
        {
            data[key] = value;
        }
        writer.SetCommitData(data);
    }

    /// <summary>These settings as commit user data entries.</summary>
    public IReadOnlyDictionary<string, string> ToUserData()
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [KeyFor(FieldName, StorageModeKey)] = StorageMode.ToString(),
            [KeyFor(FieldName, ScaleKey)] = Scale.ToString("R", CultureInfo.InvariantCulture),
            [KeyFor(FieldName, ModelIdKey)] = ModelId,
            [KeyFor(FieldName, SimilarityKey)] = SimilarityFunction.ToString(),
        };
        if (DocumentEncoding.Length > 0)
        {
            data[KeyFor(FieldName, DocumentEncodingKey)] = DocumentEncoding;
        }
        return data;
    }

    /// <summary>Reads the settings of <paramref name="fieldName"/> from the commit of <paramref name="reader"/>; null when none are recorded.</summary>
    /// <exception cref="SpladeIndexMismatchException">Some settings are recorded but missing or unreadable.</exception>
    public static SpladeIndexSettings? Read(DirectoryReader reader, string fieldName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Read(reader.IndexCommit.UserData, fieldName);
    }

    /// <summary>Reads the settings of <paramref name="fieldName"/> from commit user data; null when none are recorded.</summary>
    /// <exception cref="SpladeIndexMismatchException">Some settings are recorded but missing or unreadable.</exception>
    public static SpladeIndexSettings? Read(IDictionary<string, string> userData, string fieldName)
    {
        ArgumentNullException.ThrowIfNull(userData);
        ArgumentNullException.ThrowIfNull(fieldName);
        string? Get(string setting) => userData.TryGetValue(KeyFor(fieldName, setting), out var v) ? v : null;
        string? mode = Get(StorageModeKey), scale = Get(ScaleKey), model = Get(ModelIdKey), similarity = Get(SimilarityKey);
        if (mode is null && scale is null && model is null && similarity is null)
        {
            return null;
        }
        if (mode is null || !Enum.TryParse<SpladeStorageMode>(mode, out var m) || !Enum.IsDefined(m))
        {
            throw new SpladeIndexMismatchException(fieldName, StorageModeKey, mode, "TermFrequency or Payload");
        }
        if (scale is null || !float.TryParse(scale, NumberStyles.Float, CultureInfo.InvariantCulture, out float s) || !float.IsFinite(s) || s <= 0)
        {
            throw new SpladeIndexMismatchException(fieldName, ScaleKey, scale, "a positive number");
        }
        if (similarity is null || !Enum.TryParse<SimilarityFunction>(similarity, out var f) || !Enum.IsDefined(f))
        {
            throw new SpladeIndexMismatchException(fieldName, SimilarityKey, similarity, "Dot or Cosine");
        }
        return new SpladeIndexSettings(fieldName, m, s, model ?? string.Empty, f) { DocumentEncoding = Get(DocumentEncodingKey) ?? string.Empty };
    }

    /// <summary>
    /// Checks that the index behind <paramref name="reader"/> was built with these settings. The model id
    /// is compared only when both are non-empty.
    /// </summary>
    /// <exception cref="SpladeIndexMismatchException">The settings are missing or differ; the message names field, stored and requested value.</exception>
    public void Verify(DirectoryReader reader)
    {
        var stored = Read(reader, FieldName) ?? throw new SpladeIndexMismatchException(FieldName, StorageModeKey, null, StorageMode.ToString());
        if (stored.StorageMode != StorageMode)
        {
            throw new SpladeIndexMismatchException(FieldName, StorageModeKey, stored.StorageMode.ToString(), StorageMode.ToString());
        }
        if (stored.Scale != Scale)
        {
            throw new SpladeIndexMismatchException(FieldName, ScaleKey, stored.Scale.ToString("R", CultureInfo.InvariantCulture), Scale.ToString("R", CultureInfo.InvariantCulture));
        }
        if (stored.ModelId.Length > 0 && ModelId.Length > 0 && !string.Equals(stored.ModelId, ModelId, StringComparison.Ordinal))
        {
            throw new SpladeIndexMismatchException(FieldName, ModelIdKey, stored.ModelId, ModelId);
        }
        if (stored.SimilarityFunction != SimilarityFunction)
        {
            throw new SpladeIndexMismatchException(FieldName, SimilarityKey, stored.SimilarityFunction.ToString(), SimilarityFunction.ToString());
        }
    }

    /// <inheritdoc/>
    public bool Equals(SpladeIndexSettings? other) =>
        other is not null && FieldName == other.FieldName && StorageMode == other.StorageMode && Scale == other.Scale
        && ModelId == other.ModelId && SimilarityFunction == other.SimilarityFunction && ComparableDocumentEncoding == other.ComparableDocumentEncoding;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SpladeIndexSettings);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(FieldName, StorageMode, Scale, ModelId, SimilarityFunction, ComparableDocumentEncoding);

    // Before chunking existed every document was truncated, and indexes of that time record no value.
    internal string ComparableDocumentEncoding => DocumentEncoding.Length == 0 ? "truncate" : DocumentEncoding;

    /// <inheritdoc/>
    public override string ToString() => string.Join(", ", ToUserData().Select(p => $"{p.Key}={p.Value}"));
}
