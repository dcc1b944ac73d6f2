using System.Text;
using Splade.Encoder;

namespace Splade.Lucene.Tests.Support;

/// <summary>
/// A deterministic stand-in for a SPLADE model: a text maps to a vector given in a dictionary, or else
/// every word (lower-cased letters and digits) maps to its vocabulary id (or a hashed id when the word is
/// not a token) with a weight in (0.1, 3.5] derived from a hash of the word. Counts encoder calls.
/// </summary>
public sealed class FakeSparseEncoder : ISparseEncoder
{
    private static readonly Lazy<Vocabulary> TinyVocabulary = new(() =>
        Vocabulary.LoadVocabTxt(Path.Combine(AppContext.BaseDirectory, "fixtures", "tiny-splade", "vocab.txt")));

    private readonly Dictionary<string, SparseVector> _fixed;
    private int _queryCalls;
    private int _documentCalls;

    public FakeSparseEncoder(IDictionary<string, SparseVector>? fixedVectors = null, SimilarityFunction similarity = SimilarityFunction.Dot, string modelId = "fake-model")
    {
        _fixed = new Dictionary<string, SparseVector>(fixedVectors ?? new Dictionary<string, SparseVector>(), StringComparer.Ordinal);
        SimilarityFunction = similarity;
        ModelId = modelId;
    }

    /// <summary>The 30,522-token BERT vocabulary of the tiny-splade fixture.</summary>
    public static Vocabulary BertVocabulary => TinyVocabulary.Value;

    public Vocabulary Vocabulary => BertVocabulary;

    public SimilarityFunction SimilarityFunction { get; }

    public string ModelId { get; }

    public int QueryCalls => Volatile.Read(ref _queryCalls);

    public int DocumentCalls => Volatile.Read(ref _documentCalls);

    public SparseVector EncodeQuery(string text)
    {
        Interlocked.Increment(ref _queryCalls);
        return Encode(text);
    }

    public SparseVector EncodeDocument(string text)
    {
        Interlocked.Increment(ref _documentCalls);
        return Encode(text);
    }

    public IReadOnlyList<SparseVector> EncodeQueries(IReadOnlyList<string> texts) => texts.Select(EncodeQuery).ToArray();

    public IReadOnlyList<SparseVector> EncodeDocuments(IReadOnlyList<string> texts) => texts.Select(EncodeDocument).ToArray();

    /// <summary>The weight the hash rule gives a word: in (0.1, 3.5].</summary>
    public static float WordWeight(string word) => 0.1f + ((Hash(word, 17) % 3400) + 1) / 1000f;

    /// <summary>The id the hash rule gives a word.</summary>
    public int WordId(string word) => Vocabulary.TryGetId(word, out int id) ? id : (int)(Hash(word, 31) % (uint)Vocabulary.Count);

    private SparseVector Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_fixed.TryGetValue(text, out var v))
        {
            return v;
        }
        var weights = new Dictionary<int, float>();
        foreach (var word in Words(text))
        {
            int id = WordId(word);
            weights[id] = Math.Max(weights.GetValueOrDefault(id), WordWeight(word));
        }
        var vector = SparseVector.Create(weights.Keys.ToArray(), weights.Values.ToArray());
        return SimilarityFunction == SimilarityFunction.Cosine ? vector.Normalize() : vector;
    }

    public static IEnumerable<string> Words(string text)
    {
        var sb = new StringBuilder();
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
            else if (sb.Length > 0)
            {
                yield return sb.ToString();
                sb.Clear();
            }
        }
        if (sb.Length > 0)
        {
            yield return sb.ToString();
        }
    }

    private static uint Hash(string s, uint seed)
    {
        uint h = 2166136261u ^ seed;
        foreach (char c in s)
        {
            h = (h ^ c) * 16777619u;
        }
        return h;
    }
}
