using System.Collections.Frozen;
using System.Text.Json;

namespace Splade.Encoder;

/// <summary>
/// A WordPiece vocabulary: the token string of every vector id, in id order. Immutable and thread safe.
/// </summary>
public sealed class Vocabulary
{
    private readonly string[] _tokens;
    private readonly FrozenDictionary<string, int> _ids;

    private Vocabulary(string[] tokens, string source)
    {
        _tokens = tokens;
        var ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++)
        {
            // Hugging Face keeps the last id of a duplicated line; so do we.
            ids[tokens[i]] = i;
        }
        _ids = ids.ToFrozenDictionary(StringComparer.Ordinal);
        Source = source;
    }

    /// <summary>Number of entries; vector ids run from 0 to <c>Count - 1</c>.</summary>
    public int Count => _tokens.Length;

    /// <summary>Where the vocabulary was read from (a file path, or a description).</summary>
    public string Source { get; }

    /// <summary>The token string of an id.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not in the vocabulary.</exception>
    public string this[int id]
    {
        get
        {
            if ((uint)id >= (uint)_tokens.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(id), id, $"Vocabulary id {id} is outside 0..{_tokens.Length - 1} ({Source}).");
            }
            return _tokens[id];
        }
    }

    /// <summary>Looks up the id of a token string (exact, case-sensitive).</summary>
    public bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);

    /// <summary>Looks up the id of a token string (exact, case-sensitive).</summary>
    public bool TryGetId(ReadOnlySpan<char> token, out int id) => _ids.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(token, out id);

    /// <summary>Builds a vocabulary from token strings in id order.</summary>
    public static Vocabulary Create(IEnumerable<string> tokens, string source = "(in memory)")
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var array = tokens.ToArray();
        if (array.Length == 0)
        {
            throw new ArgumentException("A vocabulary needs at least one token.", nameof(tokens));
        }
        return new Vocabulary(array, source);
    }

    /// <summary>Reads a BERT <c>vocab.txt</c>: one token a line, the line number (from 0) being its id.</summary>
    /// <exception cref="SpladeModelException">The file is missing, unreadable or empty.</exception>
    public static Vocabulary LoadVocabTxt(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpladeModelException($"Cannot read the vocabulary: {e.Message}", path, e);
        }
        // A trailing newline gives no extra entry, but a blank line inside the file is a real (empty) token.
        int n = lines.Length;
        while (n > 0 && lines[n - 1].Length == 0)
        {
            n--;
        }
        if (n == 0)
        {
            throw new SpladeModelException("The vocabulary file is empty.", path);
        }
        var tokens = new string[n];
        for (int i = 0; i < n; i++)
        {
            tokens[i] = lines[i].TrimEnd('\r');
        }
        return new Vocabulary(tokens, path);
    }

    /// <summary>Reads the WordPiece vocabulary (<c>model.vocab</c>) of a Hugging Face <c>tokenizer.json</c>.</summary>
    /// <exception cref="SpladeModelException">The file is missing, not JSON, not a WordPiece tokenizer, or its ids have gaps.</exception>
    public static Vocabulary LoadTokenizerJson(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var doc = JsonDocument.Parse(stream);
            if (!doc.RootElement.TryGetProperty("model", out var model) || !model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
            {
                throw new SpladeModelException("tokenizer.json has no model.vocab object (only WordPiece tokenizers are supported).", path);
            }
            if (model.TryGetProperty("type", out var type) && type.GetString() is { } t && t != "WordPiece")
            {
                throw new SpladeModelException($"tokenizer.json describes a {t} tokenizer; only WordPiece (BERT) tokenizers are supported.", path);
            }
            var pairs = new List<(string Token, int Id)>();
            foreach (var p in vocab.EnumerateObject())
            {
                pairs.Add((p.Name, p.Value.GetInt32()));
            }
            var tokens = new string?[pairs.Count];
            foreach (var (token, id) in pairs)
            {
                if ((uint)id >= (uint)tokens.Length || tokens[id] is not null)
                {
                    throw new SpladeModelException($"tokenizer.json vocabulary ids are not 0..{tokens.Length - 1} without gaps (token '{token}' has id {id}).", path);
                }
                tokens[id] = token;
            }
            if (tokens.Length == 0)
            {
                throw new SpladeModelException("tokenizer.json has an empty vocabulary.", path);
            }
            return new Vocabulary(tokens!, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException)
        {
            throw new SpladeModelException($"Cannot read tokenizer.json: {e.Message}", path, e);
        }
    }
}
