using System.Diagnostics;
using System.Globalization;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Splade.Bench.Common;
using Splade.Bench.Lucene;
using Splade.Encoder;
using Splade.Lucene.Codecs;
using Splade.Lucene.Search;

namespace Splade.Bench.Pruning;

/// <summary>
/// <c>Splade.Bench coldstart --docs N [--segments S] [--seed S] [--dir PATH] [--k 10] [--queries Q]
/// [--query-vectors FILE] [--persisted] [--index PATH] [--evaluation auto|maxscore|exhaustive] [--min-docs-per-k N] [--tier-cap BYTES] [--memory-cap BYTES|none] [--no-in-memory] [--warm-up] [--export DIR]</c>: what a
/// user's fresh process sees. <c>--evaluation</c> forces how the pruned searches evaluate segments (default: the
/// per-segment chooser), <c>--min-docs-per-k</c> sets the chooser's constant, <c>--tier-cap</c> the pruned queries'
/// <see cref="SpladeQueryOptions.MaxTierBytesPerSegment"/> (the tier memory held at the end is printed), <c>--warm-up</c> runs
/// <see cref="SpladeSearcher.Warm(IndexSearcher, string, SpladeQueryOptions?)"/> after opening (timed apart), <c>--export DIR</c> only writes the corpus and queries
/// as JSONL vectors for timing the CLI on the same data. Opens the pruning bench's index
/// (or its copy with persisted impact bounds, made by <c>--persisted</c> on first use: every segment rewritten
/// through <see cref="SpladeCodec"/>) and runs the query batch once pruned as the CLI does (first query, batch
/// mean), then measures warm latency pruned and exhaustive interleaved per query (rotating order), checking
/// that both return the same top k. Run it once per process: the first pass includes JIT and bound loading.
/// </summary>
internal static class ColdStartBench
{
    public static int Run(string[] args)
    {
        var options = new IndexBenchOptions("/work/bench-data");
        string? vectors = null;
        string? indexPath = null;
        bool persisted = false;
        string? export = null;
        bool warmUp = false;
        var evaluation = SpladeEvaluation.Auto;
        long? tierCap = null;
        long? memoryCap = SpladeQueryOptions.DefaultMaxInMemoryPostingsBytesPerSegment;
        bool inMemory = true;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            if (options.TryRead(args[i], Next))
            {
                continue;
            }
            switch (args[i])
            {
                case "--index": indexPath = Next(); break;
                case "--query-vectors": vectors = Next(); break;
                case "--persisted": persisted = true; break;
                case "--export": export = Next(); break;
                case "--warm-up": warmUp = true; break;
                case "--evaluation": evaluation = Enum.Parse<SpladeEvaluation>(Next(), ignoreCase: true); break;
                case "--tier-cap": tierCap = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--memory-cap": memoryCap = Next() is "none" ? null : long.Parse(args[i], CultureInfo.InvariantCulture); break;
                case "--no-in-memory": inMemory = false; break;
                case "--min-docs-per-k": SpladeEvaluationChooser.MinDocsPerK = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}");
                    return 2;
            }
        }
        (int docs, int seed, int segments, int queryCount, int k, string root) = (options.Docs, options.Seed, options.Segments, options.Queries, options.K, options.Root);
        var corpus = new SyntheticCorpus(seed);
        // --index: an index of the same corpus built elsewhere (the CLI's `index --vectors` of `corpus-jsonl`'s file,
        // whose terms are the synthetic tokens as written), searched as it is.
        string path = indexPath ?? BenchIndex.Ensure(corpus, seed, docs, segments, root);
        if (persisted && indexPath is null)
        {
            path = EnsurePersisted(path);
        }
        SparseVector[] queries = vectors is null
            ? corpus.Queries(queryCount).ToArray()
            : PruningBench.ReadWeights(vectors).Take(queryCount).Select((w, i) => corpus.QueryWithWeights(i, w)).ToArray();
        string set = vectors is null ? "synthetic" : Path.GetFileName(vectors);
        double medianTerms = PruningBench.Median(queries.Select(q => (double)q.Count));
        if (export is not null)
        {
            return Export(export, corpus, docs, queries);
        }

        var jit0 = JitSnapshot.Now();
        long t0 = Stopwatch.GetTimestamp();
        using var reader = DirectoryReader.Open(FSDirectory.Open(path));
        var searcher = new IndexSearcher(reader);
        double openMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        // Labelled by what the index holds, not by --persisted: an index given with --index (the CLI's, written
        // through SpladeCodec) has its bounds persisted although --persisted was not given.
        string bounds = BoundsLabel(reader, "splade");
        var jitOpened = JitSnapshot.Now();
        double warmMs = 0;
        if (warmUp)
        {
            long tw = Stopwatch.GetTimestamp();
            SpladeSearcher.Warm(searcher, "splade", new SpladeQueryOptions { Evaluation = evaluation });
            warmMs = Stopwatch.GetElapsedTime(tw).TotalMilliseconds;
        }
        var jitOpen = JitSnapshot.Now();
        var pruned = queries.Select(q => new SpladeQuery("splade", q, corpus.Vocabulary, new SpladeQueryOptions { Evaluation = evaluation, MaxTierBytesPerSegment = tierCap, InMemoryPostings = inMemory, MaxInMemoryPostingsBytesPerSegment = memoryCap })).ToArray();
        // The pruned search without in-memory postings (windowed MaxScore or term at a time from the index, as before them).
        var fromIndex = queries.Select(q => new SpladeQuery("splade", q, corpus.Vocabulary, new SpladeQueryOptions { Evaluation = evaluation, MaxTierBytesPerSegment = tierCap, InMemoryPostings = false })).ToArray();
        var exhaustive = queries.Select(q => new SpladeQuery("splade", q, corpus.Vocabulary, new SpladeQueryOptions { Exhaustive = true })).ToArray();

        // The batch as the CLI runs it: fresh process, each query once, pruned.
        var cold = new double[queries.Length];
        var jitFirst = jitOpen;
        for (int i = 0; i < queries.Length; i++)
        {
            long t = Stopwatch.GetTimestamp();
            SpladeSearcher.Search(searcher, pruned[i], k);
            cold[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            if (i == 0)
            {
                jitFirst = JitSnapshot.Now();
            }
        }
        var jitBatch = JitSnapshot.Now();
        // Warm: exhaustive once more to warm it too, then interleaved.
        foreach (var q in exhaustive)
        {
            SpladeSearcher.Search(searcher, q, k);
        }
        foreach (var q in fromIndex)
        {
            SpladeSearcher.Search(searcher, q, k);
        }
        var warm = new[] { new double[queries.Length], new double[queries.Length], new double[queries.Length] };
        int same = 0;
        var stats = new SpladeSearchStats();
        string load = PruningBench.LoadAverage();
        for (int i = 0; i < queries.Length; i++)
        {
            var hits = new TopDocs[3];
            for (int r = 0; r < 3; r++)
            {
                int v = (i + r) % 3;
                long t = Stopwatch.GetTimestamp();
                hits[v] = SpladeSearcher.Search(searcher, v switch { 0 => pruned[i], 1 => exhaustive[i], _ => fromIndex[i] }, k, v == 0 ? stats : null);
                warm[v][i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }
            var expected = hits[1].ScoreDocs.Select(h => (h.Doc, h.Score)).ToList();
            same += hits[0].ScoreDocs.Select(h => (h.Doc, h.Score)).SequenceEqual(expected) && hits[2].ScoreDocs.Select(h => (h.Doc, h.Score)).SequenceEqual(expected) ? 1 : 0;
        }
        double warmPruned = PruningBench.Median(warm[0]);
        double warmExhaustive = PruningBench.Median(warm[1]);
        double warmFromIndex = PruningBench.Median(warm[2]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"coldstart docs={docs} k={k} evaluation={evaluation} (min docs per k {SpladeEvaluationChooser.MinDocsPerK}) {bounds} set={set} ({queries.Length} q, median {medianTerms} terms) load {load}: open {openMs:F0} ms; warm-up {(warmUp ? warmMs.ToString("F0", CultureInfo.InvariantCulture) + " ms" : "off")}; " +
            $"first query {cold[0]:F1} ms; first-batch mean {cold.Average():F2} ms; first 10 mean {cold.Take(10).Average():F1} ms; " +
             $"warm median pruned {warmPruned:F2} ms exhaustive {warmExhaustive:F2} ms (exhaustive/pruned {warmExhaustive / warmPruned:F2}x) pruned without in-memory postings {warmFromIndex:F2} ms; " +
            $"warm mean pruned {warm[0].Average():F2} exhaustive {warm[1].Average():F2} without in-memory {warm[2].Average():F2}; first query / warm median {cold[0] / warmPruned:F1}x; identical {same}/{queries.Length}; warm pruned pass: {stats}"));
        Console.WriteLine($"jit: open {jitOpened - jit0}; warm-up {jitOpen - jitOpened}; first query {jitFirst - jitOpen}; rest of first batch {jitBatch - jitFirst}; warm passes {JitSnapshot.Now() - jitBatch}");
        long sib = new DirectoryInfo(path).EnumerateFiles("*.sib").Sum(f => f.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory: in-memory postings {(inMemory ? "on" : "off")}, cap {(memoryCap is { } mc ? mc.ToString("N0", CultureInfo.InvariantCulture) : "none")}; tier cap {(tierCap is { } cap ? cap.ToString("N0", CultureInfo.InvariantCulture) + " bytes per segment" : "none")}; {SpladeCacheMemory.Measure(reader)}; .sib files {sib:N0} bytes; managed heap {GC.GetTotalMemory(forceFullCollection: true) / 1048576.0:F0} MiB"));
        return same == queries.Length ? 0 : 1;
    }

    // The same corpus and queries as files the CLI reads (Anserini JSONL vectors: corpus.jsonl for `index`,
    // queries.jsonl for `search --query-vectors`), so that a fresh CLI process can be timed on them.
    private static int Export(string dir, SyntheticCorpus corpus, int docs, SparseVector[] queries)
    {
        System.IO.Directory.CreateDirectory(dir);
        using (var writer = new Splade.Lucene.Formats.JsonVectorWriter(File.Create(Path.Combine(dir, "corpus.jsonl"))))
        {
            int i = 0;
            foreach (var vector in corpus.Documents(docs))
            {
                writer.Write("d" + i.ToString(CultureInfo.InvariantCulture), vector, corpus.Vocabulary);
                i++;
            }
        }
        using (var writer = new Splade.Lucene.Formats.JsonVectorWriter(File.Create(Path.Combine(dir, "queries.jsonl"))))
        {
            for (int i = 0; i < queries.Length; i++)
            {
                writer.Write("q" + i.ToString(CultureInfo.InvariantCulture), queries[i], corpus.Vocabulary);
            }
        }
        Console.WriteLine($"wrote {docs} documents and {queries.Length} queries to {dir}");
        return 0;
    }

    /// <summary>
    /// "persisted" when every segment carries the field's impact bounds (written by SpladeCodec: the scorer finds
    /// them in the segment's terms), "on-first-use" when none does (computed by scanning postings when a query first
    /// needs them), else how many segments of how many carry them.
    /// </summary>
    internal static string BoundsLabel(IndexReader reader, string field)
    {
        var leaves = reader.Leaves;
        int persisted = leaves.Count(l => l.AtomicReader.GetTerms(field) is PersistedBoundsTerms);
        return persisted == leaves.Count && persisted > 0 ? "persisted"
            : persisted == 0 ? "on-first-use"
            : string.Create(CultureInfo.InvariantCulture, $"persisted-in-{persisted}-of-{leaves.Count}-segments");
    }

    // A copy of the index with every segment rewritten through SpladeCodec (one AddIndexes per segment keeps
    // the segment layout), as an upgrade of an existing index would do.
    private static string EnsurePersisted(string path)
    {
        string target = path + "-sib";
        if (File.Exists(Path.Combine(target, "complete")))
        {
            return target;
        }
        if (System.IO.Directory.Exists(target))
        {
            System.IO.Directory.Delete(target, recursive: true);
        }
        var clock = Stopwatch.StartNew();
        using (var source = DirectoryReader.Open(FSDirectory.Open(path)))
        using (var dir = FSDirectory.Open(target))
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(global::Lucene.Net.Util.LuceneVersion.LUCENE_48, null)
        {
            Codec = new SpladeCodec("splade"),
            MergePolicy = NoMergePolicy.NO_COMPOUND_FILES,
        }))
        {
            foreach (var leaf in source.Leaves)
            {
                writer.AddIndexes(leaf.AtomicReader);
            }
            writer.SetCommitData(source.IndexCommit.UserData);
            writer.Commit();
        }
        File.WriteAllText(Path.Combine(target, "complete"), DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        long sib = new DirectoryInfo(target).EnumerateFiles("*.sib").Sum(f => f.Length);
        long all = new DirectoryInfo(target).EnumerateFiles().Sum(f => f.Length);
        Console.WriteLine($"rewrote {path} with persisted bounds in {clock.Elapsed.TotalSeconds:F0} s: {all / 1e6:F0} MB of which .sib {sib / 1e6:F1} MB");
        return target;
    }
}
