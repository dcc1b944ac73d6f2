using System.CommandLine;
using System.Text.Json;
using IndexPubMed.Commands;
using IndexPubMed.Indexing;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using FSDirectory = Lucene.Net.Store.FSDirectory;

namespace IndexPubMed.Tests.Commands;

/// <summary>
/// <c>index --shard K/N</c> then <c>merge</c> against one <c>index</c> of all inputs, PMID uniqueness
/// across inputs, and refusal of inputs with different SPLADE settings.
/// </summary>
public sealed class MergeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("merge-test").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand { IndexCommand.Create(), SearchCommand.Create(), MergeCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static string[] PubMedInputs() =>
        [.. Directory.GetFiles(Cli.PubMedDir).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData(3)]
    public void MergedShards_EqualOneIndexOfAllInputs(int n)
    {
        string full = PathOf("full");
        var r = Run(["index", "--index", full, "--model", Cli.ModelDir, "--quiet", .. PubMedInputs()]);
        Assert.True(r.Exit == 0, r.Error);
        var shards = new List<string>();
        for (int k = 0; k < n; k++)
        {
            string shard = PathOf($"shard{k}");
            // Each shard reads every file in the same order, so updates and deletions of its PMIDs apply as in the full run.
            r = Run(["index", "--index", shard, "--model", Cli.ModelDir, "--quiet", "--shard", $"{k}/{n}", .. PubMedInputs()]);
            Assert.True(r.Exit == 0, r.Error);
            shards.Add(shard);
        }
        string merged = PathOf("merged");
        r = Run(["merge", "--index", merged, "--quiet", .. shards]);
        Assert.True(r.Exit == 0, r.Error);

        var a = Snapshot(full);
        var b = Snapshot(merged);
        Assert.True(a.Documents.Count >= 10, $"only {a.Documents.Count} documents: the test would prove little");
        // Every shard holds some of them, none holds them all.
        Assert.All(shards, s => Assert.InRange(Snapshot(s).Documents.Count, 1, a.Documents.Count - 1));
        Assert.Equal(a.Documents.Keys.Order(StringComparer.Ordinal), b.Documents.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, stored) in a.Documents)
        {
            Assert.Equal(stored, b.Documents[id]);
        }
        Assert.True(a.SpladePostings.Count > 100, $"{a.SpladePostings.Count} SPLADE postings");
        Assert.Equal(a.SpladePostings, b.SpladePostings);
        Assert.Equal(a.Settings, b.Settings);
        Assert.Equal(a.DoneFiles, b.DoneFiles);

        foreach (var query in new[] { "cancer treatment", "protein expression in cells", "covid-19 vaccine" })
        {
            var x = Run("search", "--index", full, "--model", Cli.ModelDir, "--mode", "splade", "--top", "10", query);
            var y = Run("search", "--index", merged, "--model", Cli.ModelDir, "--mode", "splade", "--top", "10", query);
            Assert.True(x.Exit == 0 && y.Exit == 0, x.Error + y.Error);
            Assert.NotEmpty(HitLines(x.Output));
            Assert.Equal(HitLines(x.Output), HitLines(y.Output));
        }

        // BM25 statistics count deleted documents until segments merge; with deletions expunged, BM25 agrees too.
        ForceMerge(full);
        ForceMerge(merged);
        var bm25Full = Run("search", "--index", full, "--mode", "bm25", "--top", "10", "cancer treatment");
        var bm25Merged = Run("search", "--index", merged, "--mode", "bm25", "--top", "10", "cancer treatment");
        Assert.NotEmpty(HitLines(bm25Full.Output));
        Assert.Equal(HitLines(bm25Full.Output), HitLines(bm25Merged.Output));
    }

    [Fact]
    public void PmidInTwoInputs_TheLaterInputWins()
    {
        string first = WriteDocs("first.jsonl", ("1", "aspirin and the heart"), ("2", "kidney function"));
        string second = WriteDocs("second.jsonl", ("1", "metformin in diabetes"), ("3", "lung cancer"));
        Assert.Equal(0, Run("index", "--index", PathOf("a"), "--no-splade", "--quiet", first).Exit);
        Assert.Equal(0, Run("index", "--index", PathOf("b"), "--no-splade", "--quiet", second).Exit);

        var r = Run("merge", "--index", PathOf("ab"), "--quiet", PathOf("a"), PathOf("b"));
        Assert.True(r.Exit == 0, r.Error);
        var ab = Snapshot(PathOf("ab")).Documents;
        Assert.Equal(["1", "2", "3"], ab.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("metformin", ab["1"]);

        Assert.Equal(0, Run("merge", "--index", PathOf("ba"), "--quiet", PathOf("b"), PathOf("a")).Exit);
        var ba = Snapshot(PathOf("ba")).Documents;
        Assert.Equal(3, ba.Count);
        Assert.Contains("aspirin", ba["1"]);

        // Merging into an existing index: what it holds counts as the oldest.
        Assert.Equal(0, Run("merge", "--index", PathOf("ab"), "--quiet", PathOf("a")).Exit);
        var again = Snapshot(PathOf("ab")).Documents;
        Assert.Equal(3, again.Count);
        Assert.Contains("aspirin", again["1"]);
    }

    [Theory]
    [InlineData("--scale", "50")]
    [InlineData("--long-text", "chunk")]
    [InlineData("--storage", "payload")]
    public void DifferentSpladeSettings_AreRefused(string option, string value)
    {
        string docs = WriteDocs("d.jsonl", ("1", "aspirin and the heart"), ("2", "kidney function"));
        Assert.Equal(0, Run("index", "--index", PathOf("a"), "--model", Cli.ModelDir, "--quiet", docs).Exit);
        Assert.Equal(0, Run("index", "--index", PathOf("b"), "--model", Cli.ModelDir, "--quiet", option, value, docs).Exit);
        Assert.Equal(0, Run("index", "--index", PathOf("c"), "--no-splade", "--quiet", docs).Exit);

        Assert.Equal(2, Run("merge", "--index", PathOf("out"), PathOf("a"), PathOf("b")).Exit);
        Assert.Equal(2, Run("merge", "--index", PathOf("out"), PathOf("a"), PathOf("c")).Exit);
        Assert.False(File.Exists(Path.Combine(PathOf("out"), "segments.gen")) && Snapshot(PathOf("out")).Documents.Count > 0, "a refused merge wrote documents");
        Assert.Equal(2, Run("merge", "--index", PathOf("out"), PathOf("a"), PathOf("nonexistent")).Exit);
        Assert.Equal(2, Run("merge", "--index", PathOf("a"), PathOf("a")).Exit);
    }

    // Disposing an IndexWriter commits in Lucene 4.8: a merge that fails after deleting duplicates or adding an input
    // must roll back, leaving the output at its last commit.
    [Fact]
    public void AFailedMerge_LeavesTheOutputAtItsLastCommit()
    {
        string first = WriteDocs("first.jsonl", ("1", "aspirin and the heart"), ("2", "kidney function"));
        string second = WriteDocs("second.jsonl", ("1", "metformin in diabetes"), ("3", "lung cancer"));
        Assert.Equal(0, Run("index", "--index", PathOf("a"), "--no-splade", "--quiet", first).Exit);
        Assert.Equal(0, Run("index", "--index", PathOf("b"), "--no-splade", "--quiet", second).Exit);
        Assert.Equal(0, Run("index", "--index", PathOf("out"), "--no-splade", "--quiet", first).Exit);
        var before = Snapshot(PathOf("out"));
        // b's segment files are gone but its commit is there: it opens, its duplicate PMID 1 is deleted from out, then
        // copying its segment fails.
        foreach (string f in Directory.GetFiles(PathOf("b")).Where(f => f.EndsWith(".cfs", StringComparison.Ordinal)))
        {
            File.Delete(f);
        }

        var r = Run("merge", "--index", PathOf("out"), PathOf("a"), PathOf("b"));
        Assert.Equal(2, r.Exit);
        Assert.StartsWith("merge: ", r.Error.Split('\n').Last(l => l.Length > 0), StringComparison.Ordinal);
        var after = Snapshot(PathOf("out"));
        Assert.Equal(before.Documents, after.Documents);
        Assert.Equal(before.DoneFiles, after.DoneFiles);

        // A new output is left with no documents either, so that the merge can be retried into it.
        r = Run("merge", "--index", PathOf("new"), PathOf("a"), PathOf("b"));
        Assert.Equal(2, r.Exit);
        Assert.True(!File.Exists(Path.Combine(PathOf("new"), "segments.gen")) || Snapshot(PathOf("new")).Documents.Count == 0, "a failed merge into a new index left documents");
        r = Run("merge", "--index", PathOf("new"), "--quiet", PathOf("a"));
        Assert.True(r.Exit == 0, r.Error);
        Assert.Equal(2, Snapshot(PathOf("new")).Documents.Count);
    }

    [Fact]
    public void TheOutputGivenWithATrailingSeparatorAsAnInput_IsRefusedUntouched()
    {
        string first = WriteDocs("first.jsonl", ("1", "aspirin and the heart"), ("2", "kidney function"));
        Assert.Equal(0, Run("index", "--index", PathOf("a"), "--no-splade", "--quiet", first).Exit);
        Assert.Equal(0, Run("index", "--index", PathOf("b"), "--no-splade", "--quiet", first).Exit);

        var r = Run("merge", "--index", PathOf("a"), PathOf("a") + Path.DirectorySeparatorChar, PathOf("b"));
        Assert.Equal(2, r.Exit);
        Assert.Contains("also an input", r.Error);
        Assert.Equal(2, Snapshot(PathOf("a")).Documents.Count);
        Assert.Equal(2, Run("merge", "--index", PathOf("c"), PathOf("b"), PathOf("b") + Path.DirectorySeparatorChar).Exit);
    }

    [Fact]
    public void IndexesOfDifferentFiles_AreMergedWithAWarningAboutDeletions_AndQuietPrintsOnlyWarnings()
    {
        string first = WriteDocs("first.jsonl", ("1", "aspirin and the heart"));
        string second = WriteDocs("second.jsonl", ("2", "metformin in diabetes"));
        Assert.Equal(0, Run("index", "--index", PathOf("a"), "--no-splade", "--quiet", first).Exit);
        Assert.Equal(0, Run("index", "--index", PathOf("b"), "--no-splade", "--quiet", second).Exit);

        var r = Run("merge", "--index", PathOf("ab"), "--quiet", PathOf("a"), PathOf("b"));
        Assert.True(r.Exit == 0, r.Error);
        Assert.StartsWith("warning: the inputs are indexes of different files", r.Error.Trim().Split('\n').Single(), StringComparison.Ordinal);
        Assert.Contains("DeleteCitation", r.Error);
        r = Run("merge", "--index", PathOf("a2"), PathOf("a"));
        Assert.True(r.Exit == 0, r.Error);
        Assert.DoesNotContain("warning", r.Error);
        Assert.Contains("merged 1 indexes", r.Error);
    }

    // Restarting a shard job with another --shard (or none) would skip the files the index finished and mix shares.
    [Fact]
    public void AShardIndex_RefusesAnotherShareOrNone_AndAFullIndexRefusesAShare()
    {
        string docs = WriteDocs("d.jsonl", [.. Enumerable.Range(1, 20).Select(i => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"text {i}"))]);
        Assert.Equal(0, Run("index", "--index", PathOf("s0"), "--no-splade", "--quiet", "--shard", "0/2", docs).Exit);
        var before = Snapshot(PathOf("s0"));

        foreach (string[] other in new[] { Array.Empty<string>(), ["--shard", "1/2"], ["--shard", "0/3"] })
        {
            var r = Run(["index", "--index", PathOf("s0"), "--no-splade", "--quiet", .. other, docs]);
            Assert.Equal(2, r.Exit);
            Assert.Contains("holds shard 0/2", r.Error);
        }
        Assert.Equal(before.Documents, Snapshot(PathOf("s0")).Documents);
        var again = Run("index", "--index", PathOf("s0"), "--no-splade", "--quiet", "--shard", "0/2", docs);
        Assert.True(again.Exit == 0, again.Error);

        Assert.Equal(0, Run("index", "--index", PathOf("all"), "--no-splade", "--quiet", docs).Exit);
        var refused = Run("index", "--index", PathOf("all"), "--no-splade", "--quiet", "--shard", "1/2", docs);
        Assert.Equal(2, refused.Exit);
        Assert.Contains("holds all records", refused.Error);
        Assert.Equal(20, Snapshot(PathOf("all")).Documents.Count);
    }

    [Fact]
    public void ChunkedIndex_RecordsItsLongTextHandling_RefusesTruncatedAdditions_ButSearches()
    {
        string docs = WriteDocs("d.jsonl", ("1", "aspirin and the heart " + string.Join(" ", Enumerable.Repeat("cardiac infarction risk", 250))), ("2", "kidney function"));
        string more = WriteDocs("more.jsonl", ("3", "lung cancer"));
        string index = PathOf("chunked");
        var r = Run("index", "--index", index, "--model", Cli.ModelDir, "--quiet", "--long-text", "chunk", docs);
        Assert.True(r.Exit == 0, r.Error);
        using (var dir = FSDirectory.Open(index))
        using (var reader = DirectoryReader.Open(dir))
        {
            Assert.Equal("chunk(stride=255)", reader.IndexCommit.UserData["splade.splade.document_encoding"]);
        }
        // Same model, truncated documents: refused, index unchanged.
        Assert.Equal(2, Run("index", "--index", index, "--model", Cli.ModelDir, "--quiet", more).Exit);
        Assert.Equal(["1", "2"], Snapshot(index).Documents.Keys.Order(StringComparer.Ordinal));
        // Chunked with the same stride: accepted.
        Assert.Equal(0, Run("index", "--index", index, "--model", Cli.ModelDir, "--quiet", "--long-text", "chunk", more).Exit);
        // Queries are never chunked, so a default search encoder is accepted.
        var search = Run("search", "--index", index, "--model", Cli.ModelDir, "--mode", "splade", "--top", "3", "aspirin");
        Assert.True(search.Exit == 0, search.Error);
    }

    private string WriteDocs(string name, params (string Id, string Text)[] docs)
    {
        File.WriteAllLines(PathOf(name), docs.Select(d => JsonSerializer.Serialize(new { id = d.Id, text = d.Text })));
        return PathOf(name);
    }

    private static List<string> HitLines(string output) => output.Split('\n')
        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(f => f.Length >= 3 && int.TryParse(f[0], out _) && double.TryParse(f[2], System.Globalization.CultureInfo.InvariantCulture, out _))
        .Select(f => $"{f[0]} {f[1]} {f[2]}").ToList();

    private static void ForceMerge(string path)
    {
        using var dir = FSDirectory.Open(path);
        using var analyzer = PubMedSchema.CreateAnalyzer();
        using var writer = new IndexWriter(dir, Bm25Index.CreateWriterConfig(analyzer));
        writer.ForceMerge(1);
        writer.Commit();
    }

    private sealed record IndexSnapshot(Dictionary<string, string> Documents, List<string> SpladePostings, string Settings, string DoneFiles);

    // Live documents by PMID (all stored fields as text), every (term, PMID, frequency) of the SPLADE field, and the commit data.
    private static IndexSnapshot Snapshot(string path)
    {
        using var dir = FSDirectory.Open(path);
        using var reader = DirectoryReader.Open(dir);
        var live = MultiFields.GetLiveDocs(reader);
        var ids = new string[reader.MaxDoc];
        var documents = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int d = 0; d < reader.MaxDoc; d++)
        {
            if (live is not null && !live.Get(d))
            {
                continue;
            }
            var doc = reader.Document(d);
            ids[d] = doc.Get(PubMedSchema.Id);
            documents.Add(ids[d], string.Join("\n", doc.Fields.Select(f => $"{f.Name}={f.GetStringValue()}")));
        }
        var postings = new List<string>();
        var terms = MultiFields.GetTerms(reader, PubMedSchema.Splade);
        if (terms is not null)
        {
            var te = terms.GetEnumerator();
            while (te.MoveNext())
            {
                var docs = te.Docs(live, null, DocsFlags.FREQS);
                while (docs.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
                {
                    postings.Add($"{te.Term.Utf8ToString()} {ids[docs.DocID]} {docs.Freq}");
                }
            }
        }
        postings.Sort(StringComparer.Ordinal);
        var data = reader.IndexCommit.UserData;
        string settings = string.Join(";", data.Where(p => p.Key.StartsWith("splade.", StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        return new IndexSnapshot(documents, postings, settings, data.TryGetValue("indexpubmed.done_files", out var done) ? done : "");
    }
}
