namespace Splade.Lucene.Search;

/// <summary>
/// What the candidate loop of <see cref="WindowedMaxScoreBulkScorer{TPostings}"/> asks of the scorer that runs it, per
/// candidate document: the only steps whose arithmetic differs between the SPLADE-only and the hybrid scorer.
/// </summary>
/// <remarks>
/// Implemented by private structs of each scorer and passed as a generic argument, so that the JIT compiles the loop
/// per scorer with direct (inlinable) calls instead of a virtual call per candidate.
/// </remarks>
internal interface IWindowCandidates
{
    /// <summary>
    /// Fills the scorer's sub-block prefix sums and absences of the parts to check for sub-block <paramref name="sub"/>,
    /// counted from the window's first sub-block.
    /// </summary>
    void SubBlockBounds(int sub);

    /// <summary>The document's score exactly as the exhaustive evaluation computes it.</summary>
    float ExactScore(int doc);
}
