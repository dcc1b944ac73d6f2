using System.Numerics;
using System.Runtime.InteropServices;

namespace Splade.Encoder.Pooling;

/// <summary>
/// SPLADE pooling in managed code, for models whose graph was not rewritten by
/// <see cref="Onnx.PoolingGraph"/>: turns MLM logits [batch, sequence, vocabulary] and the attention
/// mask into one weight per vocabulary entry, with the formulas of sentence-transformers SpladePooling.
/// </summary>
internal static class ManagedPooling
{
    /// <summary>
    /// Pools one row: <paramref name="logits"/> is its [sequence, vocabulary] block and
    /// <paramref name="attentionMask"/> its [sequence] mask (0 = padding). Writes the dense weights
    /// (all &gt;= 0) to <paramref name="destination"/> [vocabulary].
    /// </summary>
    public static void PoolRow(
        ReadOnlySpan<float> logits,
        ReadOnlySpan<long> attentionMask,
        SpladePoolingStrategy strategy,
        SpladeActivation activation,
        Span<float> destination)
    {
        int vocabulary = destination.Length;
        if (vocabulary == 0)
        {
            throw new ArgumentException("The destination has no room for a vocabulary.", nameof(destination));
        }
        if (logits.Length != attentionMask.Length * vocabulary)
        {
            throw new ArgumentException(
                $"{logits.Length} logits do not fit {attentionMask.Length} tokens x {vocabulary} vocabulary entries.", nameof(logits));
        }
        if (strategy == SpladePoolingStrategy.Max)
        {
            // The activation is monotone, so it is applied once per vocabulary entry after the max.
            destination.Fill(float.NegativeInfinity);
            for (int t = 0; t < attentionMask.Length; t++)
            {
                if (attentionMask[t] != 0)
                {
                    MaxInto(destination, logits.Slice(t * vocabulary, vocabulary));
                }
            }
            ActivateInPlace(destination, activation);
        }
        else
        {
            destination.Clear();
            for (int t = 0; t < attentionMask.Length; t++)
            {
                if (attentionMask[t] != 0)
                {
                    AddActivated(destination, logits.Slice(t * vocabulary, vocabulary), activation);
                }
            }
        }
    }

    /// <summary>
    /// Pools every row of a [batch, sequence, vocabulary] logits tensor into a sparse vector holding
    /// the entries &gt; 0.
    /// </summary>
    /// <param name="logits">Row-major [batch, sequence, vocabulary] logits.</param>
    /// <param name="attentionMask">Row-major [batch, sequence] mask (0 = padding).</param>
    /// <param name="batchSize">Number of rows.</param>
    /// <param name="strategy">How token weights are combined.</param>
    /// <param name="activation">The saturation applied to each logit.</param>
    public static SparseVector[] Pool(
        ReadOnlySpan<float> logits,
        ReadOnlySpan<long> attentionMask,
        int batchSize,
        SpladePoolingStrategy strategy,
        SpladeActivation activation)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (attentionMask.Length % batchSize != 0 || attentionMask.Length == 0)
        {
            throw new ArgumentException($"An attention mask of {attentionMask.Length} entries does not split into {batchSize} rows.", nameof(attentionMask));
        }
        int sequence = attentionMask.Length / batchSize;
        if (logits.Length % attentionMask.Length != 0 || logits.Length == 0)
        {
            throw new ArgumentException($"{logits.Length} logits do not split into {batchSize} x {sequence} tokens.", nameof(logits));
        }
        int vocabulary = logits.Length / attentionMask.Length;
        var dense = new float[vocabulary];
        var result = new SparseVector[batchSize];
        long rowLength = (long)sequence * vocabulary;
        for (int b = 0; b < batchSize; b++)
        {
            PoolRow(
                logits.Slice((int)(b * rowLength), (int)rowLength),
                attentionMask.Slice(b * sequence, sequence),
                strategy,
                activation,
                dense);
            result[b] = ToSparse(dense);
        }
        return result;
    }

    /// <summary>
    /// Keeps the entries &gt; 0 of pooled weights (one row of a pooled model's output, or of
    /// <see cref="PoolRow"/>) as a sparse vector.
    /// </summary>
    public static SparseVector ToSparse(ReadOnlySpan<float> pooled)
    {
        int count = CollectPositive(pooled, [], []);
        var ids = new int[count];
        var weights = new float[count];
        CollectPositive(pooled, ids, weights);
        return new SparseVector(ids, weights);
    }

    // Counts the entries > 0 and, when there is room, copies them out. SPLADE vectors are mostly
    // zeros, so whole SIMD blocks with no positive entry are skipped.
    private static int CollectPositive(ReadOnlySpan<float> values, Span<int> ids, Span<float> weights)
    {
        bool fill = ids.Length > 0;
        int n = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var blocks = MemoryMarshal.Cast<float, Vector<float>>(values);
            for (int k = 0; k < blocks.Length; k++)
            {
                if (!Vector.GreaterThanAny(blocks[k], Vector<float>.Zero))
                {
                    continue;
                }
                int start = k * Vector<float>.Count;
                for (int j = start; j < start + Vector<float>.Count; j++)
                {
                    if (values[j] > 0f)
                    {
                        if (fill)
                        {
                            ids[n] = j;
                            weights[n] = values[j];
                        }
                        n++;
                    }
                }
            }
            i = blocks.Length * Vector<float>.Count;
        }
        for (; i < values.Length; i++)
        {
            if (values[i] > 0f)
            {
                if (fill)
                {
                    ids[n] = i;
                    weights[n] = values[i];
                }
                n++;
            }
        }
        return n;
    }

    private static void MaxInto(Span<float> accumulator, ReadOnlySpan<float> row)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var acc = MemoryMarshal.Cast<float, Vector<float>>(accumulator);
            var src = MemoryMarshal.Cast<float, Vector<float>>(row);
            for (int k = 0; k < acc.Length; k++)
            {
                acc[k] = Vector.Max(acc[k], src[k]);
            }
            i = acc.Length * Vector<float>.Count;
        }
        for (; i < accumulator.Length; i++)
        {
            accumulator[i] = Math.Max(accumulator[i], row[i]);
        }
    }

    private static void ActivateInPlace(Span<float> values, SpladeActivation activation)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var blocks = MemoryMarshal.Cast<float, Vector<float>>(values);
            for (int k = 0; k < blocks.Length; k++)
            {
                if (!Vector.GreaterThanAny(blocks[k], Vector<float>.Zero))
                {
                    blocks[k] = Vector<float>.Zero;
                    continue;
                }
                int start = k * Vector<float>.Count;
                for (int j = start; j < start + Vector<float>.Count; j++)
                {
                    values[j] = Activate(values[j], activation);
                }
            }
            i = blocks.Length * Vector<float>.Count;
        }
        for (; i < values.Length; i++)
        {
            values[i] = Activate(values[i], activation);
        }
    }

    private static void AddActivated(Span<float> accumulator, ReadOnlySpan<float> row, SpladeActivation activation)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var src = MemoryMarshal.Cast<float, Vector<float>>(row);
            for (int k = 0; k < src.Length; k++)
            {
                // Most logits are negative and add log(1 + 0) = 0.
                if (!Vector.GreaterThanAny(src[k], Vector<float>.Zero))
                {
                    continue;
                }
                int start = k * Vector<float>.Count;
                for (int j = start; j < start + Vector<float>.Count; j++)
                {
                    accumulator[j] += Activate(row[j], activation);
                }
            }
            i = src.Length * Vector<float>.Count;
        }
        for (; i < row.Length; i++)
        {
            accumulator[i] += Activate(row[i], activation);
        }
    }

    // log1p in double: for a float x, 1.0 + x is exact enough that this is log1p to float precision,
    // closer to PyTorch's log1p than float log(1 + x).
    private static float Activate(float x, SpladeActivation activation)
    {
        if (!(x > 0f))
        {
            return 0f;
        }
        double y = Math.Log(1.0 + x);
        if (activation == SpladeActivation.Log1pRelu)
        {
            y = Math.Log(1.0 + y);
        }
        return (float)y;
    }
}
