namespace Splade.Lucene.Formats;

/// <summary>
/// The float of a plain JSON decimal (<c>-?digits[.digits]</c>, at most 15 significant digits and 22 decimals), as
/// the vector files hold weights (<c>0.05415167</c>), in one division; anything else (exponents, longer numbers) is
/// left to <see cref="System.Text.Json.Utf8JsonReader.TryGetSingle"/>. The result is the correctly rounded float,
/// the one the general parser gives: the digits m &lt; 10^15 and 10^k (k &lt;= 22) are exact doubles, m / 10^k is one
/// correctly rounded double operation, and rounding that double to float is innocuous because 53 &gt;= 2 x 24 + 2
/// (Figueroa, "When is double rounding innocuous?", 1995). Tested against the general parser.
/// </summary>
internal static class DecimalFloatParser
{
    private const int MaxSignificantDigits = 15;

    private static readonly double[] PowersOf10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>Parses <paramref name="text"/> (a JSON number token); false when it is not of the simple form.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out float value)
    {
        value = 0;
        int i = 0;
        bool negative = text.Length > 0 && text[0] == (byte)'-';
        if (negative)
        {
            i = 1;
        }
        ulong mantissa = 0;
        int significant = 0, decimals = 0;
        bool digits = false, dot = false;
        for (; i < text.Length; i++)
        {
            uint d = (uint)(text[i] - '0');
            if (d <= 9)
            {
                if ((mantissa != 0 || d != 0) && ++significant > MaxSignificantDigits)
                {
                    return false;
                }
                mantissa = (mantissa * 10) + d;
                digits = true;
                if (dot)
                {
                    decimals++;
                }
            }
            else if (text[i] == (byte)'.' && !dot)
            {
                dot = true;
            }
            else
            {
                return false;
            }
        }
        if (!digits || decimals >= PowersOf10.Length)
        {
            return false;
        }
        double quotient = mantissa / PowersOf10[decimals];
        value = (float)(negative ? -quotient : quotient);
        return true;
    }
}
