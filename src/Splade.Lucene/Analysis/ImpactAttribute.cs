using Lucene.Net.Util;

namespace Splade.Lucene.Analysis;

/// <summary>Default implementation of <see cref="IImpactAttribute"/> (found by Lucene's attribute factory by name).</summary>
public sealed class ImpactAttribute : global::Lucene.Net.Util.Attribute, IImpactAttribute
{
    /// <inheritdoc/>
    public int Impact { get; set; }

    /// <inheritdoc/>
    public override void Clear() => Impact = 0;

    /// <inheritdoc/>
    public override void CopyTo(IAttribute target) => ((IImpactAttribute)target).Impact = Impact;

    /// <inheritdoc/>
    public override void ReflectWith(IAttributeReflector reflector) => reflector.Reflect<IImpactAttribute>("impact", Impact);
}
