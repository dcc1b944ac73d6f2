using System.Globalization;
using System.IO.Compression;
using IndexPubMed.Tests.Input;
using IndexPubMed.Tests.Support;
using Xunit.Abstractions;

namespace IndexPubMed.Tests.Reliability;

/// <summary>
/// Issue 9 item 6: the same corpus gives the same run whatever the segment layout, for every search mode. The corpus
/// holds copies of documents under other ids (same text, so same BM25 and SPLADE scores); one index gets the copies
/// before their originals in many small segments, the other after them in a few: a tie at the depth cut broken by
/// Lucene document number would pick different documents in the two.
/// </summary>
public sealed class TieOrderTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string Model = Path.Combine(AppContext.BaseDirectory, "fixtures", "tiny-splade");
    private const int CutDepth = 3;
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TwoSegmentLayoutsOfOneCorpusGiveIdenticalRunsInEveryModeAtATiedCut()
    {
        var originals = SciFactLines().Take(120).ToList();
        var copies = originals.Where((_, i) => i % 3 == 0).Select(l => l.Replace("{\"_id\": \"", "{\"_id\": \"0", StringComparison.Ordinal)).ToList();
        Assert.All(copies, c => Assert.StartsWith("{\"_id\": \"0", c, StringComparison.Ordinal));
        string originalsFile = Path.Combine(_temp.Path, "originals.jsonl");
        string copiesFile = Path.Combine(_temp.Path, "copies.jsonl");
        File.WriteAllLines(originalsFile, originals);
        File.WriteAllLines(copiesFile, copies);
        string queries = Path.Combine(_temp.Path, "queries.jsonl");
        File.WriteAllLines(queries, File.ReadLines(Path.Combine(IndexPubMed.Tests.Commands.Cli.SciFactDir, "queries.test.jsonl")).Take(40));

        string first = Path.Combine(_temp.Path, "copies-first");
        string last = Path.Combine(_temp.Path, "copies-last");
        Assert.Equal(0, InProcessCli.Run("index", "--index", first, "--model", Model, "--quiet", "--commit-every", "7", copiesFile, originalsFile).Exit);
        Assert.Equal(0, InProcessCli.Run("index", "--index", last, "--model", Model, "--quiet", "--commit-every", "1000", originalsFile, copiesFile).Exit);

        string[][] modes = [["--mode", "bm25"], ["--mode", "splade"], ["--mode", "hybrid", "--fusion", "linear"],
            ["--mode", "hybrid", "--fusion", "rrf"], ["--mode", "hybrid", "--fusion", "minmax"]];
        foreach (var mode in modes)
        {
            string name = string.Join('-', mode.Where(m => !m.StartsWith('-')));
            var full = Run(first, queries, mode, 1000, $"{name}.first");
            Assert.Equal(full, Run(last, queries, mode, 1000, $"{name}.last"));
            var cut = Run(first, queries, mode, CutDepth, $"{name}.first.cut");
            Assert.Equal(cut, Run(last, queries, mode, CutDepth, $"{name}.last.cut"));
            // TREC run lines: qid Q0 docid rank score tag. Count queries whose scores tie across the cut.
            int tied = full.Select(l => l.Split(' ')).GroupBy(f => f[0])
                .Count(g => g.Count() > CutDepth && g.ElementAt(CutDepth - 1)[4] == g.ElementAt(CutDepth)[4]);
            output.WriteLine($"{name}: {tied} of 40 queries have tied scores across the depth-{CutDepth} cut; runs identical");
            if (name != "hybrid-rrf")
            {
                // RRF scores depend on ranks only; equal-score documents are ranked by id on both sides, so they never tie.
                Assert.True(tied > 0, $"{name}: no tie crosses the cut, so the comparison would not test the tie order");
            }
        }
    }

    private string[] Run(string index, string queries, string[] mode, int depth, string name)
    {
        string run = Path.Combine(_temp.Path, $"{name}.trec");
        var r = InProcessCli.Run(["search", "--index", index, .. mode, "--model", Model, "--queries", queries, "--run", run,
            "--depth", depth.ToString(CultureInfo.InvariantCulture), "--quiet"]);
        Assert.True(r.Exit == 0, r.Error);
        return File.ReadAllLines(run);
    }

    private static IEnumerable<string> SciFactLines()
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(IndexPubMed.Tests.Commands.Cli.SciFactDir, "corpus.jsonl.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}
