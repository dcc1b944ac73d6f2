using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using IndexPubMed.Tests.Input;
using IndexPubMed.Tests.Support;
using Xunit.Abstractions;

namespace IndexPubMed.Tests.Reliability;

/// <summary>
/// Seeded, time-boxed fuzzing of every input the CLI reads (issue 9): real PubMed XML, BEIR JSONL, vector JSONL and
/// query files, mutated by <see cref="Mutator"/>, each case run in-process. Every case must end with exit code 0, 1 or 2,
/// no unhandled exception or stack trace, an index that opens with no id twice, and every record (line, query) the
/// mutation left untouched indexed (run). The seed is printed; SPLADE_FUZZ_SEED replays a run and
/// SPLADE_FUZZ_SECONDS sets the time per input kind (default 15 s).
/// </summary>
public sealed partial class FuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string Model = IndexPubMed.Tests.Commands.Cli.ModelDir;

    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("SPLADE_FUZZ_SEED"), CultureInfo.InvariantCulture, out int s) ? s : 20261202;

    private static TimeSpan Budget => TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("SPLADE_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out double s) ? s : 15);

    [Fact]
    public void PubMedXml()
    {
        byte[] original = Encoding.UTF8.GetBytes(TempDir.ReadFixtureText("pubmed25n1274.xml.gz"));
        var records = RecordSpans(Encoding.UTF8.GetString(original));
        Assert.Equal(30, records.Count);
        Fuzz("xml", xml: true, original, (file, index) => ["index", "--index", index, "--no-splade", "--quiet", file], ".xml",
            (mutation, plain) => records.Where(r => r.End <= mutation.FirstChange).Select(r => r.Pmid).ToHashSet());
    }

    [Fact]
    public void BeirJsonl()
    {
        byte[] original = Encoding.UTF8.GetBytes(string.Concat(SciFactCorpusLines().Take(60).Select(l => l + "\n")));
        Fuzz("jsonl", xml: false, original, (file, index) => ["index", "--index", index, "--no-splade", "--quiet", file], ".jsonl",
            (mutation, plain) => UntouchedLineIds(original, plain, "_id"));
    }

    [Fact]
    public void VectorJsonl()
    {
        var tokens = File.ReadLines(Path.Combine(Model, "vocab.txt")).Skip(2000).Take(3000).ToArray();
        var random = new Random(Seed);
        var sb = new StringBuilder();
        for (int i = 0; i < 120; i++)
        {
            var vector = new SortedDictionary<string, float>(StringComparer.Ordinal);
            for (int t = random.Next(1, 40); t > 0; t--)
            {
                vector[tokens[random.Next(tokens.Length)]] = MathF.Round(0.01f + (float)random.NextDouble() * 3, 3);
            }
            sb.Append(JsonSerializer.Serialize(new { id = "v" + i.ToString(CultureInfo.InvariantCulture), vector })).Append('\n');
        }
        byte[] original = Encoding.UTF8.GetBytes(sb.ToString());
        Fuzz("vectors", xml: false, original, (file, index) => ["index", "--index", index, "--model", Model, "--quiet", "--vectors", file], ".jsonl",
            (mutation, plain) => UntouchedLineIds(original, plain, "id"));
    }

    [Fact]
    public void QueryFiles()
    {
        string corpus = Path.Combine(_temp.Path, "corpus.jsonl");
        File.WriteAllLines(corpus, SciFactCorpusLines().Take(300));
        string index = Path.Combine(_temp.Path, "queries-index");
        Assert.Equal(0, InProcessCli.Run("index", "--index", index, "--no-splade", "--quiet", corpus).Exit);
        var queries = File.ReadLines(Path.Combine(IndexPubMed.Tests.Commands.Cli.SciFactDir, "queries.test.jsonl")).Take(80).ToList();
        byte[] json = Encoding.UTF8.GetBytes(string.Concat(queries.Select(q => q + "\n")));
        byte[] tsv = Encoding.UTF8.GetBytes(string.Concat(queries.Select(q =>
        {
            using var d = JsonDocument.Parse(q);
            return d.RootElement.GetProperty("_id").GetString() + "\t" + d.RootElement.GetProperty("text").GetString() + "\n";
        })));
        foreach (var (name, original) in new[] { ("queries-jsonl", json), ("queries-tsv", tsv) })
        {
            string clean = Path.Combine(_temp.Path, name + ".clean");
            File.WriteAllBytes(clean, original);
            var answered = RunIds(index, clean);
            Assert.True(answered.Count > 50);
            bool isTsv = name.EndsWith("tsv", StringComparison.Ordinal);
            Fuzz(name, xml: false, original, null, isTsv ? ".tsv" : ".jsonl", (mutation, plain) =>
            {
                var untouched = isTsv ? UntouchedTsvIds(original, plain) : UntouchedLineIds(original, plain, "_id");
                untouched.IntersectWith(answered);
                return untouched;
            }, searchIndex: index);
        }
    }

    private void Fuzz(string kind, bool xml, byte[] original, Func<string, string, string[]>? command, string extension,
        Func<Mutator.Result, byte[]?, HashSet<string>> expected, string? searchIndex = null)
    {
        // One stream per input kind, derived from the printed seed, so that each kind replays on its own.
        int seed = Seed + (kind.Length * 7919) + kind[0];
        output.WriteLine($"fuzz {kind}: seed {seed} (SPLADE_FUZZ_SEED={Seed}), budget {Budget.TotalSeconds} s");
        var random = new Random(seed);
        var mutator = new Mutator(random, xml);
        var watch = Stopwatch.StartNew();
        var exits = new int[3];
        int cases = 0;
        while (watch.Elapsed < Budget || cases < 5)
        {
            cases++;
            var mutation = mutator.Mutate(original);
            string dir = Path.Combine(_temp.Path, $"{kind}-{cases}");
            Directory.CreateDirectory(dir);
            string file = Path.Combine(dir, (xml ? "pubmed26n0001" : kind.StartsWith("vector", StringComparison.Ordinal) ? "vectors" : "input") + extension + (mutation.Gzip ? ".gz" : ""));
            File.WriteAllBytes(file, mutation.Bytes);
            string index = Path.Combine(dir, "index");
            string runFile = Path.Combine(dir, "run.trec");
            string[] args = command is not null
                ? command(file, index)
                : ["search", "--index", searchIndex!, "--mode", "bm25", "--queries", file, "--run", runFile, "--quiet"];
            string where = $"fuzz {kind}, seed {seed}, case {cases} ({mutation.What})";
            var caseWatch = Stopwatch.StartNew();
            var run = InProcessCli.Run(args);
            Assert.True(caseWatch.Elapsed < TimeSpan.FromSeconds(60), $"{where}: took {caseWatch.Elapsed}");
            InProcessCli.AssertNoCrash(run, [where, .. args]);
            exits[run.Exit]++;
            byte[]? plain = mutation.Gzip ? (mutation.FirstChange == 0 ? null : Gunzip(mutation.Bytes)) : mutation.Bytes;
            var wanted = expected(mutation, plain);
            var got = command is not null ? IndexContents.Read(index).Keys.ToHashSet() : RunIds(null, null, runFile);
            var missing = wanted.Except(got).ToList();
            Assert.True(missing.Count == 0, $"{where}: exit {run.Exit}, {missing.Count} untouched records missing, e.g. {string.Join(", ", missing.Take(5))}\n{Truncate(run.Error)}");
            if (wanted.Count > 0)
            {
                Assert.True(run.Exit != 2, $"{where}: refused (exit 2) although it held valid records\n{Truncate(run.Error)}");
            }
            Directory.Delete(dir, recursive: true);
        }
        output.WriteLine($"fuzz {kind}: {cases} cases in {watch.Elapsed.TotalSeconds:F1} s, all held; exit 0: {exits[0]}, 1: {exits[1]}, 2: {exits[2]}");
    }

    private HashSet<string> RunIds(string? index, string? queries, string? runFile = null)
    {
        if (runFile is null)
        {
            runFile = Path.Combine(_temp.Path, "clean.trec");
            var run = InProcessCli.Run("search", "--index", index!, "--mode", "bm25", "--queries", queries!, "--run", runFile, "--quiet");
            Assert.Equal(0, run.Exit);
        }
        return File.Exists(runFile) ? File.ReadLines(runFile).Select(l => l.Split(' ')[0]).ToHashSet(StringComparer.Ordinal) : [];
    }

    private static IEnumerable<string> SciFactCorpusLines()
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(IndexPubMed.Tests.Commands.Cli.SciFactDir, "corpus.jsonl.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }

    // Ids of the lines of the mutated file that are byte-identical to a line of the original.
    private static HashSet<string> UntouchedLineIds(byte[] original, byte[]? mutated, string idProperty)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (mutated is null)
        {
            return result;
        }
        var originals = Lines(original).ToHashSet(StringComparer.Ordinal);
        foreach (string line in Lines(mutated))
        {
            if (originals.Contains(line))
            {
                using var d = JsonDocument.Parse(line);
                result.Add(d.RootElement.GetProperty(idProperty).GetString()!);
            }
        }
        return result;
    }

    private static HashSet<string> UntouchedTsvIds(byte[] original, byte[]? mutated)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (mutated is null)
        {
            return result;
        }
        var originals = Lines(original).ToHashSet(StringComparer.Ordinal);
        // The first line decides the format: a mutated first line that starts with '{' makes it JSON.
        var lines = Lines(mutated).ToList();
        if (lines.FirstOrDefault(l => l.Trim().Length > 0) is { } first && first.TrimStart(' ', '\t').StartsWith('{'))
        {
            return result;
        }
        foreach (string line in lines.Where(originals.Contains))
        {
            result.Add(line[..line.IndexOf('\t', StringComparison.Ordinal)]);
        }
        return result;
    }

    // Lines as strings, for comparison only: invalid UTF-8 becomes U+FFFD, which no original line holds.
    private static IEnumerable<string> Lines(byte[] bytes) =>
        Encoding.UTF8.GetString(bytes).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0 && !l.Contains('\uFFFD', StringComparison.Ordinal));

    private static List<(string Pmid, int End)> RecordSpans(string xml)
    {
        var result = new List<(string, int)>();
        foreach (Match m in Record().Matches(xml))
        {
            result.Add((m.Groups[1].Value, Encoding.UTF8.GetByteCount(xml.AsSpan(0, m.Index + m.Length))));
        }
        return result;
    }

    [GeneratedRegex(@"<PubmedArticle>.*?<PMID[^>]*>(\d+)</PMID>.*?</PubmedArticle>", RegexOptions.Singleline)]
    private static partial Regex Record();

    private static byte[] Gunzip(byte[] bytes)
    {
        using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gz.CopyTo(memory);
        return memory.ToArray();
    }

    private static string Truncate(string s) => s.Length > 3000 ? s[..3000] + "..." : s;
}
