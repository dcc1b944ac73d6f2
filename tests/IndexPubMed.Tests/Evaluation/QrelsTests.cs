using IndexPubMed.Evaluation;

namespace IndexPubMed.Tests.Evaluation;

public sealed class QrelsTests
{
    [Fact]
    public void ReadBeir_SkipsHeader_AndKeepsGrades()
    {
        var qrels = Qrels.ReadBeir(new StringReader("query-id\tcorpus-id\tscore\n1\t31715818\t1\n1\t42\t2\n3\t7\t0\n"));

        Assert.Equal(["1", "3"], qrels.QueryIds);
        Assert.Equal(2, qrels.GetRelevance("1", "42"));
        Assert.Equal(0, qrels.GetRelevance("1", "unjudged"));
        Assert.Equal(2, qrels.CountRelevant("1"));
        Assert.Equal(0, qrels.CountRelevant("3"));
        Assert.True(qrels.Contains("3"));
    }

    [Fact]
    public void ReadTrec_IgnoresIterationColumn()
    {
        var qrels = Qrels.ReadTrec(new StringReader("301 0 FBIS3-10082 1\n301  0\tFBIS3-10169 0\n302 Q0 LA0101 2\n"));

        Assert.Equal(["301", "302"], qrels.QueryIds);
        Assert.Equal(1, qrels.GetRelevance("301", "FBIS3-10082"));
        Assert.Equal(0, qrels.GetRelevance("301", "FBIS3-10169"));
        Assert.Equal(2, qrels.GetRelevance("302", "LA0101"));
    }

    [Fact]
    public void Load_DetectsFormatFromFirstLine()
    {
        string beir = Path.GetTempFileName();
        string trec = Path.GetTempFileName();
        try
        {
            File.WriteAllText(beir, "query-id\tcorpus-id\tscore\nq\td\t1\n");
            File.WriteAllText(trec, "q 0 d 1\n");
            Assert.Equal(1, Qrels.Load(beir).GetRelevance("q", "d"));
            Assert.Equal(1, Qrels.Load(trec).GetRelevance("q", "d"));
        }
        finally
        {
            File.Delete(beir);
            File.Delete(trec);
        }
    }

    [Fact]
    public void Malformed_ThrowsFormatExceptionNamingLine()
    {
        var e = Assert.Throws<FormatException>(() => Qrels.ReadBeir(new StringReader("query-id\tcorpus-id\tscore\nq\td\tyes\n")));
        Assert.Contains("line 2", e.Message);
        Assert.Throws<FormatException>(() => Qrels.ReadTrec(new StringReader("q 0 d\n")));
        Assert.Throws<FormatException>(() => Qrels.ReadTrec(new StringReader("q 0 d 1\nq 0 d 0\n")));
    }
}
