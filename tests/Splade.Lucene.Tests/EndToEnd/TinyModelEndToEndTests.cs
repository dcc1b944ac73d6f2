using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Analysis;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;
using Xunit.Abstractions;

namespace Splade.Lucene.Tests.EndToEnd;

/// <summary>
/// The real encoder and the tiny model, end to end: the 20 golden documents indexed (text encoded at
/// index time, or precomputed golden vectors), the 10 golden queries encoded at search time, and every
/// document's score compared with sentence-transformers' dot products in golden.json.
/// </summary>
/// <remarks>
/// Error bound. The index holds <c>round(d_t x s)</c> for each document weight <c>d_t</c> (scale
/// <c>s</c> = 100), off from <c>d_t x s</c> by at most 0.5 (a weight under 0.5/s rounds to 0 and is
/// dropped, also an error of at most 0.5). The score is <c>S = sum_t q_t x round(d_t x s)</c> over the
/// query terms, so <c>|S / s - q.d| &lt;= sum_t |q_t| x 0.5 / s</c>, summed over all the query's terms
/// (a term the document lacks contributes 0 on both sides). golden.json's dot products come from
/// sentence-transformers' vectors, which the C# encoder reproduces to about 1.2e-6 per weight; summed
/// over the ~10 query and ~60 document weights of about 1 that shifts a dot product by well under 1e-4,
/// which is added. Float summation of <c>S</c> (a few hundred, ~25 terms) adds a relative 1e-6.
/// Hence <c>|S / s - golden| &lt;= sum_t |q_t| x 0.5 / s + 1e-4 (+ 1e-6 relative)</c>.
/// </remarks>
public sealed class TinyModelEndToEndTests : IClassFixture<TinyModelFixture>
{
    private const string FieldName = "splade";
    private const string TextFieldName = "text";
    private const float Scale = SpladeFieldOptions.DefaultScale;

    // Encoder versus sentence-transformers vectors, propagated to a dot product (see the remarks).
    private const double GoldenFloatError = 1e-4;

    // Lucene sums float products; the exact value is computed in double.
    private const double SummationRelativeError = 1e-5;

    private readonly TinyModelFixture _model;
    private readonly ITestOutputHelper _output;

    public TinyModelEndToEndTests(TinyModelFixture model, ITestOutputHelper output)
    {
        _model = model;
        _output = output;
    }

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency, false)]
    [InlineData(SpladeStorageMode.Payload, false)]
    [InlineData(SpladeStorageMode.TermFrequency, true)]
    [InlineData(SpladeStorageMode.Payload, true)]
    public void SpladeQueryScoresAreTheGoldenDotProductsWithinQuantizationError(SpladeStorageMode mode, bool precomputed)
    {
        using var dir = BuildIndex(mode, precomputed, out var indexed);
        using var reader = DirectoryReader.Open(dir);
        var searcher = CreateSearcher(reader);
        for (int q = 0; q < _model.QueryTexts.Length; q++)
        {
            var query = new SpladeQuery(FieldName, _model.QueryTexts[q], _model.Encoder);
            CheckAgainstGolden(searcher, query, q, indexed);
            QueryAssert.ExplainEqualsScore(searcher, query, 5);
        }
    }

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void ParsedSpladeClauseScoresAreTheGoldenDotProducts(SpladeStorageMode mode)
    {
        using var dir = BuildIndex(mode, precomputed: false, out var indexed);
        using var reader = DirectoryReader.Open(dir);
        var searcher = CreateSearcher(reader);
        var parser = CreateParser();
        for (int q = 0; q < _model.QueryTexts.Length; q++)
        {
            var parsed = parser.Parse($"{FieldName}:{Quote(_model.QueryTexts[q])}");
            var splade = Assert.IsType<SpladeQuery>(parsed);
            Assert.Equal(_model.QueryTexts[q], splade.Text);
            CheckAgainstGolden(searcher, parsed, q, indexed);
        }
    }

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency, 0.7f, 0.01f)]
    [InlineData(SpladeStorageMode.Payload, 2f, 0.05f)]
    public void HybridScoreIsTheWeightedSumOfBm25AndSplade(SpladeStorageMode mode, float bm25Weight, float spladeWeight)
    {
        using var dir = BuildIndex(mode, precomputed: false, out var indexed);
        using var reader = DirectoryReader.Open(dir);
        var searcher = CreateSearcher(reader);
        var parser = CreateParser();
        int both = 0;
        for (int q = 0; q < _model.QueryTexts.Length; q++)
        {
            string text = _model.QueryTexts[q];
            string lexical = $"{TextFieldName}:({QueryParserBase.Escape(text)})";
            var bm25 = parser.Parse(lexical);
            var splade = new SpladeQuery(FieldName, text, _model.Encoder);
            var bm25Scores = Scores(searcher, bm25);
            var spladeScores = CheckAgainstGolden(searcher, splade, q, indexed);
            both += bm25Scores.Keys.Count(spladeScores.ContainsKey);
            string w1 = bm25Weight.ToString("R", CultureInfo.InvariantCulture), w2 = spladeWeight.ToString("R", CultureInfo.InvariantCulture);
            var hybrids = new[]
            {
                HybridQuery.Create(bm25, splade, bm25Weight, spladeWeight),
                parser.Parse($"{lexical}^{w1} {FieldName}:{Quote(text)}^{w2}"),
            };
            foreach (var hybrid in hybrids)
            {
                var hits = searcher.Search(hybrid, 20);
                Assert.Equal(bm25Scores.Keys.Union(spladeScores.Keys).Count(), hits.TotalHits);
                foreach (var hit in hits.ScoreDocs)
                {
                    double expected = (bm25Weight * (double)bm25Scores.GetValueOrDefault(hit.Doc)) + (spladeWeight * (double)spladeScores.GetValueOrDefault(hit.Doc));
                    Assert.True(Math.Abs(expected - hit.Score) <= SummationRelativeError * expected,
                        $"query {q} '{text}', {hybrid}: doc {hit.Doc} scored {hit.Score:R}, expected {bm25Weight} x {bm25Scores.GetValueOrDefault(hit.Doc):R} + {spladeWeight} x {spladeScores.GetValueOrDefault(hit.Doc):R} = {expected:R}");
                }
            }
        }
        // The sums are only tested if some documents score on both sides.
        Assert.True(both > 0, "no document matched both the BM25 and the SPLADE clause");
    }

    [Fact]
    public void VerifyRefusesAnIndexBuiltWithAnotherScale()
    {
        var indexedWith = new SpladeFieldOptions { Scale = 50f };
        using var dir = new RAMDirectory();
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, CreateAnalyzer(indexedWith))))
        {
            writer.AddDocument(new Document { new Field(FieldName, _model.DocumentTexts[0], SpladeField.GetFieldType(indexedWith.StorageMode)) });
            SpladeIndexSettings.From(indexedWith, _model.Encoder).Write(writer);
            writer.Commit();
        }
        using var reader = DirectoryReader.Open(dir);
        SpladeIndexSettings.From(indexedWith, _model.Encoder).Verify(reader); // the same settings pass
        var requested = SpladeIndexSettings.From(new SpladeFieldOptions { Scale = 100f }, _model.Encoder);
        var e = Assert.Throws<SpladeIndexMismatchException>(() => requested.Verify(reader));
        Assert.Equal(FieldName, e.FieldName);
        Assert.Equal(SpladeIndexSettings.ScaleKey, e.Setting);
        Assert.Equal("50", e.StoredValue);
        Assert.Equal("100", e.RequestedValue);
        Assert.Contains($"'{FieldName}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'50'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'100'", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Checks every document's score of golden query <paramref name="q"/> (see the class remarks for the
    /// bound), the exact quantized dot product of the indexed vectors, and the golden ranking wherever it
    /// is beyond the error. Returns the scores by document.
    /// </summary>
    private Dictionary<int, float> CheckAgainstGolden(IndexSearcher searcher, Query query, int q, SparseVector[] indexed)
    {
        var hits = searcher.Search(query, 20);
        Assert.Equal(hits.TotalHits, hits.ScoreDocs.Length);
        var scores = hits.ScoreDocs.ToDictionary(h => h.Doc, h => h.Score);
        var rank = new int[indexed.Length];
        Array.Fill(rank, int.MaxValue);
        for (int i = 0; i < hits.ScoreDocs.Length; i++)
        {
            rank[hits.ScoreDocs[i].Doc] = i;
        }
        var queryVector = _model.EncodedQueries[q];
        double bound = 0;
        foreach (float w in queryVector.Values)
        {
            bound += Math.Abs(w) * 0.5 / Scale;
        }
        bound += GoldenFloatError;
        double[] golden = _model.Scores[q];
        double worst = 0;
        for (int d = 0; d < indexed.Length; d++)
        {
            double exact = QuantizedDot(queryVector, indexed[d]);
            double score = scores.TryGetValue(d, out float s) ? s : 0.0;
            Assert.True(scores.ContainsKey(d) == exact > 0, $"query {q}: doc {d} is {(scores.ContainsKey(d) ? "" : "not ")}a hit but its quantized dot product is {exact:R}");
            Assert.True(Math.Abs(score - exact) <= SummationRelativeError * exact,
                $"query {q}: doc {d} scored {score:R}, the quantized dot product is {exact:R}");
            double error = Math.Abs((score / Scale) - golden[d]);
            worst = Math.Max(worst, error / bound);
            Assert.True(error <= bound + (1e-6 * golden[d]),
                $"query {q} '{_model.QueryTexts[q]}': doc {d} scored {score:R} / {Scale} = {score / Scale:R}, golden {golden[d]:R}, error {error:G3} > bound {bound:G3}");
        }
        int ordered = 0;
        for (int a = 0; a < indexed.Length; a++)
        {
            for (int b = 0; b < indexed.Length; b++)
            {
                if (golden[a] - golden[b] > 2 * bound)
                {
                    ordered++;
                    Assert.True(rank[a] < rank[b], $"query {q}: golden ranks doc {a} ({golden[a]:R}) above doc {b} ({golden[b]:R}) but Lucene ranks them {rank[a]} and {rank[b]}");
                }
            }
        }
        Assert.True(ordered > 0, $"query {q}: no pair of golden scores is further apart than twice the bound {bound:G3}");
        _output.WriteLine($"query {q}: {hits.TotalHits} hits, bound {bound:G3}, largest error {worst:P0} of the bound, {ordered} ordered pairs checked");
        return scores;
    }

    /// <summary>sum over query terms of q_t x round(d_t x scale), in double, rounding as the indexer does.</summary>
    private static double QuantizedDot(SparseVector query, SparseVector doc)
    {
        double sum = 0;
        for (int i = 0; i < query.Count; i++)
        {
            float d = doc[query.Indices[i]];
            if (d > 0)
            {
                sum += query.Values[i] * Math.Round((double)d * Scale, MidpointRounding.AwayFromZero);
            }
        }
        return sum;
    }

    /// <summary>
    /// The 20 golden documents in three or more segments (doc id = golden index), with BM25 text in
    /// <see cref="TextFieldName"/> and the SPLADE field either analyzed from the text by the encoder or built
    /// from sentence-transformers' precomputed vectors. <paramref name="indexed"/> gets the indexed vectors.
    /// </summary>
    private RAMDirectory BuildIndex(SpladeStorageMode mode, bool precomputed, out SparseVector[] indexed)
    {
        var options = new SpladeFieldOptions { FieldName = FieldName, StorageMode = mode, Scale = Scale };
        var dir = new RAMDirectory();
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, CreateAnalyzer(options))
        {
            MaxBufferedDocs = 7,
            MergePolicy = NoMergePolicy.COMPOUND_FILES,
        };
        using (var writer = new IndexWriter(dir, config))
        {
            for (int d = 0; d < _model.DocumentTexts.Length; d++)
            {
                string text = _model.DocumentTexts[d];
                writer.AddDocument(new Document
                {
                    new StringField("id", d.ToString(CultureInfo.InvariantCulture), Field.Store.YES),
                    new TextField(TextFieldName, text, Field.Store.NO),
                    precomputed
                        ? new SpladeField(_model.GoldenDocumentVectors[d], _model.Encoder.Vocabulary, options)
                        : new Field(FieldName, text, SpladeField.GetFieldType(mode)),
                });
            }
            SpladeIndexSettings.From(options, _model.Encoder).Write(writer);
            writer.Commit();
        }
        using (var reader = DirectoryReader.Open(dir))
        {
            Assert.True(reader.Leaves.Count >= 3, $"expected several segments, got {reader.Leaves.Count}");
            for (int d = 0; d < reader.MaxDoc; d++)
            {
                Assert.Equal(d.ToString(CultureInfo.InvariantCulture), reader.Document(d).Get("id"));
            }
            SpladeIndexSettings.From(options, _model.Encoder).Verify(reader);
        }
        indexed = precomputed ? _model.GoldenDocumentVectors : _model.EncodedDocuments;
        return dir;
    }

    private Analyzer CreateAnalyzer(SpladeFieldOptions options) =>
        new PerFieldAnalyzerWrapper(new StandardAnalyzer(LuceneVersion.LUCENE_48), new Dictionary<string, Analyzer>
        {
            [FieldName] = new SpladeAnalyzer(_model.Encoder, options),
        });

    private SpladeQueryParser CreateParser() =>
        new(LuceneVersion.LUCENE_48, TextFieldName, new StandardAnalyzer(LuceneVersion.LUCENE_48), FieldName, _model.Encoder);

    private static IndexSearcher CreateSearcher(IndexReader reader) =>
        new(reader) { Similarity = new SpladePerFieldSimilarity(FieldName) };

    private static Dictionary<int, float> Scores(IndexSearcher searcher, Query query) =>
        searcher.Search(query, 20).ScoreDocs.ToDictionary(h => h.Doc, h => h.Score);

    // Inside a quoted term the classic parser only treats '"' and '\' specially.
    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
