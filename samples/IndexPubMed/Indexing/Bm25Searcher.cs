using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;

namespace IndexPubMed.Indexing;

/// <summary>
/// Runs bag-of-words BM25 searches over an index built with <see cref="Bm25Index"/>, ranking as
/// Anserini does: score descending, ties broken by ascending document id.
/// </summary>
public sealed class Bm25Searcher
{
    private static readonly Sort ScoreThenId =
        new(SortField.FIELD_SCORE, new SortField(Bm25Index.IdField, SortFieldType.STRING));

    private readonly Analyzer _analyzer;

    /// <summary>Creates a searcher over <paramref name="reader"/>.</summary>
    /// <param name="reader">An index written by <see cref="Bm25Indexer"/>.</param>
    /// <param name="analyzer">The analyzer the index was written with.</param>
    /// <param name="similarity">The similarity the index was written with; default
    /// <see cref="Bm25Index.CreateSimilarity"/> (BM25 k1 = 0.9, b = 0.4).</param>
    public Bm25Searcher(IndexReader reader, Analyzer analyzer, Similarity? similarity = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(analyzer);
        _analyzer = analyzer;
        Searcher = new IndexSearcher(reader) { Similarity = similarity ?? Bm25Index.CreateSimilarity() };
    }

    /// <summary>The underlying searcher, with the BM25 similarity set.</summary>
    public IndexSearcher Searcher { get; }

    /// <summary>Builds the query for <paramref name="text"/> (see <see cref="BagOfWordsQuery"/>).</summary>
    public BooleanQuery CreateQuery(string text) => BagOfWordsQuery.Build(_analyzer, Bm25Index.ContentsField, text);

    /// <summary>Returns the top <paramref name="k"/> documents for a natural-language query.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    public IReadOnlyList<SearchHit> Search(string text, int k) => Search(CreateQuery(text), k);

    /// <summary>Returns the top <paramref name="k"/> documents for <paramref name="query"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    public IReadOnlyList<SearchHit> Search(Query query, int k)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (query is BooleanQuery { Clauses.Count: 0 })
        {
            return [];
        }

        // Sorting on the id doc values both breaks ties deterministically (so the cut at k does
        // not depend on segment order) and hands back the id without a stored-field lookup.
        TopFieldDocs top = Searcher.Search(query, null, k, ScoreThenId, doDocScores: true, doMaxScore: false);
        var hits = new SearchHit[top.ScoreDocs.Length];
        for (int i = 0; i < hits.Length; i++)
        {
            var doc = (FieldDoc)top.ScoreDocs[i];
            hits[i] = new SearchHit(((BytesRef)doc.Fields[1]).Utf8ToString(), doc.Score);
        }
        return hits;
    }
}
