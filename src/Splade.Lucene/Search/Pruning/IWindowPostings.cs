namespace Splade.Lucene.Search;

/// <summary>
/// The postings of one term or clause as <see cref="WindowedMaxScoreBulkScorer{TPostings}"/> reads them: a document
/// cursor and the part's float value in the current document, the value the exhaustive scorer adds up.
/// </summary>
/// <remarks>
/// Implemented by one-field structs wrapping the scorer's postings type, so that the JIT compiles the shared scorer once
/// per implementation with these calls inlined: the windows' inner loops pay no interface or virtual dispatch here.
/// </remarks>
internal interface IWindowPostings
{
    /// <summary>The current document, -1 before the first.</summary>
    int Doc { get; }

    /// <summary>Moves to the next document and returns it.</summary>
    int NextDoc();

    /// <summary>Moves to the first document at or after <paramref name="target"/> and returns it.</summary>
    int Advance(int target);

    /// <summary>The part's float value in the current document (what the exact score adds).</summary>
    float Value();

    /// <summary>The value of a high-tier entry with this impact (SPLADE terms: <c>weight x (float)impact</c>, as <see cref="Value"/>).</summary>
    float TierValue(int impact);

    /// <summary>
    /// A value in the units of the scorer's window bounds (the SPLADE-only scorer: the value itself; the hybrid: times
    /// the largest coord and boost factors), to be added to partial scores.
    /// </summary>
    double Scaled(float value);
}
