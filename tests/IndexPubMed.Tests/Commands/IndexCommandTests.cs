using System.CommandLine;
using IndexPubMed.Commands;
using IndexPubMed.Indexing;
using IndexPubMed.Tests.Input;
using IndexPubMed.Tests.Support;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Splade.Lucene.Index;

namespace IndexPubMed.Tests.Commands;

/// <summary>
/// The <c>index</c> command end to end on real PubMed XML with the tiny model: counts, idempotence,
/// updates and deletions, crash and resume, the cross-process lock, and bad input.
/// </summary>
public sealed class IndexCommandTests : IDisposable
{
    private static readonly string Model = Path.Combine(AppContext.BaseDirectory, "fixtures", "tiny-splade");
    private static readonly string Baseline1 = TempDir.Fixture("pubmed25n1274.xml.gz");
    private static readonly string Baseline2 = TempDir.Fixture("pubmed25n1275.xml.gz");

    private readonly TempDir _temp = new();

    private string IndexDir => Path.Combine(_temp.Path, "index");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void IndexesEveryCitationOnceAndASecondRunChangesNothing()
    {
        Assert.Equal(0, Index(Baseline1, Baseline2));
        var first = ReadIndex(IndexDir);
        Assert.Equal(60, first.Count);
        string segmentsBefore = SegmentsFileName(IndexDir);

        Assert.Equal(0, Index(Baseline1, Baseline2));

        Assert.Equal(first, ReadIndex(IndexDir));
        Assert.Equal(segmentsBefore, SegmentsFileName(IndexDir));
    }

    [Fact]
    public void UpdateFilesReplaceNewerVersionsAndDeleteCitations()
    {
        Assert.Equal(0, Index(Baseline1, Baseline2));
        var before = ReadIndex(IndexDir);
        string update = _temp.Write("pubmed26n9999.xml", UpdateFile(replace: "39733499", newTitle: "A replaced title about aspirin.", delete: ["39780651", "39780694", "11111111"]));

        Assert.Equal(0, Index(update));

        var after = ReadIndex(IndexDir);
        Assert.Equal(58, after.Count);
        Assert.Equal("A replaced title about aspirin.", after["39733499"]);
        Assert.False(after.ContainsKey("39780651"));
        Assert.False(after.ContainsKey("39780694"));
        Assert.All(after.Where(p => p.Key != "39733499"), p => Assert.Equal(before[p.Key], p.Value));
    }

    [Fact]
    public void AKilledRunResumesWithNothingLostOrDuplicated()
    {
        string update = _temp.Write("pubmed26n9999.xml", UpdateFile(replace: "39780789", newTitle: "Replaced after a crash.", delete: ["39733499"]));
        string[] inputs = [Baseline1, Baseline2, update];

        // Killed (like kill -9) after 45 documents: mid-way through the second file, after some commits.
        var crashed = CliProcess.Run(["index", "--index", IndexDir, "--model", Model, "--commit-every", "10", "--batch-size", "4", "--quiet", "--crash-after", "45", .. inputs]);
        Assert.NotEqual(0, crashed);
        int committed = ReadIndex(IndexDir).Count;
        Assert.InRange(committed, 30, 44);

        Assert.Equal(0, Index([.. inputs]));

        var resumed = ReadIndex(IndexDir);
        string clean = Path.Combine(_temp.Path, "clean");
        Assert.Equal(0, Run(["index", "--index", clean, "--model", Model, "--quiet", .. inputs]));
        Assert.Equal(ReadIndex(clean), resumed);
        Assert.Equal(59, resumed.Count);
        Assert.Equal("Replaced after a crash.", resumed["39780789"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void ARunKilledWhileWritingTheFirstCommitIsRerunFromScratch(int cut)
    {
        // What a kill during a new index's first commit leaves: segments_1 cut short (empty or half) and no
        // segments.gen. Lucene.NET cannot open it, not even to create over it; the rerun must start afresh.
        Assert.Equal(0, Run(["index", "--index", IndexDir, "--model", Model, "--quiet", Baseline1]));
        string segments = Assert.Single(System.IO.Directory.GetFiles(IndexDir, "segments_*"));
        using (var file = new FileStream(segments, FileMode.Open))
        {
            file.SetLength(cut == 0 ? 0 : file.Length / 2);
        }
        File.Delete(Path.Combine(IndexDir, "segments.gen"));
        Assert.Empty(IndexContents.Read(IndexDir));

        Assert.Equal(0, Index(Baseline1, Baseline2));

        string clean = Path.Combine(_temp.Path, "clean");
        Assert.Equal(0, Run(["index", "--index", clean, "--model", Model, "--quiet", Baseline1, Baseline2]));
        Assert.Equal(ReadIndex(clean), ReadIndex(IndexDir));
    }

    [Fact]
    public void ASecondWriterIsRefusedWhileTheIndexIsLocked()
    {
        using (IndexLock.Acquire(IndexDir))
        {
            var e = Assert.Throws<IndexRefusedException>(() => IndexLock.Acquire(IndexDir));
            Assert.Contains("in use by another process", e.Message);
            Assert.Equal(2, Index(Baseline1));
        }
        Assert.Equal(0, Index(Baseline1));
    }

    [Fact]
    public void ATruncatedFileIsReportedWhileTheOthersAreIndexed()
    {
        string text = TempDir.ReadFixtureText("pubmed25n1275.xml.gz");
        string truncated = _temp.Write("truncated.xml", text[..(text.Length / 2)]);

        Assert.Equal(1, Index(Baseline1, truncated));

        var index = ReadIndex(IndexDir);
        Assert.InRange(index.Count, 31, 59);
    }

    [Fact]
    public void SearchSettingsAreStoredAndADifferentScaleIsRefused()
    {
        Assert.Equal(0, Index(Baseline1));
        using (var dir = FSDirectory.Open(IndexDir))
        using (var reader = DirectoryReader.Open(dir))
        {
            var settings = SpladeIndexSettings.Read(reader, PubMedSchema.Splade);
            Assert.NotNull(settings);
            Assert.Equal(100f, settings.Scale);
            Assert.Equal(SpladeStorageMode.TermFrequency, settings.StorageMode);
        }
        Assert.Equal(2, Run("index", "--index", IndexDir, "--model", Model, "--scale", "50", "--quiet", Baseline2));
        Assert.Equal(30, ReadIndex(IndexDir).Count);
    }

    [Fact]
    public void ModelOnAnIndexBuiltWithNoSpladeIsRefused()
    {
        Assert.Equal(0, Run("index", "--index", IndexDir, "--no-splade", "--quiet", Baseline1));
        // Before, this said "already indexed" and exited 0, leaving an index without a SPLADE field.
        Assert.Equal(2, Index(Baseline1, Baseline2));
        using var dir = FSDirectory.Open(IndexDir);
        using var reader = DirectoryReader.Open(dir);
        Assert.Null(SpladeIndexSettings.Read(reader, PubMedSchema.Splade));
        Assert.Equal(30, reader.NumDocs);
    }

    [Fact]
    public void PrecomputedVectorsAddTheSpladeFieldToExistingDocuments()
    {
        Assert.Equal(0, Run("index", "--index", IndexDir, "--no-splade", "--quiet", Baseline1));
        string vectors = _temp.Write("vectors.jsonl", "{\"id\": \"39733499\", \"vector\": {\"heart\": 1.5, \"attack\": 0.25}}\n{\"id\": \"123\", \"vector\": {\"attack\": 0.5, \"notatoken!!\": 1.0}}\n");

        // A token outside the vocabulary is counted and skipped, not the whole document (issue 8); a vector with no
        // known token at all is reported and skipped (BadInputTests).
        Assert.Equal(0, Run("index", "--index", IndexDir, "--model", Model, "--quiet", "--vectors", vectors));

        using var dir = FSDirectory.Open(IndexDir);
        using var reader = DirectoryReader.Open(dir);
        Assert.Equal(31, reader.NumDocs);
        var termsEnum = MultiFields.GetTerms(reader, PubMedSchema.Splade).GetEnumerator();
        var terms = new List<string>();
        while (termsEnum.MoveNext())
        {
            terms.Add(termsEnum.Term.Utf8ToString());
        }
        Assert.Equal(["attack", "heart"], terms);
        var docs = MultiFields.GetTermDocsEnum(reader, MultiFields.GetLiveDocs(reader), PubMedSchema.Splade, new Lucene.Net.Util.BytesRef("heart"));
        int doc = docs.NextDoc();
        Assert.Equal(150, docs.Freq);
        Assert.Equal("39733499", reader.Document(doc).Get(PubMedSchema.Id));
        Assert.False(string.IsNullOrEmpty(reader.Document(doc).Get(PubMedSchema.Title)));
    }

    private int Index(params string[] inputs) => Run(["index", "--index", IndexDir, "--model", Model, "--quiet", .. inputs]);

    private static int Run(params string[] args) => CliRunner.Run(args);

    /// <summary>PMID -> title of every live document; fails on a duplicated PMID.</summary>
    private static Dictionary<string, string> ReadIndex(string path)
    {
        using var dir = FSDirectory.Open(path);
        using var reader = DirectoryReader.Open(dir);
        var live = MultiFields.GetLiveDocs(reader);
        var result = new Dictionary<string, string>();
        for (int i = 0; i < reader.MaxDoc; i++)
        {
            if (live is null || live.Get(i))
            {
                var doc = reader.Document(i);
                Assert.True(result.TryAdd(doc.Get(PubMedSchema.Id), doc.Get(PubMedSchema.Title) ?? ""), $"PMID {doc.Get(PubMedSchema.Id)} is indexed twice");
            }
        }
        return result;
    }

    private static string SegmentsFileName(string path)
    {
        using var dir = FSDirectory.Open(path);
        return SegmentInfos.GetLastCommitSegmentsFileName(dir);
    }

    private static string UpdateFile(string replace, string newTitle, string[] delete) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <PubmedArticleSet>
        <PubmedArticle><MedlineCitation Status="Publisher" Owner="NLM"><PMID Version="1">{replace}</PMID><Article><Journal><Title>Test Journal</Title><JournalIssue><PubDate><Year>2026</Year></PubDate></JournalIssue></Journal><ArticleTitle>{newTitle}</ArticleTitle><Abstract><AbstractText>Revised abstract.</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>
        <DeleteCitation>{string.Concat(delete.Select(p => $"<PMID Version=\"1\">{p}</PMID>"))}</DeleteCitation>
        </PubmedArticleSet>
        """;
}
