namespace Splade.Lucene.Search;

/// <summary>How a pruned search evaluates a segment (see <see cref="SpladeEvaluationChooser"/>).</summary>
internal enum SpladeEvaluation
{
    /// <summary>Chosen per segment from k, the segment's size and the query.</summary>
    Auto,

    /// <summary>Always the pruning scorer (windowed MaxScore).</summary>
    MaxScore,

    /// <summary>Always term at a time over every posting.</summary>
    Exhaustive,
}
