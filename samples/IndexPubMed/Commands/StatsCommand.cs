using System.CommandLine;
using IndexPubMed.Searching;

namespace IndexPubMed.Commands;

/// <summary><c>stats</c>: documents, segments, size, recorded settings and field statistics of an index.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var index = new Option<DirectoryInfo>("--index") { Description = "index folder", Required = true };
        var command = new Command("stats", "Show an index: documents, deletions, segments, size, SPLADE settings, indexing progress, SPLADE and BM25 field statistics.")
        {
            index,
        };
        command.SetAction(parse =>
        {
            try
            {
                parse.InvocationConfiguration.Output.Write(IndexStatistics.Read(parse.GetValue(index)!.FullName).Format());
                return 0;
            }
            catch (Exception e) when (e is SearchSetupException or IOException or Splade.Lucene.Index.SpladeIndexMismatchException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"stats: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
