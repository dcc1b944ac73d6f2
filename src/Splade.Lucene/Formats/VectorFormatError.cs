namespace Splade.Lucene.Formats;

/// <summary>A record of a vector file that was skipped, and why.</summary>
/// <param name="Source">The file (or the name given for a stream).</param>
/// <param name="Line">The 1-based line where the bad record starts (or where reading stopped); 0 when no line applies.</param>
/// <param name="Message">What is wrong, for a human.</param>
public sealed record VectorFormatError(string Source, long Line, string Message)
{
    /// <summary>"file:line: message", the usual compiler-style form.</summary>
    public override string ToString() => Line > 0 ? $"{Source}:{Line}: {Message}" : $"{Source}: {Message}";
}
