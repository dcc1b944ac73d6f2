using System.Text.Json;
using Splade.Encoder;

namespace Splade.Lucene.Tests.EndToEnd;

/// <summary>
/// The tiny-splade model (copied to the test output) loaded once, the documents and queries of its
/// golden.json with their reference vectors and dot products, and the encoder's own encodings of them.
/// </summary>
public sealed class TinyModelFixture : IDisposable
{
    public TinyModelFixture()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "fixtures", "tiny-splade");
        Encoder = SpladeEncoder.Create(folder);
        using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "golden.json")));
        var docs = new List<(string Text, SparseVector Vector)>();
        var queries = new List<(string Text, SparseVector Vector)>();
        foreach (var e in golden.RootElement.GetProperty("encodings").EnumerateArray())
        {
            string kind = e.GetProperty("kind").GetString()!;
            var entry = (
                e.GetProperty("text").GetString()!,
                SparseVector.Create(
                    e.GetProperty("indices").EnumerateArray().Select(v => v.GetInt32()).ToArray(),
                    e.GetProperty("values").EnumerateArray().Select(v => v.GetSingle()).ToArray()));
            if (kind == "doc")
            {
                docs.Add(entry);
            }
            else if (kind == "query")
            {
                queries.Add(entry);
            }
        }
        DocumentTexts = docs.ConvertAll(d => d.Text).ToArray();
        GoldenDocumentVectors = docs.ConvertAll(d => d.Vector).ToArray();
        QueryTexts = queries.ConvertAll(q => q.Text).ToArray();
        Scores = golden.RootElement.GetProperty("scores_query_by_doc").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(v => v.GetDouble()).ToArray())
            .ToArray();
        if (DocumentTexts.Length != 20 || QueryTexts.Length != 10 || Scores.Length != 10 || Scores.Any(r => r.Length != 20))
        {
            throw new InvalidDataException($"golden.json: expected 20 documents, 10 queries and a 10 x 20 score matrix, found {DocumentTexts.Length}, {QueryTexts.Length} and {Scores.Length} rows.");
        }
        EncodedDocuments = Array.ConvertAll(DocumentTexts, Encoder.EncodeDocument);
        EncodedQueries = Array.ConvertAll(QueryTexts, Encoder.EncodeQuery);
    }

    public SpladeEncoder Encoder { get; }

    public string[] DocumentTexts { get; }

    /// <summary>sentence-transformers' vectors of the documents.</summary>
    public SparseVector[] GoldenDocumentVectors { get; }

    public string[] QueryTexts { get; }

    /// <summary>Golden dot products: rows are the queries, columns the documents.</summary>
    public double[][] Scores { get; }

    /// <summary>The C# encoder's vectors of the documents (what the analyzer indexes).</summary>
    public SparseVector[] EncodedDocuments { get; }

    /// <summary>The C# encoder's vectors of the queries (what SpladeQuery searches with).</summary>
    public SparseVector[] EncodedQueries { get; }

    public void Dispose() => Encoder.Dispose();
}
