using Splade.Encoder.Tokenization;

namespace Splade.Encoder.Tests.Tokenization;

/// <summary>
/// Token ids must equal the Hugging Face BertTokenizer (tokenizers backend) exactly on every golden
/// case: the model sees nothing else, so one different id changes the vector.
/// </summary>
public sealed class BertTokenizerGoldenTests
{
    private static readonly Lazy<BertTokenizer> Tokenizer = new(() => BertTokenizer.Create(Vocabulary.LoadVocabTxt(TinySplade.PathOf("vocab.txt"))));

    public static TheoryData<int> TokenizerCases => Indexes(TinySplade.Load().TokenizerCases.Count);

    public static TheoryData<string> Encodings => new(TinySplade.Load().Encodings.Select(e => e.Id));

    [Theory]
    [MemberData(nameof(TokenizerCases))]
    public void TokenizerCase_MatchesHuggingFace(int index)
    {
        var golden = TinySplade.Load().TokenizerCases[index];
        AssertMatches(golden.Text, golden.InputIds, golden.Tokens, TinySplade.Load().Model.MaxSeqLength);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Encoding_MatchesHuggingFace(string id)
    {
        var golden = TinySplade.Load().Encodings.Single(e => e.Id == id);
        AssertMatches(golden.Text, golden.InputIds, golden.Tokens, TinySplade.Load().Model.MaxSeqLength);
    }

    [Fact]
    public void GoldenData_CoversTheCasesTheTestsRelyOn()
    {
        var golden = TinySplade.Load();
        Assert.Equal(40, golden.TokenizerCases.Count);
        Assert.Equal(39, golden.Encodings.Count);
        // edge-45 is the truncation case: longer than 512 pieces in Hugging Face.
        var longest = golden.Encodings.Single(e => e.Id == "edge-45");
        Assert.Equal(512, longest.InputIds.Length);
        Assert.True(Tokenizer.Value.Tokenize(longest.Text).Count > 510);
    }

    [Fact]
    public void EveryTruncationLength_GivesThePrefixOfTheFullSequence()
    {
        var tokenizer = Tokenizer.Value;
        foreach (var text in TinySplade.Load().TokenizerCases.Select(c => c.Text))
        {
            var full = tokenizer.Encode(text, int.MaxValue);
            for (int maxLength = 2; maxLength <= full.Length; maxLength++)
            {
                int[] expected = [.. full.AsSpan(0, maxLength - 1), tokenizer.SeparatorTokenId];
                Assert.True(expected.SequenceEqual(tokenizer.Encode(text, maxLength)), $"maxLength {maxLength}, text: {text}");
            }
        }
    }

    [Fact]
    public void ConcurrentEncoding_GivesTheSameIds()
    {
        var texts = TinySplade.Load().Encodings.Select(e => e.Text).ToArray();
        var expected = texts.Select(t => Tokenizer.Value.Encode(t)).ToArray();
        var actual = new int[texts.Length * 20][];
        Parallel.For(0, actual.Length, i => actual[i] = Tokenizer.Value.Encode(texts[i % texts.Length]));
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.Equal(expected[i % texts.Length], actual[i]);
        }
    }

    private static void AssertMatches(string text, int[] expectedIds, string[] expectedTokens, int maxLength)
    {
        var tokenizer = Tokenizer.Value;
        var ids = tokenizer.Encode(text, maxLength);
        Assert.True(expectedIds.SequenceEqual(ids),
            $"Text: {Show(text)}\nexpected: {string.Join(' ', expectedTokens)}\nactual:   {string.Join(' ', ids.Select(i => tokenizer.Vocabulary[i]))}");
        Assert.Equal(expectedTokens, ids.Select(i => tokenizer.Vocabulary[i]));

        // The allocation-free overload writes the same ids.
        var buffer = new int[maxLength];
        int n = tokenizer.Encode(text, buffer);
        Assert.Equal(expectedIds, buffer[..n]);

        // Tokenize is the untruncated middle part.
        var pieces = tokenizer.Tokenize(text);
        Assert.Equal(expectedTokens[1..^1], pieces.Take(expectedTokens.Length - 2));
    }

    private static string Show(string text) =>
        string.Concat(text.Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:X4}" : c.ToString()));

    private static TheoryData<int> Indexes(int count) => new(Enumerable.Range(0, count));
}
