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
