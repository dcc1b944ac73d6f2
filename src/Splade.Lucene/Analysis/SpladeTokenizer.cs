using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Splade.Encoder;
using Splade.Lucene.Index;

namespace Splade.Lucene.Analysis;

/// <summary>
/// Reads the whole field text, encodes it with <see cref="ISparseEncoder.EncodeDocument"/>, quantizes the
/// vector (<see cref="SpladeFieldOptions"/>) and emits one token per term: the vocabulary token string
/// (for example <c>##ing</c>) with its impact in <see cref="IImpactAttribute"/>. Follow it with
/// <see cref="ImpactRepeatFilter"/> or <see cref="ImpactPayloadFilter"/>; <see cref="SpladeAnalyzer"/>
/// builds that chain.
/// </summary>
public sealed class SpladeTokenizer : Tokenizer
{
    private readonly ISparseEncoder _encoder;
    private readonly SpladeFieldOptions _options;
    private readonly SpladeIndexingStats? _stats;
    private readonly ICharTermAttribute _term;
    private readonly IImpactAttribute _impact;
    private QuantizedTerms? _terms;
    private int _next;

    /// <summary>Creates the tokenizer.</summary>
    /// <param name="input">The field text.</param>
    /// <param name="encoder">Encodes the text; its vectors are used as they are (cosine encoders already return unit vectors).</param>
    /// <param name="options">Quantization and invalid-entry handling; copied.</param>
    /// <param name="stats">Receives the counters of every document, or null.</param>
    public SpladeTokenizer(TextReader input, ISparseEncoder encoder, SpladeFieldOptions options, SpladeIndexingStats? stats = null)
        : base(input)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _options.Validate();
        _encoder = encoder;
        _stats = stats;
        _term = AddAttribute<ICharTermAttribute>();
        _impact = AddAttribute<IImpactAttribute>();
    }

    /// <inheritdoc/>
    public override bool IncrementToken()
    {
        var terms = _terms ?? throw new InvalidOperationException("TokenStream contract violation: Reset() was not called before IncrementToken().");
        if (_next >= terms.Count)
        {
            return false;
        }
        ClearAttributes();
        _term.SetEmpty().Append(terms.Terms[_next]);
        _impact.Impact = terms.Impacts[_next];
        _next++;
        return true;
    }

    /// <inheritdoc/>
    public override void Reset()
    {
        base.Reset();
        // The model needs the whole text at once, so encoding happens here rather than token by token.
        // Lucene.NET's reusable string reader returns null, not "", for an empty field.
        string text = m_input.ReadToEnd() ?? string.Empty;
        var vector = _encoder.EncodeDocument(text);
        _terms = ImpactQuantizer.Quantize(vector, _encoder.Vocabulary, _options, normalize: false, _stats);
        _next = 0;
    }

    /// <inheritdoc/>
    public override void End()
    {
        base.End();
        _next = _terms?.Count ?? 0;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _terms = null;
        }
    }
}
