using Splade.Encoder.Tokenization;
using Xunit.Abstractions;

namespace Splade.Encoder.Tests;

/// <summary>
/// <see cref="LongTextMode.Chunk"/>: windows, merging by maximum, equality with truncation for short
/// texts, queries never chunked, option validation. The tiny model runs with short maximum lengths so
/// that golden texts span several windows.
/// </summary>
public sealed class LongTextChunkingTests
{
    // Largest difference allowed between a window encoded inside a padded batch and the same window
    // encoded alone (batch size 1, no padding): ONNX Runtime's kernels may sum in another order for
    // other shapes. Measured 0 on this machine; the golden tests allow 1.2e-6 for the same reason.
    private const float BatchTolerance = 1e-6f;

    private readonly ITestOutputHelper _output;

    public LongTextChunkingTests(ITestOutputHelper output) => _output = output;

    private static List<string> LongTexts()
    {
        var docs = TinySplade.Load().Encodings.Where(e => e.Kind == "doc").Select(e => e.Text).ToList();
        // Texts of 1 to 6 golden documents: from one window to many at maxLength 16.
        var texts = new List<string>();
        for (int n = 1; n <= 6; n++)
        {
            texts.Add(string.Join(" ", docs.Skip(n).Take(n)));
        }
        texts.Add("");
        texts.Add(docs[0]);
        return texts;
    }

    [Theory]
    [InlineData(16, 7, PoolingLocation.Auto)]
    [InlineData(16, 14, PoolingLocation.Auto)]
    [InlineData(16, 1, PoolingLocation.Managed)]
    [InlineData(32, 10, PoolingLocation.Managed)]
    public void ChunkedVector_EqualsMaxOfWindowsEncodedOneByOne(int maxLength, int stride, PoolingLocation pooling)
    {
        using var chunked = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions
        {
            MaxSequenceLength = maxLength, LongText = LongTextMode.Chunk, ChunkStride = stride, BatchSize = 8, Pooling = pooling,
        });
        using var single = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { MaxSequenceLength = maxLength, BatchSize = 1, Pooling = pooling });
        var texts = LongTexts();
        var vectors = chunked.EncodeDocuments(texts);

        float worst = 0;
        int multiWindow = 0;
        for (int t = 0; t < texts.Count; t++)
        {
            var windows = chunked.GetDocumentWindows(texts[t]);
            multiWindow += windows.Length > 1 ? 1 : 0;
            var expected = new Dictionary<int, float>();
            foreach (var window in windows)
            {
                var v = single.EncodeIds([window])[0];
                for (int i = 0; i < v.Count; i++)
                {
                    expected[v.Indices[i]] = Math.Max(expected.GetValueOrDefault(v.Indices[i]), v.Values[i]);
                }
            }
            var actual = vectors[t];
            Assert.Equal(expected.Keys.Order(), actual.Indices.ToArray());
            for (int i = 0; i < actual.Count; i++)
            {
                worst = Math.Max(worst, Math.Abs(actual.Values[i] - expected[actual.Indices[i]]));
            }
        }
        _output.WriteLine($"maxLength {maxLength}, stride {stride}, {pooling}: {multiWindow} of {texts.Count} texts span several windows; largest difference {worst:G3}");
        Assert.True(multiWindow >= 5, $"only {multiWindow} texts were chunked: the test would not test merging");
        Assert.True(worst <= BatchTolerance, $"largest difference {worst} > {BatchTolerance}");
    }

    [Fact]
    public void TextUnderTheLimit_GivesTheSameVectorInBothModes()
    {
        using var truncating = SpladeEncoder.Create(TinySplade.Directory);
        using var chunked = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { LongText = LongTextMode.Chunk });
        var texts = TinySplade.Load().Encodings.Where(e => e.InputIds.Length < 512).Select(e => e.Text).ToList();
        var a = truncating.EncodeDocuments(texts);
        var b = chunked.EncodeDocuments(texts);
        for (int i = 0; i < texts.Count; i++)
        {
            Assert.Single(chunked.GetDocumentWindows(texts[i]));
            // Same ids in the same batches: bit-for-bit equal.
            Assert.Equal(a[i], b[i]);
        }
    }

    [Fact]
    public void LongText_ChunkingAddsTermsThatTruncationDrops()
    {
        var text = string.Join(" ", TinySplade.Load().Encodings.Where(e => e.Kind == "doc").Select(e => e.Text));
        using var truncating = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { MaxSequenceLength = 32 });
        using var chunked = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { MaxSequenceLength = 32, LongText = LongTextMode.Chunk });
        var t = truncating.EncodeDocument(text);
        var c = chunked.EncodeDocument(text);
        // The first window is the truncated text, so the merge keeps every term of it, at least as heavy.
        for (int i = 0; i < t.Count; i++)
        {
            Assert.True(c[t.Indices[i]] >= t.Values[i], $"term {t.Indices[i]}: chunked {c[t.Indices[i]]} < truncated {t.Values[i]}");
        }
        Assert.True(c.Count > t.Count, $"chunked {c.Count} terms, truncated {t.Count}");
    }

    [Fact]
    public void Queries_AreNeverChunked()
    {
        var text = string.Join(" ", TinySplade.Load().Encodings.Where(e => e.Kind == "doc").Select(e => e.Text));
        using var truncating = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { MaxSequenceLength = 16 });
        using var chunked = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { MaxSequenceLength = 16, LongText = LongTextMode.Chunk });
        Assert.Equal(truncating.EncodeQuery(text), chunked.EncodeQuery(text));
        Assert.Equal(truncating.EncodeQueries([text, "short"]), chunked.EncodeQueries([text, "short"]));
        Assert.NotEqual(truncating.EncodeDocument(text), chunked.EncodeDocument(text));
    }

    [Fact]
    public void TopKAndNormalization_ApplyToTheMergedVector()
    {
        var text = string.Join(" ", TinySplade.Load().Encodings.Where(e => e.Kind == "doc").Take(5).Select(e => e.Text));
        using var all = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { MaxSequenceLength = 16, LongText = LongTextMode.Chunk });
        using var top = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { MaxSequenceLength = 16, LongText = LongTextMode.Chunk, MaxActiveDims = 5 });
        Assert.Equal(all.EncodeDocument(text).TopK(5), top.EncodeDocument(text));
    }

    [Fact]
    public void DocumentEncoding_TellsModesApart_ModelIdDoesNot()
    {
        using var truncating = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { MaxSequenceLength = 16 });
        using var chunked = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { MaxSequenceLength = 16, LongText = LongTextMode.Chunk });
        using var strided = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { MaxSequenceLength = 16, LongText = LongTextMode.Chunk, ChunkStride = 3 });
        Assert.Equal("truncate", truncating.DocumentEncoding);
        Assert.Equal("chunk(stride=7)", chunked.DocumentEncoding);
        Assert.Equal(7, chunked.ChunkStride);
        Assert.Equal("chunk(stride=3)", strided.DocumentEncoding);
        Assert.Equal(0, truncating.ChunkStride);
        // Queries are the same in both modes, so the model identity (checked by searches) is too.
        Assert.Equal(truncating.ModelId, chunked.ModelId);
    }

    // ---- Windows ----

    [Theory]
    [InlineData(0, 16, 7, 1)]
    [InlineData(14, 16, 7, 1)]   // exactly the window: one window
    [InlineData(15, 16, 7, 2)]   // one piece more: a second window starting at the stride
    [InlineData(21, 16, 7, 2)]   // second window ends exactly at the end
    [InlineData(22, 16, 7, 3)]
    [InlineData(28, 16, 14, 2)]  // stride = window: no overlap, two full windows
    [InlineData(29, 16, 14, 3)]  // one piece left for a third window
    [InlineData(20, 16, 1, 7)]   // stride 1: windows start at 0..6
    [InlineData(5, 3, 1, 5)]     // one piece per window
    public void Windows_CoverEveryPieceInOrder(int pieceCount, int maxLength, int stride, int expectedWindows)
    {
        var pieces = Enumerable.Range(1000, pieceCount).ToArray();
        var windows = TextWindows.Split(pieces, 101, 102, maxLength, stride);
        Assert.Equal(expectedWindows, windows.Length);
        Assert.Equal(expectedWindows, TextWindows.Count(pieceCount, maxLength, stride));
        int window = maxLength - 2;
        for (int k = 0; k < windows.Length; k++)
        {
            var w = windows[k];
            Assert.Equal(101, w[0]);
            Assert.Equal(102, w[^1]);
            Assert.True(w.Length <= maxLength, $"window {k} has {w.Length} ids > {maxLength}");
            int start = k * stride;
            Assert.Equal(pieces.Skip(start).Take(window), w[1..^1]);
            // Every window but the last is full; the last reaches the end.
            if (k < windows.Length - 1)
            {
                Assert.Equal(maxLength, w.Length);
                Assert.True(start + window < pieceCount, $"window {k} already reaches the end");
            }
            else
            {
                Assert.Equal(pieceCount, start + w.Length - 2);
            }
        }
    }

    [Fact]
    public void EncodeWindows_FirstWindowIsTheTruncatedText_AndPiecesMatchTokenize()
    {
        using var encoder = SpladeEncoder.Create(TinySplade.Directory);
        var text = string.Join(" ", TinySplade.Load().Encodings.Where(e => e.Kind == "doc").Select(e => e.Text));
        var tokenizer = encoder.Tokenizer;
        var windows = tokenizer.EncodeWindows(text, 40, 19);
        Assert.Equal(tokenizer.Encode(text, 40), windows[0]);
        var pieces = tokenizer.Tokenize(text).ToList();
        Assert.Equal(TextWindows.Count(pieces.Count, 40, 19), windows.Length);
        var fromWindows = windows[0][1..^1].Concat(windows.Skip(1).SelectMany(w => w[1..^1].Skip(38 - 19))).Select(id => encoder.Vocabulary[id]);
        Assert.Equal(pieces, fromWindows);
        Assert.Equal([[tokenizer.ClassifierTokenId, tokenizer.SeparatorTokenId]], tokenizer.EncodeWindows("", 40, 19));
    }

    // ---- Validation ----

    [Fact]
    public void Validation_NamesTheBadValue()
    {
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => new SpladeEncoderOptions { LongText = LongTextMode.Chunk, ChunkStride = 0 }.Validate());
        Assert.Equal("ChunkStride", zero.ParamName);
        Assert.Contains("ChunkStride must be", zero.Message);
        Assert.Equal(0, zero.ActualValue);

        var unused = Assert.Throws<ArgumentException>(() => new SpladeEncoderOptions { ChunkStride = 100 }.Validate());
        Assert.Equal("ChunkStride", unused.ParamName);
        Assert.Contains("100", unused.Message);
        Assert.Contains("Truncate", unused.Message);

        var mode = Assert.Throws<ArgumentOutOfRangeException>(() => new SpladeEncoderOptions { LongText = (LongTextMode)7 }.Validate());
        Assert.Equal("LongText", mode.ParamName);

        var tooShort = Assert.Throws<ArgumentOutOfRangeException>(() => new SpladeEncoderOptions { LongText = LongTextMode.Chunk, MaxSequenceLength = 2 }.Validate());
        Assert.Equal("MaxSequenceLength", tooShort.ParamName);

        var wide = Assert.Throws<ArgumentOutOfRangeException>(() => SpladeEncoder.Create(TinySplade.Directory,
            new SpladeEncoderOptions { LongText = LongTextMode.Chunk, MaxSequenceLength = 16, ChunkStride = 15 }));
        Assert.Contains("ChunkStride 15", wide.Message);
        Assert.Contains("window of 14", wide.Message);

        using var encoder = SpladeEncoder.Create(TinySplade.Directory);
        var stride = Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Tokenizer.EncodeWindows("a b", 16, 15));
        Assert.Equal("stride", stride.ParamName);
        var length = Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Tokenizer.EncodeWindows("a b", 2, 1));
        Assert.Equal("maxLength", length.ParamName);
    }
}
