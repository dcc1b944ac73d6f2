using System.Globalization;
using System.Text;

namespace Splade.Encoder.Tokenization;

/// <summary>
/// Character classes, canonical decomposition and lower-casing as the Hugging Face BERT normalizer and
/// pre-tokenizer see them. Everything comes from generated tables and <see cref="CharUnicodeInfo"/>
/// (embedded in the runtime), never from ICU, so results are the same with InvariantGlobalization=true,
/// where <see cref="string.Normalize()"/> leaves non-ASCII text unchanged.
/// </summary>
internal static partial class UnicodeTables
{
    /// <summary>How the BERT normalizer and pre-tokenizer treat a code point.</summary>
    internal enum CharKind : byte
    {
        /// <summary>Kept and part of a word.</summary>
        Word = 0,

        /// <summary>Dropped by clean_text: U+0000, U+FFFD, and control, format, private-use or lone surrogate characters.</summary>
        Removed = 1,

        /// <summary>Separates words (tab, newline, carriage return and the Unicode White_Space characters).</summary>
        Whitespace = 2,

        /// <summary>A word of its own: Unicode P* categories and ASCII symbols 33-47, 58-64, 91-96, 123-126.</summary>
        Punctuation = 3,

        /// <summary>A CJK ideograph, surrounded by spaces when Chinese characters are tokenized.</summary>
        Chinese = 4,
    }

    /// <summary>The longest canonical decomposition, in code points (checked by the generator).</summary>
    internal const int MaxDecompositionLength = 4;

    private const byte KindMask = 0x07;
    private const byte NonSpacingMarkFlag = 0x08;
    private const byte DecomposesFlag = 0x10;

    private const int HangulFirst = 0xAC00;
    private const int HangulCount = 11172;
    private const int JamoLFirst = 0x1100;
    private const int JamoVFirst = 0x1161;
    private const int JamoTFirst = 0x11A7;
    private const int JamoTCount = 28;
    private const int JamoVTCount = 21 * JamoTCount;

    // One byte per BMP code point: kind in the low bits, flags above. Built once (about 1 ms).
    private static readonly byte[] BmpInfo = BuildBmpInfo();

    // Lower-case BMP mapping (identity where there is none); U+0130 is handled by the caller.
    private static readonly char[] BmpLower = BuildBmpLower();

    /// <summary>The kind of a code point before normalization (Chinese ideographs reported as such).</summary>
    internal static CharKind KindOf(int codePoint) =>
        codePoint < 0x10000 ? (CharKind)(BmpInfo[codePoint] & KindMask) : ComputeKind(codePoint);

    /// <summary>Whether the code point is a non-spacing mark (Mn), removed when stripping accents.</summary>
    internal static bool IsNonSpacingMark(int codePoint) =>
        codePoint < 0x10000
            ? (BmpInfo[codePoint] & NonSpacingMarkFlag) != 0
            : CharUnicodeInfo.GetUnicodeCategory(codePoint) == UnicodeCategory.NonSpacingMark;

    /// <summary>Whether the code point has a canonical decomposition (so NFD changes it).</summary>
    internal static bool Decomposes(int codePoint) =>
        codePoint < 0x10000 ? (BmpInfo[codePoint] & DecomposesFlag) != 0 : DecompositionKeys.BinarySearch(codePoint) >= 0;

    /// <summary>
    /// Writes the full canonical decomposition (NFD) of one code point as code points into
    /// <paramref name="destination"/> (at least <see cref="MaxDecompositionLength"/> long) and returns how many were written.
    /// </summary>
    internal static int Decompose(int codePoint, Span<int> destination)
    {
        int s = codePoint - HangulFirst;
        if ((uint)s < HangulCount)
        {
            destination[0] = JamoLFirst + (s / JamoVTCount);
            destination[1] = JamoVFirst + (s % JamoVTCount / JamoTCount);
            int t = s % JamoTCount;
            if (t == 0)
            {
                return 2;
            }
            destination[2] = JamoTFirst + t;
            return 3;
        }
        int i = DecompositionKeys.BinarySearch(codePoint);
        if (i < 0)
        {
            destination[0] = codePoint;
            return 1;
        }
        var chars = DecompositionData[DecompositionOffsets[i]..DecompositionOffsets[i + 1]];
        int n = 0;
        while (!chars.IsEmpty)
        {
            Rune.DecodeFromUtf16(chars, out var rune, out int used);
            destination[n++] = rune.Value;
            chars = chars[used..];
        }
        return n;
    }

    /// <summary>The simple lower-case mapping (culture-invariant); U+0130 is left to the caller.</summary>
    internal static int ToLower(int codePoint)
    {
        if (codePoint < 0x10000)
        {
            return BmpLower[codePoint];
        }
        int i = LowercaseKeys.BinarySearch(codePoint);
        return i >= 0 ? LowercaseValues[i] : codePoint;
    }

    /// <summary>Whether the code point is in the CJK ideograph blocks of the original BERT code.</summary>
    internal static bool IsChinese(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);

    // Rust's char::is_whitespace (the Unicode White_Space property), plus tab, newline and return.
    private static bool IsWhitespace(int cp) =>
        cp is (>= 0x09 and <= 0x0D) or 0x20 or 0x85 or 0xA0 or 0x1680 or (>= 0x2000 and <= 0x200A)
            or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;

    private static CharKind ComputeKind(int cp)
    {
        if (cp == 0 || cp == 0xFFFD)
        {
            return CharKind.Removed;
        }
        if (IsWhitespace(cp))
        {
            return CharKind.Whitespace;
        }
        var category = CharUnicodeInfo.GetUnicodeCategory(cp);
        // Hugging Face's is_control is unicode_categories' is_other: Cc, Cf and Co. Lone surrogates
        // cannot reach the Rust code at all; dropping them is the closest equivalent.
        if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate)
        {
            return CharKind.Removed;
        }
        if (IsChinese(cp))
        {
            return CharKind.Chinese;
        }
        if (cp is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126))
        {
            return CharKind.Punctuation;
        }
        return category switch
        {
            UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation => CharKind.Punctuation,
            _ => CharKind.Word,
        };
    }

    private static byte[] BuildBmpInfo()
    {
        var info = new byte[0x10000];
        for (int cp = 0; cp < info.Length; cp++)
        {
            byte b = (byte)ComputeKind(cp);
            if (CharUnicodeInfo.GetUnicodeCategory(cp) == UnicodeCategory.NonSpacingMark)
            {
                b |= NonSpacingMarkFlag;
            }
            info[cp] = b;
        }
        foreach (int cp in DecompositionKeys)
        {
            if (cp < 0x10000)
            {
                info[cp] |= DecomposesFlag;
            }
        }
        for (int cp = HangulFirst; cp < HangulFirst + HangulCount; cp++)
        {
            info[cp] |= DecomposesFlag;
        }
        return info;
    }

    private static char[] BuildBmpLower()
    {
        var lower = new char[0x10000];
        for (int cp = 0; cp < lower.Length; cp++)
        {
            lower[cp] = (char)cp;
        }
        var keys = LowercaseKeys;
        var values = LowercaseValues;
        for (int i = 0; i < keys.Length && keys[i] < 0x10000; i++)
        {
            lower[keys[i]] = (char)values[i];
        }
        return lower;
    }
}
