using System.Globalization;
using Splade.Bench.Lucene;

namespace Splade.Bench.Pruning;

internal static class PruningBench
{
    public static int Run(string[] args)
    {
        var docCounts = new List<int>();
        int seed = 42, segments = 8;
        string root = "/work/bench-data";
        bool buildOnly = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--docs": docCounts.AddRange(Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--segments": segments = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--dir": root = Next(); break;
                case "--build-only": buildOnly = true; break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}");
                    return 2;
            }
        }
        var corpus = new SyntheticCorpus(seed);
        foreach (int docs in docCounts)
        {
            BenchIndex.Ensure(corpus, seed, docs, segments, root);
        }
        return buildOnly ? 0 : 0;
    }
}
