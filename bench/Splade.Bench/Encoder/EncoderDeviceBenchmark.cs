using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Splade.Bench.Common;
using Splade.Encoder;

namespace Splade.Bench.Encoder;

/// <summary>
/// CPU against another device (default <c>cuda:0</c>) with the same model, texts and batch shape:
/// documents/s of <see cref="SpladeEncoder.EncodeDocuments"/> in alternating rounds, and how far the
/// device's vectors are from the CPU's. Written to run unchanged on a machine with a GPU (build with
/// <c>-p:SpladeEncoderCuda=true</c>, which references Splade.Encoder.Cuda, ONNX Runtime's GPU build); where the device
/// cannot be used it prints why and exits with code 3.
/// </summary>
internal static class EncoderDeviceBenchmark
{
    public static int Run(BenchArguments args)
    {
        string modelDir = args.Get("model", Path.Combine(BenchEnvironment.ModelsRoot, "logits"));
        string deviceText = args.Get("device", "cuda:0");
        int threads = args.Get("threads", 2);
        int batchSize = args.Get("batch", 16);
        int sequence = args.Get("seq", 256);
        int batches = args.Get("batches", 2);
        int cpuBatches = args.Get("cpu-batches", 1);
        int rounds = args.Get("rounds", 4);
        int seed = args.Get("seed", 42);
        args.RejectUnknown();
        var device = SpladeDevice.Parse(deviceText);

        BenchEnvironment.PrintHeader($"Encoder on {device} vs cpu");
        Console.WriteLine($"providers:    {string.Join(", ", OrtEnv.Instance().GetAvailableProviders())}");
        SpladeEncoder onDevice;
        try
        {
            onDevice = SpladeEncoder.Create(modelDir, new SpladeEncoderOptions { BatchSize = batchSize, MaxSequenceLength = sequence, Device = device });
        }
        catch (SpladeModelException e)
        {
            Console.WriteLine($"{device} cannot be used here: {e.Message}");
            return 3;
        }
        using var _ = onDevice;
        using var cpu = SpladeEncoder.Create(modelDir, new SpladeEncoderOptions { IntraOpNumThreads = threads, BatchSize = batchSize, MaxSequenceLength = sequence });
        var texts = BenchTexts.Documents(BenchEnvironment.ScifactCorpus, cpu.Tokenizer, batchSize * batches, sequence - 2, seed);
        var cpuTexts = texts.Take(batchSize * cpuBatches).ToList();
        Console.WriteLine($"texts:        {texts.Count} SciFact-based texts of {sequence} ids (seed {seed}), batch {batchSize}; cpu: {threads} threads on the first {cpuTexts.Count}");

        // Agreement: same active entries, weights within float noise of a different kernel library.
        var a = cpu.EncodeDocuments(cpuTexts);
        var b = onDevice.EncodeDocuments(cpuTexts);
        double worst = 0;
        int sameSupport = 0;
        for (int i = 0; i < a.Count; i++)
        {
            sameSupport += a[i].Indices.SequenceEqual(b[i].Indices) ? 1 : 0;
            foreach (int id in a[i].Indices)
            {
                worst = Math.Max(worst, Math.Abs(a[i][id] - b[i][id]));
            }
        }
        Console.WriteLine($"agreement:    {sameSupport} of {a.Count} vectors with the same active entries; largest weight difference {worst:G3}");

        double Measure(SpladeEncoder encoder, List<string> batch)
        {
            long start = Stopwatch.GetTimestamp();
            GC.KeepAlive(encoder.EncodeDocuments(batch));
            return batch.Count / Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Measure(onDevice, texts);
        var cpuRates = new List<double>();
        var deviceRates = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            cpuRates.Add(Measure(cpu, cpuTexts));
            deviceRates.Add(Measure(onDevice, texts));
            Console.WriteLine($"round {r + 1}:      cpu {cpuRates[^1]:F2} docs/s, {device} {deviceRates[^1]:F2} docs/s");
        }
        Console.WriteLine();
        Console.WriteLine($"| device | median docs/s |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| cpu ({threads} threads) | {Statistics.Median(cpuRates):F2} |");
        Console.WriteLine($"| {device} | {Statistics.Median(deviceRates):F2} |");
        Console.WriteLine($"| ratio | {Statistics.Median(deviceRates) / Statistics.Median(cpuRates):F1}x |");
        return 0;
    }
}
