using Lucene.Net.Util;

namespace Splade.Lucene.Analysis;

/// <summary>
/// The quantized impact of the current SPLADE term, set by <see cref="SpladeTokenizer"/> and turned into
/// a term frequency by <see cref="ImpactRepeatFilter"/> or a payload by <see cref="ImpactPayloadFilter"/>.
/// </summary>
public interface IImpactAttribute : IAttribute
{
    /// <summary>The impact, <c>round(weight x scale)</c>; positive for every emitted term, 0 after clearing.</summary>
    int Impact { get; set; }
}
