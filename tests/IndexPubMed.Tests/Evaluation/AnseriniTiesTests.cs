using IndexPubMed.Evaluation;

namespace IndexPubMed.Tests.Evaluation;

/// <summary>
/// <see cref="TrecRun.WithAnseriniTies"/>: Anserini's convention (ties by docid ascending, scores rounded to
/// 1e-4 and lowered by 1e-6 per tied document, written with six decimals) so that trec_eval, and this
/// project's metrics, rank tied documents as Anserini does.
/// </summary>
public sealed class AnseriniTiesTests
{
    [Fact]
    public void TiedDocumentsAreOrderedByDocidAscendingAndTheirScoresSpacedBy1e6()
    {
        var run = new TrecRun();
        run.Add("q1", "b", 5.25f);
        run.Add("q1", "y", 3.00004f);
        run.Add("q1", "a", 5.25f);
        run.Add("q1", "z", 7.123456f);
        run.Add("q1", "c", 5.25f);
        run.Add("q2", "n", 2.00003f);   // tied with m after rounding to 1e-4
        run.Add("q2", "m", 2.00001f);

        var adjusted = run.WithAnseriniTies();
        var text = new StringWriter();
        adjusted.Write(text, "t");

        Assert.Equal(
            [
                "q1 Q0 z 1 7.123500 t",
                "q1 Q0 a 2 5.250000 t",
                "q1 Q0 b 3 5.249999 t",
                "q1 Q0 c 4 5.249998 t",
                "q1 Q0 y 5 3.000000 t",
                "q2 Q0 n 1 2.000000 t",
                "q2 Q0 m 2 1.999999 t",
            ],
            text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // trec_eval's own order (score descending, docid descending) of the file is Anserini's order.
        var reread = TrecRun.Read(new StringReader(text.ToString()));
        Assert.Equal(["z", "a", "b", "c", "y"], reread.GetRanking("q1").Select(e => e.DocId));
        // Without the convention trec_eval puts the tied documents the other way round.
        Assert.Equal(["z", "c", "b", "a", "y"], run.GetRanking("q1").Select(e => e.DocId));
    }
}
