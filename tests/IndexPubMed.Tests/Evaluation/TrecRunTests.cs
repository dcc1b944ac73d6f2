using IndexPubMed.Evaluation;

namespace IndexPubMed.Tests.Evaluation;

public sealed class TrecRunTests
{
    [Fact]
    public void Write_SortsByScoreThenDocIdDescending_AndRenumbersRanks()
    {
        var run = new TrecRun();
        run.Add("7", "a", 1.5);
        run.Add("7", "c", 2.25);
        run.Add("7", "b", 1.5);
        run.Add("3", "x", 0.1);

        var text = new StringWriter();
        run.Write(text, "bm25");

        // Queries keep insertion order; "b" precedes "a" on the tie, as trec_eval ranks them.
        Assert.Equal(
            "7 Q0 c 1 2.25 bm25\n" +
            "7 Q0 b 2 1.5 bm25\n" +
            "7 Q0 a 3 1.5 bm25\n" +
            "3 Q0 x 1 0.1 bm25\n",
            text.ToString());
    }

    [Fact]
    public void Read_IgnoresRankColumn_AndRoundTripsScores()
    {
        var run = TrecRun.Read(new StringReader(
            "q1 Q0 d1 9 0.30000000000000004 tag\n\n" +
            "q1\tQ0\td2\t1\t0.3\ttag\n"));

        var ranking = run.GetRanking("q1");
        Assert.Equal(["d1", "d2"], ranking.Select(e => e.DocId));
        Assert.Equal(0.30000000000000004, ranking[0].Score);

        var text = new StringWriter();
        run.Write(text, "t");
        var reread = TrecRun.Read(new StringReader(text.ToString()));
        Assert.Equal(ranking, reread.GetRanking("q1"));
    }

    [Fact]
    public void Read_MalformedLine_ThrowsWithLineNumber()
    {
        var e = Assert.Throws<FormatException>(() => TrecRun.Read(new StringReader("q1 Q0 d1 1 1.0 t\nq1 Q0 d2 2 1.0\n")));
        Assert.Contains("line 2", e.Message);

        e = Assert.Throws<FormatException>(() => TrecRun.Read(new StringReader("q1 Q0 d1 1 high t\n")));
        Assert.Contains("'high'", e.Message);
    }

    [Fact]
    public void DuplicateDocument_IsRejected()
    {
        var run = new TrecRun();
        run.Add("q1", "d1", 1);
        var e = Assert.Throws<ArgumentException>(() => run.Add("q1", "d1", 2));
        Assert.Equal("docId", e.ParamName);
        Assert.Throws<FormatException>(() => TrecRun.Read(new StringReader("q Q0 d 1 1 t\nq Q0 d 2 0.5 t\n")));
    }

    [Fact]
    public void IdWithWhitespace_IsRejected()
    {
        var run = new TrecRun();
        var e = Assert.Throws<ArgumentException>(() => run.Add("q 1", "d1", 1));
        Assert.Equal("queryId", e.ParamName);
        Assert.Throws<ArgumentException>(() => run.Write(new StringWriter(), "my tag"));
    }

    [Fact]
    public void UnknownQuery_HasEmptyRanking()
    {
        Assert.Empty(new TrecRun().GetRanking("nope"));
    }
}
