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
