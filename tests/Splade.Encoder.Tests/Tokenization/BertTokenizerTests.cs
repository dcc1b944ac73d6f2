using System.Globalization;
using Splade.Encoder.Tokenization;

namespace Splade.Encoder.Tests.Tokenization;

public sealed class BertTokenizerTests
{
    private static readonly Lazy<BertTokenizer> TinySpladeTokenizer = new(() => BertTokenizer.Create(Vocabulary.LoadVocabTxt(TinySplade.PathOf("vocab.txt"))));

    // Special tokens deliberately not at 0-4 or 101-103, so that hard-coded ids would show.
    private static Vocabulary SmallVocabulary(params string[] words) =>
        Vocabulary.Create(["x", "[UNK]", "y", "[PAD]", "[CLS]", "[SEP]", "[MASK]", .. words], "small-vocab.txt");

    [Fact]
    public void SpecialTokenIds_ComeFromTheVocabulary()
    {
        var tokenizer = BertTokenizer.Create(SmallVocabulary("hello"));
        Assert.Equal(4, tokenizer.ClassifierTokenId);
        Assert.Equal(5, tokenizer.SeparatorTokenId);
        Assert.Equal(3, tokenizer.PaddingTokenId);
        Assert.Equal(1, tokenizer.UnknownTokenId);
        Assert.Equal([4, 7, 5], tokenizer.Encode("Hello"));
        Assert.Equal([4, 1, 5], tokenizer.Encode("bye"));
    }

    [Fact]
    public void SpecialTokenInText_IsKeptAsOneToken()
    {
        var tokenizer = TinySpladeTokenizer.Value;
        Assert.Equal(["hello", "[MASK]", "world", "[SEP]", "x", "[UNK]", "[CLS]"], tokenizer.Tokenize("Hello [MASK] world[SEP]x[UNK][CLS]"));
        Assert.Equal([2, 4, 3], tokenizer.Encode("[MASK]"));
        // Matching is exact and case-sensitive on the raw text, like Hugging Face's non-normalized added tokens.
        Assert.Equal(["[", "mask", "]", "[", "cl", "##s"], tokenizer.Tokenize("[mask] [CLS"));
    }

    [Fact]
    public void Truncation_CutsInsideAWord()
    {
        var tokenizer = TinySpladeTokenizer.Value;
        var ids = tokenizer.Encode("pneumonoultramicroscopicsilicovolcanoconiosis is long", maxLength: 5);
        Assert.Equal(["[CLS]", "p", "##ne", "##um", "[SEP]"], ids.Select(i => tokenizer.Vocabulary[i]));
        Assert.Equal([2, 3], tokenizer.Encode("anything at all", maxLength: 2));

        Span<int> buffer = stackalloc int[4];
        Assert.Equal(4, tokenizer.Encode("pneumonoultramicroscopicsilicovolcanoconiosis", buffer));
        Assert.Equal(["[CLS]", "p", "##ne", "[SEP]"], buffer.ToArray().Select(i => tokenizer.Vocabulary[i]));
    }

    [Fact]
    public void Truncation_OfAWordThatCannotBeSplit_GivesUnknown()
    {
        // Hugging Face splits first and truncates afterwards: "abz" fails at "z", so the whole word is [UNK].
        var tokenizer = BertTokenizer.Create(SmallVocabulary("ab", "##c"));
        Assert.Equal(["ab", "##c"], tokenizer.Tokenize("abc"));
        Assert.Equal(["[UNK]"], tokenizer.Tokenize("abcz"));
        Assert.Equal([4, 1, 5], tokenizer.Encode("abcz", maxLength: 3));
    }

    [Fact]
    public void MaxLength_BelowTwo_Throws()
    {
        var tokenizer = TinySpladeTokenizer.Value;
        Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Encode("a", maxLength: 1)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => tokenizer.Encode("a", new int[1])).ParamName);
    }

    [Fact]
    public void WordsLongerThanTheLimit_BecomeUnknown()
    {
        var tokenizer = TinySpladeTokenizer.Value;
        Assert.Equal(50, tokenizer.Tokenize(new string('a', 100)).Count);
        Assert.Equal(["[UNK]", "b"], tokenizer.Tokenize(new string('a', 101) + " b"));
        // The limit counts code points after normalization, not UTF-16 units.
        var small = BertTokenizer.Create(SmallVocabulary("abc", "##de", "\U0001D400", "##\U0001D400"), new BertTokenizerOptions { MaxInputCharsPerWord = 5 });
        Assert.Equal(["abc", "##de"], small.Tokenize("ABCDE"));
        Assert.Equal(["[UNK]"], small.Tokenize("abcdea"));
        Assert.Equal(["\U0001D400", "##\U0001D400", "##\U0001D400", "##\U0001D400", "##\U0001D400"], small.Tokenize(string.Concat(Enumerable.Repeat("\U0001D400", 5))));
        Assert.Equal(["[UNK]"], small.Tokenize(string.Concat(Enumerable.Repeat("\U0001D400", 6))));
    }

    [Fact]
    public void DefaultOptions_StripAccentsAndLowerCase()
    {
        var tokenizer = BertTokenizer.Create(SmallVocabulary("cafe", "café", "i", "##\u0307", "straße", "ᄒ", "##ᅡ", "##ᆫ"));
        Assert.Equal(["cafe"], tokenizer.Tokenize("CAFÉ"));
        Assert.Equal(["cafe"], tokenizer.Tokenize("Cafe\u0301"));
        Assert.Equal(["i"], tokenizer.Tokenize("İ"));
        Assert.Equal(["straße"], tokenizer.Tokenize("Straße"));
        // Hangul syllables decompose into jamo under NFD.
        Assert.Equal(["ᄒ", "##ᅡ", "##ᆫ"], tokenizer.Tokenize("한"));
    }

    [Fact]
    public void StripAccentsFalse_KeepsAccents()
    {
        var tokenizer = BertTokenizer.Create(SmallVocabulary("cafe", "café", "i", "##\u0307"), new BertTokenizerOptions { StripAccents = false });
        Assert.Equal(["café"], tokenizer.Tokenize("CAFÉ"));
        // Rust lower-cases U+0130 with the full mapping: i followed by a combining dot above.
        Assert.Equal(["i", "##\u0307"], tokenizer.Tokenize("İ"));
    }

    [Fact]
    public void LowerCaseFalse_KeepsCaseAndAccents()
    {
        var vocabulary = SmallVocabulary("Hello", "hello", "Café", "Cafe", "İ", "I");
        var cased = BertTokenizer.Create(vocabulary, new BertTokenizerOptions { LowerCase = false });
        Assert.Equal(["Hello", "Café", "İ"], cased.Tokenize("Hello Café İ"));
        var stripped = BertTokenizer.Create(vocabulary, new BertTokenizerOptions { LowerCase = false, StripAccents = true });
        Assert.Equal(["Hello", "Cafe", "I"], stripped.Tokenize("Hello Café İ"));
    }

    [Fact]
    public void TokenizeChineseCharsFalse_KeepsIdeographsInOneWord()
    {
        var vocabulary = Vocabulary.LoadVocabTxt(TinySplade.PathOf("vocab.txt"));
        Assert.Equal(["中", "文"], BertTokenizer.Create(vocabulary).Tokenize("中文"));
        Assert.Equal(["中", "##文"], BertTokenizer.Create(vocabulary, new BertTokenizerOptions { TokenizeChineseChars = false }).Tokenize("中文"));
    }

    [Fact]
    public void ControlCharactersAndLoneSurrogates_AreRemoved()
    {
        var tokenizer = TinySpladeTokenizer.Value;
        Assert.Equal(tokenizer.Tokenize("insulin"), tokenizer.Tokenize("ins\u200Bu\uD800l\uE000i\u0000n\uFFFD"));
        Assert.Equal(["insulin", "insulin"], tokenizer.Tokenize("insulin\u0085insulin"));
        Assert.Equal(["insulin", "insulin"], tokenizer.Tokenize("insulin\u3000insulin"));
    }

    [Fact]
    public void Results_DoNotDependOnTheCurrentCulture()
    {
        var tokenizer = TinySpladeTokenizer.Value;
        const string text = "İstanbul IRAN ıi";
        var expected = tokenizer.Encode(text);
        Assert.Equal(["istanbul", "iran"], tokenizer.Tokenize(text).Take(2));
        CultureInfo turkish;
        try
        {
            turkish = CultureInfo.GetCultureInfo("tr-TR", predefinedOnly: false);
        }
        catch (CultureNotFoundException)
        {
            return; // Invariant globalization without custom cultures: nothing culture-specific can happen.
        }
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = turkish;
            Assert.Equal(expected, tokenizer.Encode(text));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void MissingSpecialToken_ThrowsNamingTheFile()
    {
        var vocabulary = Vocabulary.Create(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello"], "/models/x/vocab.txt");
        var e = Assert.Throws<SpladeModelException>(() => BertTokenizer.Create(vocabulary));
        Assert.Equal("/models/x/vocab.txt", e.FilePath);
        Assert.Contains("[MASK]", e.Message);
        Assert.Contains("/models/x/vocab.txt", e.Message);

        var custom = BertTokenizer.Create(vocabulary, new BertTokenizerOptions { MaskToken = "[UNK]" });
        Assert.Equal([2, 4, 3], custom.Encode("hello"));
    }

    [Theory]
    [InlineData(nameof(BertTokenizerOptions.MaxInputCharsPerWord))]
    [InlineData(nameof(BertTokenizerOptions.UnknownToken))]
    [InlineData(nameof(BertTokenizerOptions.ClassifierToken))]
    [InlineData(nameof(BertTokenizerOptions.SeparatorToken))]
    [InlineData(nameof(BertTokenizerOptions.PaddingToken))]
    [InlineData(nameof(BertTokenizerOptions.MaskToken))]
    public void BadOption_ThrowsNamingTheProperty(string property)
    {
        var options = new BertTokenizerOptions();
        switch (property)
        {
            case nameof(BertTokenizerOptions.MaxInputCharsPerWord): options.MaxInputCharsPerWord = 0; break;
            case nameof(BertTokenizerOptions.UnknownToken): options.UnknownToken = ""; break;
            case nameof(BertTokenizerOptions.ClassifierToken): options.ClassifierToken = " "; break;
            case nameof(BertTokenizerOptions.SeparatorToken): options.SeparatorToken = null!; break;
            case nameof(BertTokenizerOptions.PaddingToken): options.PaddingToken = ""; break;
            case nameof(BertTokenizerOptions.MaskToken): options.MaskToken = ""; break;
        }
        Assert.Equal(property, Assert.ThrowsAny<ArgumentException>(options.Validate).ParamName);
        var vocabulary = SmallVocabulary();
        Assert.Equal(property, Assert.ThrowsAny<ArgumentException>(() => BertTokenizer.Create(vocabulary, options)).ParamName);
    }

    [Fact]
    public void Options_AreCopiedAtCreate()
    {
        var options = new BertTokenizerOptions();
        var tokenizer = BertTokenizer.Create(SmallVocabulary("hello", "Hello"), options);
        options.LowerCase = false;
        Assert.Equal(["hello"], tokenizer.Tokenize("Hello"));
    }

    [Fact]
    public void LongText_UsesRentedBuffersCorrectly()
    {
        // More pieces than the stack buffer, untruncated and truncated at a length above it.
        var tokenizer = TinySpladeTokenizer.Value;
        string text = string.Join(' ', Enumerable.Range(0, 3000).Select(i => i % 2 == 0 ? "insulin" : "metformin"));
        var pieces = tokenizer.Tokenize(text);
        Assert.Equal(1500 * 4, pieces.Count); // insulin, met ##form ##in
        var ids = tokenizer.Encode(text, 1000);
        Assert.Equal(1000, ids.Length);
        Assert.Equal(pieces.Take(998), ids[1..^1].Select(i => tokenizer.Vocabulary[i]));
    }
}
