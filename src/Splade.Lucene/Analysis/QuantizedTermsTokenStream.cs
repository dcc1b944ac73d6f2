using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Splade.Lucene.Index;

namespace Splade.Lucene.Analysis;

/// <summary>
/// Emits already quantized terms (one token per term, impact in <see cref="IImpactAttribute"/>).
/// The source of a <c>SpladeField</c>: it is reused from document to document by swapping its terms.
/// </summary>
internal sealed class QuantizedTermsTokenStream : TokenStream
{
    private readonly ICharTermAttribute _term;
    private readonly IImpactAttribute _impact;
    private QuantizedTerms _terms = QuantizedTerms.Empty;
    private int _next;

    public QuantizedTermsTokenStream()
    {
        _term = AddAttribute<ICharTermAttribute>();
        _impact = AddAttribute<IImpactAttribute>();
    }

    public QuantizedTerms Terms
    {
        get => _terms;
        set => _terms = value ?? throw new ArgumentNullException(nameof(value));
    }

    public override bool IncrementToken()
    {
        if (_next >= _terms.Count)
        {
            return false;
        }
        ClearAttributes();
        _term.SetEmpty().Append(_terms.Terms[_next]);
        _impact.Impact = _terms.Impacts[_next];
        _next++;
        return true;
    }

    public override void Reset()
    {
        base.Reset();
        _next = 0;
    }

    public override void End()
    {
        base.End();
        _next = _terms.Count;
    }
}
