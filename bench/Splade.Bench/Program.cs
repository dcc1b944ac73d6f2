Console.WriteLine("usage: Splade.Bench <encoder|lucene|pruning> ...");
