using Splade.Lucene.Index;

namespace Splade.Lucene.Tests.Index;

public sealed class ImpactQuantizerTests
{
    [Theory]
    [InlineData(0.125f, 100f, 13)] // 12.5: midpoint away from zero (to-even would give 12)
    [InlineData(0.375f, 100f, 38)]
    [InlineData(0.004f, 100f, 0)]
    [InlineData(0.005f, 100f, 0)] // the float 0.005f is 0.00499999988..., so its product is just under 0.5
    [InlineData(0.025f, 100f, 3)] // the float 0.025f is 0.0250000004..., just over the midpoint
    [InlineData(3.5f, 100f, 350)]
    [InlineData(0.285f, 100f, 28)] // the stored float times 100 is 28.4999999642; a float product would round up to 28.5 and give 29
    [InlineData(1.5f, 1f, 2)]
    public void ImpactIsRoundedProductAwayFromZero(float weight, float scale, int impact) =>
        Assert.Equal(impact, ImpactQuantizer.ToImpact(weight, scale));
}
