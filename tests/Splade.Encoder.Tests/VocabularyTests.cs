namespace Splade.Encoder.Tests;

public sealed class VocabularyTests
{
    private static readonly Lazy<Vocabulary> FromTxt = new(() => Vocabulary.LoadVocabTxt(TinySplade.PathOf("vocab.txt")));
    private static readonly Lazy<Vocabulary> FromJson = new(() => Vocabulary.LoadTokenizerJson(TinySplade.PathOf("tokenizer.json")));

    [Fact]
    public void VocabTxtAndTokenizerJson_GiveTheSameVocabulary()
    {
        var txt = FromTxt.Value;
        var json = FromJson.Value;
        Assert.Equal(30522, txt.Count);
        Assert.Equal(30522, json.Count);
        for (int i = 0; i < txt.Count; i++)
        {
            Assert.True(txt[i] == json[i], $"id {i}: vocab.txt '{txt[i]}' vs tokenizer.json '{json[i]}'");
        }
        Assert.Equal(TinySplade.PathOf("vocab.txt"), txt.Source);
        Assert.Equal(TinySplade.PathOf("tokenizer.json"), json.Source);
    }

    [Fact]
    public void SpecialTokensSitAtTheFixtureIds()
    {
        var v = FromTxt.Value;
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], Enumerable.Range(0, 5).Select(i => v[i]));
    }

    [Fact]
    public void TryGetId_String()
    {
        var v = FromTxt.Value;
        Assert.True(v.TryGetId("[SEP]", out int sep));
        Assert.Equal(3, sep);
        Assert.True(v.TryGetId("the", out int the));
        Assert.Equal("the", v[the]);
        Assert.True(v.TryGetId("##ing", out int ing));
        Assert.Equal("##ing", v[ing]);
        Assert.False(v.TryGetId("The", out _));
        Assert.False(v.TryGetId("not-a-word-piece", out _));
        Assert.False(v.TryGetId("", out _));
    }

    [Fact]
    public void TryGetId_Span()
    {
        var v = FromJson.Value;
        ReadOnlySpan<char> text = "x[CLS]y";
        Assert.True(v.TryGetId(text.Slice(1, 5), out int cls));
        Assert.Equal(2, cls);
        Assert.False(v.TryGetId(text.Slice(0, 5), out _));
        Assert.True(v.TryGetId("the".AsSpan(), out int the));
        Assert.True(v.TryGetId("the", out int theFromString));
        Assert.Equal(theFromString, the);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(30522)]
    [InlineData(int.MaxValue)]
    public void Indexer_OutOfRange_ThrowsNamingTheId(int id)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => FromTxt.Value[id]);
        Assert.Contains($"id {id}", e.Message);
        Assert.Contains("0..30521", e.Message);
        Assert.Equal("id", e.ParamName);
    }

    [Fact]
    public void LoadVocabTxt_KeepsBlankLineInsideAndIgnoresTrailingNewlines()
    {
        using var folder = TempModelFolder.Empty();
        string path = folder.Write("vocab.txt", "a\r\n\r\nb\n\n\n");
        var v = Vocabulary.LoadVocabTxt(path);
        Assert.Equal(["a", "", "b"], Enumerable.Range(0, v.Count).Select(i => v[i]));
    }

    [Fact]
    public void LoadVocabTxt_DuplicateLine_LastIdWins()
    {
        using var folder = TempModelFolder.Empty();
        var v = Vocabulary.LoadVocabTxt(folder.Write("vocab.txt", "a\nb\na\n"));
        Assert.Equal(3, v.Count);
        Assert.True(v.TryGetId("a", out int id));
        Assert.Equal(2, id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    public void LoadVocabTxt_EmptyFile_ThrowsNamingTheFile(string content)
    {
        using var folder = TempModelFolder.Empty();
        string path = folder.Write("vocab.txt", content);
        var e = Assert.Throws<SpladeModelException>(() => Vocabulary.LoadVocabTxt(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void LoadVocabTxt_MissingFile_ThrowsNamingTheFile()
    {
        using var folder = TempModelFolder.Empty();
        string path = folder.PathOf("vocab.txt");
        var e = Assert.Throws<SpladeModelException>(() => Vocabulary.LoadVocabTxt(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.IsAssignableFrom<IOException>(e.InnerException);
    }

    [Fact]
    public void LoadTokenizerJson_MissingFile_ThrowsNamingTheFile()
    {
        using var folder = TempModelFolder.Empty();
        string path = folder.PathOf("tokenizer.json");
        var e = Assert.Throws<SpladeModelException>(() => Vocabulary.LoadTokenizerJson(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("")]
    [InlineData("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0,")]
    public void LoadTokenizerJson_NotJson_ThrowsNamingTheFile(string content)
    {
        using var folder = TempModelFolder.Empty();
        string path = folder.Write("tokenizer.json", content);
        var e = Assert.Throws<SpladeModelException>(() => Vocabulary.LoadTokenizerJson(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains("tokenizer.json", e.Message);
    }

    [Fact]
    public void LoadTokenizerJson_Bpe_ThrowsNamingTheTypeAndFile()
    {
        using var folder = TempModelFolder.Empty();
        string path = folder.Write("tokenizer.json", """{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}}""");
        var e = Assert.Throws<SpladeModelException>(() => Vocabulary.LoadTokenizerJson(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains("BPE", e.Message);
        Assert.Contains("WordPiece", e.Message);
    }

    [Fact]
    public void LoadTokenizerJson_NoVocabObject_ThrowsNamingTheFile()
    {
        using var folder = TempModelFolder.Empty();
        // Unigram models store their vocabulary as an array of [piece, score] pairs.
        string path = folder.Write("tokenizer.json", """{"model": {"type": "Unigram", "vocab": [["a", -1.0]]}}""");
        var e = Assert.Throws<SpladeModelException>(() => Vocabulary.LoadTokenizerJson(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("model.vocab", e.Message);
    }

    [Theory]
    [InlineData("""{"a": 0, "b": 2}""", "'b' has id 2")]
    [InlineData("""{"a": 0, "b": 0}""", "'b' has id 0")]
    [InlineData("""{"a": -1, "b": 0}""", "'a' has id -1")]
    public void LoadTokenizerJson_IdsWithGaps_ThrowNamingTheTokenAndFile(string vocab, string expected)
    {
        using var folder = TempModelFolder.Empty();
        string path = folder.Write("tokenizer.json", $$$"""{"model": {"type": "WordPiece", "vocab": {{{vocab}}}}}""");
        var e = Assert.Throws<SpladeModelException>(() => Vocabulary.LoadTokenizerJson(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void LoadTokenizerJson_NonIntegerId_ThrowsNamingTheFile()
    {
        using var folder = TempModelFolder.Empty();
        string path = folder.Write("tokenizer.json", """{"model": {"type": "WordPiece", "vocab": {"a": "zero"}}}""");
        var e = Assert.Throws<SpladeModelException>(() => Vocabulary.LoadTokenizerJson(path));
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void LoadTokenizerJson_EmptyVocab_ThrowsNamingTheFile()
    {
        using var folder = TempModelFolder.Empty();
        string path = folder.Write("tokenizer.json", """{"model": {"type": "WordPiece", "vocab": {}}}""");
        var e = Assert.Throws<SpladeModelException>(() => Vocabulary.LoadTokenizerJson(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Create_Empty_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Vocabulary.Create([]));
        Assert.Equal("tokens", e.ParamName);
    }
}
