using System.CommandLine;
using System.Text.Json;
using IndexPubMed.Commands;
using IndexPubMed.Input;
using Splade.Encoder;

namespace IndexPubMed.Tests.Commands;

/// <summary><c>encode --long-text/--stride/--max-length</c>, <c>--device</c> and <c>--shard K/N</c> on the tiny model.</summary>
public sealed class EncodeLongTextAndShardTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("encode-shard-test").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Exit, string Error) Run(params string[] args)
    {
        var root = new RootCommand { EncodeCommand.Create() };
        var error = new StringWriter();
        int exit = root.Parse(args).Invoke(new InvocationConfiguration { Error = error, Output = new StringWriter() });
        return (exit, error.ToString());
    }

    private static List<(string Id, string Text)> GoldenDocs()
    {
        using var golden = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Cli.ModelDir, "golden.json")));
        return golden.RootElement.GetProperty("encodings").EnumerateArray()
            .Select(e => (e.GetProperty("id").GetString()!, e.GetProperty("text").GetString()!)).ToList();
    }

    private string WriteInput(IEnumerable<(string Id, string Text)> docs, string name = "in.jsonl")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllLines(path, docs.Select(d => JsonSerializer.Serialize(new { id = d.Id, text = d.Text })));
        return path;
    }

    private static Dictionary<string, Dictionary<string, float>> ReadVectors(string path) => File.ReadAllLines(path)
        .Select(l => JsonDocument.Parse(l).RootElement)
        .ToDictionary(r => r.GetProperty("id").GetString()!, r => r.GetProperty("vector").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetSingle()));

    [Fact]
    public void LongTextChunk_WritesTheLibrarysChunkedVectors()
    {
        var docs = GoldenDocs();
        string input = WriteInput(docs);
        string chunkedPath = Path.Combine(_dir, "chunked.jsonl");
        string truncatedPath = Path.Combine(_dir, "truncated.jsonl");

        Assert.Equal(0, Run("encode", "--model", Cli.ModelDir, "--input", input, "--output", chunkedPath, "--quiet", "--long-text", "chunk", "--max-length", "16", "--stride", "5").Exit);
        Assert.Equal(0, Run("encode", "--model", Cli.ModelDir, "--input", input, "--output", truncatedPath, "--quiet", "--max-length", "16").Exit);

        using var encoder = SpladeEncoder.Create(Cli.ModelDir, new SpladeEncoderOptions { MaxSequenceLength = 16, LongText = LongTextMode.Chunk, ChunkStride = 5 });
        var expected = encoder.EncodeDocuments(docs.Select(d => d.Text).ToList());
        var chunked = ReadVectors(chunkedPath);
        var truncated = ReadVectors(truncatedPath);
        int differing = 0;
        for (int i = 0; i < docs.Count; i++)
        {
            var want = expected[i].Decode(encoder.Vocabulary).ToDictionary(p => p.Token, p => p.Weight);
            Assert.Equal(want.Keys.Order(StringComparer.Ordinal), chunked[docs[i].Id].Keys.Order(StringComparer.Ordinal));
            foreach (var (token, weight) in want)
            {
                // JSON round trip of a float is exact.
                Assert.Equal(weight, chunked[docs[i].Id][token]);
            }
            differing += chunked[docs[i].Id].Count != truncated[docs[i].Id].Count ? 1 : 0;
        }
        Assert.True(differing >= 10, $"only {differing} texts differ between chunk and truncate at 16 word pieces");
    }

    [Theory]
    [InlineData("--stride", "5")]                                   // stride without chunk
    [InlineData("--long-text", "split")]
    [InlineData("--device", "gpu")]
    [InlineData("--shard", "3/3")]
    [InlineData("--shard", "1-3")]
    public void BadOptions_AreUsageErrorsNamingTheValue(string option, string value)
    {
        string input = WriteInput(GoldenDocs().Take(2));
        var (exit, error) = Run("encode", "--model", Cli.ModelDir, "--input", input, "--output", Path.Combine(_dir, "o.jsonl"), option, value);
        Assert.NotEqual(0, exit);
        Assert.Contains(value, error);
        Assert.False(File.Exists(Path.Combine(_dir, "o.jsonl")), "a refused command must not write its output");
    }

    [Fact]
    public void StrideWiderThanTheWindow_FailsBeforeWriting()
    {
        string input = WriteInput(GoldenDocs().Take(2));
        var (exit, _) = Run("encode", "--model", Cli.ModelDir, "--input", input, "--output", Path.Combine(_dir, "o.jsonl"), "--long-text", "chunk", "--max-length", "16", "--stride", "15");
        Assert.Equal(2, exit);
        Assert.False(File.Exists(Path.Combine(_dir, "o.jsonl")));
    }

    [Fact]
    public void DeviceCuda_WithoutAGpuBuild_FailsAtLoad()
    {
        string input = WriteInput(GoldenDocs().Take(2));
        var (exit, error) = Run("encode", "--model", Cli.ModelDir, "--input", input, "--output", Path.Combine(_dir, "o.jsonl"), "--device", "cuda:0");
        if (Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
        {
            return; // a GPU build: the load may legitimately succeed here
        }
        Assert.Equal(2, exit);
        Assert.Contains("Splade.Encoder.Cuda", error); // what to add
        Assert.False(File.Exists(Path.Combine(_dir, "o.jsonl")));
    }

    // --ids writes one id sequence per text; a chunked document has several, so the pair is a usage error.
    [Fact]
    public void IdsWithLongTextChunk_IsRefused()
    {
        string input = WriteInput(GoldenDocs(), "docs.jsonl");
        string output = Path.Combine(_dir, "ids.jsonl");
        var (exit, error) = Run("encode", "--model", Cli.ModelDir, "--input", input, "--output", output, "--ids", "--long-text", "chunk");
        Assert.NotEqual(0, exit);
        Assert.Contains("--ids", error);
        Assert.False(File.Exists(output));
        Assert.Equal(0, Run("encode", "--model", Cli.ModelDir, "--input", input, "--output", output, "--ids", "--quiet").Exit);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Shards_CoverEveryRecordExactlyOnce_WhateverTheFileOrder(int n)
    {
        var docs = GoldenDocs();
        string forward = WriteInput(docs, "forward.jsonl");
        string backward = WriteInput(Enumerable.Reverse(docs), "backward.jsonl");
        var seen = new Dictionary<string, int>();
        for (int k = 0; k < n; k++)
        {
            string a = Path.Combine(_dir, $"f{k}.jsonl"), b = Path.Combine(_dir, $"b{k}.jsonl");
            Assert.Equal(0, Run("encode", "--model", Cli.ModelDir, "--input", forward, "--output", a, "--quiet", "--shard", $"{k}/{n}").Exit);
            Assert.Equal(0, Run("encode", "--model", Cli.ModelDir, "--input", backward, "--output", b, "--quiet", "--shard", $"{k}/{n}").Exit);
            var ids = ReadVectors(a).Keys.ToHashSet();
            Assert.Equal(ids, ReadVectors(b).Keys.ToHashSet());
            foreach (var id in ids)
            {
                Assert.Equal(k, RecordShard.Of(id, n));
                seen[id] = seen.GetValueOrDefault(id) + 1;
            }
        }
        Assert.Equal(docs.Select(d => d.Id).Order(), seen.Keys.Order());
        Assert.All(seen, p => Assert.Equal(1, p.Value));
    }

    [Fact]
    public void ShardHash_IsFnv1a64OfUtf8_AndBalanced()
    {
        // Published FNV-1a 64 test vectors: "" and "a".
        Assert.Equal(0xcbf29ce484222325UL, RecordShard.Hash(""));
        Assert.Equal(0xaf63dc4c8601ec8cUL, RecordShard.Hash("a"));
        Assert.Equal(0x85944171f73967e8UL, RecordShard.Hash("foobar"));
        // Non-ASCII ids hash their UTF-8 bytes, long ones do not overflow the stack buffer.
        Assert.Equal(RecordShard.Hash("é"), RecordShard.Hash("\u00e9"));
        Assert.NotEqual(RecordShard.Hash(new string('x', 1000)), RecordShard.Hash(new string('x', 999)));
        // PMIDs are consecutive integers: they must spread evenly over 8 shards.
        var counts = new int[8];
        for (int pmid = 30_000_000; pmid < 30_080_000; pmid++)
        {
            counts[RecordShard.Of(pmid.ToString(System.Globalization.CultureInfo.InvariantCulture), 8)]++;
        }
        Assert.All(counts, c => Assert.InRange(c, 9_700, 10_300));
    }

    [Fact]
    public void ShardVectorFiles_IndexedTogether_GiveTheIndexOfTheWholeInput()
    {
        var docs = GoldenDocs().Where(d => d.Text.Length > 0).ToList();
        string input = WriteInput(docs);
        var shardFiles = new List<string>();
        for (int k = 0; k < 3; k++)
        {
            string path = Path.Combine(_dir, $"vectors{k}.jsonl");
            Assert.Equal(0, Run("encode", "--model", Cli.ModelDir, "--input", input, "--output", path, "--quiet", "--shard", $"{k}/3").Exit);
            shardFiles.Add(path);
        }
        string direct = Path.Combine(_dir, "direct"), fromVectors = Path.Combine(_dir, "from-vectors");
        var a = Cli.Run("index", "--index", direct, "--model", Cli.ModelDir, "--quiet", input);
        Assert.True(a.Exit == 0, a.Error);
        // Any number of vector files after one --vectors.
        var b = Cli.Run(["index", "--index", fromVectors, "--model", Cli.ModelDir, "--quiet", "--vectors", .. shardFiles]);
        Assert.True(b.Exit == 0, b.Error);
        var expected = SpladePostings(direct);
        Assert.True(expected.Count > 100, $"{expected.Count} postings");
        Assert.Equal(expected, SpladePostings(fromVectors));
    }

    // (term, id, impact) of every live document's SPLADE field.
    private static List<string> SpladePostings(string index)
    {
        using var dir = Lucene.Net.Store.FSDirectory.Open(index);
        using var reader = Lucene.Net.Index.DirectoryReader.Open(dir);
        var live = Lucene.Net.Index.MultiFields.GetLiveDocs(reader);
        var result = new List<string>();
        var te = Lucene.Net.Index.MultiFields.GetTerms(reader, "splade").GetEnumerator();
        while (te.MoveNext())
        {
            var docs = te.Docs(live, null, Lucene.Net.Index.DocsFlags.FREQS);
            while (docs.NextDoc() != Lucene.Net.Search.DocIdSetIterator.NO_MORE_DOCS)
            {
                result.Add($"{te.Term.Utf8ToString()} {reader.Document(docs.DocID).Get("id")} {docs.Freq}");
            }
        }
        result.Sort(StringComparer.Ordinal);
        return result;
    }
}
