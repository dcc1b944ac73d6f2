using System.Runtime.CompilerServices;
using Xunit.Abstractions;

namespace Splade.Lucene.Tests.Support;

/// <summary>Seeded randomness for tests: the seed is printed, and SPLADE_TEST_SEED repeats a run.</summary>
public static class TestRandom
{
    public static Random Create(ITestOutputHelper output, [CallerMemberName] string test = "")
    {
        var fixedSeed = Environment.GetEnvironmentVariable("SPLADE_TEST_SEED");
        int seed = int.TryParse(fixedSeed, out int s) ? s : Random.Shared.Next();
        output.WriteLine($"{test}: random seed {seed} (set SPLADE_TEST_SEED={seed} to repeat)");
        return new Random(seed);
    }
}
