using System.CommandLine;
using IndexPubMed.Commands;
using IndexPubMed.Indexing;
using IndexPubMed.Tests.Input;
using IndexPubMed.Tests.Support;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Encoder;

namespace IndexPubMed.Tests.Commands;

/// <summary>The <c>reindex</c> command: same model gives the same field, foreign indexes keep every other field, and a killed run resumes.</summary>
public sealed class ReindexCommandTests : IDisposable
{
    private static readonly string Model = Path.Combine(AppContext.BaseDirectory, "fixtures", "tiny-splade");
    private readonly TempDir _temp = new();

    private string IndexDir => Path.Combine(_temp.Path, "index");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ReindexingWithTheSameModelGivesTheSameSpladeFieldAndKeepsEverythingElse()
    {
        Assert.Equal(0, Run("index", "--index", IndexDir, "--model", Model, "--quiet", TempDir.Fixture("pubmed25n1274.xml.gz")));
        var before = SpladePostings(IndexDir, "splade");
        var bm25Before = Hits(IndexDir, new TermQuery(new Term(PubMedSchema.Contents, "infant")));

        Assert.Equal(0, Run("reindex", "--index", IndexDir, "--model", Model, "--quiet"));

        Assert.Equal(before, SpladePostings(IndexDir, "splade"));
        Assert.Equal(bm25Before, Hits(IndexDir, new TermQuery(new Term(PubMedSchema.Contents, "infant"))));
        Assert.False(System.IO.Directory.Exists(IndexDir + ".splade-reindex"));
    }

    // reindex handles long texts as index does: an index built with chunking is rebuilt with it, and stays open to
    // chunked additions.
    [Fact]
    public void ReindexingAChunkedIndexWithLongTextChunk_GivesTheSameFieldAndKeepsItsLongTextHandling()
    {
        string input = TempDir.Fixture("pubmed25n1274.xml.gz");
        Assert.Equal(0, Run("index", "--index", IndexDir, "--model", Model, "--quiet", "--long-text", "chunk", "--stride", "64", input));
        var before = SpladePostings(IndexDir, "splade");

        Assert.Equal(0, Run("reindex", "--index", IndexDir, "--model", Model, "--quiet", "--long-text", "chunk", "--stride", "64"));

        Assert.Equal(before, SpladePostings(IndexDir, "splade"));
        Assert.Equal(0, Run("index", "--index", IndexDir, "--model", Model, "--quiet", "--long-text", "chunk", "--stride", "64", input));
        Assert.Equal(2, Run("index", "--index", IndexDir, "--model", Model, "--quiet", input));
    }

    [Fact]
    public void AddsASpladeFieldToAForeignIndexKeepingUnstoredFieldsAndDeletions()
    {
        var texts = new[] { "aspirin heart attack prevention", "metformin diabetes", "breast cancer genes", "blood pressure stroke" };
        using (var dir = FSDirectory.Open(IndexDir))
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new StandardAnalyzer(LuceneVersion.LUCENE_48))))
        {
            for (int i = 0; i < texts.Length; i++)
            {
                writer.AddDocument(new Document
                {
                    new StringField("key", "k" + i, Field.Store.YES),
                    new TextField("body", texts[i], Field.Store.YES),
                    new StringField("tag", i % 2 == 0 ? "even" : "odd", Field.Store.NO),
                });
            }
            writer.DeleteDocuments(new Term("key", "k1"));
            writer.Commit();
        }

        Assert.Equal(0, Run("reindex", "--index", IndexDir, "--model", Model, "--text-fields", "body", "--quiet"));

        using var encoder = SpladeEncoder.Create(Model);
        var postings = SpladePostings(IndexDir, "splade");
        Assert.Equal(["k0", "k2", "k3"], postings.Keys.Order());
        foreach (var (key, terms) in postings)
        {
            var vector = encoder.EncodeDocument(texts[int.Parse(key[1..])]);
            var expected = new SortedDictionary<string, int>(StringComparer.Ordinal);
            for (int j = 0; j < vector.Count; j++)
            {
                // The quantization the field documents: round(weight x scale), halves away from zero, in double.
                int impact = (int)Math.Round((double)vector.Values[j] * 100.0, MidpointRounding.AwayFromZero);
                if (impact > 0)
                {
                    expected[encoder.Vocabulary[vector.Indices[j]]] = impact;
                }
            }
            Assert.Equal(expected, terms);
        }
        Assert.Equal(["k0", "k2"], Hits(IndexDir, new TermQuery(new Term("tag", "even")), "key"));
        Assert.Equal(["k2"], Hits(IndexDir, new TermQuery(new Term("body", "cancer")), "key"));
    }

    [Fact]
    public void AKilledReindexLeavesTheIndexUntouchedAndResumes()
    {
        string[] inputs = [TempDir.Fixture("pubmed25n1274.xml.gz"), TempDir.Fixture("pubmed25n1275.xml.gz")];
        Assert.Equal(0, Run(["index", "--index", IndexDir, "--no-splade", "--quiet", .. inputs]));

        int crashed = CliProcess.Run("reindex", "--index", IndexDir, "--model", Model, "--commit-every", "8", "--batch-size", "2", "--quiet", "--crash-after", "20");
        Assert.NotEqual(0, crashed);
        Assert.Empty(SpladePostings(IndexDir, "splade"));

        Assert.Equal(0, Run("reindex", "--index", IndexDir, "--model", Model, "--quiet"));

        string clean = Path.Combine(_temp.Path, "clean");
        Assert.Equal(0, Run(["index", "--index", clean, "--model", Model, "--quiet", .. inputs]));
        var resumed = SpladePostings(IndexDir, "splade");
        Assert.Equal(60, resumed.Count);
        Assert.Equal(SpladePostings(clean, "splade"), resumed);
    }

    /// <summary>Issue 9: <c>--text-fields nosuchfield</c> exited 0 and gave every document the vector of empty text.</summary>
    [Fact]
    public void TextFieldsThatNoDocumentStoresAreRefusedWithExit2AndTheIndexIsUnchanged()
    {
        Assert.Equal(0, Run("index", "--index", IndexDir, "--model", Model, "--quiet", TempDir.Fixture("pubmed25n1274.xml.gz")));
        var before = SpladePostings(IndexDir, "splade");

        var (exit, error) = RunCapturingErrors("reindex", "--index", IndexDir, "--model", Model, "--text-fields", "title", "nosuchfield", "--quiet");

        Assert.Equal(2, exit);
        Assert.Contains("'nosuchfield'", error);
        Assert.DoesNotContain("'title'", error);
        Assert.Equal(before, SpladePostings(IndexDir, "splade"));
    }

    private static int Run(params string[] args) => CliRunner.Run(args);

    private static (int Exit, string Error) RunCapturingErrors(params string[] args)
    {
        var error = new StringWriter();
        int exit = CliRunner.Run(args, new InvocationConfiguration { Error = error, Output = new StringWriter() });
        return (exit, error.ToString());
    }

    /// <summary>Document key ("id", else "key") -> SPLADE term -> impact (term frequency), live documents only.</summary>
    private static Dictionary<string, SortedDictionary<string, int>> SpladePostings(string path, string field)
    {
        using var dir = FSDirectory.Open(path);
        using var reader = DirectoryReader.Open(dir);
        var live = MultiFields.GetLiveDocs(reader);
        var result = new Dictionary<string, SortedDictionary<string, int>>();
        var terms = MultiFields.GetTerms(reader, field);
        if (terms is null)
        {
            return result;
        }
        var te = terms.GetEnumerator();
        while (te.MoveNext())
        {
            var docs = te.Docs(live, null);
            while (docs.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
            {
                var stored = reader.Document(docs.DocID);
                string key = stored.Get("id") ?? stored.Get("key");
                if (!result.TryGetValue(key, out var map))
                {
                    result[key] = map = new SortedDictionary<string, int>(StringComparer.Ordinal);
                }
                map[te.Term.Utf8ToString()] = docs.Freq;
            }
        }
        return result;
    }

    private static List<string> Hits(string path, Query query, string keyField = "id")
    {
        using var dir = FSDirectory.Open(path);
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader);
        return searcher.Search(query, 1000).ScoreDocs.Select(h => reader.Document(h.Doc).Get(keyField)).Order().ToList();
    }
}
