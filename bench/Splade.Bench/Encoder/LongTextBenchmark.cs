using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Splade.Bench.Common;
using Splade.Encoder;

namespace Splade.Bench.Encoder;

/// <summary>
/// Long texts: how many documents of a corpus exceed the model's maximum length, how many windows
/// <see cref="LongTextMode.Chunk"/> makes of them, and the documents/s of truncation and chunking
/// measured side by side (alternating rounds) on a seeded sample of the corpus and on its long documents.
/// </summary>
internal static class LongTextBenchmark
{
    public static int Run(BenchArguments args)
    {
        string modelDir = args.Get("model", Path.Combine(BenchEnvironment.ModelsRoot, "logits"));
        string inputs = args.Get("input", BenchEnvironment.ScifactCorpus);
        int threads = args.Get("threads", 2);
        int batchSize = args.Get("batch", 16);
        int stride = args.Get("stride", 0);
        int sample = args.Get("sample", 32);
        int longSample = args.Get("long-sample", 8);
        int rounds = args.Get("rounds", 3); // 0: count only, no timing
        int seed = args.Get("seed", 42);
        args.RejectUnknown();

        BenchEnvironment.PrintHeader("Long texts: truncate vs chunk");
        using var truncate = SpladeEncoder.Create(modelDir, new SpladeEncoderOptions { IntraOpNumThreads = threads, BatchSize = batchSize });
        using var chunk = SpladeEncoder.Create(modelDir, new SpladeEncoderOptions
        {
            IntraOpNumThreads = threads, BatchSize = batchSize, LongText = LongTextMode.Chunk, ChunkStride = stride == 0 ? null : stride,
        });
        int window = truncate.MaxSequenceLength - 2;
        Console.WriteLine($"model:        {modelDir}, max length {truncate.MaxSequenceLength} ({window} word pieces per window), chunking {chunk.DocumentEncoding}, {threads} threads, batch {batchSize}");

        var all = new List<string>();
        foreach (var file in inputs.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var texts = ReadTexts(file);
            var pieces = texts.Select(t => (double)BenchTexts.PieceCount(truncate.Tokenizer, t)).ToList();
            int over = pieces.Count(p => p > window);
            long windows = texts.Sum(t => (long)chunk.GetDocumentWindows(t).Length);
            long truncatedIds = pieces.Sum(p => (long)Math.Min(p, window) + 2);
            long chunkIds = texts.Sum(t => chunk.GetDocumentWindows(t).Sum(w => (long)w.Length));
            Console.WriteLine($"{Path.GetFileName(file)}: {texts.Count} documents (title + abstract), word pieces median {(pieces.Count > 0 ? Statistics.Median(pieces) : 0):F0}, p90 {Statistics.Percentile(pieces, 90):F0}, p99 {Statistics.Percentile(pieces, 99):F0}, max {(pieces.Count > 0 ? pieces.Max() : 0):F0}");
            Console.WriteLine($"    over {window} pieces: {over} ({100.0 * over / Math.Max(1, texts.Count):F2}%); windows when chunking: {windows} ({(double)windows / Math.Max(1, texts.Count):F3} per document); token ids encoded: chunk/truncate = {(double)chunkIds / Math.Max(1, truncatedIds):F3}");
            all.AddRange(texts);
        }

        if (rounds == 0)
        {
            return 0; // counts only
        }
        var random = new Random(seed);
        var mixed = all.OrderBy(_ => random.Next()).Take(sample).ToList();
        var longOnes = all.Where(t => BenchTexts.PieceCount(truncate.Tokenizer, t) > window).OrderBy(_ => random.Next()).Take(longSample).ToList();
        Console.WriteLine();
        Console.WriteLine($"timing (seed {seed}): {mixed.Count} random documents, and {longOnes.Count} documents over {window} pieces; {rounds} alternating rounds after a warm-up; median documents/s");
        Time("random sample", mixed, truncate, chunk, rounds, batchSize);
        if (longOnes.Count > 0)
        {
            Time("long documents", longOnes, truncate, chunk, rounds, batchSize);
        }
        return 0;
    }

    // Truncate and chunk take turns batch by batch (16 documents, a few seconds each), so that a change in
    // machine load between two whole-sample measurements cannot favour either mode; each mode's time is
    // the sum over its batches. Also reports the token ids each mode encodes for these documents.
    private static void Time(string name, List<string> texts, SpladeEncoder truncate, SpladeEncoder chunk, int rounds, int batchSize)
    {
        var groups = texts.Chunk(batchSize).Select(g => g.ToList()).ToList();
        double Measure(SpladeEncoder encoder, List<string> group)
        {
            long start = Stopwatch.GetTimestamp();
            GC.KeepAlive(encoder.EncodeDocuments(group));
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Measure(truncate, groups[0]);
        Measure(chunk, groups[0]);
        long truncatedIds = texts.Sum(t => (long)Math.Min(BenchTexts.PieceCount(truncate.Tokenizer, t), truncate.MaxSequenceLength - 2) + 2);
        long chunkIds = texts.Sum(t => chunk.GetDocumentWindows(t).Sum(w => (long)w.Length));
        var ratios = new List<double>();
        double totalT = 0, totalC = 0;
        for (int r = 0; r < rounds; r++)
        {
            double t = 0, c = 0;
            for (int g = 0; g < groups.Count; g++)
            {
                if ((r + g) % 2 == 0)
                {
                    t += Measure(truncate, groups[g]);
                    c += Measure(chunk, groups[g]);
                }
                else
                {
                    c += Measure(chunk, groups[g]);
                    t += Measure(truncate, groups[g]);
                }
            }
            ratios.Add(c / t);
            totalT += t;
            totalC += c;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-16} round {r + 1}: truncate {texts.Count / t:F3} docs/s, chunk {texts.Count / c:F3} docs/s, chunk time / truncate time {c / t:F3}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-16} {texts.Count} documents, token ids chunk/truncate {(double)chunkIds / truncatedIds:F3}; all rounds: truncate {rounds * texts.Count / totalT:F3} docs/s, chunk {rounds * texts.Count / totalC:F3} docs/s, chunk costs {totalC / totalT:F3}x the time of truncate (median of rounds {Statistics.Median(ratios):F3})"));
    }

    private static List<string> ReadTexts(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream);
        var texts = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            using var doc = JsonDocument.Parse(line);
            string title = doc.RootElement.TryGetProperty("title", out var t) ? t.GetString() ?? "" : "";
            string text = doc.RootElement.TryGetProperty("text", out var x) ? x.GetString() ?? "" : "";
            // The text the index command gives the model: title, a space, abstract.
            texts.Add(title.Trim().Length == 0 ? text : title.Trim() + " " + text);
        }
        return texts;
    }
}
