using Lucene.Net.Analysis;
using Splade.Encoder;
using Splade.Lucene.Index;
using System.Diagnostics.CodeAnalysis;

namespace Splade.Lucene.Analysis;

/// <summary>
/// Analyzes a text field into SPLADE impact terms: <see cref="SpladeTokenizer"/> (encode and quantize)
/// followed by <see cref="ImpactRepeatFilter"/> or <see cref="ImpactPayloadFilter"/> according to
/// <see cref="SpladeFieldOptions.StorageMode"/> (payloads also for <see cref="SpladeFieldOptions.OneTokenTermFrequency"/>).
/// Use it for the SPLADE field only (for example through <c>PerFieldAnalyzerWrapper</c>), with a field of type
/// <c>SpladeField.GetFieldType(options)</c>.
/// </summary>
public sealed class SpladeAnalyzer : Analyzer
{
    private readonly ISparseEncoder _encoder;
    private readonly SpladeFieldOptions _options;

    /// <summary>Creates the analyzer.</summary>
    /// <param name="encoder">Encodes document text.</param>
    /// <param name="options">Field options (copied); defaults when null.</param>
    /// <exception cref="ArgumentException">The options are invalid, or state a similarity function other than the encoder's.</exception>
    public SpladeAnalyzer(ISparseEncoder encoder, SpladeFieldOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        _options = options?.Clone() ?? new SpladeFieldOptions();
        _options.Validate();
        if (_options.SimilarityFunction is { } s && s != encoder.SimilarityFunction)
        {
            throw new ArgumentException(
                $"{nameof(SpladeFieldOptions.SimilarityFunction)} is {s} but the encoder '{encoder.ModelId}' uses {encoder.SimilarityFunction}.",
                nameof(options));
        }
        _options.SimilarityFunction = encoder.SimilarityFunction;
        _encoder = encoder;
    }

    /// <summary>Counters of every document this analyzer has indexed.</summary>
    public SpladeIndexingStats Stats { get; } = new();

    /// <summary>The encoder.</summary>
    public ISparseEncoder Encoder => _encoder;

    /// <summary>A copy of the options in use (with the encoder's similarity function filled in).</summary>
    public SpladeFieldOptions Options => _options.Clone();

    /// <inheritdoc/>
    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope",
        Justification = "The tokenizer and filter are owned by the returned TokenStreamComponents: Lucene's indexer disposes the chain after each field, and the analyzer's reuse strategy keeps it until the analyzer is disposed.")]
    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var source = new SpladeTokenizer(reader, _encoder, _options, Stats);
        TokenStream sink = Documents.SpladeField.UsesPayloads(_options)
            ? new ImpactPayloadFilter(source)
            : new ImpactRepeatFilter(source);
        return new TokenStreamComponents(source, sink);
    }
}
