using System.Buffers;
using System.Collections.Frozen;

namespace Splade.Encoder.Tokenization;

/// <summary>
/// A BERT WordPiece tokenizer giving the same token ids as the Hugging Face <c>BertTokenizer</c>
/// (tokenizers backend: BertNormalizer, BertPreTokenizer, WordPiece, [CLS]/[SEP] template) for
/// single sequences. Independent of the current culture and of ICU: results are identical with
/// InvariantGlobalization=true. Immutable and safe for concurrent use.
/// </summary>
/// <remarks>
/// Steps: special-token strings in the text are kept as single tokens; control, format and
/// private-use characters, U+0000 and U+FFFD are dropped; whitespace separates words; CJK
/// ideographs become words of their own; accents are stripped (NFD, then non-spacing marks removed)
/// and text lower-cased as configured; punctuation becomes words of its own; each word is split by
/// greedy longest-match WordPiece, or becomes the unknown token when it is longer than
/// <see cref="BertTokenizerOptions.MaxInputCharsPerWord"/> or cannot be split. Known differences
/// from the Rust code, all confined to rare characters: Unicode tables are those of the generated
/// file and of the .NET runtime rather than of the Rust crates, and NFD's reordering of combining
/// marks is not applied (it only matters for marks that are kept, which are not non-spacing).
/// </remarks>
public sealed class BertTokenizer
{
    // Word and piece scratch buffers up to this size live on the stack.
    private const int StackBufferLength = 256;

    private readonly string[] _tokens;
    private readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _firstPieces;
    private readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;
    private readonly int _maxFirstPieceLength;
    private readonly int _maxContinuationLength;
    private readonly bool _lowerCase;
    private readonly bool _stripAccents;
    private readonly bool _tokenizeChineseChars;
    private readonly int _maxInputCharsPerWord;
    private readonly string[] _specialTokens;
    private readonly int[] _specialTokenIds;
    private readonly SearchValues<char> _specialTokenStarts;

    private BertTokenizer(Vocabulary vocabulary, BertTokenizerOptions options)
    {
        Vocabulary = vocabulary;
        _lowerCase = options.LowerCase;
        _stripAccents = options.StripAccents ?? options.LowerCase;
        _tokenizeChineseChars = options.TokenizeChineseChars;
        _maxInputCharsPerWord = options.MaxInputCharsPerWord;

        UnknownTokenId = RequireToken(vocabulary, options.UnknownToken, nameof(options.UnknownToken));
        ClassifierTokenId = RequireToken(vocabulary, options.ClassifierToken, nameof(options.ClassifierToken));
        SeparatorTokenId = RequireToken(vocabulary, options.SeparatorToken, nameof(options.SeparatorToken));
        PaddingTokenId = RequireToken(vocabulary, options.PaddingToken, nameof(options.PaddingToken));
        int maskId = RequireToken(vocabulary, options.MaskToken, nameof(options.MaskToken));

        _tokens = new string[vocabulary.Count];
        var first = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        var continuations = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < _tokens.Length; id++)
        {
            string token = vocabulary[id];
            _tokens[id] = token;
            // Like the vocabulary itself, a repeated token keeps its last id.
            first[token] = id;
            _maxFirstPieceLength = Math.Max(_maxFirstPieceLength, token.Length);
            if (token.StartsWith("##", StringComparison.Ordinal) && token.Length > 2)
            {
                // Stored without the prefix so that a continuation is looked up as a slice of the word.
                continuations[token[2..]] = id;
                _maxContinuationLength = Math.Max(_maxContinuationLength, token.Length - 2);
            }
        }
        _firstPieces = first.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _continuations = continuations.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

        // Hugging Face matches added tokens leftmost-longest; trying longer strings first at a position does that.
        var specials = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [options.UnknownToken] = UnknownTokenId,
            [options.ClassifierToken] = ClassifierTokenId,
            [options.SeparatorToken] = SeparatorTokenId,
            [options.PaddingToken] = PaddingTokenId,
            [options.MaskToken] = maskId,
        };
        var ordered = specials.OrderByDescending(p => p.Key.Length).ThenBy(p => p.Key, StringComparer.Ordinal).ToArray();
        _specialTokens = ordered.Select(p => p.Key).ToArray();
        _specialTokenIds = ordered.Select(p => p.Value).ToArray();
        _specialTokenStarts = SearchValues.Create(_specialTokens.Select(t => t[0]).Distinct().ToArray());
    }

    /// <summary>The vocabulary the token ids refer to.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Id of the classifier token put first in every sequence (<c>[CLS]</c>).</summary>
    public int ClassifierTokenId { get; }

    /// <summary>Id of the separator token put last in every sequence (<c>[SEP]</c>).</summary>
    public int SeparatorTokenId { get; }

    /// <summary>Id of the padding token (<c>[PAD]</c>), for callers that pad batches.</summary>
    public int PaddingTokenId { get; }

    /// <summary>Id of the unknown token (<c>[UNK]</c>).</summary>
    public int UnknownTokenId { get; }

    /// <summary>Creates a tokenizer over <paramref name="vocabulary"/>.</summary>
    /// <param name="vocabulary">The WordPiece vocabulary (for example from <c>vocab.txt</c>).</param>
    /// <param name="options">Settings; null for the uncased BERT defaults. The tokenizer keeps a copy.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="SpladeModelException">A special token of the options is not in the vocabulary.</exception>
    public static BertTokenizer Create(Vocabulary vocabulary, BertTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var copy = (options ?? new BertTokenizerOptions()).Clone();
        copy.Validate();
        return new BertTokenizer(vocabulary, copy);
    }

    /// <summary>
    /// Tokenizes one text into model input ids: <c>[CLS]</c>, the word pieces, <c>[SEP]</c>. Longer
    /// sequences keep their first <paramref name="maxLength"/> - 2 word pieces, even when that cuts a word.
    /// </summary>
    /// <param name="text">The text; empty text gives <c>[CLS] [SEP]</c>.</param>
    /// <param name="maxLength">The most ids to return, special tokens included (the model's maximum sequence length).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is less than 2.</exception>
    public int[] Encode(string text, int maxLength = 512)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (maxLength < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must be at least 2 ([CLS] and [SEP]).");
        }
        int[]? rented = null;
        try
        {
            Span<int> initial = stackalloc int[StackBufferLength];
            int limit = maxLength - 2;
            int count = CollectPieces(text, initial[..Math.Min(limit, initial.Length)], limit, ref rented);
            var pieces = rented is null ? initial[..count] : rented.AsSpan(0, count);
            var ids = new int[count + 2];
            ids[0] = ClassifierTokenId;
            pieces.CopyTo(ids.AsSpan(1));
            ids[^1] = SeparatorTokenId;
            return ids;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Tokenizes one text into <paramref name="destination"/> without allocating: <c>[CLS]</c>, the
    /// word pieces, <c>[SEP]</c>, truncated like <see cref="Encode(string, int)"/> with the destination
    /// length as maximum length.
    /// </summary>
    /// <returns>The number of ids written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 2.</exception>
    public int Encode(ReadOnlySpan<char> text, Span<int> destination)
    {
        if (destination.Length < 2)
        {
            throw new ArgumentException($"The destination holds {destination.Length} ids; at least 2 ([CLS] and [SEP]) are needed.", nameof(destination));
        }
        int[]? rented = null;
        int count = CollectPieces(text, destination[1..^1], destination.Length - 2, ref rented);
        // The destination is exactly as long as the limit, so nothing was rented.
        destination[0] = ClassifierTokenId;
        destination[count + 1] = SeparatorTokenId;
        return count + 2;
    }

    /// <summary>
    /// Tokenizes one text into overlapping windows for <see cref="LongTextMode.Chunk"/>: window k holds word
    /// pieces k x <paramref name="stride"/> up to k x <paramref name="stride"/> + <paramref name="maxLength"/> - 2,
    /// framed by <c>[CLS]</c> and <c>[SEP]</c>; the last window is the first that reaches the end of the text.
    /// A text of at most <paramref name="maxLength"/> - 2 pieces gives one window equal to
    /// <see cref="Encode(string, int)"/>.
    /// </summary>
    /// <param name="text">The text; empty text gives one window <c>[CLS] [SEP]</c>.</param>
    /// <param name="maxLength">Ids per window, special tokens included; at least 3.</param>
    /// <param name="stride">Word pieces between the starts of two windows, from 1 to <paramref name="maxLength"/> - 2
    /// (equal to it: windows do not overlap).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> or <paramref name="stride"/> is out of range.</exception>
    public int[][] EncodeWindows(string text, int maxLength, int stride)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (maxLength < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must be at least 3 to hold [CLS], one word piece and [SEP] when chunking.");
        }
        if (stride < 1 || stride > maxLength - 2)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"The stride must be between 1 and the window of {maxLength - 2} word pieces (maxLength - 2).");
        }
        int[]? rented = null;
        try
        {
            Span<int> initial = stackalloc int[StackBufferLength];
            int count = CollectPieces(text, initial, int.MaxValue, ref rented);
            var pieces = rented is null ? initial[..count] : rented.AsSpan(0, count);
            return TextWindows.Split(pieces, ClassifierTokenId, SeparatorTokenId, maxLength, stride);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The word pieces of a text, without special tokens added and without truncation (for inspection).</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int[]? rented = null;
        try
        {
            Span<int> initial = stackalloc int[StackBufferLength];
            int count = CollectPieces(text, initial, int.MaxValue, ref rented);
            var pieces = rented is null ? initial[..count] : rented.AsSpan(0, count);
            var tokens = new string[count];
            for (int i = 0; i < count; i++)
            {
                tokens[i] = _tokens[pieces[i]];
            }
            return tokens;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    private static int RequireToken(Vocabulary vocabulary, string token, string property) =>
        vocabulary.TryGetId(token, out int id)
            ? id
            : throw new SpladeModelException(
                $"The vocabulary has no '{token}' token (BertTokenizerOptions.{property}); the model's special tokens must be in its vocabulary.",
                vocabulary.Source);

    // Writes the word-piece ids of text, at most limit of them, into output; when output fills up
    // before the limit, continues in an array rented from the pool (returned in 'rented', which the
    // caller gives back). Returns the number of ids.
    private int CollectPieces(ReadOnlySpan<char> text, Span<int> output, int limit, ref int[]? rented)
    {
        // A word keeps at most MaxInputCharsPerWord code points (two UTF-16 units each) and splits into
        // at most one piece per unit.
        int capacity = 2 * _maxInputCharsPerWord;
        char[]? rentedWord = null;
        int[]? rentedPieces = null;
        try
        {
            Span<char> word = capacity <= StackBufferLength ? stackalloc char[StackBufferLength] : (rentedWord = ArrayPool<char>.Shared.Rent(capacity));
            Span<int> pieces = capacity <= StackBufferLength ? stackalloc int[StackBufferLength] : (rentedPieces = ArrayPool<int>.Shared.Rent(capacity));
            var run = new Run(this, output, limit, word, pieces);
            try
            {
                run.Text(text);
                return run.Count;
            }
            finally
            {
                rented = run.RentedIds;
            }
        }
        finally
        {
            if (rentedWord is not null)
            {
                ArrayPool<char>.Shared.Return(rentedWord);
            }
            if (rentedPieces is not null)
            {
                ArrayPool<int>.Shared.Return(rentedPieces);
            }
        }
    }

    // Finds the leftmost special-token string at or after 'from'.
    private bool FindSpecialToken(ReadOnlySpan<char> text, int from, out int index, out int length, out int id)
    {
        int p = from;
        while (p < text.Length)
        {
            int next = text[p..].IndexOfAny(_specialTokenStarts);
            if (next < 0)
            {
                break;
            }
            p += next;
            var rest = text[p..];
            for (int k = 0; k < _specialTokens.Length; k++)
            {
                if (rest.StartsWith(_specialTokens[k], StringComparison.Ordinal))
                {
                    index = p;
                    length = _specialTokens[k].Length;
                    id = _specialTokenIds[k];
                    return true;
                }
            }
            p++;
        }
        index = text.Length;
        length = 0;
        id = -1;
        return false;
    }

    // Greedy longest-match WordPiece. Returns the number of pieces, or -1 when the word cannot be
    // split (it then becomes a single unknown token, as in Hugging Face).
    private int WordPiece(ReadOnlySpan<char> word, Span<int> pieces)
    {
        int n = 0;
        int start = 0;
        while (start < word.Length)
        {
            int end = Math.Min(word.Length, start + (start == 0 ? _maxFirstPieceLength : _maxContinuationLength));
            int id = -1;
            while (end > start)
            {
                // Rust slices at code point boundaries only: never split a surrogate pair.
                if (end < word.Length && char.IsLowSurrogate(word[end]) && char.IsHighSurrogate(word[end - 1]))
                {
                    end--;
                    continue;
                }
                var lookup = start == 0 ? _firstPieces : _continuations;
                if (lookup.TryGetValue(word[start..end], out int found))
                {
                    id = found;
                    break;
                }
                end--;
            }
            if (id < 0)
            {
                return -1;
            }
            pieces[n++] = id;
            start = end;
        }
        return n;
    }

    // One tokenization: normalizes and splits the text code point by code point, feeding words to
    // WordPiece as they complete, and stops as soon as the limit is reached (a PubMed abstract need
    // not be normalized past its 510th piece).
    private ref struct Run
    {
        private readonly BertTokenizer _tokenizer;
        private readonly int _limit;
        private readonly Span<char> _word;
        private readonly Span<int> _pieces;
        private Span<int> _ids;
        private int _wordLength;
        private int _wordCodePoints;

        public Run(BertTokenizer tokenizer, Span<int> output, int limit, Span<char> word, Span<int> pieces)
        {
            _tokenizer = tokenizer;
            _ids = output;
            _limit = limit;
            _word = word;
            _pieces = pieces;
        }

        public int Count { get; private set; }

        public int[]? RentedIds { get; private set; }

        private readonly bool Full => Count >= _limit;

        public void Text(ReadOnlySpan<char> text)
        {
            int position = 0;
            while (position < text.Length && !Full)
            {
                bool special = _tokenizer.FindSpecialToken(text, position, out int index, out int length, out int id);
                Segment(text[position..index]);
                FlushWord();
                if (!special)
                {
                    break;
                }
                Add(id);
                position = index + length;
            }
        }

        private void Segment(ReadOnlySpan<char> text)
        {
            for (int i = 0; i < text.Length && !Full;)
            {
                int cp = text[i++];
                if (char.IsHighSurrogate((char)cp) && i < text.Length && char.IsLowSurrogate(text[i]))
                {
                    cp = char.ConvertToUtf32((char)cp, text[i++]);
                }
                switch (UnicodeTables.KindOf(cp))
                {
                    case UnicodeTables.CharKind.Removed:
                        break;
                    case UnicodeTables.CharKind.Whitespace:
                        FlushWord();
                        break;
                    case UnicodeTables.CharKind.Chinese when _tokenizer._tokenizeChineseChars:
                        FlushWord();
                        Normalize(cp);
                        FlushWord();
                        break;
                    default:
                        Normalize(cp);
                        break;
                }
            }
        }

        // Hugging Face order: strip accents (NFD, drop Mn), then lower-case, then split.
        private void Normalize(int cp)
        {
            if (cp < 0x80)
            {
                Split(_tokenizer._lowerCase && (uint)(cp - 'A') <= 'Z' - 'A' ? cp | 0x20 : cp);
                return;
            }
            if (_tokenizer._stripAccents)
            {
                if (UnicodeTables.Decomposes(cp))
                {
                    Span<int> parts = stackalloc int[UnicodeTables.MaxDecompositionLength];
                    int n = UnicodeTables.Decompose(cp, parts);
                    for (int k = 0; k < n; k++)
                    {
                        if (!UnicodeTables.IsNonSpacingMark(parts[k]))
                        {
                            Lower(parts[k]);
                        }
                    }
                    return;
                }
                if (UnicodeTables.IsNonSpacingMark(cp))
                {
                    return;
                }
            }
            Lower(cp);
        }

        private void Lower(int cp)
        {
            if (_tokenizer._lowerCase)
            {
                if (cp == 0x130)
                {
                    // Rust's char::to_lowercase uses the full mapping: İ becomes i + combining dot above.
                    Split('i');
                    Split(0x307);
                    return;
                }
                cp = UnicodeTables.ToLower(cp);
            }
            Split(cp);
        }

        private void Split(int cp)
        {
            switch (UnicodeTables.KindOf(cp))
            {
                case UnicodeTables.CharKind.Whitespace:
                    FlushWord();
                    break;
                case UnicodeTables.CharKind.Punctuation:
                    FlushWord();
                    Append(cp);
                    FlushWord();
                    break;
                default:
                    Append(cp);
                    break;
            }
        }

        private void Append(int cp)
        {
            // Past the limit the word is only counted: it will become the unknown token.
            if (++_wordCodePoints > _tokenizer._maxInputCharsPerWord)
            {
                return;
            }
            if (cp < 0x10000)
            {
                _word[_wordLength++] = (char)cp;
            }
            else
            {
                cp -= 0x10000;
                _word[_wordLength++] = (char)(0xD800 + (cp >> 10));
                _word[_wordLength++] = (char)(0xDC00 + (cp & 0x3FF));
            }
        }

        private void FlushWord()
        {
            if (_wordCodePoints == 0)
            {
                return;
            }
            bool tooLong = _wordCodePoints > _tokenizer._maxInputCharsPerWord;
            var word = _word[.._wordLength];
            _wordLength = 0;
            _wordCodePoints = 0;
            if (Full)
            {
                return;
            }
            // A word is split completely before any piece is kept, because a word that fails to
            // split at its end is a single unknown token even when truncation cuts it earlier.
            int n = tooLong ? -1 : _tokenizer.WordPiece(word, _pieces);
            if (n < 0)
            {
                Add(_tokenizer.UnknownTokenId);
                return;
            }
            for (int k = 0; k < n && !Full; k++)
            {
                Add(_pieces[k]);
            }
        }

        private void Add(int id)
        {
            if (Full)
            {
                return;
            }
            if (Count == _ids.Length)
            {
                Grow();
            }
            _ids[Count++] = id;
        }

        private void Grow()
        {
            int size = (int)Math.Min(_limit, Math.Max(2L * _ids.Length, 1024));
            var bigger = ArrayPool<int>.Shared.Rent(size);
            _ids[..Count].CopyTo(bigger);
            if (RentedIds is not null)
            {
                ArrayPool<int>.Shared.Return(RentedIds);
            }
            RentedIds = bigger;
            _ids = bigger;
        }
    }
}
