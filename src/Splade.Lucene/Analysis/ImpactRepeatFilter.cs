using Lucene.Net.Analysis;

namespace Splade.Lucene.Analysis;

/// <summary>
/// Emits each token <see cref="IImpactAttribute.Impact"/> times in a row, so that its term frequency
/// in the index is the impact (Lucene.NET 4.8 has no term-frequency attribute). The repeats return
/// true without touching any attribute: the indexer sees the same term again at no allocation cost.
/// </summary>
public sealed class ImpactRepeatFilter : TokenFilter
{
    private readonly IImpactAttribute _impact;
    private int _remaining;

    /// <summary>Wraps a stream whose tokens carry an <see cref="IImpactAttribute"/>.</summary>
    public ImpactRepeatFilter(TokenStream input)
        : base(input)
    {
        _impact = AddAttribute<IImpactAttribute>();
    }

    /// <inheritdoc/>
    public override bool IncrementToken()
    {
        if (_remaining > 0)
        {
            _remaining--;
            return true;
        }
        if (!m_input.IncrementToken())
        {
            return false;
        }
        // An impact of 0 or less cannot be a frequency; the token is still emitted once.
        _remaining = Math.Max(0, _impact.Impact - 1);
        return true;
    }

    /// <inheritdoc/>
    public override void Reset()
    {
        base.Reset();
        _remaining = 0;
    }

    /// <inheritdoc/>
    public override void End()
    {
        base.End();
        _remaining = 0;
    }
}
