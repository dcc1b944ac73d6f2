using System.Diagnostics;
using System.Globalization;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Codecs;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Bench.Lucene;
using Splade.Lucene.Codecs;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;

namespace Splade.Bench.Pruning;

/// <summary>
/// The pruning benchmark's index: the synthetic corpus in term-frequency mode, written once into
/// <c>{dir}/tf-{docs}-seed{seed}-seg{segments}</c> as exactly <c>segments</c> equal segments (explicit
/// flushes, no merging, so that parallel search has several leaves), and reused when already complete; or the same
/// postings as users' indexes hold them (<see cref="EnsureOneToken"/>).
/// </summary>
internal static class BenchIndex
{
    private const string DoneMarker = "complete";

    public static string Ensure(SyntheticCorpus corpus, int seed, int docs, int segments, string root) =>
        Ensure(corpus, docs, segments, Path.Combine(root, $"tf-{docs}-seed{seed}-seg{segments}"),
            new SpladeFieldOptions { StorageMode = SpladeStorageMode.TermFrequency }, codec: null, "");

    /// <summary>
    /// The same postings written as users' indexes are (facade, CLI): one token per term written as its frequency by
    /// <see cref="SpladeCodec"/>, which also persists the impact bounds, into <c>{dir}/tf1-{docs}-seed{seed}-seg{segments}</c>.
    /// Several times faster to build than <see cref="Ensure(SyntheticCorpus, int, int, int, string)"/>'s repeated tokens
    /// (which matters at 1M documents).
    /// </summary>
    public static string EnsureOneToken(SyntheticCorpus corpus, int seed, int docs, int segments, string root) =>
        Ensure(corpus, docs, segments, Path.Combine(root, $"tf1-{docs}-seed{seed}-seg{segments}"),
            new SpladeFieldOptions { StorageMode = SpladeStorageMode.TermFrequency, OneTokenTermFrequency = true },
            new SpladeCodec(["splade"], ["splade"]), " (one token, persisted bounds)");

    // Writes the corpus into path as S equal segments (one commit per segment, no merges) unless a complete copy is there.
    private static string Ensure(SyntheticCorpus corpus, int docs, int segments, string path, SpladeFieldOptions options, Codec? codec, string label)
    {
        if (File.Exists(Path.Combine(path, DoneMarker)))
        {
            Console.WriteLine($"reusing index {path}");
            return path;
        }
        if (System.IO.Directory.Exists(path))
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
        System.IO.Directory.CreateDirectory(path);
        var clock = Stopwatch.StartNew();
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))
        {
            RAMBufferSizeMB = 1024,
            MergePolicy = NoMergePolicy.NO_COMPOUND_FILES,
        };
        if (codec is not null)
        {
            config.Codec = codec;
        }
        int perSegment = (docs + segments - 1) / segments;
        using (var dir = FSDirectory.Open(path))
        using (var writer = new IndexWriter(dir, config))
        {
            SpladeField? field = null;
            int i = 0;
            foreach (var vector in corpus.Documents(docs))
            {
                if (field is null)
                {
                    field = new SpladeField(vector, corpus.Vocabulary, options);
                }
                else
                {
                    field.SetVector(vector);
                }
                writer.AddDocument(new Document { field });
                i++;
                if (i % perSegment == 0 || i == docs)
                {
                    writer.Commit();
                    Console.WriteLine($"  {i} docs, {clock.Elapsed.TotalSeconds:F0} s");
                }
            }
            SpladeIndexSettings.From(options, "synthetic").Write(writer);
            writer.Commit();
        }
        File.WriteAllText(Path.Combine(path, DoneMarker), DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        long bytes = new DirectoryInfo(path).EnumerateFiles().Sum(f => f.Length);
        Console.WriteLine($"indexed {docs} docs{label} in {clock.Elapsed.TotalSeconds:F0} s, {bytes / 1e6:F0} MB: {path}");
        return path;
    }
}
