using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Payloads;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;

namespace Splade.Lucene.Analysis;

/// <summary>
/// Stores each token's <see cref="IImpactAttribute.Impact"/> as a 4-byte big-endian payload
/// (<see cref="PayloadHelper.EncodeInt32(int)"/>). The payload buffer is reused: the indexer copies it.
/// </summary>
public sealed class ImpactPayloadFilter : TokenFilter
{
    private readonly IImpactAttribute _impact;
    private readonly IPayloadAttribute _payload;
    private readonly BytesRef _bytes = new(new byte[4]);

    /// <summary>Wraps a stream whose tokens carry an <see cref="IImpactAttribute"/>.</summary>
    public ImpactPayloadFilter(TokenStream input)
        : base(input)
    {
        _impact = AddAttribute<IImpactAttribute>();
        _payload = AddAttribute<IPayloadAttribute>();
    }

    /// <inheritdoc/>
    public override bool IncrementToken()
    {
        if (!m_input.IncrementToken())
        {
            return false;
        }
        PayloadHelper.EncodeInt32(_impact.Impact, _bytes.Bytes, 0);
        _bytes.Offset = 0;
        _bytes.Length = 4;
        _payload.Payload = _bytes;
        return true;
    }
}
