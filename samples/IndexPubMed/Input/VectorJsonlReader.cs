using System.Text.Json;

namespace IndexPubMed.Input;

/// <summary>
/// Reads precomputed sparse vectors in Anserini's JsonVectorCollection layout:
/// <c>{"id": "...", "contents": "...", "vector": {"token": weight, ...}}</c>, one per line
/// ("_id" accepted, "contents" and other properties ignored). Plain or gzip (detected by content).
/// </summary>
public sealed class VectorJsonlReader
{
    // Vocabularies are ~30k tokens: reusing token strings saves an allocation per entry.
    private const int MaxInternedTokens = 1 << 18;
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly char[] _chars = new char[256];

    /// <summary>
    /// Reads <paramref name="path"/> lazily. A bad line (not JSON, no id, no "vector" object, a
    /// weight that is not a number) is reported to <paramref name="onError"/> with its line number
    /// and skipped; blank lines are ignored. Token strings are shared across the records returned
    /// by this instance, so use one instance per thread.
    /// </summary>
    public IEnumerable<VectorRecord> Read(string path, Action<InputError> onError)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(onError);
        return JsonLines.Read(path, onError, Parse).Select(x => x.Item);
    }

    internal VectorRecord Parse(ReadOnlySpan<byte> line)
    {
        var reader = JsonLines.Begin(line);
        string? id = null;
        Dictionary<string, float>? weights = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8) || reader.ValueTextEquals("_id"u8))
            {
                string name = reader.ValueTextEquals("id"u8) ? "id" : "_id";
                reader.Read();
                id = JsonLines.ReadId(ref reader, name);
            }
            else if (reader.ValueTextEquals("vector"u8))
            {
                reader.Read();
                weights = ReadVector(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        JsonLines.End(ref reader);
        if (id is null)
        {
            throw new FormatException("no \"id\" or \"_id\"");
        }
        if (weights is null)
        {
            throw new FormatException($"vector '{id}' has no \"vector\"");
        }
        return new VectorRecord(id, weights);
    }

    private Dictionary<string, float> ReadVector(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException($"\"vector\" must be an object of token: weight, not {reader.TokenType}");
        }
        var weights = new Dictionary<string, float>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string token = Token(ref reader);
            reader.Read();
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetSingle(out float weight) || !float.IsFinite(weight))
            {
                throw new FormatException($"weight of token '{token}' is not a finite number ({reader.TokenType})");
            }
            weights[token] = weight;
        }
        return weights;
    }

    private string Token(ref Utf8JsonReader reader)
    {
        int length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        if (length > _chars.Length)
        {
            return reader.GetString()!;
        }
        int n = reader.CopyString(_chars);
        var lookup = _tokens.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(_chars.AsSpan(0, n), out string? known))
        {
            return known;
        }
        string token = new(_chars, 0, n);
        if (_tokens.Count < MaxInternedTokens)
        {
            _tokens[token] = token;
        }
        return token;
    }
}
