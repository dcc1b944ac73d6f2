using IndexPubMed.Indexing;
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
        using var directory = new RAMDirectory();
        using var analyzer = new EnglishBm25Analyzer();
        using (var indexer = new Bm25Indexer(directory, analyzer))
        {
            // "b" and "a" are identical, so they tie; "c" has the term only in its title.
            Assert.True(indexer.Add("b", "", "insulin resistance in muscle"));
            Assert.True(indexer.Add("a", "", "insulin resistance in muscle"));
            Assert.True(indexer.Add("c", "Insulin", "unrelated words about something else entirely"));
            Assert.False(indexer.Add("empty", "  ", ""));
        }

        using var reader = DirectoryReader.Open(directory);
        Assert.Equal(3, reader.NumDocs);
        var searcher = new Bm25Searcher(reader, analyzer);

        var hits = searcher.Search("insulin resistance?", 10);

        Assert.Equal(["a", "b", "c"], hits.Select(h => h.DocId));
        Assert.Equal(hits[0].Score, hits[1].Score);
        Assert.True(hits[1].Score > hits[2].Score);
        Assert.Empty(searcher.Search("the of and", 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => searcher.Search("insulin", 0));
    }

    [Fact]
    public void Searcher_ScoreEqualsExplanation()
    {
        using var directory = new RAMDirectory();
        using var analyzer = new EnglishBm25Analyzer();
        using (var indexer = new Bm25Indexer(directory, analyzer))
        {
            indexer.Add("1", "Title words", "a somewhat longer body of text about protein folding and protein misfolding");
            indexer.Add("2", "", "protein");
        }
        using var reader = DirectoryReader.Open(directory);
        var searcher = new Bm25Searcher(reader, analyzer);
        var query = searcher.CreateQuery("protein folding protein");

        var top = searcher.Searcher.Search(query, 10);
        Assert.Equal(2, top.TotalHits);
        foreach (var scoreDoc in top.ScoreDocs)
        {
            Assert.Equal(scoreDoc.Score, searcher.Searcher.Explain(query, scoreDoc.Doc).Value, 5);
        }
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
