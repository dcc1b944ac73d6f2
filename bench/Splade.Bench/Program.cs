return args.Length > 0 && args[0] == "lucene"
    ? Splade.Bench.Lucene.LuceneBench.Run(args[1..])
    : args.Length > 0 && args[0] == "pruning"
    ? Splade.Bench.Pruning.PruningBench.Run(args[1..])
    : Usage();

static int Usage()
{
    Console.WriteLine("usage: Splade.Bench <encoder|lucene|pruning> ...");
    return 2;
}
