using System.Globalization;
using System.Text.RegularExpressions;

namespace IndexPubMed.Input;

/// <summary>
/// The parts of an NLM file name such as <c>pubmed26n1335.xml.gz</c>: baseline year (26) and
/// file number (1335). Update files must be applied in (year, number) order, after the baseline.
/// </summary>
/// <param name="Year">The two-digit year of the baseline the file belongs to.</param>
/// <param name="Number">The file's sequence number within that year.</param>
public readonly partial record struct PubMedFileName(int Year, int Number) : IComparable<PubMedFileName>
{
    /// <summary>Parses the file name part of <paramref name="path"/>; false when it is not an NLM name.</summary>
    public static bool TryParse(string path, out PubMedFileName name)
    {
        var m = Pattern().Match(Path.GetFileName(path ?? ""));
        if (m.Success
            && int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int year)
            && int.TryParse(m.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            name = new PubMedFileName(year, number);
            return true;
        }
        name = default;
        return false;
    }

    /// <summary>Orders by year, then number (numerically, so n10000 follows n9999).</summary>
    public int CompareTo(PubMedFileName other) =>
        Year != other.Year ? Year.CompareTo(other.Year) : Number.CompareTo(other.Number);

    /// <summary>True when <paramref name="left"/> comes before <paramref name="right"/>.</summary>
    public static bool operator <(PubMedFileName left, PubMedFileName right) => left.CompareTo(right) < 0;

    /// <summary>True when <paramref name="left"/> comes after <paramref name="right"/>.</summary>
    public static bool operator >(PubMedFileName left, PubMedFileName right) => left.CompareTo(right) > 0;

    /// <summary>True when <paramref name="left"/> does not come after <paramref name="right"/>.</summary>
    public static bool operator <=(PubMedFileName left, PubMedFileName right) => left.CompareTo(right) <= 0;

    /// <summary>True when <paramref name="left"/> does not come before <paramref name="right"/>.</summary>
    public static bool operator >=(PubMedFileName left, PubMedFileName right) => left.CompareTo(right) >= 0;

    [GeneratedRegex(@"^pubmed(\d{2})n(\d{4,6})\.xml(\.gz)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
