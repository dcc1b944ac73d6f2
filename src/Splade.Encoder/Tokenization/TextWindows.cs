namespace Splade.Encoder.Tokenization;

/// <summary>
/// Splits a sequence of word pieces into the windows that <see cref="LongTextMode.Chunk"/> encodes:
/// window k holds pieces [k x stride, k x stride + maxLength - 2), framed by [CLS] and [SEP]; the last
/// window is the first one that reaches the end of the text (it may be shorter). A sequence that fits
/// in one window gives exactly the ids of truncating tokenization.
/// </summary>
internal static class TextWindows
{
    /// <summary>The number of windows for <paramref name="pieceCount"/> word pieces.</summary>
    public static int Count(int pieceCount, int maxLength, int stride)
    {
        int window = maxLength - 2;
        if (pieceCount <= window)
        {
            return 1;
        }
        // Windows start at 0, stride, 2 x stride, ... until one reaches the last piece.
        return 1 + (int)(((long)pieceCount - window + stride - 1) / stride);
    }

    /// <summary>The windows of <paramref name="pieces"/>, each with [CLS] first and [SEP] last.</summary>
    public static int[][] Split(ReadOnlySpan<int> pieces, int classifierId, int separatorId, int maxLength, int stride)
    {
        if (maxLength < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must be at least 3 to hold [CLS], one word piece and [SEP] when chunking.");
        }
        if (stride < 1 || stride > maxLength - 2)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"The stride must be between 1 and the window of {maxLength - 2} word pieces (maxLength - 2).");
        }
        int window = maxLength - 2;
        int count = Count(pieces.Length, maxLength, stride);
        var windows = new int[count][];
        for (int k = 0; k < count; k++)
        {
            int start = k * stride;
            int length = Math.Min(window, pieces.Length - start);
            var ids = new int[length + 2];
            ids[0] = classifierId;
            pieces.Slice(start, length).CopyTo(ids.AsSpan(1));
            ids[^1] = separatorId;
            windows[k] = ids;
        }
        return windows;
    }
}
