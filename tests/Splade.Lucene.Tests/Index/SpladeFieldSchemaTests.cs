using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.EndToEnd;
using Splade.Lucene.Tests.Support;

namespace Splade.Lucene.Tests.Index;

/// <summary>
/// <see cref="SpladeFieldSchema"/> with the tiny model: the silent failures of issue 8 now throw, and scores of its
/// queries are dot products in model units within the quantization bound of the golden (sentence-transformers) dot
/// products. Bound (see TinyModelEndToEndTests): |score - golden| &lt;= sum |q| x 0.5 / scale + 1e-4 + 1e-6 x golden.
/// </summary>
public sealed class SpladeFieldSchemaTests : IClassFixture<TinyModelFixture>
{
    private const string Text = "text";
    private readonly TinyModelFixture _model;

    public SpladeFieldSchemaTests(TinyModelFixture model) => _model = model;

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void SpladeQueriesScoreTheGoldenDotProductsInModelUnits(SpladeStorageMode mode)
    {
        var schema = SpladeFieldSchema.Create(new SpladeFieldOptions { StorageMode = mode }, _model.Encoder);
        using var dir = BuildIndex(schema);
        using var reader = DirectoryReader.Open(dir);
        var opened = SpladeFieldSchema.Open(reader, "splade", _model.Encoder);
        var searcher = opened.CreateSearcher(reader);
        for (int q = 0; q < _model.QueryTexts.Length; q++)
        {
            var query = opened.CreateQuery(_model.QueryTexts[q]);
            double bound = Bound(q);
            var pruned = SpladeSearcher.Search(searcher, query, 20).ScoreDocs;
            var exhaustive = searcher.Search(query, 20).ScoreDocs;
            Assert.Equal(exhaustive.Select(d => (d.Doc, d.Score)), pruned.Select(d => (d.Doc, d.Score)));
            Assert.NotEmpty(pruned);
            foreach (var hit in pruned)
            {
                double golden = _model.Scores[q][hit.Doc];
                Assert.True(Math.Abs(hit.Score - golden) <= bound + (1e-6 * golden),
                    $"query {q}, doc {hit.Doc}: score {hit.Score:R}, golden dot product {golden:R}, bound {bound:G3}");
                // The impact sum / scale, exactly as the unit-less query scores it.
                float impactSum = searcher.Search(new SpladeQuery("splade", _model.QueryTexts[q], _model.Encoder), 20).ScoreDocs.Single(d => d.Doc == hit.Doc).Score;
                Assert.True(Math.Abs(hit.Score - (impactSum / schema.Scale)) <= 1e-6 * impactSum / schema.Scale, $"{hit.Score:R} vs {impactSum:R} / {schema.Scale}");
            }
        }
    }

    [Fact]
    public void HybridAndParsedQueriesAddBm25AndTheModelUnitDotProduct()
    {
        var schema = SpladeFieldSchema.Create(null, _model.Encoder);
        using var dir = BuildIndex(schema);
        using var reader = DirectoryReader.Open(dir);
        var searcher = schema.CreateSearcher(reader);
        using var analyzer = new StandardAnalyzer(LuceneVersion.LUCENE_48);
        var parser = schema.CreateQueryParser(Text, analyzer);
        int both = 0;
        for (int q = 0; q < _model.QueryTexts.Length; q++)
        {
            string text = _model.QueryTexts[q];
            string lexical = $"{Text}:({QueryParserBase.Escape(text)})";
            var bm25 = parser.Parse(lexical);
            var bm25Scores = searcher.Search(bm25, 20).ScoreDocs.ToDictionary(d => d.Doc, d => (double)d.Score);
            var spladeScores = searcher.Search(schema.CreateQuery(text), 20).ScoreDocs.ToDictionary(d => d.Doc, d => (double)d.Score);
            double bound = Bound(q);
            foreach (var (doc, s) in spladeScores)
            {
                Assert.True(Math.Abs(s - _model.Scores[q][doc]) <= bound + 1e-6, $"query {q} doc {doc}: {s:R} vs golden {_model.Scores[q][doc]:R}");
            }
            string quoted = "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
            var cases = new (Query Query, double Bm25, double Splade)[]
            {
                (schema.CreateHybridQuery(bm25, schema.CreateQuery(text)), 1, 1),
                (schema.CreateHybridQuery(bm25, schema.CreateQuery(text), 0.5f, 2f), 0.5, 2),
                (parser.Parse($"{lexical} splade:{quoted}"), 1, 1),
                (parser.Parse($"{lexical} splade:{quoted}^3"), 1, 3),
            };
            foreach (var (query, w1, w2) in cases)
            {
                foreach (var hit in searcher.Search(query, 20).ScoreDocs)
                {
                    double expected = (w1 * bm25Scores.GetValueOrDefault(hit.Doc)) + (w2 * spladeScores.GetValueOrDefault(hit.Doc));
                    Assert.True(Math.Abs(expected - hit.Score) <= 1e-5 * expected, $"query {q} '{query}': doc {hit.Doc} scored {hit.Score:R}, expected {expected:R}");
                    if (bm25Scores.ContainsKey(hit.Doc) && spladeScores.ContainsKey(hit.Doc))
                    {
                        both++;
                    }
                }
            }
        }
        Assert.True(both > 0, "no document matched both sides");
    }

    [Fact]
    public void MatchedTermsAreTheOverlapOfTheQueryAndDocumentVectors()
    {
        var schema = SpladeFieldSchema.Create(null, _model.Encoder);
        using var dir = BuildIndex(schema);
        using var reader = DirectoryReader.Open(dir);
        var searcher = schema.CreateSearcher(reader);
        int checkedTerms = 0;
        for (int q = 0; q < _model.QueryTexts.Length; q++)
        {
            var query = schema.CreateQuery(_model.QueryTexts[q]);
            var queryVector = _model.EncodedQueries[q];
            foreach (var hit in searcher.Search(query, 20).ScoreDocs)
            {
                var docVector = _model.EncodedDocuments[hit.Doc];
                var expected = new List<(string, float, int)>();
                for (int i = 0; i < queryVector.Count; i++)
                {
                    int id = queryVector.Indices[i];
                    int impact = (int)Math.Round((double)docVector[id] * schema.Scale, MidpointRounding.AwayFromZero);
                    if (queryVector.Values[i] > 0 && impact > 0)
                    {
                        expected.Add((_model.Encoder.Vocabulary[id], queryVector.Values[i], impact));
                    }
                }
                var matched = schema.GetMatchedTerms(reader, hit.Doc, query);
                Assert.Equal(expected.OrderBy(e => e.Item1, StringComparer.Ordinal), matched.Select(m => (m.Token, m.QueryWeight, m.Impact)).OrderBy(e => e.Token, StringComparer.Ordinal));
                foreach (var m in matched)
                {
                    Assert.Equal(m.Impact / (double)schema.Scale, m.DocumentWeight, 6);
                    Assert.Equal(m.QueryWeight * m.Impact / (double)schema.Scale, m.Contribution, 5);
                }
                Assert.Equal(hit.Score, matched.Sum(m => (double)m.Contribution), 4);
                Assert.True(matched.Zip(matched.Skip(1)).All(p => p.First.Contribution >= p.Second.Contribution), "not heaviest first");
                checkedTerms += matched.Count;
            }
        }
        Assert.True(checkedTerms > 50, $"only {checkedTerms} matched terms checked");
    }

    [Fact]
    public void SpladeFieldIndexedByAPlainAnalyzerIsRefused()
    {
        var schema = SpladeFieldSchema.Create(null, _model.Encoder);
        using var dir = new RAMDirectory();
        // The wrapper is forgotten: the SPLADE field (with the right field type) goes through StandardAnalyzer.
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new StandardAnalyzer(LuceneVersion.LUCENE_48))))
        {
            for (int copy = 0; copy < 5; copy++)
            {
                foreach (string text in _model.DocumentTexts)
                {
                    writer.AddDocument(new Document { schema.CreateAnalyzedField(text) });
                }
            }
            schema.Commit(writer);
        }
        using var reader = DirectoryReader.Open(dir);
        SpladeIndexSettings.From(schema.Options, _model.Encoder).Verify(reader); // the settings alone pass, as before
        var e = Assert.Throws<SpladeIndexMismatchException>(() => SpladeFieldSchema.Open(reader, "splade", _model.Encoder));
        Assert.Contains("not indexed as a SPLADE field", e.Message, StringComparison.Ordinal);
        Assert.Contains("mean impact", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WholeWordsOutsideTheVocabularyAreRefused()
    {
        var schema = SpladeFieldSchema.Create(null, _model.Encoder);
        using var dir = new RAMDirectory();
        // Few postings (no mean-impact check) but whole words the WordPiece vocabulary lacks.
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new StandardAnalyzer(LuceneVersion.LUCENE_48))))
        {
            writer.AddDocument(new Document { schema.CreateAnalyzedField("acetylcholinesterase donepezil") });
            schema.Commit(writer);
        }
        using var reader = DirectoryReader.Open(dir);
        var e = Assert.Throws<SpladeIndexMismatchException>(() => SpladeFieldSchema.Open(reader, "splade", _model.Encoder));
        Assert.Contains("is not a token of the model's vocabulary", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATextFieldWithNormsAndPositionsIsRefused()
    {
        var schema = SpladeFieldSchema.Create(null, _model.Encoder);
        using var dir = new RAMDirectory();
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, schema.CreateAnalyzer(new StandardAnalyzer(LuceneVersion.LUCENE_48)))))
        {
            writer.AddDocument(new Document { new TextField("splade", "heart", Field.Store.NO) });
            schema.Commit(writer);
        }
        using var reader = DirectoryReader.Open(dir);
        var e = Assert.Throws<SpladeIndexMismatchException>(() => SpladeFieldSchema.Open(reader, "splade", _model.Encoder));
        Assert.Contains("with norms", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetCommitDataThatDropsTheSettingsIsLoudAndCommitThroughTheSchemaKeepsThem()
    {
        var schema = SpladeFieldSchema.Create(null, _model.Encoder);
        using var dir = BuildIndex(schema);
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new StandardAnalyzer(LuceneVersion.LUCENE_48))))
        {
            writer.SetCommitData(new Dictionary<string, string> { ["app.version"] = "7" });   // replaces all commit data
            writer.Commit();
        }
        using (var reader = DirectoryReader.Open(dir))
        {
            var e = Assert.Throws<SpladeIndexMismatchException>(() => SpladeFieldSchema.Open(reader, "splade", _model.Encoder));
            Assert.Contains("SetCommitData", e.Message, StringComparison.Ordinal);
            Assert.Contains("SpladeFieldSchema.Commit", e.Message, StringComparison.Ordinal);
        }
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new StandardAnalyzer(LuceneVersion.LUCENE_48))))
        {
            schema.Commit(writer, new Dictionary<string, string> { ["app.version"] = "8" });
        }
        using (var reader = DirectoryReader.Open(dir))
        {
            Assert.Equal(schema.Settings, SpladeFieldSchema.Open(reader, "splade", _model.Encoder).Settings);
            Assert.Equal("8", reader.IndexCommit.UserData["app.version"]);
        }
        var conflict = new Dictionary<string, string> { [SpladeIndexSettings.KeyFor("splade", SpladeIndexSettings.ScaleKey)] = "50" };
        var ex = Assert.Throws<ArgumentException>(() => schema.MergeCommitData(conflict));
        Assert.Contains("'50'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenOrCreateRefusesAnIndexBuiltWithoutTheSpladeField()
    {
        using var dir = new RAMDirectory();
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new StandardAnalyzer(LuceneVersion.LUCENE_48))))
        {
            writer.AddDocument(new Document { new TextField(Text, "bm25 only", Field.Store.YES) });
            writer.Commit();
        }
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new StandardAnalyzer(LuceneVersion.LUCENE_48))))
        {
            var e = Assert.Throws<SpladeIndexMismatchException>(() => SpladeFieldSchema.OpenOrCreate(writer, null, _model.Encoder));
            Assert.Contains("holds 1 documents but no settings", e.Message, StringComparison.Ordinal);
            writer.Rollback();
        }
        using var reader = DirectoryReader.Open(dir);
        var missing = Assert.Throws<SpladeIndexMismatchException>(() => SpladeFieldSchema.Open(reader, "splade", _model.Encoder));
        Assert.Contains("no SPLADE field 'splade'", missing.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(50f, SpladeStorageMode.TermFrequency, null, "scale")]
    [InlineData(100f, SpladeStorageMode.Payload, null, "storage")]
    [InlineData(100f, SpladeStorageMode.TermFrequency, "another-model", "model")]
    public void OpenOrCreateRefusesOtherSettings(float scale, SpladeStorageMode mode, string? modelId, string what)
    {
        var schema = SpladeFieldSchema.Create(null, _model.Encoder);
        using var dir = BuildIndex(schema);
        ISparseEncoder encoder = modelId is null ? _model.Encoder : new RenamedEncoder(_model.Encoder, modelId);
        using var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new StandardAnalyzer(LuceneVersion.LUCENE_48)));
        var e = Assert.Throws<SpladeIndexMismatchException>(() => SpladeFieldSchema.OpenOrCreate(writer, new SpladeFieldOptions { Scale = scale, StorageMode = mode }, encoder));
        Assert.Contains(modelId ?? (what == "scale" ? "scale=50" : "storage_mode=Payload"), e.Message, StringComparison.Ordinal);
        // The same settings are accepted and stay in the pending commit data.
        var same = SpladeFieldSchema.OpenOrCreate(writer, null, _model.Encoder);
        Assert.Equal(schema.Settings, same.Settings);
        writer.Rollback();
    }

    [Fact]
    public void BatchedFieldsAreTheFieldsOfEachText()
    {
        var counting = new CountingEncoder(_model.Encoder);
        var schema = SpladeFieldSchema.Create(null, counting);
        var fields = schema.CreateFields(_model.DocumentTexts);
        Assert.Equal(1, counting.BatchCalls);
        Assert.Equal(0, counting.DocumentCalls);
        for (int d = 0; d < fields.Count; d++)
        {
            Assert.Equal(schema.CreateField(_model.EncodedDocuments[d]).TermCount, fields[d].TermCount);
        }
    }

    private double Bound(int q) => _model.EncodedQueries[q].Values.ToArray().Sum(w => Math.Abs(w) * 0.5 / SpladeFieldOptions.DefaultScale) + 1e-4;

    /// <summary>The 20 golden documents (doc id = golden index) with BM25 text, the SPLADE field made by the schema in batches.</summary>
    private RAMDirectory BuildIndex(SpladeFieldSchema schema)
    {
        var dir = new RAMDirectory();
        using var analyzer = new StandardAnalyzer(LuceneVersion.LUCENE_48);
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, analyzer) { MaxBufferedDocs = 7, MergePolicy = NoMergePolicy.COMPOUND_FILES };
        using var writer = new IndexWriter(dir, config);
        var fields = schema.CreateFields(_model.DocumentTexts);
        for (int d = 0; d < _model.DocumentTexts.Length; d++)
        {
            writer.AddDocument(new Document
            {
                new StringField("id", d.ToString(CultureInfo.InvariantCulture), Field.Store.YES),
                new TextField(Text, _model.DocumentTexts[d], Field.Store.NO),
                fields[d],
            });
        }
        schema.Commit(writer);
        return dir;
    }

    private sealed class RenamedEncoder(ISparseEncoder inner, string modelId) : ISparseEncoder
    {
        public Vocabulary Vocabulary => inner.Vocabulary;

        public SimilarityFunction SimilarityFunction => inner.SimilarityFunction;

        public string ModelId => modelId;

        public SparseVector EncodeQuery(string text) => inner.EncodeQuery(text);

        public SparseVector EncodeDocument(string text) => inner.EncodeDocument(text);

        public IReadOnlyList<SparseVector> EncodeQueries(IReadOnlyList<string> texts) => inner.EncodeQueries(texts);

        public IReadOnlyList<SparseVector> EncodeDocuments(IReadOnlyList<string> texts) => inner.EncodeDocuments(texts);
    }
}
