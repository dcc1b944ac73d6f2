using IndexPubMed.Tests.Input;
using Lucene.Net.Index;
using Lucene.Net.Search;
using FSDirectory = Lucene.Net.Store.FSDirectory;

namespace IndexPubMed.Tests.Commands;

/// <summary>
/// <c>index</c> of precomputed vectors needs no ONNX model (issue 8): no model at all (tokens taken as given),
/// a model folder without model.onnx, or --vocab; Anserini-shaped collections (pretty-printed objects,
/// integer impacts, tokens from any model) are read; a bad vector is reported with file and line; a token
/// outside the vocabulary is counted and skipped, not the whole document.
/// </summary>
public sealed class IndexVectorsCommandTests : IDisposable
{
    // Shaped like Anserini's json_vector collections (integer impacts, pretty-printed over several lines); own content.
    private const string Collection =
        "{\n  \"id\" : \"doc1\",\n  \"contents\" : \"f1 f2 f2\",\n  \"vector\" : {\n    \"f1\" : 1,\n    \"f2\" : 2\n  }\n}\n"
        + "{\n  \"id\" : \"doc2\",\n  \"contents\" : \"f2 f3 f3 f3\",\n  \"vector\" : {\n    \"f2\" : 1,\n    \"f3\" : 3\n  }\n}\n"
        + "{\n  \"id\" : \"doc3\",\n  \"contents\" : \"f4\",\n  \"vector\" : {\n    \"f4\" : 1\n  }\n}\n";

    private const string Queries = "{\"id\": \"q1\", \"vector\": {\"f2\": 1, \"f3\": 2}}\n";

    private readonly TempDir _temp = new();

    private string IndexDir => Path.Combine(_temp.Path, "index");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void AnAnseriniCollectionIsIndexedWithoutAModelAndRanksAsAnseriniDoes()
    {
        string collection = _temp.Write("collection3/segment1.json", Collection);
        string queries = _temp.Write("topics.jsonl", Queries);

        var (exit, _, error) = Cli.Run("index", "--index", IndexDir, "--scale", "1", "--model-id", "toy-impacts", collection);

        Assert.True(exit == 0, error);
        Assert.Contains("vectors added: 3", error);
        // Stored frequencies equal Anserini's integer impacts at scale 1.
        Assert.Equal(new Dictionary<string, int> { ["doc1|f1"] = 1, ["doc1|f2"] = 2, ["doc2|f2"] = 1, ["doc2|f3"] = 3, ["doc3|f4"] = 1 }, Postings());

        string run = Path.Combine(_temp.Path, "run.trec");
        var search = Cli.Run("search", "--index", IndexDir, "--query-vectors", queries, "--run", run, "--quiet");
        Assert.True(search.Exit == 0, search.Error);
        // Dot products: doc2 = 1x1 + 2x3 = 7, doc1 = 1x2 = 2; doc3 shares no token.
        Assert.Equal(["q1 Q0 doc2 1 7 splade", "q1 Q0 doc1 2 2 splade"], File.ReadAllLines(run));

        // The model id given is recorded, and another one is refused.
        var other = Cli.Run("index", "--index", IndexDir, "--scale", "1", "--model-id", "another-model", collection);
        Assert.Equal(2, other.Exit);
        Assert.Contains("toy-impacts", other.Error);
    }

    // A run file that cannot be written is refused before the searches, in one line naming it (not an internal error).
    [Fact]
    public void ARunPathThatIsAFolderOrInAMissingFolder_IsRefusedFirst()
    {
        string collection = _temp.Write("collection3/segment1.json", Collection);
        string queries = _temp.Write("topics.jsonl", Queries);
        Assert.Equal(0, Cli.Run("index", "--index", IndexDir, "--scale", "1", "--model-id", "toy-impacts", "--quiet", collection).Exit);

        string folder = Path.Combine(_temp.Path, "runs");
        Directory.CreateDirectory(folder);
        var r = Cli.Run("search", "--index", IndexDir, "--query-vectors", queries, "--run", folder, "--quiet");
        Assert.Equal(2, r.Exit);
        Assert.Equal($"search: --run {folder} is a folder: give the path of the run file to write.", r.Error.Trim());

        string missing = Path.Combine(_temp.Path, "no-such-folder", "run.trec");
        r = Cli.Run("search", "--index", IndexDir, "--query-vectors", queries, "--run", missing, "--quiet");
        Assert.Equal(2, r.Exit);
        Assert.Contains("does not exist", r.Error);
        Assert.DoesNotContain("internal error", r.Error);
    }

    /// <summary>
    /// Word-piece vectors (shaped like Anserini's word-piece test collection, own content) with tied documents:
    /// <c>--ties anserini</c> lists ties by docid ascending with scores lowered by 1e-6, as Anserini writes them.
    /// </summary>
    [Fact]
    public void TiedWordPieceDocumentsAreWrittenInAnserinisOrderWithTiesAnserini()
    {
        string collection = _temp.Write("wp.jsonl",
            "{\"id\": \"d3\", \"contents\": \"walking\", \"vector\": {\"walk\": 2, \"##ing\": 1}}\n"
            + "{\"id\": \"d1\", \"contents\": \"walking\", \"vector\": {\"walk\": 2, \"##ing\": 1}}\n"
            + "{\"id\": \"d2\", \"contents\": \"walked\", \"vector\": {\"walk\": 2, \"##ed\": 1}}\n"
            + "{\"id\": \"d4\", \"contents\": \"run\", \"vector\": {\"run\": 3}}\n");
        string topics = _temp.Write("wp-topics.jsonl", "{\"id\": \"q1\", \"vector\": {\"walk\": 1, \"##ing\": 1}}\n");
        Assert.Equal(0, Cli.Run("index", "--index", IndexDir, "--scale", "1", "--quiet", collection).Exit);
        string trecEval = Path.Combine(_temp.Path, "trec_eval.trec"), anserini = Path.Combine(_temp.Path, "anserini.trec");

        Assert.Equal(0, Cli.Run("search", "--index", IndexDir, "--query-vectors", topics, "--run", trecEval, "--quiet").Exit);
        Assert.Equal(0, Cli.Run("search", "--index", IndexDir, "--query-vectors", topics, "--run", anserini, "--ties", "anserini", "--quiet").Exit);

        // d1 and d3 tie at 2 + 1 = 3; d2 scores 2.
        Assert.Equal(["q1 Q0 d3 1 3 splade", "q1 Q0 d1 2 3 splade", "q1 Q0 d2 3 2 splade"], File.ReadAllLines(trecEval));
        Assert.Equal(["q1 Q0 d1 1 3.000000 splade", "q1 Q0 d3 2 2.999999 splade", "q1 Q0 d2 3 2.000000 splade"], File.ReadAllLines(anserini));
    }

    [Fact]
    public void WithAModelFolderWithoutOnnxUnknownTokensAreCountedAndBadVectorsReportedWithTheirLine()
    {
        string model = Path.Combine(_temp.Path, "vocab-only-model");
        Directory.CreateDirectory(model);
        foreach (var file in Directory.GetFiles(Cli.ModelDir).Where(f => !f.EndsWith(".onnx", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        }
        string vectors = _temp.Write("vectors.jsonl",
            "{\"id\": \"a\", \"vector\": {\"heart\": 1.5, \"zzz-not-a-token\": 2.0, \"attack\": 0.5}}\n"
            + "{\"id\": \"b\", \"vector\": {\"heart\": 0.25}}\n"
            + "{\"id\": \"c\", \"vector\": {\"heart\": -1}}\n");

        var (exit, _, error) = Cli.Run("index", "--index", IndexDir, "--model", model, vectors);

        Assert.Equal(1, exit);
        Assert.Contains($"{vectors}:3: vector of 'c' skipped", error);
        Assert.Contains("outside the vocabulary skipped: 1", error);
        Assert.Equal(new Dictionary<string, int> { ["a|attack"] = 50, ["a|heart"] = 150, ["b|heart"] = 25 }, Postings());
    }

    /// <summary>The same encoded vectors give the same SPLADE postings whether the full model, its folder without model.onnx, or nothing is given.</summary>
    [Fact]
    public void VectorsIndexedWithTheModelWithItsVocabularyOrWithNothingGiveTheSamePostings()
    {
        string texts = _temp.Write("texts.txt", "aspirin heart attack prevention\nmetformin and type 2 diabetes\nbreast cancer genes BRCA1\n");
        string vectors = Path.Combine(_temp.Path, "vectors.jsonl");
        Assert.Equal(0, Cli.Run("encode", "--model", Cli.ModelDir, "--input", texts, "--output", vectors, "--quiet").Exit);
        string vocabOnly = Path.Combine(_temp.Path, "vocab-only");
        Directory.CreateDirectory(vocabOnly);
        File.Copy(Path.Combine(Cli.ModelDir, "vocab.txt"), Path.Combine(vocabOnly, "vocab.txt"));

        var postings = new List<Dictionary<string, int>>();
        foreach (var how in new[] { new[] { "--model", Cli.ModelDir }, new[] { "--model", vocabOnly }, new[] { "--vocab", Path.Combine(Cli.ModelDir, "vocab.txt") }, Array.Empty<string>() })
        {
            string index = Path.Combine(_temp.Path, "index-" + postings.Count);
            var (exit, _, error) = Cli.Run(["index", "--index", index, "--quiet", .. how, vectors]);
            Assert.True(exit == 0, error);
            postings.Add(Postings(index));
        }

        Assert.Equal(3, postings[0].Keys.Select(k => k.Split('|')[0]).Distinct().Count());
        Assert.All(postings.Skip(1), p => Assert.Equal(postings[0], p));
    }

    [Fact]
    public void TextsWithoutAnOnnxModelAreRefusedUnlessBm25Only()
    {
        string docs = _temp.Write("docs.jsonl", "{\"id\": \"1\", \"title\": \"t\", \"text\": \"aspirin\"}\n");
        string vocab = Path.Combine(Cli.ModelDir, "vocab.txt");

        var (exit, _, error) = Cli.Run("index", "--index", IndexDir, "--vocab", vocab, docs);

        Assert.Equal(2, exit);
        Assert.Contains("--no-splade", error);
        Assert.False(Directory.Exists(IndexDir) && Directory.GetFiles(IndexDir, "segments*").Length > 0);
    }

    /// <summary>"id|term" -> stored frequency of the SPLADE field, live documents (checking the field is docs and frequencies).</summary>
    private Dictionary<string, int> Postings() => Postings(IndexDir);

    private static Dictionary<string, int> Postings(string index)
    {
        using var dir = FSDirectory.Open(index);
        using var reader = DirectoryReader.Open(dir);
        var result = new Dictionary<string, int>();
        // Indexed as one token per term and written by the codec as docs and frequencies, as repeated tokens would be.
        Assert.All(reader.Leaves, l =>
        {
            var info = l.AtomicReader.FieldInfos.FieldInfo("splade");
            Assert.True(info.IndexOptions == IndexOptions.DOCS_AND_FREQS && !info.HasPayloads, $"field info {info.IndexOptions}, payloads {info.HasPayloads}");
        });
        var te = MultiFields.GetTerms(reader, "splade")!.GetEnumerator();
        while (te.MoveNext())
        {
            var docs = te.Docs(MultiFields.GetLiveDocs(reader), null);
            while (docs.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
            {
                result[reader.Document(docs.DocID).Get("id") + "|" + te.Term.Utf8ToString()] = docs.Freq;
            }
        }
        return result;
    }
}
