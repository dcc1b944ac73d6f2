Console.WriteLine("IndexPubMed");
