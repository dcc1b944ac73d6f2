using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Splade.Encoder.Tokenization;

namespace Splade.Bench.Encoder;

/// <summary>
/// Biomedical benchmark texts: SciFact abstracts (title + abstract, in a seeded shuffled order), each
/// cut after the sentence that reaches the wanted number of word pieces, or topped up with sentences of
/// other abstracts until it does, so that truncation cuts at most the last sentence and every batch is
/// full length.
/// </summary>
internal static partial class BenchTexts
{
    /// <summary>Short biomedical queries, of the kind SciFact claims are made of.</summary>
    public static IReadOnlyList<string> Queries { get; } =
    [
        "aspirin heart attack prevention",
        "statins lower ldl cholesterol",
        "vitamin d deficiency fracture risk",
        "brca1 mutation breast cancer",
        "metformin type 2 diabetes",
        "covid-19 vaccine efficacy",
        "gut microbiome obesity",
        "p53 tumor suppressor apoptosis",
        "malaria drug resistance",
        "smoking lung cancer incidence",
        "crispr gene editing off-target",
        "insulin resistance inflammation",
    ];

    /// <summary>Builds <paramref name="count"/> texts of at least <paramref name="minPieces"/> word pieces each.</summary>
    public static List<string> Documents(string corpusPath, BertTokenizer tokenizer, int count, int minPieces, int seed)
    {
        var abstracts = ReadAbstracts(corpusPath).ToArray();
        var random = new Random(seed);
        random.Shuffle(abstracts);
        var sentences = abstracts.SelectMany(a => SentenceEnd().Split(a)).Where(s => s.Length > 20).ToArray();
        var texts = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            // Whole sentences of one abstract, then of random others, until the text is long enough.
            var own = SentenceEnd().Split(abstracts[i % abstracts.Length]);
            var text = new StringBuilder();
            for (int k = 0; PieceCount(tokenizer, text.ToString()) < minPieces; k++)
            {
                text.Append(text.Length == 0 ? "" : " ").Append(k < own.Length ? own[k] : sentences[random.Next(sentences.Length)]);
            }
            texts.Add(text.ToString());
        }
        return texts;
    }

    /// <summary>Word pieces of the text, without [CLS]/[SEP] and without truncation.</summary>
    public static int PieceCount(BertTokenizer tokenizer, string text) => tokenizer.Encode(text, int.MaxValue).Length - 2;

    private static List<string> ReadAbstracts(string path)
    {
        var result = new List<string>();
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            string title = doc.RootElement.GetProperty("title").GetString() ?? "";
            string body = doc.RootElement.GetProperty("text").GetString() ?? "";
            if (body.Length > 0)
            {
                result.Add(title.Length > 0 ? title + " " + body : body);
            }
        }
        return result;
    }

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z])")]
    private static partial Regex SentenceEnd();
}
