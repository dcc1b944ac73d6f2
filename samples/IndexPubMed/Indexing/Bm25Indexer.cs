using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.Search.Similarities;

namespace IndexPubMed.Indexing;

/// <summary>Writes documents into a flat BM25 index (see <see cref="Bm25Index"/>).</summary>
public sealed class Bm25Indexer : IDisposable
{
    private readonly IndexWriter _writer;

    /// <summary>Opens (or creates) the index in <paramref name="directory"/>.</summary>
    /// <param name="directory">Where the index lives.</param>
    /// <param name="analyzer">Analysis of the contents field, normally <see cref="EnglishBm25Analyzer"/>.</param>
    /// <param name="similarity">Norm encoding; default <see cref="Bm25Index.CreateSimilarity"/>.
    /// Search with the same similarity.</param>
    public Bm25Indexer(Lucene.Net.Store.Directory directory, Analyzer analyzer, Similarity? similarity = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        _writer = new IndexWriter(directory, Bm25Index.CreateWriterConfig(analyzer, similarity));
    }

    /// <summary>The underlying writer.</summary>
    public IndexWriter Writer => _writer;

    /// <summary>
    /// Adds a record, or skips it and returns false when title and text are blank (Anserini's
    /// document generator skips empty contents too, so document counts stay comparable).
    /// </summary>
    /// <remarks>Adds without deleting an earlier document with the same id; use <see cref="Update"/> to replace.</remarks>
    public bool Add(string id, string? title, string? text)
    {
        if (string.IsNullOrWhiteSpace(Bm25Index.Contents(title, text)))
        {
            return false;
        }
        _writer.AddDocument(Bm25Index.CreateDocument(id, title, text));
        return true;
    }

    /// <summary>Replaces the document with the same id atomically, or adds it; blank records are skipped.</summary>
    public bool Update(string id, string? title, string? text)
    {
        if (string.IsNullOrWhiteSpace(Bm25Index.Contents(title, text)))
        {
            return false;
        }
        _writer.UpdateDocument(new Term(Bm25Index.IdField, id), Bm25Index.CreateDocument(id, title, text));
        return true;
    }

    /// <summary>Makes everything added so far durable and visible to new readers.</summary>
    public void Commit() => _writer.Commit();

    /// <summary>Commits and closes the writer.</summary>
    public void Dispose() => _writer.Dispose();
}
