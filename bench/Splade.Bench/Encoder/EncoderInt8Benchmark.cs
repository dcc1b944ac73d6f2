using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Splade.Bench.Common;
using Splade.Encoder;

namespace Splade.Bench.Encoder;

/// <summary>
/// int8 (SpladeModelQuantizer) against float32: agreement of the vectors (active-set Jaccard, top-10
/// overlap, Spearman of the weights, correlation of query-document dot products) and, unless
/// --quality-only, documents/s of the bare float32 Run, the bare int8 Run and the whole int8 encoder,
/// measured in alternating rounds in one process.
/// </summary>
internal static class EncoderInt8Benchmark
{
    public static int Run(BenchArguments args)
    {
        var (modelDir, threads, batchSize, sequence, batches, rounds, warmups, seed) = EncoderRunSettings.Read(args);
        string int8Dir = args.Get("int8", Path.Combine(Path.GetTempPath(), "splade-bench-int8-" + Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDir)))));
        string textSource = args.Get("texts", "scifact");
        bool qualityOnly = args.Find("quality-only") is "true" or "1";
        bool floatProjection = args.Find("float-projection-variant") is "true" or "1";
        bool unfused = args.Find("unfused-variant") is "true" or "1";
        bool noPrepack = args.Find("no-prepack-variant") is "true" or "1";
        bool skipLayerNorm = args.Find("skip-ln-variant") is "true" or "1";
        // An int8 model folder made elsewhere (another branch's quantizer), timed as one more bare Run in the same rounds.
        string? otherInt8 = args.Find("other-int8");
        args.RejectUnknown();

        BenchEnvironment.PrintHeader("int8 (dynamic quantization) vs float32: vector agreement and documents/s");
        var watch = Stopwatch.StartNew();
        var q = SpladeModelQuantizer.Quantize(modelDir, int8Dir, new SpladeQuantizationOptions { Overwrite = true });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"quantized:    {modelDir} -> {q.OnnxPath} in {watch.Elapsed.TotalSeconds:F1} s: {q.QuantizedAttention} attention blocks (QAttention), {q.QuantizedMatMuls} MatMuls int8, {q.SkipLayerNorms} SkipLayerNormalization, {q.SourceBytes / 1e6:F0} MB -> {q.OutputBytes / 1e6:F0} MB"));
        var extra = new List<(string Label, string Dir, bool Prepack)>();
        if (unfused)
        {
            string dir = int8Dir + "-unfused";
            var q0 = SpladeModelQuantizer.Quantize(modelDir, dir, new SpladeQuantizationOptions { Overwrite = true, FuseAttention = false });
            Console.WriteLine($"quantized:    {dir}: {q0.QuantizedMatMuls} MatMuls int8, graph not fused first (FuseAttention = false)");
            extra.Add(("Q0: bare int8 Run, attention not fused", dir, true));
        }
        if (skipLayerNorm)
        {
            string dir = int8Dir + "-skip-ln";
            var qs = SpladeModelQuantizer.Quantize(modelDir, dir, new SpladeQuantizationOptions { Overwrite = true, FuseSkipLayerNorm = true });
            Console.WriteLine($"quantized:    {dir}: {qs.SkipLayerNorms} residual Add + layer norm pairs fused into SkipLayerNormalization (internal FuseSkipLayerNorm = true)");
            extra.Add(("QS: bare int8 Run, SkipLayerNormalization", dir, true));
        }
        if (otherInt8 is not null)
        {
            extra.Add(($"QO: bare int8 Run of {otherInt8}", otherInt8, true));
        }
        string? int8FloatProjDir = null;
        if (floatProjection)
        {
            int8FloatProjDir = int8Dir + "-float-projection";
            var q2 = SpladeModelQuantizer.Quantize(modelDir, int8FloatProjDir, new SpladeQuantizationOptions { Overwrite = true, QuantizeVocabularyProjection = false });
            Console.WriteLine($"quantized:    {int8FloatProjDir}: {q2.QuantizedMatMuls} MatMuls int8, {q2.FloatMatMuls} float32 (the vocabulary projection)");
            extra.Add(("Q2: bare int8 Run, projection float32", int8FloatProjDir, true));
        }

        if (noPrepack)
        {
            extra.Add(("FP: bare float32 Run, no prepacking", modelDir, false));
            extra.Add(("QP: bare int8 Run, no prepacking", int8Dir, false));
        }

        var options = new SpladeEncoderOptions { IntraOpNumThreads = threads, BatchSize = batchSize, MaxSequenceLength = sequence };
        List<string> docs, queries;
        using (var probe = SpladeEncoder.Create(modelDir, options))
        {
            (docs, queries) = textSource switch
            {
                "golden" => GoldenTexts(),
                "scifact" => (BenchTexts.Documents(BenchEnvironment.ScifactCorpus, probe.Tokenizer, batchSize * batches, sequence - 2, seed), BenchTexts.Queries.ToList()),
                _ => throw new ArgumentException($"--texts must be golden or scifact, got '{textSource}'."),
            };
        }
        Quality(modelDir, int8Dir, options, docs, queries, textSource);
        if (int8FloatProjDir is not null)
        {
            Console.WriteLine("with the vocabulary projection kept in float32:");
            Quality(modelDir, int8FloatProjDir, options, docs, queries, textSource);
        }
        if (!qualityOnly)
        {
            Throughput(modelDir, int8Dir, extra, options, docs, threads, batchSize, rounds, warmups);
        }
        return 0;
    }

    private static (List<string> Docs, List<string> Queries) GoldenTexts()
    {
        string path = Path.Combine(BenchEnvironment.RepositoryRoot, "tests", "fixtures", "tiny-splade", "golden.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var docs = new List<string>();
        var queries = new List<string>();
        foreach (var e in doc.RootElement.GetProperty("encodings").EnumerateArray())
        {
            string text = e.GetProperty("text").GetString()!;
            (e.GetProperty("kind").GetString() == "query" ? queries : docs).Add(text);
        }
        return (docs, queries);
    }

    private static void Quality(string floatDir, string int8Dir, SpladeEncoderOptions options, List<string> docs, List<string> queries, string source)
    {
        using var f = SpladeEncoder.Create(floatDir, options);
        using var q = SpladeEncoder.Create(int8Dir, options);
        Console.WriteLine($"model ids:    float32 {f.ModelId}, int8 {q.ModelId}; int8 projection slices: {q.ProjectionSlices}");
        var fd = f.EncodeDocuments(docs);
        var qd = q.EncodeDocuments(docs);
        var fq = f.EncodeQueries(queries);
        var qq = q.EncodeQueries(queries);

        Console.WriteLine();
        Console.WriteLine($"Agreement of int8 with float32 ({source} texts: {docs.Count} documents, {queries.Count} queries):");
        Console.WriteLine();
        Console.WriteLine("| texts | active-set Jaccard, mean (min) | top-10 overlap, mean (min) | Spearman of weights, mean (min) | active entries float32 / int8 (mean) |");
        Console.WriteLine("|---|---|---|---|---|");
        Row("documents", fd, qd);
        Row("queries", fq, qq);
        var fs = new List<double>();
        var qs = new List<double>();
        for (int i = 0; i < queries.Count; i++)
        {
            for (int j = 0; j < docs.Count; j++)
            {
                fs.Add(fq[i].Dot(fd[j]));
                qs.Add(qq[i].Dot(qd[j]));
            }
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"query x document dot products ({fs.Count} pairs): Pearson {VectorAgreement.Pearson(fs, qs):F4}, Spearman {VectorAgreement.Spearman(fs, qs):F4}; mean |int8 - float32| / mean float32 = {fs.Zip(qs, (a, b) => Math.Abs(a - b)).Average() / Math.Max(1e-12, fs.Average()):F4}"));
        Console.WriteLine();
    }

    private static void Row(string label, IReadOnlyList<SparseVector> f, IReadOnlyList<SparseVector> q)
    {
        var jac = f.Zip(q, VectorAgreement.Jaccard).ToList();
        var top = f.Zip(q, (a, b) => VectorAgreement.TopKOverlap(a, b, 10)).ToList();
        var rho = f.Zip(q, VectorAgreement.SpearmanOfWeights).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} ({f.Count}) | {jac.Average():F3} ({jac.Min():F3}) | {top.Average():F3} ({top.Min():F3}) | {rho.Average():F3} ({rho.Min():F3}) | {f.Average(v => v.Count):F0} / {q.Average(v => v.Count):F0} |"));
    }

    private static void Throughput(string floatDir, string int8Dir, List<(string Label, string Dir, bool Prepack)> extra, SpladeEncoderOptions options, List<string> docs, int threads, int batchSize, int rounds, int warmups)
    {
        using var encoder = SpladeEncoder.Create(int8Dir, options);
        using var bareFloat = new BareSession(floatDir, threads);
        using var bareInt8 = new BareSession(int8Dir, threads);
        var extraSessions = extra.Select(e => (e.Label, Session: new BareSession(e.Dir, threads, e.Prepack))).ToList();
        var ids = docs.Select(t => encoder.GetInputIds(t, isQuery: false)).ToArray();
        var inputs = ids.Chunk(batchSize).Select(bareFloat.MakeInputs).ToArray();
        Console.WriteLine($"shape:        {inputs.Length} batches of [{batchSize}, {ids.Max(i => i.Length)}] per measurement, {threads} intra-op threads; uptime: {File.ReadAllText("/proc/loadavg").Trim()}");
        try
        {
            double Bare(BareSession s)
            {
                long start = Stopwatch.GetTimestamp();
                long n = 0;
                foreach (var batch in inputs)
                {
                    n += s.Run(batch);
                }
                GC.KeepAlive(n);
                return docs.Count / Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
            double Encode()
            {
                long start = Stopwatch.GetTimestamp();
                GC.KeepAlive(encoder.EncodeDocuments(docs));
                return docs.Count / Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
            var variants = new List<(string Name, Func<double> Run, List<double> Results)>
            {
                ("F: bare float32 Run", () => Bare(bareFloat), []),
                ("Q: bare int8 Run", () => Bare(bareInt8), []),
                ("E: int8 SpladeEncoder.EncodeDocuments", Encode, []),
            };
            foreach (var (label, session) in extraSessions)
            {
                variants.Add((label, () => Bare(session), []));
            }
            for (int w = 0; w < warmups; w++)
            {
                Console.WriteLine("warm-up:      " + string.Join(", ", variants.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Name.Split(':')[0]} {v.Run():F3}"))));
            }
            for (int r = 0; r < rounds; r++)
            {
                // Rotate the order each round so that drift in machine load favours no variant.
                for (int k = 0; k < variants.Count; k++)
                {
                    var v = variants[(k + r) % variants.Count];
                    v.Results.Add(v.Run());
                }
                Console.WriteLine($"round {r + 1}:      " + string.Join(", ", variants.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Name.Split(':')[0]} {v.Results[^1]:F3}"))) + " docs/s");
            }
            Console.WriteLine();
            Console.WriteLine("| measure | median docs/s | min | max |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var v in variants)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {v.Name} | {Statistics.Median(v.Results):F3} | {v.Results.Min():F3} | {v.Results.Max():F3} |"));
            }
            double f = Statistics.Median(variants[0].Results), qm = Statistics.Median(variants[1].Results), e = Statistics.Median(variants[2].Results);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ratio Q/F (int8 speed-up) | {qm / f:F2} | | |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ratio E/Q (encoder vs bare int8) | {e / qm:F3} | | |"));
            foreach (var v in variants.Skip(3))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ratio {v.Name.Split(':')[0]}/F | {Statistics.Median(v.Results) / f:F2} | | |"));
            }
            var perRound = variants[1].Results.Zip(variants[0].Results, (a, b) => a / b).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"per-round Q/F: {string.Join(" ", perRound.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}; uptime after: {File.ReadAllText("/proc/loadavg").Trim()}"));
        }
        finally
        {
            foreach (var (_, session) in extraSessions)
            {
                session.Dispose();
            }
            BareSession.DisposeInputs(inputs);
        }
    }
}
