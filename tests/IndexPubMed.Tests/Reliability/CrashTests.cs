using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using IndexPubMed.Tests.Input;
using IndexPubMed.Tests.Support;
using Xunit.Abstractions;

namespace IndexPubMed.Tests.Reliability;

/// <summary>
/// Kills <c>index</c> (a child process, SIGKILL) at seeded random moments, again and again, resuming each time, and
/// checks: after every kill the index opens with no id twice and nothing but input ids; after the run completes it
/// holds exactly what a clean build holds, and BM25 runs over it are byte-identical to the clean build's (BM25 fields
/// only, to keep it fast; IndexCommandTests.AKilledRunResumesWithNothingLostOrDuplicated kills a run with the model).
/// SPLADE_CRASH_SEED replays a run; SPLADE_CRASH_SECONDS sets the time budget (default 40 s, at least 6 kills).
/// </summary>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void KillsAtRandomMomentsLoseAndDuplicateNothingAndRunsMatchACleanBuild()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("SPLADE_CRASH_SEED"), CultureInfo.InvariantCulture, out int s) ? s : 9009;
        var budget = TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("SPLADE_CRASH_SECONDS"), CultureInfo.InvariantCulture, out double b) ? b : 40);
        output.WriteLine($"crash test: seed {seed} (SPLADE_CRASH_SEED), budget {budget.TotalSeconds} s");
        var random = new Random(seed);

        var corpus = SciFactLines().Take(400).ToList();
        string docsA = Path.Combine(_temp.Path, "a.jsonl");
        string docsB = Path.Combine(_temp.Path, "b.jsonl");
        File.WriteAllLines(docsA, corpus.Take(200));
        File.WriteAllLines(docsB, corpus.Skip(200));
        string[] inputs = [TempDir.Fixture("pubmed25n1274.xml.gz"), docsA, TempDir.Fixture("pubmed25n1275.xml.gz"), docsB];
        string queries = Path.Combine(_temp.Path, "queries.jsonl");
        File.WriteAllLines(queries, File.ReadLines(Path.Combine(IndexPubMed.Tests.Commands.Cli.SciFactDir, "queries.test.jsonl")).Take(60));

        string clean = Path.Combine(_temp.Path, "clean");
        Assert.Equal(0, InProcessCli.Run(["index", "--index", clean, "--no-splade", "--quiet", .. inputs]).Exit);
        var expected = IndexContents.Read(clean);
        Assert.Equal(460, expected.Count);
        var cleanRuns = Runs(clean, queries, "clean");

        var watch = Stopwatch.StartNew();
        int kills = 0, rounds = 0, completed = 0;
        while (watch.Elapsed < budget || kills < 6)
        {
            rounds++;
            string index = Path.Combine(_temp.Path, $"round{rounds}");
            // Each round starts empty and is killed until a run completes.
            for (int attempt = 1; ; attempt++)
            {
                Assert.True(attempt < 60, $"seed {seed}, round {rounds}: no run completed after 60 attempts");
                string[] args = ["index", "--index", index, "--no-splade", "--quiet", "--batch-size", "4",
                    "--commit-every", random.Next(5, 80).ToString(CultureInfo.InvariantCulture),
                    "--commit-interval", (0.05 + random.NextDouble()).ToString("F2", CultureInfo.InvariantCulture), .. inputs];
                int exit;
                string how;
                if (random.Next(2) == 0)
                {
                    int after = random.Next(1, 470);
                    how = $"--crash-after {after}";
                    exit = RunChild([.. args, "--crash-after", after.ToString(CultureInfo.InvariantCulture)], killAfter: null);
                }
                else
                {
                    var delay = TimeSpan.FromMilliseconds(random.Next(200, 2500));
                    how = $"SIGKILL after {delay.TotalMilliseconds} ms";
                    exit = RunChild(args, delay);
                }
                var now = IndexContents.Read(index);   // opens, and fails on an id indexed twice
                var strangers = now.Keys.Where(k => !expected.ContainsKey(k)).ToList();
                Assert.True(strangers.Count == 0, $"seed {seed}, round {rounds}, attempt {attempt} ({how}): ids not in the input: {string.Join(", ", strangers.Take(5))}");
                Assert.All(now, p => Assert.Equal(expected[p.Key], p.Value));
                if (exit == 0)
                {
                    completed++;
                    Assert.Equal(expected, now);
                    break;
                }
                kills++;
            }
            Assert.True(cleanRuns.SequenceEqual(Runs(index, queries, $"round{rounds}")), $"seed {seed}, round {rounds}: the BM25 run differs from the clean build's");
            Directory.Delete(index, recursive: true);
        }
        output.WriteLine($"crash test: {kills} kills survived in {rounds} rounds ({completed} completed runs), {watch.Elapsed.TotalSeconds:F1} s; every round ended with the clean build's 460 documents and an identical BM25 run");
    }

    /// <summary>
    /// Kills <c>reindex</c> (adding a SPLADE field to a BM25-only index with the tiny model) at seeded random moments,
    /// resuming until a run completes; after every kill the index is either untouched (no SPLADE field, same documents)
    /// or completely reindexed; every completed index gives SPLADE runs byte-identical to a clean <c>index --model</c>
    /// build, at depth 1000 and at a depth that cuts through tied scores (the corpus holds duplicate texts under other
    /// ids, indexed before their originals in the clean build and after them in the reindexed one, so a tie broken by
    /// document number would differ).
    /// </summary>
    [Fact]
    public void KilledReindexRunsResumeToTheCleanBuildsSpladeRunsIncludingTieOrder()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("SPLADE_CRASH_SEED"), CultureInfo.InvariantCulture, out int s) ? s : 9009;
        var budget = TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("SPLADE_CRASH_SECONDS"), CultureInfo.InvariantCulture, out double b) ? b / 2 : 15);
        output.WriteLine($"reindex crash test: seed {seed} (SPLADE_CRASH_SEED), budget {budget.TotalSeconds} s");
        var random = new Random(seed);

        var (originals, copies, queries) = TiedCorpus("reindex");
        int total = File.ReadAllLines(originals).Length + File.ReadAllLines(copies).Length;
        // The clean build indexes the copies first, the reindexed index last: a tie broken by document number would
        // rank them differently.
        string clean = Path.Combine(_temp.Path, "reindex-clean");
        Assert.Equal(0, InProcessCli.Run("index", "--index", clean, "--model", Model, "--quiet", "--commit-every", "17", copies, originals).Exit);
        var cleanRuns = SpladeRuns(clean, queries, "reindex-clean", assertTies: true);

        string bm25Only = Path.Combine(_temp.Path, "reindex-base");
        Assert.Equal(0, InProcessCli.Run("index", "--index", bm25Only, "--no-splade", "--quiet", "--commit-every", "23", originals, copies).Exit);
        var expected = IndexContents.Read(bm25Only);
        Assert.Equal(total, expected.Count);

        var watch = Stopwatch.StartNew();
        int kills = 0, rounds = 0;
        while (watch.Elapsed < budget || rounds == 0)
        {
            rounds++;
            string index = Path.Combine(_temp.Path, $"reindex-round{rounds}");
            CopyFolder(bm25Only, index);
            // Up to two kills per round (each child loads the model: slow), then a run left alone.
            for (int attempt = 1; ; attempt++)
            {
                Assert.True(attempt < 10, $"seed {seed}, round {rounds}: no reindex run completed after 10 attempts");
                string[] args = ["reindex", "--index", index, "--model", Model, "--quiet",
                    "--batch-size", random.Next(1, 9).ToString(CultureInfo.InvariantCulture),
                    "--commit-every", random.Next(3, 60).ToString(CultureInfo.InvariantCulture)];
                int exit;
                string how;
                if (attempt > 2)
                {
                    how = "not killed";
                    exit = RunChild(args, killAfter: null);
                }
                else if (random.Next(2) == 0)
                {
                    int after = random.Next(1, total + 10);
                    how = $"--crash-after {after}";
                    exit = RunChild([.. args, "--crash-after", after.ToString(CultureInfo.InvariantCulture)], killAfter: null);
                }
                else
                {
                    var delay = TimeSpan.FromMilliseconds(random.Next(300, 3000));
                    how = $"SIGKILL after {delay.TotalMilliseconds} ms";
                    exit = RunChild(args, delay);
                }
                // Untouched (no SPLADE field) or completely reindexed: never half, never a document lost or doubled.
                Assert.Equal(expected, IndexContents.Read(index));
                int withSplade = IndexContents.WithSplade(index);
                Assert.True(withSplade == 0 || withSplade == total, $"seed {seed}, round {rounds}, attempt {attempt} ({how}): {withSplade} of {total} documents have a SPLADE field");
                if (exit == 0)
                {
                    Assert.Equal(total, withSplade);
                    Assert.False(Directory.Exists(index + ".splade-reindex"), "the side index was not removed");
                    break;
                }
                kills++;
            }
            var runs = SpladeRuns(index, queries, $"reindex-round{rounds}", assertTies: false);
            foreach (var (depth, lines) in cleanRuns)
            {
                Assert.True(lines.SequenceEqual(runs[depth]), $"seed {seed}, round {rounds}: the SPLADE run at depth {depth} differs from the clean build's");
            }
            Directory.Delete(index, recursive: true);
        }
        output.WriteLine($"reindex crash test: {kills} kills survived in {rounds} rounds, {watch.Elapsed.TotalSeconds:F1} s; every round ended with the clean build's {total} documents and identical SPLADE runs at depths {string.Join(" and ", cleanRuns.Keys)}");
    }

    /// <summary>
    /// Kills <c>index</c> of precomputed vectors (no model: cheap) at seeded random moments and checks that every
    /// completed index gives SPLADE runs byte-identical to a clean build, at depth 1000 and at a depth cut through tied
    /// scores (copies of vectors under other ids, indexed before their originals in the clean build and after them here).
    /// </summary>
    [Fact]
    public void KilledVectorIndexRunsResumeToTheCleanBuildsSpladeRunsIncludingTieOrder()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("SPLADE_CRASH_SEED"), CultureInfo.InvariantCulture, out int s) ? s : 9009;
        var budget = TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("SPLADE_CRASH_SECONDS"), CultureInfo.InvariantCulture, out double b) ? b / 2 : 10);
        output.WriteLine($"vector crash test: seed {seed} (SPLADE_CRASH_SEED), budget {budget.TotalSeconds} s");
        var random = new Random(seed);
        string vocab = Path.Combine(Model, "vocab.txt");
        var tokens = File.ReadLines(vocab).Skip(2000).Take(60).ToArray();   // few tokens, small integer weights: many ties
        string Vector(Random r) => "{" + string.Join(", ", tokens.OrderBy(_ => r.Next()).Take(r.Next(2, 8)).Select(t => $"\"{t}\": {r.Next(1, 4)}")) + "}";
        var data = new Random(seed + 1);
        var originals = Enumerable.Range(0, 400).Select(i => $"{{\"id\": \"v{i:D3}\", \"vector\": {Vector(data)}}}").ToList();
        var copies = originals.Where((_, i) => i % 3 == 0).Select(l => l.Replace("{\"id\": \"v", "{\"id\": \"0v", StringComparison.Ordinal)).ToList();
        string originalsFile = Path.Combine(_temp.Path, "vectors.jsonl");
        string copiesFile = Path.Combine(_temp.Path, "copies.vectors.jsonl");
        File.WriteAllLines(originalsFile, originals);
        File.WriteAllLines(copiesFile, copies);
        string queries = Path.Combine(_temp.Path, "query.vectors.jsonl");
        File.WriteAllLines(queries, Enumerable.Range(0, 30).Select(i => $"{{\"id\": \"q{i}\", \"vector\": {Vector(data)}}}"));
        int total = originals.Count + copies.Count;

        string clean = Path.Combine(_temp.Path, "vectors-clean");
        var built = InProcessCli.Run("index", "--index", clean, "--vocab", vocab, "--quiet", "--vectors", copiesFile, originalsFile);
        Assert.True(built.Exit == 0, built.Error);
        Assert.Equal(total, IndexContents.Read(clean).Count);
        var cleanRuns = VectorRuns(clean, queries, "vectors-clean", assertTies: true);

        var watch = Stopwatch.StartNew();
        int kills = 0, rounds = 0;
        while (watch.Elapsed < budget || rounds == 0)
        {
            rounds++;
            string index = Path.Combine(_temp.Path, $"vectors-round{rounds}");
            for (int attempt = 1; ; attempt++)
            {
                Assert.True(attempt < 10, $"seed {seed}, round {rounds}: no run completed after 10 attempts");
                // One or two writer threads (lanes by id): a killed run of either kind must resume to the clean build.
                string[] args = ["index", "--index", index, "--vocab", vocab, "--quiet", "--batch-size", "4",
                    "--commit-every", random.Next(5, 80).ToString(CultureInfo.InvariantCulture),
                    "--writer-threads", random.Next(1, 3).ToString(CultureInfo.InvariantCulture), "--vectors", originalsFile, copiesFile];
                int exit;
                if (attempt > 3)
                {
                    exit = RunChild(args, killAfter: null);
                }
                else if (random.Next(2) == 0)
                {
                    exit = RunChild([.. args, "--crash-after", random.Next(1, total + 10).ToString(CultureInfo.InvariantCulture)], killAfter: null);
                }
                else
                {
                    exit = RunChild(args, TimeSpan.FromMilliseconds(random.Next(200, 2500)));
                }
                var now = IndexContents.Read(index);   // opens, and fails on an id indexed twice
                Assert.True(now.Count <= total, $"seed {seed}, round {rounds}: {now.Count} documents for {total}");
                if (exit == 0)
                {
                    Assert.Equal(total, now.Count);
                    break;
                }
                kills++;
            }
            var runs = VectorRuns(index, queries, $"vectors-round{rounds}", assertTies: false);
            foreach (var (depth, lines) in cleanRuns)
            {
                Assert.True(lines.SequenceEqual(runs[depth]), $"seed {seed}, round {rounds}: the SPLADE run at depth {depth} differs from the clean build's");
            }
            Directory.Delete(index, recursive: true);
        }
        output.WriteLine($"vector crash test: {kills} kills survived in {rounds} rounds, {watch.Elapsed.TotalSeconds:F1} s; every round ended with the clean build's {total} documents and identical SPLADE runs at depths {string.Join(" and ", cleanRuns.Keys)}");
    }

    private Dictionary<int, string[]> VectorRuns(string index, string queries, string name, bool assertTies)
    {
        var runs = new Dictionary<int, string[]>();
        foreach (int depth in new[] { 1000, TieDepth })
        {
            string run = Path.Combine(_temp.Path, $"{name}.splade{depth}.trec");
            var r = InProcessCli.Run("search", "--index", index, "--query-vectors", queries, "--run", run, "--depth", depth.ToString(CultureInfo.InvariantCulture), "--quiet");
            Assert.True(r.Exit == 0, r.Error);
            runs[depth] = File.ReadAllLines(run);
        }
        if (assertTies)
        {
            AssertTiesAcrossTheCut(runs[1000], name);
        }
        return runs;
    }

    private void AssertTiesAcrossTheCut(string[] fullRun, string name)
    {
        // TREC run lines: qid Q0 docid rank score tag.
        int cut = fullRun.Select(l => l.Split(' ')).GroupBy(f => f[0])
            .Count(g => g.Count() > TieDepth && g.ElementAt(TieDepth - 1)[4] == g.ElementAt(TieDepth)[4]);
        output.WriteLine($"{name}: {cut} queries with tied scores across the depth-{TieDepth} cut");
        Assert.True(cut > 0, "no tie crosses the cut: the run comparison would not test the tie order");
    }

    private static readonly string Model = Path.Combine(AppContext.BaseDirectory, "fixtures", "tiny-splade");

    /// <summary>The depth that cuts through tied scores in the SPLADE runs of <see cref="TiedCorpus"/>.</summary>
    private const int TieDepth = 3;

    // 120 SciFact documents, and a copy of every third one under the id "0" + its id (same text, so same score) in a
    // second file.
    private (string Originals, string Copies, string Queries) TiedCorpus(string name)
    {
        var originals = SciFactLines().Take(120).ToList();
        var copies = originals.Where((_, i) => i % 3 == 0)
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, "^\\{\"_id\": \"", "{\"_id\": \"0")).ToList();
        Assert.All(copies, c => Assert.StartsWith("{\"_id\": \"0", c, StringComparison.Ordinal));
        string originalsFile = Path.Combine(_temp.Path, $"{name}.jsonl");
        string copiesFile = Path.Combine(_temp.Path, $"{name}.copies.jsonl");
        File.WriteAllLines(originalsFile, originals);
        File.WriteAllLines(copiesFile, copies);
        string queries = Path.Combine(_temp.Path, $"{name}.queries.jsonl");
        File.WriteAllLines(queries, File.ReadLines(Path.Combine(IndexPubMed.Tests.Commands.Cli.SciFactDir, "queries.test.jsonl")).Take(40));
        return (originalsFile, copiesFile, queries);
    }

    // SPLADE runs (queries encoded by the tiny model) at depth 1000 (every match) and at TieDepth; with assertTies, checks
    // that some query has equal scores on both sides of the TieDepth cut, so the comparison tests the tie order.
    private Dictionary<int, string[]> SpladeRuns(string index, string queries, string name, bool assertTies)
    {
        var runs = new Dictionary<int, string[]>();
        foreach (int depth in new[] { 1000, TieDepth })
        {
            string run = Path.Combine(_temp.Path, $"{name}.splade{depth}.trec");
            var r = InProcessCli.Run("search", "--index", index, "--mode", "splade", "--model", Model, "--queries", queries, "--run", run, "--depth", depth.ToString(CultureInfo.InvariantCulture), "--quiet");
            Assert.True(r.Exit == 0, r.Error);
            runs[depth] = File.ReadAllLines(run);
        }
        if (assertTies)
        {
            AssertTiesAcrossTheCut(runs[1000], name);
        }
        return runs;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    // The run over every matching document (depth 1000 > 460 documents), so that no tie is cut at the depth.
    private string[] Runs(string index, string queries, string name)
    {
        string run = Path.Combine(_temp.Path, $"{name}.bm25.trec");
        var r = InProcessCli.Run("search", "--index", index, "--mode", "bm25", "--queries", queries, "--run", run, "--depth", "1000", "--quiet");
        Assert.True(r.Exit == 0, r.Error);
        return File.ReadAllLines(run);
    }

    // Runs the CLI in a child process; with killAfter, SIGKILLs it after that long if it is still running.
    private static int RunChild(string[] args, TimeSpan? killAfter)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IndexPubMed.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (killAfter is { } delay && !process.WaitForExit(delay))
        {
            process.Kill(entireProcessTree: true);
        }
        Assert.True(process.WaitForExit(180_000), "the child run did not finish within 3 minutes");
        Task.WaitAll(stdout, stderr);
        Assert.DoesNotContain("internal error", stderr.Result);
        return process.ExitCode;
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
