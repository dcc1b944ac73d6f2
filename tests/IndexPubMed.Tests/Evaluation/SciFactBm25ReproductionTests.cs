using Splade.Lucene.Search;
using System.IO.Compression;
using System.Text.Json;
using IndexPubMed.Evaluation;
using IndexPubMed.Indexing;
using IndexPubMed.Searching;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Xunit.Abstractions;

namespace IndexPubMed.Tests.Evaluation;

/// <summary>
/// Reproduces Anserini's BEIR SciFact "bm25-flat" figures with Lucene.NET 4.8.
/// Reference (Anserini BEIR regressions, trec_eval -c, printed to 4 decimals):
/// nDCG@10 0.6789, R@100 0.9253, R@1000 0.9767.
/// </summary>
public sealed class SciFactBm25ReproductionTests
{
    private const double AnseriniNdcg10 = 0.6789;
    private const double AnseriniRecall100 = 0.9253;
    private const double AnseriniRecall1000 = 0.9767;

    // With Lucene 9's length encoding the figures match to the 4 printed decimals; 0.0005 is
    // Pyserini's own "OKish" reproduction bar and leaves room only for rounding and the odd
    // float-level near-tie swap.
    private const double ReproductionTolerance = 0.0005;

    // Stock Lucene 4.8 BM25 stores 1/sqrt(length) in a lossy byte (lengths ~25% apart share a
    // value), so rankings drift from Lucene 9's; the brief's 0.01 bound applies to it.
    private const double StockTolerance = 0.01;

    private static readonly string FixtureDir = Path.Combine(AppContext.BaseDirectory, "fixtures", "scifact");

    private readonly ITestOutputHelper _output;

    public SciFactBm25ReproductionTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Bm25Flat_WithLucene9LengthNorms_ReproducesAnserini()
    {
        var (qrels, run) = RunSciFact(similarity: null);

        var ndcg10 = Report(qrels, run, "default (Lucene 9 length norms)");
        Assert.InRange(ndcg10, AnseriniNdcg10 - ReproductionTolerance, AnseriniNdcg10 + ReproductionTolerance);
        double recall100 = RetrievalMetrics.Recall(qrels, run, 100).Mean;
        Assert.InRange(recall100, AnseriniRecall100 - ReproductionTolerance, AnseriniRecall100 + ReproductionTolerance);
        double recall1000 = RetrievalMetrics.Recall(qrels, run, 1000).Mean;
        Assert.InRange(recall1000, AnseriniRecall1000 - ReproductionTolerance, AnseriniRecall1000 + ReproductionTolerance);

        // Anserini's figures average over every judged query (trec_eval -c); all 300 were run,
        // so both conventions must agree here.
        var allJudged = RetrievalMetrics.Ndcg(qrels, run, 10, countMissingQueriesAsZero: true);
        Assert.Equal(300, allJudged.QueryCount);
        Assert.Equal(ndcg10, allJudged.Mean, 12);

        // The written run must evaluate identically once read back (rank column rewritten,
        // scores round-tripped), so the CLI's files and in-memory figures agree.
        var written = new StringWriter();
        run.Write(written, "bm25-flat");
        var reread = TrecRun.Read(new StringReader(written.ToString()));
        Assert.Equal(ndcg10, RetrievalMetrics.Ndcg(qrels, reread, 10).Mean, 12);
        Assert.Equal(recall100, RetrievalMetrics.Recall(qrels, reread, 100).Mean, 12);
    }

    [Fact]
    public void Bm25Flat_WithStockLucene48Norms_StaysNearAnserini()
    {
        var (qrels, run) = RunSciFact(new BM25Similarity(Bm25Index.K1, Bm25Index.B));

        double ndcg10 = Report(qrels, run, "stock Lucene 4.8 BM25Similarity");
        Assert.InRange(ndcg10, AnseriniNdcg10 - StockTolerance, AnseriniNdcg10 + StockTolerance);
        double recall100 = RetrievalMetrics.Recall(qrels, run, 100).Mean;
        Assert.InRange(recall100, AnseriniRecall100 - StockTolerance, AnseriniRecall100 + StockTolerance);
    }

    /// <summary>
    /// SciFact through the real code paths: the <c>index</c> command's indexer (BM25 fields only) and
    /// <see cref="PubMedSearcher"/>, or, for the stock similarity, the same documents (<see cref="PubMedSchema"/>)
    /// and bag-of-words queries with Lucene 4.8's own BM25 at index and search time.
    /// </summary>
    private (Qrels Qrels, TrecRun Run) RunSciFact(Similarity? similarity)
    {
        var queries = ReadQueries(Path.Combine(FixtureDir, "queries.test.jsonl"));
        Assert.Equal(300, queries.Count);
        var qrels = Qrels.Load(Path.Combine(FixtureDir, "qrels", "test.tsv"));
        Assert.Equal(300, qrels.QueryIds.Count);
        var run = new TrecRun();
        string corpus = Path.Combine(FixtureDir, "corpus.jsonl.gz");

        if (similarity is null)
        {
            using var temp = new Input.TempDir();
            string index = Path.Combine(temp.Path, "index");
            Assert.Equal(0, IndexPubMed.Commands.CliRunner.Run(["index", "--index", index, "--no-splade", "--quiet", corpus]));
            using var searcher = PubMedSearcher.Open(index, encoder: null, expectedScale: null);
            Assert.Equal(5183, searcher.Reader.NumDocs);
            foreach (var (queryId, text) in queries)
            {
                foreach (var hit in searcher.Top(searcher.Bm25Query(text), 1000))
                {
                    run.Add(queryId, hit.Id, hit.Score);
                }
            }
        }
        else
        {
            using var directory = new RAMDirectory();
            using var analyzer = PubMedSchema.CreateAnalyzer();
            using (var writer = new IndexWriter(directory, Bm25Index.CreateWriterConfig(analyzer, similarity)))
            {
                foreach (var (id, title, text) in ReadCorpus(corpus))
                {
                    writer.AddDocument(PubMedSchema.CreateDocument(StoredArticle.FromText(id, title, text)));
                }
            }
            using var reader = DirectoryReader.Open(directory);
            Assert.Equal(5183, reader.NumDocs);
            var searcher = new IndexSearcher(reader) { Similarity = similarity };
            var byScoreThenId = new Sort(SortField.FIELD_SCORE, new SortField(PubMedSchema.Id, SortFieldType.STRING));
            foreach (var (queryId, text) in queries)
            {
                var query = BagOfWordsQuery.Build(analyzer, PubMedSchema.Contents, text);
                if (query.Clauses.Count == 0)
                {
                    continue;
                }
                foreach (var hit in searcher.Search(query, null, 1000, byScoreThenId, doDocScores: true, doMaxScore: false).ScoreDocs)
                {
                    run.Add(queryId, reader.Document(hit.Doc).Get(PubMedSchema.Id), hit.Score);
                }
            }
        }
        Assert.Equal(300, run.QueryIds.Count);
        return (qrels, run);
    }

    private double Report(Qrels qrels, TrecRun run, string label)
    {
        var ndcg10 = RetrievalMetrics.Ndcg(qrels, run, 10);
        var recall100 = RetrievalMetrics.Recall(qrels, run, 100);
        var recall1000 = RetrievalMetrics.Recall(qrels, run, 1000);
        var mrr10 = RetrievalMetrics.Mrr(qrels, run, 10);
        Assert.Equal(300, ndcg10.QueryCount);

        _output.WriteLine($"SciFact test, BM25 flat, {label}; {ndcg10.QueryCount} queries evaluated");
        _output.WriteLine($"  nDCG@10 {ndcg10.Mean:F6}  Anserini {AnseriniNdcg10:F4}  diff {ndcg10.Mean - AnseriniNdcg10:F4}");
        _output.WriteLine($"  R@100   {recall100.Mean:F6}  Anserini {AnseriniRecall100:F4}  diff {recall100.Mean - AnseriniRecall100:F4}");
        _output.WriteLine($"  R@1000  {recall1000.Mean:F6}  Anserini {AnseriniRecall1000:F4}  diff {recall1000.Mean - AnseriniRecall1000:F4}");
        _output.WriteLine($"  MRR@10  {mrr10.Mean:F6}");
        return ndcg10.Mean;
    }

    private static IEnumerable<(string Id, string Title, string Text)> ReadCorpus(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            yield return (root.GetProperty("_id").GetString()!, root.GetProperty("title").GetString() ?? "", root.GetProperty("text").GetString() ?? "");
        }
    }

    private static List<(string Id, string Text)> ReadQueries(string path)
    {
        var queries = new List<(string, string)>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0)
            {
                continue;
            }
            using var json = JsonDocument.Parse(line);
            queries.Add((json.RootElement.GetProperty("_id").GetString()!, json.RootElement.GetProperty("text").GetString()!));
        }
        return queries;
    }
}
