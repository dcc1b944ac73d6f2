using Splade.Encoder;
using Splade.Lucene;

namespace Splade.Lucene.Tests.EndToEnd;

/// <summary>
/// The README's "Library quick start" program, line for line between the markers (README block = the usings above
/// plus these lines, compared by <see cref="QuickStartTests"/>); its <c>Console</c> is a parameter so the test can capture it.
/// </summary>
internal static class QuickStartProgram
{
    public static void Run(string[] args, TextWriter Console)
    {
        // BEGIN README
        // args[0]: a SPLADE model folder (tests/fixtures/tiny-splade); args[1]: a new or empty index folder.
        using var encoder = SpladeEncoder.Create(args[0]);
        using var index = SpladeIndex.Create(args[1], encoder);

        index.Add(new[]
        {
            new SpladeDocument("1", "Aspirin reduces the risk of myocardial infarction in patients with stable angina.",
                new Dictionary<string, string> { ["journal"] = "Circulation" }),
            new SpladeDocument("2", "Metformin is the first-line pharmacological treatment for type 2 diabetes mellitus."),
            new SpladeDocument("3", "Statins lower low-density lipoprotein cholesterol and reduce major vascular events."),
            new SpladeDocument("4", "Vitamin D supplementation did not reduce the incidence of invasive cancer."),
        });   // encoded in batches (SpladeIndexOptions.BatchSize)
        index.Commit();

        foreach (var mode in new[] { SpladeSearchMode.Splade, SpladeSearchMode.Hybrid })
        {
            Console.WriteLine($"{mode}: aspirin heart attack prevention");
            foreach (var hit in index.Search("aspirin heart attack prevention", new SpladeSearchOptions { Mode = mode, Top = 3 }))
            {
                Console.WriteLine(FormattableString.Invariant($"  {hit.Id}  {hit.Score,8:F4}  {hit.Fields["text"][..40]}..."));
                Console.WriteLine($"     matched: {string.Join(", ", hit.MatchedTerms.Take(3))}");
            }
        }
        // END README
    }
}
