using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Splade.Bench.Common;
using Splade.Encoder;

namespace Splade.Bench.Encoder;

/// <summary>
/// Where a model's time goes inside ONNX Runtime: runs --warmup passes and then one measured pass over --batches
/// batches of benchmark texts through a bare session (the encoder's session options, pooling appended) with
/// <c>SessionOptions.EnableProfiling</c>, and prints the kernel time per operator type of the measured pass only.
/// --optimized PATH also saves the graph as ONNX Runtime optimized it, to see which fusions applied.
/// </summary>
internal static class EncoderProfileBenchmark
{
    public static int Run(BenchArguments args)
    {
        var (modelDir, threads, batchSize, sequence, batches, _, warmups, seed) = EncoderRunSettings.Read(args);
        string prefix = args.Get("profile-prefix", Path.Combine(Path.GetTempPath(), "splade-profile"));
        string? optimized = args.Find("optimized");
        string? listNodes = args.Find("list-nodes");
        bool optimizeOnly = args.Find("optimize-only") is "true" or "1";
        args.RejectUnknown();
        if (optimizeOnly && optimized is not null)
        {
            // Writes ONNX Runtime's optimized graph and stops: see which fusions apply without running anything.
            using var s = new BareSession(modelDir, threads, optimizedModelPath: optimized);
            var ops = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph.Node.GroupBy(n => n.OpType).OrderByDescending(g => g.Count());
            Console.WriteLine("optimized graph: " + string.Join(", ", ops.Select(g => $"{g.Key} {g.Count()}")));
            return 0;
        }
        if (listNodes is not null)
        {
            // --list-nodes FIRST:COUNT prints those nodes of the model file (op type, inputs -> outputs), to read a pattern.
            var parts = listNodes.Split(':');
            var model = SpladeModelConfiguration.Load(modelDir);
            var graph = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(model.OnnxPath)).Graph;
            foreach (var node in graph.Node.Skip(int.Parse(parts[0], CultureInfo.InvariantCulture)).Take(int.Parse(parts[1], CultureInfo.InvariantCulture)))
            {
                string attributes = string.Join(" ", node.Attribute.Select(a => a.Name + "=" + (a.Ints.Count > 0 ? string.Join(",", a.Ints) : a.F != 0 ? a.F.ToString(CultureInfo.InvariantCulture) : a.I.ToString(CultureInfo.InvariantCulture))));
                Console.WriteLine($"{node.OpType} {node.Domain} [{attributes}] {string.Join(", ", node.Input)} -> {string.Join(", ", node.Output)}");
            }
            return 0;
        }

        BenchEnvironment.PrintHeader("ONNX Runtime profile: kernel time per operator type");
        var options = new SpladeEncoderOptions { IntraOpNumThreads = threads, BatchSize = batchSize, MaxSequenceLength = sequence };
        List<string> docs;
        int[][] ids;
        using (var probe = SpladeEncoder.Create(modelDir, options))
        {
            docs = BenchTexts.Documents(BenchEnvironment.ScifactCorpus, probe.Tokenizer, batchSize * batches, sequence - 2, seed);
            ids = docs.Select(t => probe.GetInputIds(t, isQuery: false)).ToArray();
        }
        using var session = new BareSession(modelDir, threads, profilePrefix: prefix, optimizedModelPath: optimized);
        var inputs = ids.Chunk(batchSize).Select(session.MakeInputs).ToArray();
        Console.WriteLine($"model:        {modelDir}; {inputs.Length} batches of [{batchSize}, {ids.Max(i => i.Length)}], {threads} threads, {warmups} warm-up pass(es); uptime: {File.ReadAllText("/proc/loadavg").Trim()}");
        try
        {
            for (int w = 0; w < warmups; w++)
            {
                foreach (var batch in inputs)
                {
                    session.Run(batch);
                }
            }
            long start = Stopwatch.GetTimestamp();
            foreach (var batch in inputs)
            {
                session.Run(batch);
            }
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            string file = session.EndProfiling();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"measured:     {docs.Count / seconds:F3} docs/s over the profiled runs; profile {file}"));
            Summarize(file, warmups * inputs.Length);
        }
        finally
        {
            BareSession.DisposeInputs(inputs);
        }
        return 0;
    }

    // Node events ("cat": "Node", name "<node>_kernel_time", args.op_name) of the model_run events after the first `skipRuns`.
    private static void Summarize(string file, int skipRuns)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var events = doc.RootElement.EnumerateArray().ToList();
        var runs = events.Where(e => e.GetProperty("cat").GetString() == "Session" && e.GetProperty("name").GetString() == "model_run")
            .Select(e => (Start: e.GetProperty("ts").GetInt64(), End: e.GetProperty("ts").GetInt64() + e.GetProperty("dur").GetInt64()))
            .OrderBy(r => r.Start).ToList();
        long from = runs.Count > skipRuns ? runs[skipRuns].Start : 0;
        double runTotal = runs.Skip(skipRuns).Sum(r => (double)(r.End - r.Start));
        var perOp = new Dictionary<string, (double Us, int Count)>(StringComparer.Ordinal);
        var perNode = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (e.GetProperty("cat").GetString() != "Node" || e.GetProperty("ts").GetInt64() < from)
            {
                continue;
            }
            string name = e.GetProperty("name").GetString()!;
            if (!name.EndsWith("_kernel_time", StringComparison.Ordinal))
            {
                continue;
            }
            string op = e.GetProperty("args").TryGetProperty("op_name", out var o) ? o.GetString()! : "?";
            double dur = e.GetProperty("dur").GetInt64();
            var (us, count) = perOp.GetValueOrDefault(op);
            perOp[op] = (us + dur, count + 1);
            perNode[name[..^"_kernel_time".Length] + " (" + op + ")"] = perNode.GetValueOrDefault(name[..^"_kernel_time".Length] + " (" + op + ")") + dur;
        }
        double kernelTotal = perOp.Values.Sum(v => v.Us);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"runs profiled: {runs.Count - skipRuns}, run time {runTotal / 1e3:F0} ms, kernel time {kernelTotal / 1e3:F0} ms"));
        Console.WriteLine();
        Console.WriteLine("| operator | kernel ms | share | nodes run |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (op, (us, count)) in perOp.OrderByDescending(p => p.Value.Us))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {op} | {us / 1e3:F1} | {100 * us / kernelTotal:F1}% | {count} |"));
        }
        Console.WriteLine();
        Console.WriteLine("slowest nodes:");
        foreach (var (node, us) in perNode.OrderByDescending(p => p.Value).Take(25))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {us / 1e3,9:F1} ms  {node}"));
        }
    }
}
