using Lucene.Net.Analysis.Payloads;
using Lucene.Net.Util;

namespace Splade.Lucene.Codecs;

/// <summary>
/// How the positions of a one-token field become a frequency, the same at flush (<see cref="OneTokenTermsConsumer"/>)
/// and at a merge of unconverted segments (<see cref="OneTokenMergeFields"/>): the sum over positions of
/// max(1, payload impact), at least 1, as the same terms emitted as repeated tokens would count.
/// </summary>
internal static class OneTokenImpacts
{
    /// <summary>The impact one position adds; <paramref name="missing"/> words the error when it has no impact payload.</summary>
    public static long Of(BytesRef? payload, Func<string> missing) =>
        // Never write a wrong frequency: a token without an impact payload cannot be converted.
        payload is { Length: >= 4 } ? Math.Max(1, PayloadHelper.DecodeInt32(payload.Bytes, payload.Offset)) : throw new InvalidOperationException(missing());

    /// <summary>The frequency of a document whose positions sum to <paramref name="sum"/>; <paramref name="subject"/> names it if that overflows.</summary>
    public static int Frequency(long sum, Func<string> subject)
    {
        long freq = Math.Max(1, sum);
        return freq <= int.MaxValue ? (int)freq : throw new InvalidOperationException($"{subject()} sums to an impact of {freq}, over a frequency's limit of {int.MaxValue}.");
    }
}
