using Splade.Bench.Common;

namespace Splade.Bench.Encoder;

/// <summary>
/// The options the encoder throughput benchmarks share: model folder, intra-op threads, batch shape
/// (--batch texts of --seq ids, --batches batches per measurement), rounds, warm-ups and the text seed.
/// </summary>
internal sealed record EncoderRunSettings(string Model, int Threads, int BatchSize, int Sequence, int Batches, int Rounds, int Warmups, int Seed)
{
    /// <summary>Reads the shared options with their defaults (logits model, 2 threads, 16 x 256, 2 batches, 6 rounds, 1 warm-up, seed 42).</summary>
    public static EncoderRunSettings Read(BenchArguments args) => new(
        Model: args.Get("model", Path.Combine(BenchEnvironment.ModelsRoot, "logits")),
        Threads: args.Get("threads", 2),
        BatchSize: args.Get("batch", 16),
        Sequence: args.Get("seq", 256),
        Batches: args.Get("batches", 2),
        Rounds: args.Get("rounds", 6),
        Warmups: args.Get("warmup", 1),
        Seed: args.Get("seed", 42));
}
