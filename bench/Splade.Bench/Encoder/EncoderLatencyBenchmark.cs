using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Splade.Bench.Common;
using Splade.Encoder;

namespace Splade.Bench.Encoder;

/// <summary>
/// Latency of <see cref="SpladeEncoder.EncodeQuery"/> for short queries on 2 and 1 intra-op threads,
/// with a bare <see cref="InferenceSession.Run"/> of the same token ids as the engine's limit. The
/// variants take turns in small blocks so that machine noise spreads over all of them.
/// </summary>
internal static class EncoderLatencyBenchmark
{
    public static int Run(BenchArguments args)
    {
        string modelDir = args.Get("model", Path.Combine(BenchEnvironment.ModelsRoot, "logits"));
        int calls = args.Get("calls", 300);
        int warmups = args.Get("warmup", 30);
        int block = Math.Max(1, args.Get("block", 10));
        args.RejectUnknown();

        BenchEnvironment.PrintHeader("Query latency: SpladeEncoder.EncodeQuery, one short query per call");
        var queries = BenchTexts.Queries;
        var variants = new List<Variant>();
        try
        {
            foreach (int threads in new[] { 2, 1 })
            {
                var encoder = SpladeEncoder.Create(modelDir, new SpladeEncoderOptions { IntraOpNumThreads = threads });
                variants.Add(new Variant($"EncodeQuery, {threads} thread(s)", encoder, null, null));
                var bare = new BareSession(modelDir, threads);
                var inputs = queries.Select(q => bare.MakeInputs([encoder.GetInputIds(q, isQuery: true)])).ToArray();
                variants.Add(new Variant($"bare Run, {threads} thread(s)", null, bare, inputs));
            }
            var lengths = queries.Select(q => variants[0].Encoder!.GetInputIds(q, isQuery: true).Length).ToArray();
            Console.WriteLine($"model:        {modelDir} (pooling in graph: {variants[0].Encoder!.PoolingInGraph})");
            Console.WriteLine($"queries:      {queries.Count} different queries of {lengths.Min()}-{lengths.Max()} ids with [CLS]/[SEP], taken in turn, e.g. \"{queries[0]}\"");
            Console.WriteLine($"calls:        {warmups} warm-up then {calls} timed per variant, in blocks of {block} per variant");
            Console.WriteLine();

            foreach (var v in variants)
            {
                for (int i = 0; i < warmups; i++)
                {
                    v.Call(i % queries.Count, queries);
                }
            }
            int done = 0;
            while (done < calls)
            {
                int n = Math.Min(block, calls - done);
                foreach (var v in variants)
                {
                    for (int i = 0; i < n; i++)
                    {
                        int q = (done + i) % queries.Count;
                        long start = Stopwatch.GetTimestamp();
                        v.Call(q, queries);
                        v.Milliseconds.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                }
                done += n;
            }

            Console.WriteLine("| variant | median ms | p99 ms | min ms | max ms | calls |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var v in variants)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {v.Name} | {Statistics.Median(v.Milliseconds):F2} | {Statistics.Percentile(v.Milliseconds, 99):F2} | {v.Milliseconds.Min():F2} | {v.Milliseconds.Max():F2} | {v.Milliseconds.Count} |"));
            }
        }
        finally
        {
            foreach (var v in variants)
            {
                v.Dispose();
            }
        }
        return 0;
    }

    private sealed class Variant(string name, SpladeEncoder? encoder, BareSession? bare, OrtValue[][]? inputs) : IDisposable
    {
        public string Name { get; } = name;

        public SpladeEncoder? Encoder { get; } = encoder;

        public List<double> Milliseconds { get; } = [];

        public void Call(int query, IReadOnlyList<string> queries)
        {
            if (Encoder is not null)
            {
                GC.KeepAlive(Encoder.EncodeQuery(queries[query]));
            }
            else
            {
                GC.KeepAlive(bare!.Run(inputs![query]));
            }
        }

        public void Dispose()
        {
            Encoder?.Dispose();
            bare?.Dispose();
            foreach (var value in inputs?.SelectMany(x => x) ?? [])
            {
                value.Dispose();
            }
        }
    }
}
