namespace Splade.Encoder.Pooling;

/// <summary>
/// Merges the vectors of a document's windows (<see cref="LongTextMode.Chunk"/>) by taking the maximum
/// weight of each term: the same max pooling SPLADE applies over the tokens of one window, extended
/// over all the windows, and what Elasticsearch does with an array of sparse vectors.
/// </summary>
internal static class WindowMerge
{
    /// <summary>The element-wise maximum of <paramref name="windows"/>; <paramref name="scratch"/> (vocabulary-sized, all zero) is left all zero.</summary>
    public static SparseVector Max(ReadOnlySpan<SparseVector> windows, float[] scratch)
    {
        if (windows.Length == 1)
        {
            return windows[0];
        }
        foreach (var w in windows)
        {
            var indices = w.Indices;
            var values = w.Values;
            for (int i = 0; i < indices.Length; i++)
            {
                // SPLADE weights are >= 0 (log(1 + relu)), so a zero start is the identity of max.
                ref float slot = ref scratch[indices[i]];
                slot = Math.Max(slot, values[i]);
            }
        }
        var merged = SparseVector.FromDense(scratch);
        foreach (var w in windows)
        {
            foreach (int id in w.Indices)
            {
                scratch[id] = 0f;
            }
        }
        return merged;
    }
}
