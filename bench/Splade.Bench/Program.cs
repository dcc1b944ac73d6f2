using Splade.Bench.Common;
using Splade.Bench.Encoder;

// A small dispatcher: each benchmark lives in its own file and takes its own --options.
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    return Usage();
}
if (args[0] == "lucene")
{
    return Splade.Bench.Lucene.LuceneBench.Run(args[1..]);
}
if (args[0] == "coldstart")
{
    return Splade.Bench.Pruning.ColdStartBench.Run(args[1..]);
}
if (args[0] == "largek-bound")
{
    return Splade.Bench.Pruning.LargeKBound.Run(args[1..]);
}
if (args[0] == "corpus-jsonl")
{
    return Splade.Bench.Lucene.CorpusExport.Run(args[1..]);
}
if (args[0] == "hybrid")
{
    return Splade.Bench.Hybrid.HybridBench.Run(args[1..]);
}
if (args[0] == "pruning")
{
    return Splade.Bench.Pruning.PruningBench.Run(args[1..]);
}
try
{
    var options = new BenchArguments(args[1..]);
    return args[0] switch
    {
        "encoder" => EncoderThroughputBenchmark.Run(options),
        "encoder-pooling" => EncoderPoolingBenchmark.Run(options),
        "encoder-latency" => EncoderLatencyBenchmark.Run(options),
        "facade" => Splade.Bench.Facade.FacadeIndexingBench.Run(options),
        "encoder-longtext" => LongTextBenchmark.Run(options),
        "encoder-device" => EncoderDeviceBenchmark.Run(options),
        "encoder-int8" => EncoderInt8Benchmark.Run(options),
        "encoder-profile" => EncoderProfileBenchmark.Run(options),
        "gemm-int8" => GemmInt8Benchmark.Run(options),
        _ => Usage(),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Splade.Bench <benchmark> [--option value ...]
          encoder           whole encoder vs bare InferenceSession.Run, documents/s
          encoder-pooling   in-graph vs managed vs export-time pooling: s/batch and peak memory
          encoder-latency   one short query: median and p99 latency, 2 and 1 threads
          encoder-device    cpu vs --device cuda:N (default cuda:0): documents/s and agreement; exit 3 without a usable GPU
          encoder-longtext  documents over the maximum length in --input JSONL files, truncate vs chunk documents/s
          encoder-int8      int8 (quantize) vs float32: vector agreement, docs/s of bare Runs and the int8 encoder
          encoder-profile   ONNX Runtime profile of one model (--model): kernel time per operator type, --optimized PATH saves the optimized graph
          gemm-int8         ONNX Runtime's int8 vs float32 GEMM on BERT-base's matrix shapes (one-node models), --micro false skips the instruction rates
          lucene            SPLADE indexing (tf repeated tokens, tf one token, payload) and exhaustive search vs a BooleanQuery
          largek-bound      upper bound of what exact term-at-a-time MaxScore could save at --k (oracle threshold)
          coldstart         fresh-process batch: first query, batch mean, warm pruned vs exhaustive at --k, --persisted bounds
          corpus-jsonl      write the synthetic corpus and queries as vector JSONL (for the CLI and bench/java)
          pruning           SpladeQuery top-10 with and without pruning vs a BooleanQuery, 200k and 1M documents
          hybrid            linear hybrid (BM25 text + SPLADE) pruned vs exhaustive: first batch, warm medians, identical top k
          facade            indexing docs/s through SpladeIndex vs EncodeDocuments + SpladeField (tiny model by default)
        Model folders default to $SPLADE_BENCH_MODELS/{logits,pooled}, else ../bench-models/ beside the repository.
        """);
    return 2;
}
