using Lucene.Net.Search.Similarities;

namespace IndexPubMed.Indexing;

/// <summary>
/// BM25 whose document-length norm is encoded as Lucene 9 (Anserini's Lucene) encodes it:
/// lengths below 24 exact, longer ones with a 4-bit mantissa, instead of Lucene 4.8's lossy
/// byte of 1/sqrt(length).
/// </summary>
/// <remarks>
/// The rest of the formula is Lucene 4.8's BM25: idf log(1 + (N - n + 0.5) / (n + 0.5)) and
/// tf saturation with k1 and b; its extra (k1 + 1) factor (dropped in Lucene 8) scales every
/// score alike, so rankings are unaffected. Indexes must be written and searched with the same
/// similarity, as the norm byte means something different from the stock one.
/// </remarks>
public sealed class Lucene9LengthBm25Similarity : BM25Similarity
{
    // Lucene's SmallFloat.intToByte4 layout: values 0..23 are stored as themselves, the other
    // 232 byte values hold a small float (3 explicit mantissa bits) of length - 24.
    private const int FreeValues = 24;

    private static readonly float[] LengthTable = BuildLengthTable();

    /// <summary>Creates the similarity with the given BM25 parameters.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k1 is negative or not finite, or b is outside [0, 1].</exception>
    public Lucene9LengthBm25Similarity(float k1, float b)
        : base(k1, b)
    {
    }

    /// <inheritdoc />
    protected override byte EncodeNormValue(float boost, int fieldLength) => IntToByte4(fieldLength);

    /// <inheritdoc />
    protected override float DecodeNormValue(byte b) => LengthTable[b];

    internal static byte IntToByte4(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return value < FreeValues ? (byte)value : (byte)(FreeValues + LongToInt4(value - FreeValues));
    }

    internal static int Byte4ToInt(byte b) => b < FreeValues ? b : FreeValues + (int)Int4ToLong(b - FreeValues);

    private static int LongToInt4(long value)
    {
        int bits = 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)value);
        if (bits < 4)
        {
            return (int)value;
        }
        int shift = bits - 4;
        // The leading 1 bit is implicit; keep the next three.
        int encoded = (int)(value >> shift) & 0x07;
        return encoded | ((shift + 1) << 3);
    }

    private static long Int4ToLong(int value)
    {
        long bits = value & 0x07;
        int shift = (value >> 3) - 1;
        return shift == -1 ? bits : (bits | 0x08) << shift;
    }

    private static float[] BuildLengthTable()
    {
        var table = new float[256];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = Byte4ToInt((byte)i);
        }
        return table;
    }
}
