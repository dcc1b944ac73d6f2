using System.Diagnostics;
using System.Globalization;
using Splade.Bench.Pruning;
using Splade.Encoder;
using Splade.Lucene.Formats;

namespace Splade.Bench.Lucene;

/// <summary>
/// <c>Splade.Bench corpus-jsonl --docs N [--seed 42] [--queries 500] [--out DIR] [--query-vectors FILE...]</c>:
/// writes the synthetic corpus (<see cref="SyntheticCorpus"/>) as Anserini JsonVectorCollection files that the
/// CLI (<c>index --vectors</c>, <c>search --query-vectors</c>) and the Java Lucene harness (<c>bench/java</c>) read
/// alike: <c>DIR/docs-seed{seed}-{N}.jsonl</c> (ids <c>d0000000</c>..., so that id order is document order),
/// <c>DIR/queries-seed{seed}-synthetic-{Q}.jsonl</c> and, for each <c>--query-vectors</c> file, its shapes (term
/// counts and weight ratios, heaviest weight 3.5) on synthetic terms, <c>DIR/queries-seed{seed}-{name}-shapes.jsonl</c>,
/// as the pruning bench builds them. Existing files are kept (delete them to rewrite).
/// </summary>
internal static class CorpusExport
{
    public static int Run(string[] args)
    {
        int docs = 200_000, seed = 42, queryCount = 500;
        string root = "/work/bench-data";
        var shapeFiles = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--docs": docs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--queries": queryCount = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--out": root = Next(); break;
                case "--query-vectors":
                    while (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        shapeFiles.Add(args[++i]);
                    }
                    break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}");
                    return 2;
            }
        }
        Directory.CreateDirectory(root);
        var corpus = new SyntheticCorpus(seed);
        Write(Path.Combine(root, $"docs-seed{seed}-{docs}.jsonl"), corpus, corpus.Documents(docs), i => "d" + i.ToString("D7", CultureInfo.InvariantCulture));
        Write(Path.Combine(root, $"queries-seed{seed}-synthetic-{queryCount}.jsonl"), corpus, corpus.Queries(queryCount), i => "q" + i.ToString(CultureInfo.InvariantCulture));
        foreach (string file in shapeFiles)
        {
            string name = Path.GetFileName(file).Split('.')[1];   // topics.dl19-passage.splade-pp-ed.vectors.jsonl -> dl19-passage
            var shapes = PruningBench.ReadWeights(file);
            Write(Path.Combine(root, $"queries-seed{seed}-{name}-shapes.jsonl"), corpus, shapes.Select((w, i) => corpus.QueryWithWeights(i, w)), i => "q" + i.ToString(CultureInfo.InvariantCulture));
        }
        return 0;
    }

    private static void Write(string path, SyntheticCorpus corpus, IEnumerable<SparseVector> vectors, Func<int, string> id)
    {
        if (File.Exists(path))
        {
            Console.WriteLine($"keeping {path}");
            return;
        }
        var clock = Stopwatch.StartNew();
        string partial = path + ".partial";
        long terms = 0;
        int n = 0;
        using (var stream = new BufferedStream(File.Create(partial), 1 << 20))
        using (var writer = new JsonVectorWriter(stream))
        {
            foreach (var vector in vectors)
            {
                writer.Write(id(n++), vector, corpus.Vocabulary);
                terms += vector.Count;
            }
        }
        File.Move(partial, path);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {path}: {n} vectors, {terms / (double)Math.Max(n, 1):F1} terms each, {new FileInfo(path).Length / 1e6:F0} MB, {clock.Elapsed.TotalSeconds:F0} s"));
    }
}
