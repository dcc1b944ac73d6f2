using System.Globalization;
using System.Text;
using Splade.Encoder.Tokenization;

namespace Splade.Encoder.Tests.Tokenization;

/// <summary>
/// The tokenizer's own NFD table replaces string.Normalize, which does nothing to non-ASCII text
/// under InvariantGlobalization. Where ICU is available, both must agree.
/// </summary>
public sealed class UnicodeTablesTests
{
    private static bool IcuAvailable => "é".Normalize(NormalizationForm.FormD).Length == 2;

    [Fact]
    public void Decomposition_OfCommonCharacters()
    {
        Assert.Equal([(int)'e', 0x301], Decompose('é'));
        Assert.Equal([(int)'I', 0x307], Decompose('İ'));
        Assert.Equal([0x3B1, 0x313, 0x300, 0x345], Decompose('ᾂ'));
        Assert.Equal([0x1112, 0x1161, 0x11AB], Decompose('한'));
        Assert.Equal([0x1100, 0x1161], Decompose('가'));
        Assert.Equal([0x8C48], Decompose('\uF900'));
        Assert.Equal([(int)'a'], Decompose('a'));
        Assert.False(UnicodeTables.Decomposes('a'));
        Assert.True(UnicodeTables.Decomposes(0x2F800));
    }

    [Fact]
    public void Decomposition_AgreesWithIcu_WhereIcuIsAvailable()
    {
        if (!IcuAvailable)
        {
            // Invariant globalization: nothing to compare with, but the table must still decompose
            // (the golden tokenizer tests with French, German and Turkish text cover the rest).
            Assert.Equal([(int)'e', 0x301], Decompose('é'));
            return;
        }
        var differences = new List<string>();
        for (int cp = 0; cp < 0x110000; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF || CharUnicodeInfo.GetUnicodeCategory(cp) == UnicodeCategory.OtherNotAssigned)
            {
                continue;
            }
            string s = char.ConvertFromUtf32(cp);
            string icu;
            try
            {
                icu = s.Normalize(NormalizationForm.FormD);
            }
            catch (ArgumentException)
            {
                continue;
            }
            var ours = string.Concat(Decompose(cp).Select(char.ConvertFromUtf32));
            if (ours != icu)
            {
                differences.Add($"U+{cp:X4}: ours {Hex(ours)}, ICU {Hex(icu)}");
            }
        }
        // Characters newer than the table's Unicode version decompose to themselves in our table.
        Assert.True(differences.Count == 0, $"{differences.Count} differences (table Unicode {UnicodeTables.UnicodeVersion}):\n{string.Join('\n', differences.Take(30))}");
    }

    [Fact]
    public void LowerCase_IsCultureInvariantAndUnicodeBased()
    {
        Assert.Equal('a', UnicodeTables.ToLower('A'));
        Assert.Equal('i', UnicodeTables.ToLower('I'));
        Assert.Equal('ı', UnicodeTables.ToLower('ı'));
        Assert.Equal('σ', UnicodeTables.ToLower('Σ'));
        Assert.Equal(0x10428, UnicodeTables.ToLower(0x10400)); // Deseret, outside the BMP
    }

    [Fact]
    public void Kinds_FollowTheBertRules()
    {
        Assert.Equal(UnicodeTables.CharKind.Punctuation, UnicodeTables.KindOf('+'));
        Assert.Equal(UnicodeTables.CharKind.Punctuation, UnicodeTables.KindOf('$'));
        Assert.Equal(UnicodeTables.CharKind.Punctuation, UnicodeTables.KindOf('–'));
        Assert.Equal(UnicodeTables.CharKind.Word, UnicodeTables.KindOf('°'));
        Assert.Equal(UnicodeTables.CharKind.Word, UnicodeTables.KindOf('≥'));
        Assert.Equal(UnicodeTables.CharKind.Whitespace, UnicodeTables.KindOf('\t'));
        Assert.Equal(UnicodeTables.CharKind.Whitespace, UnicodeTables.KindOf(0x85));
        Assert.Equal(UnicodeTables.CharKind.Removed, UnicodeTables.KindOf(0x1F)); // Python's isspace, not White_Space
        Assert.Equal(UnicodeTables.CharKind.Removed, UnicodeTables.KindOf(0xFEFF));
        Assert.Equal(UnicodeTables.CharKind.Removed, UnicodeTables.KindOf(0xE000));
        Assert.Equal(UnicodeTables.CharKind.Chinese, UnicodeTables.KindOf('中'));
        Assert.Equal(UnicodeTables.CharKind.Chinese, UnicodeTables.KindOf(0x20000));
        Assert.Equal(UnicodeTables.CharKind.Word, UnicodeTables.KindOf(0x1F600));
    }

    private static int[] Decompose(int cp)
    {
        Span<int> buffer = stackalloc int[UnicodeTables.MaxDecompositionLength];
        return buffer[..UnicodeTables.Decompose(cp, buffer)].ToArray();
    }

    private static string Hex(string s) => string.Join(' ', s.EnumerateRunes().Select(r => r.Value.ToString("X4")));
}
