using System.CommandLine;
using IndexPubMed.Commands;

var root = new RootCommand("Index, search and evaluate PubMed (or any JSONL collection) with BM25 and SPLADE in Lucene.NET.");
root.Subcommands.Add(EncodeCommand.Create());
root.Subcommands.Add(IndexCommand.Create());
root.Subcommands.Add(SearchCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(ReindexCommand.Create());
root.Subcommands.Add(StatsCommand.Create());
root.Options.Add(UnexpectedErrors.Verbose);
return UnexpectedErrors.Invoke(root.Parse(args));
