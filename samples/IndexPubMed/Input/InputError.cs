namespace IndexPubMed.Input;

/// <summary>
/// A problem found in an input file that did not stop reading: the bad line or record is skipped
/// (or, for a broken XML file, reading stops after the records already returned).
/// </summary>
/// <param name="File">The file, as given to the reader.</param>
/// <param name="Line">1-based line number, or 0 when no line applies (e.g. the file cannot be opened).</param>
/// <param name="Message">What is wrong, for a human.</param>
/// <param name="Record">1-based record number within the file for XML records, otherwise null.</param>
public sealed record InputError(string File, long Line, string Message, long? Record = null)
{
    /// <summary>"file:line: message", the usual compiler-style form, so editors can jump to it.</summary>
    public override string ToString()
    {
        string where = Line > 0 ? $"{File}:{Line}" : File;
        return Record is long r ? $"{where}: record {r}: {Message}" : $"{where}: {Message}";
    }
}
