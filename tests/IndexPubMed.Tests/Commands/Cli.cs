using System.CommandLine;
using IndexPubMed.Commands;

namespace IndexPubMed.Tests.Commands;

/// <summary>Runs CLI commands in-process with their output captured.</summary>
internal static class Cli
{
    public static readonly string ModelDir = Path.Combine(AppContext.BaseDirectory, "fixtures", "tiny-splade");

    public static readonly string PubMedDir = Path.Combine(AppContext.BaseDirectory, "fixtures", "pubmed-xml");

    public static readonly string SciFactDir = Path.Combine(AppContext.BaseDirectory, "fixtures", "scifact");

    public static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = CliRunner.Run(args, new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>The PMIDs of the hit lines ("rank  pmid  score  title") of a single-query search.</summary>
    public static List<string> HitIds(string output) => output.Split('\n')
        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(f => f.Length >= 3 && int.TryParse(f[0], out _) && double.TryParse(f[2], System.Globalization.CultureInfo.InvariantCulture, out _))
        .Select(f => f[1]).ToList();
}
