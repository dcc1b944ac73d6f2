using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Lucene.Analysis;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;
using Splade.Lucene.Search;

namespace Splade.Lucene.Tests.EndToEnd;

/// <summary>The README's "Using Splade.Lucene" example, kept compiling and true.</summary>
public sealed class ReadmeExampleTests : IClassFixture<TinyModelFixture>
{
    private readonly TinyModelFixture _model;

    public ReadmeExampleTests(TinyModelFixture model) => _model = model;

    [Fact]
    public void TheReadmeExampleIndexesSearchesAndCombines()
    {
        var encoder = _model.Encoder;
        using var directory = new RAMDirectory();
        string title = "Aspirin for the prevention of myocardial infarction", abstractText = "Low-dose aspirin reduced heart attacks.";
        var vector = encoder.EncodeDocument("Metformin in type 2 diabetes");

        var splade = new SpladeFieldOptions { FieldName = "splade", StorageMode = SpladeStorageMode.TermFrequency, Scale = 100 };
        var analyzer = new PerFieldAnalyzerWrapper(new StandardAnalyzer(LuceneVersion.LUCENE_48),
            new Dictionary<string, Analyzer> { ["splade"] = new SpladeAnalyzer(encoder, splade) });
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, analyzer)))
        {
            writer.AddDocument(new Document
            {
                new StringField("id", "1", Field.Store.YES),
                new TextField("title", title, Field.Store.YES),
                new TextField("splade", title + " " + abstractText, Field.Store.NO),
            });
            writer.AddDocument(new Document { new StringField("id", "2", Field.Store.YES), new SpladeField(vector, encoder.Vocabulary, splade) });
            SpladeIndexSettings.From(splade, encoder).Write(writer);
            writer.Commit();
        }

        using var reader = DirectoryReader.Open(directory);
        SpladeIndexSettings.From(splade, encoder).Verify(reader);
        var searcher = new IndexSearcher(reader) { Similarity = new SpladePerFieldSimilarity("splade") };
        var query = new SpladeQuery("splade", "aspirin heart attack prevention", encoder);
        TopDocs top = SpladeSearcher.Search(searcher, query, 10);
        TopDocs exhaustive = searcher.Search(query, 10);
        Assert.Equal(2, top.ScoreDocs.Length);
        Assert.Equal("1", searcher.Doc(top.ScoreDocs[0].Doc).Get("id"));
        Assert.Equal(exhaustive.ScoreDocs.Select(d => (d.Doc, d.Score)), top.ScoreDocs.Select(d => (d.Doc, d.Score)));

        var bm25 = new TermQuery(new Term("title", "aspirin"));
        var hybrid = HybridQuery.Create(bm25, new SpladeQuery("splade", "aspirin", encoder), bm25Weight: 1f, spladeWeight: 1f / splade.Scale);
        var hybridTop = searcher.Search(hybrid, 10);
        Assert.Equal("1", searcher.Doc(hybridTop.ScoreDocs[0].Doc).Get("id"));
        TopDocs both = SpladeSearcher.SearchHybrid(searcher, hybrid, 10);
        Assert.Equal(hybridTop.ScoreDocs.Select(d => (d.Doc, d.Score)), both.ScoreDocs.Select(d => (d.Doc, d.Score)));

        var parser = new SpladeQueryParser(LuceneVersion.LUCENE_48, "title", new StandardAnalyzer(LuceneVersion.LUCENE_48), "splade", encoder);
        Query q = parser.Parse("title:aspirin AND splade:\"aspirin heart attack prevention\"");
        var parsedTop = searcher.Search(q, 10);
        Assert.Single(parsedTop.ScoreDocs);
        Assert.Equal("1", searcher.Doc(parsedTop.ScoreDocs[0].Doc).Get("id"));
    }

    [Fact]
    public void TheReadmeSchemaExampleIndexesSearchesAndCombinesInModelUnits()
    {
        var encoder = _model.Encoder;
        using var directory = new RAMDirectory();
        IReadOnlyList<string> texts = _model.DocumentTexts;
        var ids = texts.Select((_, i) => $"d{i}").ToList();
        var vector = encoder.EncodeDocument("Metformin in type 2 diabetes");

        var schema = SpladeFieldSchema.Create(new SpladeFieldOptions { FieldName = "splade" }, encoder);
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, new StandardAnalyzer(LuceneVersion.LUCENE_48))))
        {
            IReadOnlyList<SpladeField> fields = schema.CreateFields(texts);
            for (int i = 0; i < texts.Count; i++)
            {
                writer.AddDocument(new Document { new StringField("id", ids[i], Field.Store.YES), new TextField("title", texts[i], Field.Store.YES), fields[i] });
            }
            writer.AddDocument(new Document { new StringField("id", "v1", Field.Store.YES), schema.CreateField(vector) });
            schema.Commit(writer, new Dictionary<string, string> { ["myapp.version"] = "3" });
        }

        using var reader = DirectoryReader.Open(directory);
        var splade = SpladeFieldSchema.Open(reader, "splade", encoder);
        Assert.Equal("3", reader.IndexCommit.UserData["myapp.version"]);
        IndexSearcher searcher = splade.CreateSearcher(reader);
        SpladeQuery query = splade.CreateQuery("aspirin heart attack prevention");
        TopDocs top = SpladeSearcher.Search(searcher, query, 10);
        Assert.Contains(searcher.Doc(top.ScoreDocs[0].Doc).Get("id"), new[] { "d0", "d1" });   // the two aspirin documents
        var matched = splade.GetMatchedTerms(reader, top.ScoreDocs[0].Doc, query);
        Assert.Equal(top.ScoreDocs[0].Score, matched.Sum(t => t.Contribution), 3);
        BooleanQuery hybrid = splade.CreateHybridQuery(new TermQuery(new Term("title", "aspirin")), query, bm25Weight: 1, spladeWeight: 1);
        var hybridTop = searcher.Search(hybrid, 10);
        float bm25 = searcher.Search(new TermQuery(new Term("title", "aspirin")), 10).ScoreDocs.Single(d => d.Doc == hybridTop.ScoreDocs[0].Doc).Score;
        Assert.Equal(bm25 + top.ScoreDocs.Single(d => d.Doc == hybridTop.ScoreDocs[0].Doc).Score, hybridTop.ScoreDocs[0].Score, 4);
        Query parsed = splade.CreateQueryParser("title", new StandardAnalyzer(LuceneVersion.LUCENE_48))
            .Parse("title:aspirin AND splade:\"aspirin heart attack prevention\"");
        var parsedTop = searcher.Search(parsed, 10);
        Assert.Equal(2, parsedTop.TotalHits);   // the two documents with the title word aspirin
        Assert.All(parsedTop.ScoreDocs, d => Assert.InRange(d.Score, 0.1f, 20f));   // BM25 + a dot product, not + an impact sum
    }
}
