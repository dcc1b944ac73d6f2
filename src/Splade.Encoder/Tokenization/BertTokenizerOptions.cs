namespace Splade.Encoder.Tokenization;

/// <summary>
/// Settings of a <see cref="BertTokenizer"/>, named after the Hugging Face <c>tokenizer_config.json</c>
/// keys (<c>do_lower_case</c>, <c>strip_accents</c>, <c>tokenize_chinese_chars</c>, ...). The defaults
/// are those of an uncased BERT model.
/// </summary>
public sealed class BertTokenizerOptions
{
    /// <summary>Lower-case the text (<c>do_lower_case</c>); default true.</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary>
    /// Remove accents: Unicode NFD followed by removal of non-spacing marks (<c>strip_accents</c>).
    /// Null (the default) means "the same as <see cref="LowerCase"/>".
    /// </summary>
    public bool? StripAccents { get; set; }

    /// <summary>Make every CJK ideograph a word of its own (<c>tokenize_chinese_chars</c>); default true.</summary>
    public bool TokenizeChineseChars { get; set; } = true;

    /// <summary>Words longer than this many characters (code points) become the unknown token; default 100.</summary>
    public int MaxInputCharsPerWord { get; set; } = 100;

    /// <summary>The unknown token, used for words that cannot be split into vocabulary pieces; default <c>[UNK]</c>.</summary>
    public string UnknownToken { get; set; } = "[UNK]";

    /// <summary>The token put at the start of every sequence; default <c>[CLS]</c>.</summary>
    public string ClassifierToken { get; set; } = "[CLS]";

    /// <summary>The token put at the end of every sequence; default <c>[SEP]</c>.</summary>
    public string SeparatorToken { get; set; } = "[SEP]";

    /// <summary>The padding token; default <c>[PAD]</c>.</summary>
    public string PaddingToken { get; set; } = "[PAD]";

    /// <summary>The mask token; default <c>[MASK]</c>.</summary>
    public string MaskToken { get; set; } = "[MASK]";

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; <see cref="ArgumentException.ParamName"/> names the property.</exception>
    public void Validate()
    {
        if (MaxInputCharsPerWord <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInputCharsPerWord), MaxInputCharsPerWord, "MaxInputCharsPerWord must be positive.");
        }
        CheckToken(UnknownToken, nameof(UnknownToken));
        CheckToken(ClassifierToken, nameof(ClassifierToken));
        CheckToken(SeparatorToken, nameof(SeparatorToken));
        CheckToken(PaddingToken, nameof(PaddingToken));
        CheckToken(MaskToken, nameof(MaskToken));
    }

    internal BertTokenizerOptions Clone() => (BertTokenizerOptions)MemberwiseClone();

    private static void CheckToken(string? token, string name)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new ArgumentException($"{name} must be a non-empty token string, not '{token}'.", name);
        }
    }
}
