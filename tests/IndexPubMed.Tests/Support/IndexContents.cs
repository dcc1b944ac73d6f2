using Splade.Lucene.Index;
using IndexPubMed.Indexing;
using Lucene.Net.Index;
using Lucene.Net.Store;

namespace IndexPubMed.Tests.Support;

/// <summary>What an index folder holds, read back through Lucene.</summary>
internal static class IndexContents
{
    /// <summary>Id -> title of every live document; fails on an id indexed twice. Empty when there is no commit.</summary>
    public static Dictionary<string, string> Read(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!System.IO.Directory.Exists(path))
        {
            return result;
        }
        using var dir = FSDirectory.Open(path);
        if (!IndexCommits.HasCommit(dir))
        {
            return result;
        }
        using var reader = DirectoryReader.Open(dir);
        var live = MultiFields.GetLiveDocs(reader);
        for (int i = 0; i < reader.MaxDoc; i++)
        {
            if (live is null || live.Get(i))
            {
                var doc = reader.Document(i);
                Assert.True(result.TryAdd(doc.Get(PubMedSchema.Id), doc.Get(PubMedSchema.Title) ?? ""), $"id {doc.Get(PubMedSchema.Id)} is indexed twice");
            }
        }
        return result;
    }

    /// <summary>Number of live documents that have a term in the SPLADE field.</summary>
    public static int WithSplade(string path)
    {
        using var dir = FSDirectory.Open(path);
        using var reader = DirectoryReader.Open(dir);
        var terms = MultiFields.GetTerms(reader, PubMedSchema.Splade);
        return terms is null ? 0 : terms.DocCount;
    }
}
