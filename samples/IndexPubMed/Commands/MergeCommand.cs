using System.CommandLine;
using IndexPubMed.Indexing;
using Splade.Lucene.Index;

namespace IndexPubMed.Commands;

/// <summary>
/// <c>merge</c>: joins indexes built in parallel (for example with <c>index --shard K/N</c>) into one,
/// refusing inputs with other SPLADE settings and keeping PMIDs unique (a later input wins).
/// </summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var index = new Option<DirectoryInfo>("--index") { Description = "output index folder (created if missing; an existing index is merged into, its documents count as the oldest)", Required = true };
        var inputs = new Argument<string[]>("SHARD_INDEX") { Description = "index folders to add, applied in order: a PMID found in a later one replaces the earlier document", Arity = ArgumentArity.OneOrMore };
        var quiet = CommonOptions.Quiet();
        var command = new Command("merge", "Merge indexes built in parallel (same SPLADE settings) into one index.") { index, inputs, quiet };
        command.SetAction(parse => Run(parse.GetValue(index)!, parse.GetValue(inputs) ?? [], parse.GetValue(quiet), parse.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(DirectoryInfo index, string[] inputs, bool quiet, TextWriter error)
    {
        var merger = new IndexMerger(index.FullName, inputs);
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            merger.Run(message =>
            {
                if (!quiet || message.StartsWith("warning", StringComparison.Ordinal))
                {
                    error.WriteLine(message);
                }
            });
        }
        catch (Exception e) when (e is SpladeIndexMismatchException or IOException or UnauthorizedAccessException or Lucene.Net.Index.CorruptIndexException)
        {
            error.WriteLine($"merge: {e.Message}");
            return 2;
        }
        if (!quiet)
        {
            error.WriteLine($"merged {inputs.Length} indexes into {index.FullName}: {merger.Added:N0} documents added, {merger.Replaced:N0} replaced by a later input, {started.Elapsed.TotalSeconds:F1} s");
        }
        return 0;
    }
}
