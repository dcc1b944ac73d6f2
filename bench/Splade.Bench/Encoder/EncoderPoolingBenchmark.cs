using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Splade.Bench.Common;
using Splade.Encoder;

namespace Splade.Bench.Encoder;

/// <summary>
/// Where pooling runs: appended to the graph at load (InGraph), in C# over the [batch, sequence,
/// vocabulary] logits (Managed), or already in the exported model (the pooled folder). Each variant
/// runs in a child process of its own so that its peak resident memory (VmHWM) is its own.
/// </summary>
internal static class EncoderPoolingBenchmark
{
    private const string ResultPrefix = "RESULT ";

    private static readonly string[] AllVariants = ["sliced", "ingraph", "managed", "exported"];

    public static int Run(BenchArguments args)
    {
        return args.Find("variant") is { } variant ? RunChild(args, variant) : RunParent(args);
    }

    private static int RunParent(BenchArguments args)
    {
        int rounds = args.Get("rounds", 2);
        string[] variants = args.Get("variants", string.Join(",", AllVariants)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (variants.Length == 0 || variants.Any(v => !AllVariants.Contains(v)))
        {
            throw new ArgumentException($"--variants takes a comma-separated list of {string.Join(", ", AllVariants)}.");
        }
        // Read the options the children use so that typos fail here, once.
        foreach (string name in new[] { "logits", "pooled", "threads", "batch", "seq", "batches", "seed", "prepack" })
        {
            args.Find(name);
        }
        args.RejectUnknown();
        BenchEnvironment.PrintHeader("Pooling location: in-graph vs managed (C#) vs pooled at export");

        var results = new List<ChildResult>();
        for (int r = 0; r < rounds; r++)
        {
            // Rotate the order each round so that no variant always runs first (cold caches) or last.
            for (int k = 0; k < variants.Length; k++)
            {
                string variant = variants[(k + r) % variants.Length];
                Console.WriteLine($"round {r + 1}, {variant}:");
                results.Add(RunChildProcess(args.Raw, variant));
            }
        }

        Console.WriteLine();
        Console.WriteLine("| variant | model | median s/batch | min s/batch | peak RSS, whole process | peak RSS while encoding | RSS after load | managed alloc/batch |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (string variant in variants)
        {
            var mine = results.Where(x => x.Variant == variant).ToList();
            var seconds = mine.SelectMany(x => x.SecondsPerBatch).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Describe(variant)} | {mine[0].Model} | {Statistics.Median(seconds):F3} | {seconds.Min():F3} | {ProcessMemory.Megabytes(mine.Max(x => x.PeakBytes))} | {ProcessMemory.Megabytes(mine.Max(x => x.EncodePeakBytes))} | {ProcessMemory.Megabytes(mine.Max(x => x.AfterLoadBytes))} | {mine.Max(x => x.AllocatedPerBatch) / 1024.0:F0} KB |"));
        }
        Console.WriteLine();
        Console.WriteLine("peak RSS while encoding: VmHWM reset (clear_refs) after load and warm-up, read after the timed batches; max over rounds.");
        return 0;
    }

    private static string Describe(string variant) => variant switch
    {
        "sliced" => "Pooling = Auto (logits model, projection sliced and pooled in the graph)",
        "ingraph" => "Pooling = InGraph, no slicing (whole logits, pooling appended at load; the path before slicing)",
        "managed" => "Pooling = Managed (logits model, C# pooling)",
        _ => "model pooled at export (Pooling = Auto)",
    };

    private static ChildResult RunChildProcess(string[] parentArgs, string variant)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        // Started through 'dotnet Splade.Bench.dll' the process path is the host: pass the assembly on.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(EncoderPoolingBenchmark).Assembly.Location);
        }
        start.ArgumentList.Add("encoder-pooling");
        for (int i = 0; i + 1 < parentArgs.Length; i += 2)
        {
            if (parentArgs[i] is not ("--rounds" or "--variants"))
            {
                start.ArgumentList.Add(parentArgs[i]);
                start.ArgumentList.Add(parentArgs[i + 1]);
            }
        }
        start.ArgumentList.Add("--variant");
        start.ArgumentList.Add(variant);
        using var child = Process.Start(start) ?? throw new InvalidOperationException("Cannot start the child benchmark process.");
        ChildResult? result = null;
        while (child.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith(ResultPrefix, StringComparison.Ordinal))
            {
                result = JsonSerializer.Deserialize<ChildResult>(line[ResultPrefix.Length..]);
            }
            else
            {
                Console.WriteLine("  " + line);
            }
        }
        child.WaitForExit();
        return child.ExitCode == 0 && result is not null
            ? result
            : throw new InvalidOperationException($"The '{variant}' child exited with code {child.ExitCode} and no result.");
    }

    private static int RunChild(BenchArguments args, string variant)
    {
        string logitsDir = args.Get("logits", Path.Combine(BenchEnvironment.ModelsRoot, "logits"));
        string pooledDir = args.Get("pooled", Path.Combine(BenchEnvironment.ModelsRoot, "pooled"));
        int threads = args.Get("threads", 2);
        int batchSize = args.Get("batch", 16);
        int sequence = args.Get("seq", 256);
        int batches = args.Get("batches", 3);
        int seed = args.Get("seed", 42);
        bool prepack = args.Get("prepack", "true") != "false";
        args.RejectUnknown();
        var (dir, pooling, sliceColumns) = variant switch
        {
            "sliced" => (logitsDir, PoolingLocation.Auto, new SpladeEncoderOptions().VocabularySliceColumns),
            "ingraph" => (logitsDir, PoolingLocation.InGraph, 0),
            "managed" => (logitsDir, PoolingLocation.Managed, 0),
            "exported" => (pooledDir, PoolingLocation.Auto, 0),
            _ => throw new ArgumentException($"--variant must be one of {string.Join(", ", AllVariants)}, got '{variant}'.", nameof(args)),
        };

        var load = Stopwatch.StartNew();
        using var encoder = SpladeEncoder.Create(dir, new SpladeEncoderOptions
        {
            PrepackWeights = prepack,
            IntraOpNumThreads = threads,
            BatchSize = batchSize,
            MaxSequenceLength = sequence,
            Pooling = pooling,
            VocabularySliceColumns = sliceColumns,
        });
        double loadSeconds = load.Elapsed.TotalSeconds;
        var texts = BenchTexts.Documents(BenchEnvironment.ScifactCorpus, encoder.Tokenizer, batchSize * (batches + 1), sequence - 2, seed);
        var chunks = texts.Chunk(batchSize).ToArray();
        GC.Collect();
        long? afterLoad = ProcessMemory.ResidentBytes();
        long managedCommitted = GC.GetGCMemoryInfo().TotalCommittedBytes;

        GC.KeepAlive(encoder.EncodeDocuments(chunks[0]));
        long? peakBefore = ProcessMemory.PeakResidentBytes();
        GC.Collect();
        bool reset = ProcessMemory.TryResetPeak();

        var seconds = new List<double>();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        foreach (var chunk in chunks.Skip(1))
        {
            long start = Stopwatch.GetTimestamp();
            var vectors = encoder.EncodeDocuments(chunk);
            seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            GC.KeepAlive(vectors);
        }
        long allocatedPerBatch = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / batches;
        long? peakEncode = ProcessMemory.PeakResidentBytes();
        long? peak = peakBefore is long p1 && peakEncode is long p2 ? Math.Max(p1, p2) : peakEncode ?? peakBefore;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{variant}: load {loadSeconds:F1} s, s/batch {string.Join(" ", seconds.Select(s => s.ToString("F3", CultureInfo.InvariantCulture)))}, peak {ProcessMemory.Megabytes(peak)}, encode peak {(reset ? ProcessMemory.Megabytes(peakEncode) : "n/a (reset failed)")}, after load {ProcessMemory.Megabytes(afterLoad)} (GC heap committed {ProcessMemory.Megabytes(managedCommitted)})"));
        var result = new ChildResult
        {
            Variant = variant,
            Model = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)),
            SecondsPerBatch = seconds,
            PeakBytes = peak,
            EncodePeakBytes = reset ? peakEncode : null,
            AfterLoadBytes = afterLoad,
            AllocatedPerBatch = allocatedPerBatch,
        };
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
        return 0;
    }

    private sealed class ChildResult
    {
        public string Variant { get; set; } = "";
        public string Model { get; set; } = "";
        public List<double> SecondsPerBatch { get; set; } = [];
        public long? PeakBytes { get; set; }
        public long? EncodePeakBytes { get; set; }
        public long? AfterLoadBytes { get; set; }
        public long AllocatedPerBatch { get; set; }
    }
}
