using System.Globalization;

namespace Splade.Bench.Pruning;

/// <summary>
/// The options shared by the benchmarks that search the synthetic corpus's index (<see cref="BenchIndex"/>):
/// <c>--docs N --segments S --seed S --dir PATH --queries Q --k K</c>. Each benchmark reads its own options around
/// these, so that they are parsed one way and documented once.
/// </summary>
internal sealed class IndexBenchOptions
{
    public IndexBenchOptions(string root, int queries = 300, int k = 10)
    {
        Root = root;
        Queries = queries;
        K = k;
    }

    /// <summary>Documents in the index (<c>--docs</c>, default 200,000).</summary>
    public int Docs { get; private set; } = 200_000;

    /// <summary>The corpus's and queries' seed (<c>--seed</c>, default 42).</summary>
    public int Seed { get; private set; } = 42;

    /// <summary>Equal segments the index is written as (<c>--segments</c>, default 8).</summary>
    public int Segments { get; private set; } = 8;

    /// <summary>How many queries (<c>--queries</c>).</summary>
    public int Queries { get; private set; }

    /// <summary>Hits per search (<c>--k</c>).</summary>
    public int K { get; private set; }

    /// <summary>The folder the index lives in, or is written to (<c>--dir</c>).</summary>
    public string Root { get; private set; }

    /// <summary>
    /// Reads option <paramref name="name"/> when it is one of these, taking its value from <paramref name="value"/>
    /// (which advances the caller's argument index); false when the option is another one.
    /// </summary>
    public bool TryRead(string name, Func<string> value)
    {
        switch (name)
        {
            case "--docs": Docs = Int(value()); break;
            case "--queries": Queries = Int(value()); break;
            case "--seed": Seed = Int(value()); break;
            case "--segments": Segments = Int(value()); break;
            case "--k": K = Int(value()); break;
            case "--dir": Root = value(); break;
            default: return false;
        }
        return true;
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
