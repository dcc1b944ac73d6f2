using Splade.Lucene.Search;
using IndexPubMed.Indexing;
using IndexPubMed.Searching;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;

namespace IndexPubMed.Tests.Evaluation;

public sealed class Bm25IndexingTests
{
    [Fact]
    public void Analyzer_TokenizesDropsPossessivesAndStopWordsAndStems()
    {
        using var analyzer = new EnglishBm25Analyzer();

        // "The"/"and" are stop words, "patient's" loses its possessive, UAX#29 splits "TNF-alpha"
        // and "IL-6" on the hyphen, Porter stems "brains" and "running".
        var terms = analyzer.Analyze(Bm25Index.ContentsField, "The patient's brains? Running: TNF-alpha and IL-6!");

        Assert.Equal(["patient", "brain", "run", "tnf", "alpha", "il", "6"], terms);
    }

    [Fact]
    public void BagOfWords_OneShouldClausePerTerm_BoostedByCount_IgnoringQuerySyntax()
    {
        using var analyzer = new EnglishBm25Analyzer();

        var query = BagOfWordsQuery.Build(analyzer, "contents", "Does vitamin D? \"vitamin\": D AND (cells)");

        // "Does" stems to "doe"; "AND" is a stop word once lower-cased; quotes and brackets vanish.
        Assert.Equal(
            [("doe", 1f), ("vitamin", 2f), ("d", 2f), ("cell", 1f)],
            query.Clauses.Select(c => (((TermQuery)c.Query).Term.Text, c.Query.Boost)));
        Assert.All(query.Clauses, c => Assert.Equal(Occur.SHOULD, c.Occur));
        Assert.True(query.CoordDisabled);
        Assert.Empty(BagOfWordsQuery.Build(analyzer, "contents", "the and of ?").Clauses);
    }

    [Fact]
    public void Searcher_RanksByScore_BreaksTiesByAscendingId_AndSearchesTitles()
    {
        // "b" and "a" are identical, so they tie; "c" has the term only in its title; "empty" has no text.
        using var index = SmallIndex(
            ("b", "", "insulin resistance in muscle"),
            ("a", "", "insulin resistance in muscle"),
            ("c", "Insulin", "unrelated words about something else entirely"),
            ("empty", "", ""));
        using var searcher = PubMedSearcher.Open(index.Path, encoder: null, expectedScale: null);
        Assert.Equal(4, searcher.Reader.NumDocs);

        var hits = searcher.Top(searcher.Bm25Query("insulin resistance?"), 10);

        Assert.Equal(["a", "b", "c"], hits.Select(h => h.Id));
        Assert.Equal(hits[0].Score, hits[1].Score);
        Assert.True(hits[1].Score > hits[2].Score);
        Assert.Empty(searcher.Top(searcher.Bm25Query("the of and"), 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => searcher.Top(searcher.Bm25Query("insulin"), 0));
    }

    [Fact]
    public void Searcher_ScoreEqualsExplanation()
    {
        using var index = SmallIndex(
            ("1", "Title words", "a somewhat longer body of text about protein folding and protein misfolding"),
            ("2", "", "protein"));
        using var searcher = PubMedSearcher.Open(index.Path, encoder: null, expectedScale: null);
        var query = searcher.Bm25Query("protein folding protein");

        var top = searcher.Searcher.Search(query, 10);
        Assert.Equal(2, top.TotalHits);
        foreach (var scoreDoc in top.ScoreDocs)
        {
            Assert.Equal(scoreDoc.Score, searcher.Searcher.Explain(query, scoreDoc.Doc).Value, 5);
        }
    }

    /// <summary>A BM25-only index of (id, title, text) records built by the <c>index</c> command, as users build one.</summary>
    private static IndexFolder SmallIndex(params (string Id, string Title, string Text)[] docs)
    {
        var dir = new Input.TempDir();
        string corpus = dir.Write("corpus.jsonl", string.Concat(docs.Select(d =>
            System.Text.Json.JsonSerializer.Serialize(new { _id = d.Id, title = d.Title, text = d.Text }) + "\n")));
        int exit = IndexPubMed.Commands.CliRunner.Run(["index", "--index", Path.Combine(dir.Path, "index"), "--no-splade", "--quiet", corpus]);
        Assert.Equal(0, exit);
        return new IndexFolder(dir);
    }

    private sealed class IndexFolder(Input.TempDir temp) : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(temp.Path, "index");

        public void Dispose() => temp.Dispose();
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(23, 23)]   // below 24 lengths are exact
    [InlineData(24, 24)]
    [InlineData(200, 200)] // 200 - 24 = 176 = 1011 0000b: fits a 4-bit mantissa
    [InlineData(201, 200)] // 177 truncates to 176
    [InlineData(215, 200)]
    [InlineData(216, 216)] // 192 = 1100 0000b
    public void Lucene9LengthEncoding_TruncatesToFourSignificantBitsAbove24(int length, int decoded)
    {
        Assert.Equal(decoded, Lucene9LengthBm25Similarity.Byte4ToInt(Lucene9LengthBm25Similarity.IntToByte4(length)));
    }

    [Fact]
    public void Lucene9LengthEncoding_IsMonotoneAndCoversIntRange()
    {
        int previous = -1;
        for (int length = 0; length < 100_000; length++)
        {
            int b = Lucene9LengthBm25Similarity.IntToByte4(length);
            Assert.True(b >= previous, $"byte for {length} decreased");
            Assert.True(Lucene9LengthBm25Similarity.Byte4ToInt((byte)b) <= length);
            previous = b;
        }
        Assert.Equal(255, Lucene9LengthBm25Similarity.IntToByte4(int.MaxValue));
    }
}
