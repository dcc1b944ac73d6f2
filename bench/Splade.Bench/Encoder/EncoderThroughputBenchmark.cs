using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Splade.Bench.Common;
using Splade.Encoder;

namespace Splade.Bench.Encoder;

/// <summary>
/// Whole encoder (texts in, sparse vectors out) against a bare <see cref="InferenceSession.Run"/> on
/// pre-made inputs of the same shape, same model bytes and session options. Runs alternate between
/// the two (AB BA AB ...) after warm-ups because the machine is shared and noisy; the report is the
/// median of each and the ratio of the medians.
/// </summary>
internal static class EncoderThroughputBenchmark
{
    public static int Run(BenchArguments args)
    {
        var (modelDir, threads, batchSize, sequence, batches, rounds, warmups, seed) = EncoderRunSettings.Read(args);
        args.RejectUnknown();

        BenchEnvironment.PrintHeader("Encoder throughput: SpladeEncoder.EncodeDocuments vs bare InferenceSession.Run");
        var load = Stopwatch.StartNew();
        using var encoder = SpladeEncoder.Create(modelDir, new SpladeEncoderOptions
        {
            IntraOpNumThreads = threads,
            BatchSize = batchSize,
            MaxSequenceLength = sequence,
        });
        using var bare = new BareSession(modelDir, threads);
        Console.WriteLine($"model:        {modelDir} (pooling in graph: {encoder.PoolingInGraph}); both sessions loaded in {load.Elapsed.TotalSeconds:F1} s");

        var texts = BenchTexts.Documents(BenchEnvironment.ScifactCorpus, encoder.Tokenizer, batchSize * batches, sequence - 2, seed);
        var pieces = texts.Select(t => BenchTexts.PieceCount(encoder.Tokenizer, t)).ToArray();
        var ids = texts.Select(t => encoder.GetInputIds(t, isQuery: false)).ToArray();
        Console.WriteLine($"texts:        {texts.Count} SciFact-based texts (seed {seed}), {pieces.Min()}-{pieces.Max()} word pieces (median {Statistics.Median(pieces.Select(p => (double)p))}), truncated to {sequence} ids with [CLS]/[SEP]");
        Console.WriteLine($"shape:        {batches} batches of [{batchSize}, {ids.Max(i => i.Length)}] per measurement, {threads} intra-op threads");

        var inputs = ids.Chunk(batchSize).Select(bare.MakeInputs).ToArray();
        try
        {
            double RunEncoder()
            {
                long start = Stopwatch.GetTimestamp();
                var vectors = encoder.EncodeDocuments(texts);
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                GC.KeepAlive(vectors);
                return texts.Count / seconds;
            }
            double RunBare()
            {
                long start = Stopwatch.GetTimestamp();
                long elements = 0;
                foreach (var batch in inputs)
                {
                    elements += bare.Run(batch);
                }
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                GC.KeepAlive(elements);
                return texts.Count / seconds;
            }

            CheckSameVectors(encoder, bare, texts.Take(batchSize).ToList(), inputs[0]);

            for (int w = 0; w < warmups; w++)
            {
                Console.WriteLine($"warm-up {w + 1}:    encoder {RunEncoder():F3} docs/s, bare {RunBare():F3} docs/s");
            }
            var a = new List<double>();
            var b = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                // Alternate which goes first so that drift in machine load does not favour either.
                if (r % 2 == 0)
                {
                    a.Add(RunEncoder());
                    b.Add(RunBare());
                }
                else
                {
                    b.Add(RunBare());
                    a.Add(RunEncoder());
                }
                Console.WriteLine($"round {r + 1}:      encoder {a[^1]:F3} docs/s, bare {b[^1]:F3} docs/s, ratio {a[^1] / b[^1]:F3}");
            }
            double medianA = Statistics.Median(a), medianB = Statistics.Median(b);
            Console.WriteLine();
            Console.WriteLine("| measure | median docs/s | min | max |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine($"| A: SpladeEncoder.EncodeDocuments (text in, vectors out) | {medianA:F3} | {a.Min():F3} | {a.Max():F3} |");
            Console.WriteLine($"| B: bare InferenceSession.Run (pre-made inputs) | {medianB:F3} | {b.Min():F3} | {b.Max():F3} |");
            Console.WriteLine($"| ratio of medians A/B | {medianA / medianB:F3} | | |");
            Console.WriteLine();
            PrintOverheads(encoder, bare, texts, inputs[0], batchSize);
        }
        finally
        {
            BareSession.DisposeInputs(inputs);
        }
        return 0;
    }

    // Both paths must compute the same thing, or the comparison means nothing.
    private static void CheckSameVectors(SpladeEncoder encoder, BareSession bare, List<string> texts, OrtValue[] inputs)
    {
        var vectors = encoder.EncodeDocuments(texts);
        var rows = bare.RunAndCopy(inputs);
        int differing = 0;
        for (int i = 0; i < texts.Count; i++)
        {
            if (vectors[i] != SparseVector.FromDense(rows[i]))
            {
                differing++;
            }
        }
        Console.WriteLine($"check:        {texts.Count - differing} of {texts.Count} encoder vectors equal the bare Run's pooled rows exactly; mean {vectors.Average(v => v.Count):F0} active entries");
        Console.WriteLine();
    }

    // The encoder's work outside Run, timed on its own: where the A/B gap could come from.
    private static void PrintOverheads(SpladeEncoder encoder, BareSession bare, List<string> texts, OrtValue[] inputs, int batchSize)
    {
        const int Repeats = 20;
        var batchTexts = texts.Take(batchSize).ToList();
        long start = Stopwatch.GetTimestamp();
        for (int r = 0; r < Repeats; r++)
        {
            foreach (string t in batchTexts)
            {
                GC.KeepAlive(encoder.GetInputIds(t, isQuery: false));
            }
        }
        double tokenizeMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds / Repeats;

        var rows = bare.RunAndCopy(inputs);
        start = Stopwatch.GetTimestamp();
        for (int r = 0; r < Repeats; r++)
        {
            foreach (var row in rows)
            {
                GC.KeepAlive(SparseVector.FromDense(row));
            }
        }
        double sparseMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds / Repeats;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"encoder work outside Run, per batch of {batchSize}: tokenization {tokenizeMs:F2} ms, dense-to-sparse (SparseVector.FromDense over {rows[0].Length} floats x {rows.Length}) {sparseMs:F2} ms"));
    }
}
