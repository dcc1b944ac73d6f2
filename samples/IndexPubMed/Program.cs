using System.CommandLine;
using IndexPubMed.Commands;

var root = new RootCommand("Index, search and evaluate PubMed (or any JSONL collection) with BM25 and SPLADE in Lucene.NET.");
root.Subcommands.Add(EncodeCommand.Create());
root.Subcommands.Add(IndexCommand.Create());
root.Subcommands.Add(SearchCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(ReindexCommand.Create());
root.Subcommands.Add(StatsCommand.Create());
root.Subcommands.Add(QuantizeCommand.Create());
return root.Parse(args).Invoke();
