using IndexPubMed.Indexing;
using Lucene.Net.Index;
using FSDirectory = Lucene.Net.Store.FSDirectory;

namespace IndexPubMed.Tests.Commands;

/// <summary>One index of the PubMed XML fixture with the tiny SPLADE model (scale 100), built by the <c>index</c> command and shared by the search tests.</summary>
public sealed class PubMedIndexFixture : IDisposable
{
    public PubMedIndexFixture()
    {
        var inputs = Directory.GetFiles(Cli.PubMedDir).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        var (exit, _, error) = Cli.Run(["index", "--index", IndexDir, "--model", Cli.ModelDir, "--quiet", .. inputs]);
        if (exit != 0)
        {
            throw new InvalidOperationException($"index failed ({exit}): {error}");
        }
        using var directory = FSDirectory.Open(IndexDir);
        using var reader = DirectoryReader.Open(directory);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < reader.MaxDoc; i++)
        {
            ids.Add(reader.Document(i).Get(PubMedSchema.Id));
        }
        Ids = ids;
        DocumentCount = reader.NumDocs;
    }

    public string IndexDir { get; } = Directory.CreateTempSubdirectory("search-fixture").FullName;

    /// <summary>Every PMID in the index.</summary>
    public IReadOnlySet<string> Ids { get; }

    public int DocumentCount { get; }

    public void Dispose() => Directory.Delete(IndexDir, recursive: true);
}

[CollectionDefinition(Name)]
public sealed class PubMedIndexCollection : ICollectionFixture<PubMedIndexFixture>
{
    public const string Name = "PubMed index";
}
