using System.Text.Encodings.Web;
using System.Text.Json;
using Splade.Encoder;

namespace Splade.Lucene.Formats;

/// <summary>
/// Writes sparse vectors in Anserini's JsonVectorCollection layout, one object per line:
/// <c>{"id": "...", "vector": {"token": weight, ...}}</c>, weights in full float precision (shortest
/// round-trip form), optionally with <c>"contents"</c> and the model's <c>"input_ids"</c>. What it writes,
/// <see cref="JsonVectorReader"/> and Anserini read.
/// </summary>
public sealed class JsonVectorWriter : IDisposable
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly Utf8JsonWriter _writer;

    /// <summary>Creates a writer on <paramref name="stream"/>.</summary>
    /// <param name="stream">Receives UTF-8 JSON lines.</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves <paramref name="stream"/> open.</param>
    public JsonVectorWriter(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _writer = new Utf8JsonWriter(stream, Options);
    }

    /// <summary>Records written so far.</summary>
    public long Count { get; private set; }

    /// <summary>Writes a vector over <paramref name="vocabulary"/>, entries in id order.</summary>
    /// <param name="id">The document or query id.</param>
    /// <param name="vector">The vector.</param>
    /// <param name="vocabulary">Gives each id's token string.</param>
    /// <param name="inputIds">The model's input ids, written as <c>"input_ids"</c>, or null.</param>
    /// <param name="contents">Written as Anserini's <c>"contents"</c>, or null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty, or an id of <paramref name="vector"/> is outside <paramref name="vocabulary"/>.</exception>
    public void Write(string id, SparseVector vector, Vocabulary vocabulary, IReadOnlyList<int>? inputIds = null, string? contents = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var indices = vector.Indices;
        var values = vector.Values;
        var pairs = new KeyValuePair<string, float>[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)vocabulary.Count)
            {
                throw new ArgumentException($"Vector id {indices[i]} is not in the vocabulary (ids 0..{vocabulary.Count - 1}).", nameof(vector));
            }
            pairs[i] = new(vocabulary[indices[i]], values[i]);
        }
        Write(id, pairs, inputIds, contents);
    }

    /// <summary>Writes a vector given as token strings and weights, in the order given.</summary>
    /// <param name="id">The document or query id.</param>
    /// <param name="weights">Token strings and weights.</param>
    /// <param name="inputIds">The model's input ids, written as <c>"input_ids"</c>, or null.</param>
    /// <param name="contents">Written as Anserini's <c>"contents"</c>, or null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty or a weight is not finite.</exception>
    public void Write(string id, IEnumerable<KeyValuePair<string, float>> weights, IReadOnlyList<int>? inputIds = null, string? contents = null)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new ArgumentException($"The id must not be empty, not '{id}'.", nameof(id));
        }
        ArgumentNullException.ThrowIfNull(weights);
        _writer.WriteStartObject();
        _writer.WriteString("id", id);
        if (contents is not null)
        {
            _writer.WriteString("contents", contents);
        }
        _writer.WriteStartObject("vector");
        foreach (var (token, weight) in weights)
        {
            if (!float.IsFinite(weight))
            {
                throw new ArgumentException($"Token '{token}' of '{id}' has weight {weight}; weights must be finite.", nameof(weights));
            }
            _writer.WriteNumber(token, weight);
        }
        _writer.WriteEndObject();
        if (inputIds is not null)
        {
            _writer.WriteStartArray("input_ids");
            foreach (int t in inputIds)
            {
                _writer.WriteNumberValue(t);
            }
            _writer.WriteEndArray();
        }
        _writer.WriteEndObject();
        _writer.Flush();
        _stream.WriteByte((byte)'\n');
        _writer.Reset();
        Count++;
    }

    /// <summary>Flushes the stream.</summary>
    public void Flush() => _stream.Flush();

    /// <summary>Flushes, and disposes the stream unless it was to be left open.</summary>
    public void Dispose()
    {
        _writer.Dispose();
        _stream.Flush();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
