namespace IndexPubMed.Evaluation;

/// <summary>The non-blank lines of a run or qrels file, numbered from 1 as an editor numbers them (for error messages).</summary>
internal static class DataLines
{
    public static IEnumerable<(int Number, string Line)> NonBlank(TextReader reader)
    {
        int number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return (number, line);
            }
        }
    }
}
