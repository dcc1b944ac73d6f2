using System.Globalization;
using Splade.Bench.Common;
using Splade.Encoder.Onnx;

namespace Splade.Bench.Encoder;

/// <summary>
/// The ceiling of int8 on this CPU: ONNX Runtime's integer GEMM against its float GEMM on BERT-base's matrix
/// shapes at one batch of 16 x 256 word pieces (4,096 activation rows), each product a one-node model
/// (<see cref="GemmModels"/>) run with the encoder's session options. The whole int8 model spends over 90% of
/// its time in these products on a CPU without VNNI, so their ratio bounds what quantization can gain there,
/// whatever the rest of the graph does. Optionally (<c>--micro</c>) the instruction throughput behind the ratio
/// (<see cref="MultiplyAccumulateThroughput"/>).
/// </summary>
internal static class GemmInt8Benchmark
{
    // BERT-base at [16, 256]: per layer the fused Q/K/V projection (QAttention), the attention output, the
    // feed-forward up and down projections; once the MLM head's transform (768 x 768); the vocabulary projection
    // runs as 30,522 / 2,048 = 14.9 column slices of 2,048 (PoolingGraph.DefaultSliceColumns).
    private static readonly (int K, int N, double PerBatch, string Role)[] BertBase =
    [
        (768, 2304, 12, "Q/K/V (QAttention) x 12"),
        (768, 768, 13, "attention output x 12, MLM transform x 1"),
        (768, 3072, 12, "feed-forward up x 12"),
        (3072, 768, 12, "feed-forward down x 12"),
        (768, PoolingGraph.DefaultSliceColumns, 30522.0 / PoolingGraph.DefaultSliceColumns, "vocabulary projection, 2,048-column slices x 14.9"),
    ];

    private const string F = "F: float32 MatMul";
    private const string D = "D: DynamicQuantizeMatMul, int8 weights +-64 (our quantizer)";
    private const string D127 = "D127: DynamicQuantizeMatMul, int8 weights +-127";
    private const string I = "I: MatMulInteger u8 x s8 (kernel only)";
    private const string U = "U: MatMulInteger u8 x u8 (kernel only)";

    public static int Run(BenchArguments args)
    {
        int threads = args.Get("threads", 2);
        int rows = args.Get("rows", 16 * 256);
        int passes = args.Get("passes", 5);
        double seconds = args.Get("seconds", 8);
        bool wholeVocabulary = args.Find("vocab") is "true" or "1";
        bool micro = args.Find("micro") is not ("false" or "0");
        bool gemm = args.Find("gemm") is not ("false" or "0");
        int seed = args.Get("seed", 42);
        args.RejectUnknown();

        BenchEnvironment.PrintHeader("int8 vs float32 GEMM in ONNX Runtime: BERT-base shapes, one-node models");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"settings:     {rows} activation rows, {threads} intra-op threads; per shape, passes of one Run of each product in rotating order, at least {passes} passes and {seconds:F0} s"));
        Console.WriteLine($"cpu flags:    {CpuFlags()}");
        Console.WriteLine();

        if (gemm)
        {
            var shapes = BertBase.ToList();
            if (wholeVocabulary)
            {
                shapes.Add((768, 30522, 0, "whole vocabulary projection (not counted below: the encoder slices it)"));
            }
            var results = new List<(int K, int N, double PerBatch, Dictionary<string, (double Fastest, double Median)> Seconds)>();
            foreach (var (k, n, perBatch, role) in shapes)
            {
                var secondsPerRun = MeasureShape(k, n, role, rows, threads, passes, seconds, seed);
                results.Add((k, n, perBatch, secondsPerRun));
            }
            PrintModelSum(results, rows);
        }
        if (micro)
        {
            MultiplyAccumulateThroughput.Run();
        }
        return 0;
    }

    // Returns the fastest and the median Run of each product, in seconds.
    private static Dictionary<string, (double Fastest, double Median)> MeasureShape(int k, int n, string role, int rows, int threads, int passes, double seconds, int seed)
    {
        var random = new Random(seed);
        // Weights like a trained BERT's (normal, sd 0.02) and activations like a layer's input (about normal, sd 1):
        // the speed does not depend on the values, the error check below does.
        float[] weight = Normal(random, k * n, 0.02f);
        float[] activations = Normal(random, rows * k, 1f);
        byte[] activationBytes = new byte[rows * k];
        random.NextBytes(activationBytes);
        var (q64, scales64) = DynamicQuantization.QuantizePerColumn(weight, k, n);
        var (q127, scales127) = QuantizeFullRange(weight, k, n);
        byte[] unsignedWeight = q64.Select(v => (byte)(v + 128)).ToArray();

        var cases = new List<GemmCase>();
        try
        {
            cases.Add(GemmCase.FloatIn(F, GemmModels.FloatMatMul(weight, k, n), threads, activations, rows, k, n));
            cases.Add(GemmCase.FloatIn(D, GemmModels.DynamicQuantizeMatMul(q64, scales64, k, n), threads, activations, rows, k, n));
            cases.Add(GemmCase.FloatIn(D127, GemmModels.DynamicQuantizeMatMul(q127, scales127, k, n), threads, activations, rows, k, n));
            cases.Add(GemmCase.ByteIn(I, GemmModels.MatMulInteger(System.Runtime.InteropServices.MemoryMarshal.AsBytes(q64.AsSpan()), signedWeight: true, k, n), threads, activationBytes, rows, k, n));
            cases.Add(GemmCase.ByteIn(U, GemmModels.MatMulInteger(unsignedWeight, signedWeight: false, k, n), threads, activationBytes, rows, k, n));
            foreach (var c in cases)
            {
                c.Run(); // warm-up: prepacking, thread pool, arena
                c.Run();
            }
            // Sanity: the quantized products must be the float product up to quantization error (and show what
            // full-range weights cost in accuracy where the byte multiply saturates).
            double error64 = RelativeError(cases[0].FloatOutput(), cases[1].FloatOutput());
            double error127 = RelativeError(cases[0].FloatOutput(), cases[2].FloatOutput());

            // One Run of each product per pass, interleaved: other processes on this 2-core machine (outside the
            // benchmark lock) come and go over seconds, and interleaving makes every product see the same mix. The
            // fastest Run is the kernel's own speed; the paired ratio compares Runs made moments apart.
            var times = cases.ToDictionary(c => c.Label, _ => new List<double>());
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int pass = 0; pass < passes || watch.Elapsed.TotalSeconds < seconds; pass++)
            {
                for (int j = 0; j < cases.Count; j++)
                {
                    var c = cases[(j + pass) % cases.Count];
                    times[c.Label].Add(c.TimeOne());
                }
            }
            double flops = 2.0 * rows * k * n;
            var f = times[F];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"## [{rows} x {k}] x [{k} x {n}]: {role}; {flops / 2e9:F1} G multiply-adds per Run, {f.Count} passes"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"relative error vs float32 (Frobenius): D {error64:G3}, D127 {error127:G3}"));
            Console.WriteLine();
            Console.WriteLine("| product | fastest Run, ms | G ops/s (2 per multiply-add) | fastest vs F | median Run, ms | median vs F | paired F/X per pass: median (min-max) |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            var result = new Dictionary<string, (double Fastest, double Median)>();
            foreach (var c in cases)
            {
                var t = times[c.Label];
                double best = t.Min(), mid = Statistics.Median(t);
                var paired = t.Select((x, i) => f[i] / x).ToList();
                result[c.Label] = (best, mid);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {c.Label} | {best * 1e3:F1} | {flops / best / 1e9:F1} | {f.Min() / best:F2}x | {mid * 1e3:F1} | {Statistics.Median(f) / mid:F2}x | {Statistics.Median(paired):F2} ({paired.Min():F2}-{paired.Max():F2}) |"));
            }
            Console.WriteLine();
            return result;
        }
        finally
        {
            foreach (var c in cases)
            {
                c.Dispose();
            }
        }
    }

    // What the products of one BERT-base forward pass at [16, 256] cost in each form: the bound on the whole
    // model's int8 speed-up if everything else took no time at all.
    private static void PrintModelSum(List<(int K, int N, double PerBatch, Dictionary<string, (double Fastest, double Median)> Seconds)> results, int rows)
    {
        var counted = results.Where(r => r.PerBatch > 0).ToList();
        Console.WriteLine($"## All products of one BERT-base batch ({rows} rows), each shape's Runs times its count per batch");
        Console.WriteLine();
        Console.WriteLine("| product | s per batch (fastest Runs) | vs F | s per batch (median Runs) | vs F |");
        Console.WriteLine("|---|---|---|---|---|");
        double floatFastest = counted.Sum(r => r.PerBatch * r.Seconds[F].Fastest);
        double floatMedian = counted.Sum(r => r.PerBatch * r.Seconds[F].Median);
        foreach (string label in new[] { F, D, D127, I, U })
        {
            double fastest = counted.Sum(r => r.PerBatch * r.Seconds[label].Fastest);
            double median = counted.Sum(r => r.PerBatch * r.Seconds[label].Median);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {label} | {fastest:F3} | {floatFastest / fastest:F2}x | {median:F3} | {floatMedian / median:F2}x |"));
        }
        Console.WriteLine();
    }

    private static float[] Normal(Random random, int count, float sd)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            // Box-Muller; one of the pair is enough here.
            double u = 1.0 - random.NextDouble();
            values[i] = sd * (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }
        return values;
    }

    // Symmetric per-column int8 over the full [-127, 127]: what the quantizer wrote before 7-bit weights.
    private static (sbyte[] Values, float[] Scales) QuantizeFullRange(float[] weight, int k, int n)
    {
        var scales = new float[n];
        for (int i = 0; i < weight.Length; i++)
        {
            scales[i % n] = Math.Max(scales[i % n], Math.Abs(weight[i]));
        }
        for (int col = 0; col < n; col++)
        {
            scales[col] = scales[col] > 0 ? scales[col] / 127 : 1f;
        }
        var q = new sbyte[weight.Length];
        for (int i = 0; i < weight.Length; i++)
        {
            q[i] = (sbyte)Math.Clamp(MathF.Round(weight[i] / scales[i % n], MidpointRounding.ToEven), -127, 127);
        }
        return (q, scales);
    }

    private static double RelativeError(ReadOnlySpan<float> reference, ReadOnlySpan<float> other)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double d = other[i] - reference[i];
            diff += d * d;
            norm += (double)reference[i] * reference[i];
        }
        return Math.Sqrt(diff / norm);
    }

    private static string CpuFlags()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            if (line is null)
            {
                return "unknown";
            }
            var flags = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var relevant = flags.Where(f => f is "avx2" or "fma" || f.StartsWith("avx512", StringComparison.Ordinal) || f.Contains("vnni", StringComparison.Ordinal) || f.StartsWith("amx", StringComparison.Ordinal)).ToList();
            return string.Join(' ', relevant) + (relevant.Any(f => f.Contains("vnni", StringComparison.Ordinal)) ? "" : " (no VNNI)");
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
